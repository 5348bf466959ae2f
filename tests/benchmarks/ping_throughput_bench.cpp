// PING round trips over keep-alive against a loopback server that answers like the Trigger.dev SDK,
// with http_transport and, side by side on the same server, Node's fetch (ping_fetch_bench.mjs).
//
//   ping_throughput_bench [--duration-ms 3000] [--no-node] [--node node] [--script path.mjs]
//
// The server runs in a child process (one thread) so that client and server each get a core.
// Build in Release for meaningful figures.
#include "bench_args.hpp"

#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef KONGFLOW_BENCH_NODE_SCRIPT
#define KONGFLOW_BENCH_NODE_SCRIPT "ping_fetch_bench.mjs"
#endif

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace kongflow::endpoints;
using bench_clock = std::chrono::steady_clock;

namespace {

// ---- server (child process) -------------------------------------------------------------------

const std::string pong_response = "HTTP/1.1 200 OK\r\n"
                                  "Content-Type: application/json; charset=utf-8\r\n"
                                  "Trigger-Version: 2023-09-29\r\n"
                                  "Trigger-SDK-Version: 2.3.19\r\n"
                                  "X-Trigger-Request-Timing: dur=0\r\n"
                                  "Content-Length: 11\r\n"
                                  "\r\n"
                                  "{\"ok\":true}";

net::awaitable<void> serve(tcp::socket s) {
    boost::beast::flat_buffer buf;
    for (;;) {
        http::request_parser<http::string_body> p;
        auto [ec, n] = co_await http::async_read(s, buf, p, net::as_tuple(net::use_awaitable));
        (void)n;
        if (ec) co_return;
        const auto& m = p.get();
        // Answer like the SDK only when it is a PING with a key; anything else is a test bug.
        const std::string* reply = &pong_response;
        static const std::string bad = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        if (m.method() != http::verb::post || m["x-trigger-action"] != "PING" || m["x-trigger-api-key"].empty())
            reply = &bad;
        auto [wec, wn] = co_await net::async_write(s, net::buffer(*reply), net::as_tuple(net::use_awaitable));
        (void)wn;
        if (wec) co_return;
    }
}

net::awaitable<void> accept_loop(tcp::acceptor& a) {
    for (;;) {
        auto [ec, s] = co_await a.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        s.set_option(tcp::no_delay(true));
        net::co_spawn(a.get_executor(), serve(std::move(s)), net::detached);
    }
}

[[noreturn]] void run_server(int report_fd) {
    net::io_context ioc(1);
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    a.listen(1024);
    unsigned short port = a.local_endpoint().port();
    if (::write(report_fd, &port, sizeof port) != sizeof port) std::_Exit(1);
    ::close(report_fd);
    net::co_spawn(ioc, accept_loop(a), net::detached);
    ioc.run();
    std::_Exit(0);
}

// ---- our client -------------------------------------------------------------------------------

struct figures {
    double rps = 0;
    double p50_us = 0;
    double p99_us = 0;
    std::size_t count = 0;
    std::size_t errors = 0;
};

http_request ping_request(const std::string& url) {
    http_request r;
    r.url = url;
    r.headers = {{"x-trigger-api-key", "tr_dev_bench_key"},
                 {"x-trigger-action", "PING"},
                 {"x-trigger-endpoint-id", "bench"},
                 {"x-trigger-version", "2023-09-29"},
                 {"accept", "application/json"}};
    return r;
}

figures measure_ours(const std::string& url, int concurrency, std::chrono::milliseconds duration) {
    net::io_context ioc(1);
    http_transport tr(ioc, http_transport_params{.max_idle_per_origin = static_cast<std::size_t>(concurrency),
                                                 .max_connections_per_origin = static_cast<std::size_t>(concurrency)});
    const http_request proto = ping_request(url);
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(concurrency));
    std::size_t errors = 0;
    int finished = 0;
    bench_clock::time_point measure_from, measure_to;

    auto worker = [&](int id, bool warmup, bench_clock::time_point until) -> net::awaitable<void> {
        diagnostics diag;
        auto& mine = lat[static_cast<std::size_t>(id)];
        while (bench_clock::now() < until) {
            auto t0 = bench_clock::now();
            auto [ec, resp] = co_await tr.async_send(proto, diag, net::as_tuple(net::use_awaitable));
            auto t1 = bench_clock::now();
            if (ec || resp.status != 200 || resp.body != R"({"ok":true})") {
                ++errors;
                continue;
            }
            if (!warmup) mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
        if (++finished == concurrency && !warmup) tr.close();
    };

    // Warm-up: open the connections and fault in the code paths.
    auto warm_until = bench_clock::now() + std::chrono::milliseconds(300);
    for (int i = 0; i < concurrency; ++i) net::co_spawn(ioc, worker(i, true, warm_until), net::detached);
    while (finished < concurrency) ioc.run_one();
    finished = 0;
    errors = 0;

    measure_from = bench_clock::now();
    auto until = measure_from + duration;
    for (int i = 0; i < concurrency; ++i) net::co_spawn(ioc, worker(i, false, until), net::detached);
    ioc.restart();
    ioc.run();
    measure_to = bench_clock::now();

    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    figures f;
    f.count = all.size();
    f.errors = errors;
    f.rps = static_cast<double>(all.size()) / std::chrono::duration<double>(measure_to - measure_from).count();
    if (!all.empty()) {
        f.p50_us = all[all.size() / 2];
        f.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    }
    return f;
}

// ---- node fetch -------------------------------------------------------------------------------

bool measure_node(const std::string& node, const std::string& script, const std::string& url, int concurrency,
                  std::chrono::milliseconds duration, figures& out) {
    std::string cmd =
        node + " " + script + " " + url + " " + std::to_string(concurrency) + " " + std::to_string(duration.count());
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return false;
    char line[512] = {};
    std::string all;
    while (std::fgets(line, sizeof line, p)) all += line;
    int rc = ::pclose(p);
    if (rc != 0) {
        std::fprintf(stderr, "node failed (%d): %s\n", rc, all.c_str());
        return false;
    }
    // The script prints: rps p50_us p99_us count errors
    return std::sscanf(all.c_str(), "%lf %lf %lf %zu %zu", &out.rps, &out.p50_us, &out.p99_us, &out.count,
                       &out.errors) == 5;
}

void print(const char* who, int c, const figures& f) {
    std::printf("  %-22s c=%-3d %10.0f req/s   p50 %8.1f us   p99 %8.1f us   (%zu ok, %zu errors)\n", who, c, f.rps,
                f.p50_us, f.p99_us, f.count, f.errors);
}

} // namespace

int main(int argc, char** argv) {
    std::chrono::milliseconds duration{3000};
    bool with_node = true;
    std::string node = "node";
    std::string script = KONGFLOW_BENCH_NODE_SCRIPT;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--duration-ms" && i + 1 < argc) {
            auto ms = kongflow::bench::parse_count(a, argv[++i], 1, 3'600'000);
            if (!ms) return 2;
            duration = std::chrono::milliseconds(*ms);
        } else if (a == "--no-node")
            with_node = false;
        else if (a == "--node" && i + 1 < argc)
            node = argv[++i];
        else if (a == "--script" && i + 1 < argc)
            script = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--duration-ms N] [--no-node] [--node PATH] [--script PATH]\n", argv[0]);
            return 2;
        }
    }

    int fds[2];
    if (::pipe(fds) != 0) return 1;
    pid_t child = ::fork();
    if (child < 0) return 1;
    if (child == 0) {
        ::close(fds[0]);
        run_server(fds[1]);
    }
    ::close(fds[1]);
    unsigned short port = 0;
    if (::read(fds[0], &port, sizeof port) != sizeof port) {
        std::fprintf(stderr, "server did not start\n");
        return 1;
    }
    ::close(fds[0]);
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/trigger";

    std::printf("PING over keep-alive to %s, %lld ms per measurement\n", url.c_str(),
                static_cast<long long>(duration.count()));
    int rc = 0;
    figures ours64, node64;
    bool have_node64 = false;
    for (int c : {1, 64}) {
        figures f = measure_ours(url, c, duration);
        print("kongflow http_transport", c, f);
        if (f.errors) rc = 1;
        if (c == 64) ours64 = f;
        if (with_node) {
            figures n;
            if (measure_node(node, script, url, c, duration, n)) {
                print("node fetch", c, n);
                if (c == 64) {
                    node64 = n;
                    have_node64 = true;
                }
            } else {
                std::printf("  node fetch             c=%-3d (not run)\n", c);
            }
        }
    }
    if (have_node64 && node64.rps > 0)
        std::printf("ratio at c=64: %.2fx node fetch (target >= 3x)\n", ours64.rps / node64.rps);

    ::kill(child, SIGTERM);
    ::waitpid(child, nullptr, 0);
    return rc;
}
