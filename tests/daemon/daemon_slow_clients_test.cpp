// Slow and hostile clients on the daemon's listener (issue #24 §3): slowloris headers, bodies
// trickled byte by byte, and 10,000 idle connections. What must hold: /healthz keeps answering
// within 10 ms at the 99th percentile, slow requests are cut at read_timeout_ms (a deadline for the
// whole request, not per byte), the open connections stay at max_client_connections (the oldest
// one waiting for a request makes room for a new one), and the daemon's memory stays bounded.
// Loopback only; every loop is bounded.
#include "catch.hpp"
#include "daemon_fixture.hpp"
#include "daemon_process.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

using namespace kf_daemon_test;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double healthz_p99_limit_ms = 50; // sanitizers slow every call several times over
#else
constexpr double healthz_p99_limit_ms = 10; // the target
#endif

/// `n` GET /healthz, each on a new connection (as a load balancer's probe); the 99th percentile in ms.
double healthz_p99(unsigned short port, int n) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto r = get(port, "/healthz");
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        CHECK(r.status == 200);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::sort(ms.begin(), ms.end());
    return ms[static_cast<std::size_t>(n * 99 / 100)];
}

/// The daemon's kongflow_http_connections gauge; -1 when unreadable.
double open_connections(unsigned short port) {
    auto body = get(port, "/metrics").body;
    auto at = body.find("\nkongflow_http_connections ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + std::string("\nkongflow_http_connections ").size()));
}

/// Raises this process's open-file limit to its hard limit; returns the soft limit then in force.
rlim_t raise_nofile() {
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
    return lim.rlim_cur;
}

/// Clients on one thread that send their bytes slowly: `prefix` at once, then `drip` one byte every
/// `every`, up to `bytes` bytes, noting when the server closed the connection.
class trickling_clients {
public:
    trickling_clients(unsigned short port, int count, std::string prefix, std::size_t bytes,
                      std::chrono::milliseconds every)
            : closed_(static_cast<std::size_t>(count)) {
        for (int i = 0; i < count; ++i) asio::co_spawn(ioc_, run(port, i, prefix, bytes, every), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~trickling_clients() {
        ioc_.stop();
        thread_.join();
    }
    /// How many connections the server has closed so far.
    int closed() const {
        int n = 0;
        for (auto& c : closed_) n += c.load() ? 1 : 0;
        return n;
    }
    std::atomic<int> completed{0}; ///< connections that sent everything without being closed

private:
    asio::awaitable<void> run(unsigned short port, int i, std::string prefix, std::size_t bytes,
                              std::chrono::milliseconds every) {
        asio::ip::tcp::socket s(ioc_);
        auto [cec] =
            co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::as_tuple(asio::use_awaitable));
        if (cec) co_return;
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(prefix), asio::as_tuple(asio::use_awaitable));
        if (wec) co_return;
        // A reader notices the close (EOF or reset) while the writer drips.
        bool closed = false;
        asio::co_spawn(
            ioc_,
            [&s, &closed, this, i]() -> asio::awaitable<void> {
                char sink[512];
                for (;;) {
                    auto [rec, n] = co_await s.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
                    if (rec) break;
                }
                closed = true;
                closed_[static_cast<std::size_t>(i)] = true;
            },
            asio::detached);
        asio::steady_timer t(ioc_);
        for (std::size_t k = 0; k < bytes && !closed; ++k) {
            t.expires_after(every);
            co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            char b = 'x';
            auto [ec, n] = co_await asio::async_write(s, asio::buffer(&b, 1), asio::as_tuple(asio::use_awaitable));
            if (ec) break;
        }
        if (!closed) ++completed;
        // Keep the socket (and the reader's references) alive until the reader has finished.
        while (!closed) {
            t.expires_after(std::chrono::milliseconds(50));
            co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    asio::io_context ioc_;
    std::vector<std::atomic<bool>> closed_;
    std::thread thread_;
};

} // namespace

TEST_CASE("slowloris headers and trickled bodies: cut at read_timeout_ms, /healthz stays fast",
          "[integration][daemon]") {
    kf_test::temp_dir dir;
    auto config = test_config(dir.file("db.sqlite"));
    config.read_timeout = std::chrono::milliseconds(1500);
    running_daemon d(config);

    // 200 connections that send a header line every 100 ms and never finish the header block;
    // 20 that send a complete POST head with Content-Length 1000, then the body a byte every 50 ms.
    trickling_clients slowloris(d.port, 200, "GET /healthz HTTP/1.1\r\nHost: x\r\n", 1000,
                                std::chrono::milliseconds(100));
    trickling_clients tricklers(d.port, 20,
                                "POST /api/v1/endpoints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + dev_key +
                                    "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
                                1000, std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto p99 = healthz_p99(d.port, 300);
    WARN("/healthz p99 " << p99 << " ms during 220 slow clients");
    CHECK(p99 < healthz_p99_limit_ms);

    // The whole request has read_timeout_ms: every slow connection is closed long before its
    // bytes would have been sent (100 s and 50 s).
    CHECK(eventually([&] { return slowloris.closed() == 200 && tricklers.closed() == 20; }, std::chrono::seconds(15)));
    CHECK(slowloris.completed == 0);
    CHECK(tricklers.completed == 0);
    CHECK(eventually([&] { return open_connections(d.port) <= 1; })); // the /metrics request itself
    CHECK(get(d.port, "/healthz").status == 200);
}

#ifdef KONGFLOW_ENDPOINTSD_EXE
TEST_CASE("10,000 idle connections: /healthz within 10 ms p99, memory bounded, max_client_connections holds",
          "[integration][daemon]") {
    // The daemon runs as a child (its own descriptor table: 10,000 server sockets); this process
    // holds the 10,000 client sockets.
    const auto nofile = raise_nofile();
    const int idle = 10'000;
    if (nofile < static_cast<rlim_t>(idle + 200)) {
        WARN("skipped: the open-file hard limit is " << nofile << ", below the 10,200 this test needs");
        return;
    }
    kf_test::temp_dir dir;
    auto open_idle = [](unsigned short port, int n, asio::io_context& ioc) {
        std::vector<asio::ip::tcp::socket> out;
        out.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            asio::ip::tcp::socket s(ioc);
            boost::system::error_code ec;
            s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
            if (ec) break;
            out.push_back(std::move(s));
        }
        return out;
    };

    SECTION("the default limit (10,000): all held, and a probe takes the oldest idle one's place") {
        daemon_process d(KONGFLOW_ENDPOINTSD_EXE, {"--db", dir.file("db.sqlite"), "--log-level", "warn"},
                         dir.file("idle"));
        const long rss_before = d.rss_kib();
        asio::io_context ioc;
        auto sockets = open_idle(d.port, idle, ioc);
        REQUIRE(static_cast<int>(sockets.size()) == idle);
        CHECK(eventually([&] { return open_connections(d.port) >= idle; }, std::chrono::seconds(30)));
        const long rss_idle = d.rss_kib();
        auto p99 = healthz_p99(d.port, 500);
        const long rss_after = d.rss_kib();
        INFO("/healthz p99 " << p99 << " ms with 10,000 idle connections; RSS " << rss_before / 1024 << " MiB before, "
                             << rss_idle / 1024 << " MiB with them (" << (rss_idle - rss_before) * 1024 / idle
                             << " bytes each), " << rss_after / 1024 << " MiB after 500 probes");
        WARN("/healthz p99 " << p99 << " ms; RSS " << rss_before / 1024 << " -> " << rss_idle / 1024 << " MiB ("
                             << (rss_idle - rss_before) * 1024 / idle << " bytes per idle connection)");
        CHECK(p99 < healthz_p99_limit_ms);
        // Bounded: under 40 KiB per connection (what they cost is in docs/operating.md).
        CHECK(rss_idle - rss_before < 40L * idle);
        CHECK(open_connections(d.port) <= idle + 1);
        CHECK(d.stop(SIGTERM) == 0);
    }

    SECTION("a lower limit: the daemon holds 1,000, the oldest idle connections are closed") {
        daemon_process d(KONGFLOW_ENDPOINTSD_EXE,
                         {"--db", dir.file("db.sqlite"), "--log-level", "warn", "--max-client-connections", "1000"},
                         dir.file("limited"));
        asio::io_context ioc;
        auto sockets = open_idle(d.port, 3000, ioc);
        REQUIRE(sockets.size() == 3000);
        CHECK(eventually([&] { return open_connections(d.port) >= 999; }, std::chrono::seconds(30)));
        CHECK(open_connections(d.port) <= 1001);
        // The first 2,000 were replaced: the daemon closed them (EOF), the newest are open.
        int closed_first = 0;
        for (int i = 0; i < 100; ++i) {
            boost::system::error_code ec;
            char c;
            sockets[static_cast<std::size_t>(i)].non_blocking(true);
            sockets[static_cast<std::size_t>(i)].read_some(asio::buffer(&c, 1), ec);
            if (ec == asio::error::eof || ec == asio::error::connection_reset) ++closed_first;
        }
        CHECK(closed_first == 100);
        auto p99 = healthz_p99(d.port, 300);
        INFO("/healthz p99 " << p99 << " ms at the limit");
        CHECK(p99 < healthz_p99_limit_ms);
        auto metrics = get(d.port, "/metrics").body;
        CHECK(metrics.find("kongflow_http_connections_shed_total{reason=\"replaced\"}") != std::string::npos);
        CHECK(d.stop(SIGTERM) == 0);
    }
}
#endif
