// Figures for the services (not a test):
//   1. create endpoint end to end — PING over loopback keep-alive + unit of work (upsert, PENDING
//      index, enqueue) on SQLite — latency p50/p99 and creates/s at concurrency 1 and 32;
//   2. perform-index of a 1,000-job reply — parse, validate, register every job, SUCCESS — in ms.
// Targets (issue 4): create p99 < 5 ms on SQLite; perform-index of 1,000 jobs < 50 ms.
//
//   kongflow_services_bench [creates-per-run (default 10,000)] [--synchronous FULL|NORMAL] [--page-size BYTES] [--concurrency N]
//                           [--rounds N] [--checkpoint-pages N] [--default-malloc] [--postgres CONNINFO]
//
// --postgres runs on a PostgreSQL store instead (a fresh schema per round, dropped after it);
// --synchronous then sets the session's synchronous_commit (FULL = on, NORMAL = off).
//
// Each round of creates runs on a fresh database and prints its own figures; with several rounds
// (default 3) a last line gives their medians: on a shared machine the disk and CPU vary from one
// minute to the next.
//
// Like kongflow-endpointsd, the benchmark raises glibc's M_TRIM_THRESHOLD (see the daemon's
// main.cpp for why); --default-malloc keeps glibc's default to show the difference.
#include "bench_args.hpp"

#include <kongflow/endpoints/client/http_api_client.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>
#if KONGFLOW_BENCH_WITH_POSTGRES
#include <kongflow/endpoints/postgres/store.hpp>

#include <libpq-fe.h>
#endif
#include <kongflow/endpoints/testing/fake_api_client.hpp>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace kongflow::endpoints;
using clock_type = std::chrono::steady_clock;

namespace {

/// A loopback endpoint that answers PING like the SDK, over keep-alive, on its own thread.
class ping_server {
public:
    ping_server() : acceptor_(ctx_, {asio::ip::make_address("127.0.0.1"), 0}) {
        accept();
        thread_ = std::thread([this] { ctx_.run(); });
    }
    ~ping_server() {
        asio::post(ctx_, [this] { ctx_.stop(); });
        thread_.join();
    }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/api/trigger";
    }

private:
    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
            if (ec) return;
            asio::co_spawn(ctx_, serve(std::move(s)), asio::detached);
            accept();
        });
    }
    static asio::awaitable<void> serve(asio::ip::tcp::socket s) {
        beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            auto [ec, n] = co_await http::async_read(s, buf, req, asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            http::response<http::string_body> res{http::status::ok, 11};
            res.set(http::field::content_type, "application/json");
            res.set("Trigger-Version", "2023-09-29");
            res.set("Trigger-SDK-Version", "2.3.19");
            res.body() = R"({"ok":true})";
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [wec, w] = co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
            if (wec) co_return;
        }
    }
    asio::io_context ctx_;
    asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

std::string index_payload(int jobs) {
    json::array arr;
    for (int i = 0; i < jobs; ++i) {
        std::string id = "job-" + std::to_string(i);
        json::value trigger =
            i % 2 ? json::value{{"type", "scheduled"},
                                {"schedule", {{"type", "cron"}, {"options", {{"cron", "0 * * * *"}}}}}}
                  : json::value{{"type", "static"},
                                {"title", id},
                                {"rule", {{"event", id}, {"source", "trigger.dev"}, {"payload", json::object{}}}}};
        arr.push_back(
            {{"id", id},
             {"name", "Job " + std::to_string(i)},
             {"version", "1.0." + std::to_string(i % 7)},
             {"event", {{"name", id}, {"title", "Event"}, {"source", "trigger.dev"}, {"icon", "custom-event"}}},
             {"trigger", trigger},
             {"integrations", json::object{}},
             {"startPosition", "latest"},
             {"enabled", i % 10 != 0},
             {"preprocessRuns", false}});
    }
    return json::serialize(json::value{{"jobs", arr},
                                       {"sources", json::array{}},
                                       {"webhooks", json::array{}},
                                       {"dynamicTriggers", json::array{}},
                                       {"dynamicSchedules", json::array{}},
                                       {"httpEndpoints", json::array{}}});
}

/// Runs the context until `done()`; restarts it when it ran out of work (run_one then returns at once).
template <class Pred>
void run_until(asio::io_context& ctx, Pred done) {
    while (!done()) {
        if (ctx.stopped()) ctx.restart();
        ctx.run_one();
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int g_checkpoint_pages = -1;           // --checkpoint-pages: the queue's background_checkpoint_pages
std::optional<std::string> g_postgres; // --postgres CONNINFO

#if KONGFLOW_BENCH_WITH_POSTGRES
void pg_exec(const std::string& conninfo, const std::string& sql) {
    PGconn* c = PQconnectdb(conninfo.c_str());
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    if (PQstatus(c) == CONNECTION_OK) PQclear(PQexec(c, sql.c_str()));
    PQfinish(c);
}
#endif

struct bench_env {
    std::filesystem::path dir;
    std::unique_ptr<store> st;
    sqlite::store* sq = nullptr; ///< set on SQLite: group-commit figures
    std::string schema;          ///< set on PostgreSQL: dropped at the end
    environment env;

    explicit bench_env(const std::string& synchronous, int page_size, int checkpoint_pages = -1) {
        dir = std::filesystem::temp_directory_path() / ("kongflow-services-bench-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        if (g_postgres) {
#if KONGFLOW_BENCH_WITH_POSTGRES
            static int n = 0;
            schema = "kf_services_bench_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
            postgres::store_params p;
            // The session setting rides on the connection string: every pooled connection gets it.
            p.connection.conninfo =
                *g_postgres + " options='-c synchronous_commit=" + (synchronous == "NORMAL" ? "off" : "on") + "'";
            p.connection.schema = schema;
            auto opened = postgres::store::open(p);
            if (!opened) throw std::runtime_error("cannot open the store: " + std::string(opened.error().what()));
            st = std::move(*opened);
#endif
        } else {
            sqlite::store_params p;
            p.file.synchronous = synchronous;
            p.file.page_size = page_size;
            if (checkpoint_pages >= 0) p.queue.background_checkpoint_pages = checkpoint_pages;
            auto opened = sqlite::store::open((dir / "bench.db").string(), p);
            if (!opened) throw std::runtime_error("cannot open the store: " + opened.error().message());
            sq = opened->get();
            st = std::move(*opened);
        }
        auto org = st->repo().create_organization({"bench", "Bench", std::nullopt});
        auto proj = st->repo().create_project({org->id, "bench", "Bench", std::nullopt});
        env = *st->repo().create_environment(
            {org->id, proj->id, "prod", environment_type::production, "tr_prod_bench", std::nullopt});
    }
    ~bench_env() {
        st.reset();
        std::filesystem::remove_all(dir);
#if KONGFLOW_BENCH_WITH_POSTGRES
        if (!schema.empty()) pg_exec(*g_postgres, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
#endif
    }
    const char* backend() const { return sq ? "sqlite" : "postgres"; }
    sqlite::group_commit_stats group_commits() const { return sq ? sq->group_commits() : sqlite::group_commit_stats{}; }
};

struct create_figures {
    double rate = 0, p50 = 0, p99 = 0;
    int errors = 0;
};

/// One round: a fresh database, then every concurrency in turn. Returns the figures per concurrency.
std::vector<create_figures> bench_create(const std::string& synchronous, int page_size, int total,
                                         const std::vector<int>& concurrencies) {
    std::vector<create_figures> figures;
    ping_server server;
    bench_env b(synchronous, page_size, g_checkpoint_pages);
    asio::io_context ctx;
    asio::thread_pool blocking(2);
    http_api_client client(ctx.get_executor());
    endpoint_service_params params;
    params.blocking_executor = blocking.get_executor();
    // The PING's share of each create (the rest is the unit of work and the hops around it).
    std::vector<double> ping_ms;
    params.metrics.ping_finished = [&](std::string_view, std::chrono::microseconds d) {
        ping_ms.push_back(d.count() / 1000.0);
    };
    endpoint_service svc(ctx.get_executor(), *b.st, client, params);

    const std::string url = server.url();
    for (int concurrency : concurrencies) {
        std::vector<double> ms;
        ms.reserve(static_cast<std::size_t>(total));
        ping_ms.clear();
        const auto before = b.group_commits();
        const auto units0 = before.units, tx0 = before.transactions, syncs0 = before.syncs;
        int next = 0, failures = 0;
        auto start = clock_type::now();
        std::vector<std::unique_ptr<service_error>> errs;
        std::function<void()> launch = [&] {
            if (next >= total) return;
            int i = next++;
            errs.push_back(std::make_unique<service_error>());
            auto t0 = clock_type::now();
            svc.async_create({b.env, url, "c" + std::to_string(concurrency) + "-" + std::to_string(i)}, *errs.back(),
                             [&, t0](error_code ec, created_endpoint) {
                                 if (ec) ++failures;
                                 ms.push_back(
                                     std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
                                 launch();
                             });
        };
        for (int c = 0; c < concurrency; ++c) launch();
        while (static_cast<int>(ms.size()) < total) ctx.run_for(std::chrono::milliseconds(5));
        double secs = std::chrono::duration<double>(clock_type::now() - start).count();
        auto gc = b.group_commits();
        std::printf("create  %s synchronous=%-6s concurrency=%-2d  %5d creates  %8.0f creates/s  p50 %6.2f ms  "
                    "p99 %6.2f ms  errors %d\n",
                    b.backend(), synchronous.c_str(), concurrency, total, total / secs, percentile(ms, 0.50),
                    percentile(ms, 0.99), failures);
        figures.push_back({total / secs, percentile(ms, 0.50), percentile(ms, 0.99), failures});
        std::printf("        p90 %.2f ms  p99.9 %.2f ms  max %.2f ms; PING p50 %.2f ms p99 %.2f ms; %.1f units per "
                    "transaction, "
                    "%llu WAL syncs (pipelined)\n",
                    percentile(ms, 0.90), percentile(ms, 0.999), percentile(ms, 1.0), percentile(ping_ms, 0.5),
                    percentile(ping_ms, 0.99),
                    gc.transactions ? double(gc.units - units0) / double(gc.transactions - tx0) : 0.0,
                    static_cast<unsigned long long>(gc.syncs - syncs0));
    }
    client.transport().close();
    ctx.run_for(std::chrono::milliseconds(50));
    blocking.join();
    return figures;
}

void bench_perform_index(const std::string& synchronous, int page_size, int runs) {
    bench_env b(synchronous, page_size);
    asio::io_context ctx;
    testing::fake_api_client client(ctx.get_executor());
    std::string body = index_payload(1000);
    client.reply(endpoint_action::ping, 200, R"({"ok":true})");
    client.reply(endpoint_action::index_endpoint, 200, body);
    repository_registrar reg;
    endpoint_service endpoints(ctx.get_executor(), *b.st, client);
    index_endpoint_service indexes(ctx.get_executor(), *b.st, client, reg);
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
        service_error err;
        std::optional<created_endpoint> created;
        endpoints.async_create({b.env, "http://127.0.0.1:1/api", "index-bench"}, err,
                               [&](error_code, created_endpoint c) { created = std::move(c); });
        run_until(ctx, [&] { return created.has_value(); });
        std::optional<endpoint_index> done;
        auto t0 = clock_type::now();
        indexes.async_perform_index(created->index.id, err, [&](error_code, endpoint_index i) { done = std::move(i); });
        run_until(ctx, [&] { return done.has_value(); });
        ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
        if (done->status != index_status::success) {
            std::printf("perform-index failed: %s\n", json::serialize(done->error).c_str());
            return;
        }
    }
    std::printf("perform-index  1,000 jobs (%zu KB) %s synchronous=%-6s  median %6.1f ms  best %6.1f ms  (%d runs; "
                "first run registers, later runs update)\n",
                body.size() / 1024, b.backend(), synchronous.c_str(), percentile(ms, 0.5),
                *std::min_element(ms.begin(), ms.end()), runs);
}

} // namespace

int main(int argc, char** argv) {
    // 10,000 creates a run: with fewer, the p99 at concurrency 32 rests on a handful of samples
    // from the first milliseconds (cold caches, new connections) and says little.
    int total = 10000;
    std::vector<std::string> modes = {"FULL", "NORMAL"};
    bool default_malloc = false;
    int page_size = sqlite::file_params{}.page_size;
    std::vector<int> concurrencies = {1, 32};
    int rounds = 3;
    const char* usage =
        "usage: kongflow_services_bench [creates-per-run] [--synchronous FULL|NORMAL] [--concurrency N] "
        "[--rounds N] [--page-size BYTES] [--checkpoint-pages N] [--default-malloc] [--postgres CONNINFO]\n";
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        // The number after `a` into `out`; a missing or bad one is reported (then exit 2).
        auto number = [&](int lo, int hi, int& out) {
            auto n = kongflow::bench::parse_count(a, i + 1 < argc ? argv[++i] : nullptr, lo, hi);
            if (n) out = *n;
            return n.has_value();
        };
        if (a == "--help" || a == "-h") {
            std::fputs(usage, stdout);
            return 0;
        } else if (a == "--postgres") {
#if KONGFLOW_BENCH_WITH_POSTGRES
            if (i + 1 >= argc) {
                std::fprintf(stderr, "--postgres needs a connection string\n%s", usage);
                return 2;
            }
            g_postgres = argv[++i];
#else
            std::fprintf(stderr, "built without the PostgreSQL backend\n");
            return 2;
#endif
        } else if (a == "--default-malloc") {
            default_malloc = true;
        } else if (i == 1 && !a.starts_with("--")) {
            auto n = kongflow::bench::parse_count("creates-per-run", argv[i], 32, 100'000'000);
            if (!n) return 2;
            total = *n;
        } else if (a == "--synchronous") {
            const char* v = i + 1 < argc ? argv[++i] : "";
            std::string m(v);
            std::transform(m.begin(), m.end(), m.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            if (m != "FULL" && m != "NORMAL") {
                std::fprintf(stderr, "--synchronous must be FULL or NORMAL, got '%s'\n", v);
                return 2;
            }
            modes = {m};
        } else if (a == "--page-size") {
            if (!number(512, 65536, page_size)) return 2;
            if (auto bad = sqlite::detail::page_size_error(page_size); !bad.empty()) {
                std::fprintf(stderr, "--page-size: %s\n", bad.c_str());
                return 2;
            }
        } else if (a == "--checkpoint-pages") {
            if (!number(0, 100'000'000, g_checkpoint_pages)) return 2;
        } else if (a == "--concurrency") {
            int c = 0;
            if (!number(1, 4096, c)) return 2;
            concurrencies = {c};
        } else if (a == "--rounds") {
            if (!number(1, 1000, rounds)) return 2;
        } else {
            std::fprintf(stderr, "unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
    }
#if defined(__GLIBC__)
    if (!default_malloc) mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
#endif
    std::printf("malloc: %s\n", default_malloc ? "glibc defaults" : "M_TRIM_THRESHOLD 32 MiB, as kongflow-endpointsd");
    std::printf("SQLite page size of the new database: %d bytes\n", page_size);
    std::printf("kongflow services benchmark (targets: create p99 < 5 ms; perform-index of 1,000 jobs < 50 ms)\n");
    for (const auto& m : modes) {
        std::vector<std::vector<create_figures>> all; // [round][concurrency]
        for (int r = 0; r < rounds; ++r) all.push_back(bench_create(m, page_size, total, concurrencies));
        for (std::size_t c = 0; rounds > 1 && c < concurrencies.size(); ++c) {
            std::vector<double> rate, p50, p99;
            int errors = 0;
            for (const auto& round : all) {
                rate.push_back(round[c].rate);
                p50.push_back(round[c].p50);
                p99.push_back(round[c].p99);
                errors += round[c].errors;
            }
            std::printf(
                "create  sqlite synchronous=%-6s concurrency=%-2d  median of %d rounds: %8.0f creates/s  p50 %6.2f ms  "
                "p99 %6.2f ms (rounds: %.2f to %.2f ms)  errors %d\n",
                m.c_str(), concurrencies[c], rounds, percentile(rate, 0.5), percentile(p50, 0.5), percentile(p99, 0.5),
                *std::min_element(p99.begin(), p99.end()), *std::max_element(p99.begin(), p99.end()), errors);
        }
        bench_perform_index(m, page_size, 5);
    }
}
