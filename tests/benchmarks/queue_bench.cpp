// queue_bench: our queue (SQLite, or PostgreSQL with --backend postgres) against graphile-worker
// 0.17.3 on PostgreSQL 15, side by side in one run, following queues.md §7 (tiers matched, equal
// in-flight slots, median of runs). With --backend postgres both queues use the same PostgreSQL
// server, each in a fresh database per measurement with the tier's synchronous_commit.
//
//   queue_bench [--quick | --full] [--jobs N] [--runs R] [--no-graphile] [--rss] [--keep]
//               [--backend sqlite|postgres] [--only bulk|process|single|latency]
//
// --quick (default): 20,000 jobs, 3 runs: a few minutes. --full: 200,000 jobs, 5 runs, plus the
// 1,000,000-job RSS run: for humans (graphile's defaults alone take ~2 min per run). Needs
// PostgreSQL 15 (Debian: /usr/lib/postgresql/15/bin; installed with apt-get if missing) and
// `npm ci --ignore-scripts` in tests/benchmarks. The benchmark starts its own cluster on a Unix
// socket in a temporary directory (listen_addresses='') and stops it at the end.
#include "bench_args.hpp"

#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/sqlite/detail/access.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>
#if KONGFLOW_BENCH_WITH_POSTGRES
#include <kongflow/endpoints/postgres/queue.hpp>
#endif

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/utsname.h>
#include <unistd.h>

using namespace kongflow::endpoints;
namespace asio = boost::asio;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using clk = std::chrono::steady_clock;

namespace {

struct options {
    int jobs = 20000;
    int runs = 3;
    int default_jobs = 5000; // graphile's defaults run ~1k jobs/s: fewer jobs keep the run sane
    int single_jobs = 2000;
    int latency_samples = 1000;
    bool graphile = true;
    bool postgres_backend = false;
    bool rss = false;
    bool keep = false;
    int slots = 24;
    int page_size = sqlite::file_params{}.page_size;
    std::string only; // empty = every metric; else one of bulk, process, single, latency
    bool wants(const char* part) const { return only.empty() || only == part; }
};

std::string sh_quote(const std::string& s) {
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return r + "'";
}

// Runs a shell command and returns its stdout (throws on failure).
std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    std::array<char, 4096> buf;
    while (auto n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    int rc = ::pclose(p);
    if (rc != 0) throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + cmd + "\n" + out);
    return out;
}

double elapsed_s(clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); }

// ~1 KiB payload: an endpoint URL plus metadata (the same shape as graphile_bench.js).
boost::json::object payload(int i, bool kib) {
    if (!kib) return {{"id", i}};
    return {{"id", i},
            {"url", "https://endpoint-" + std::to_string(i) + ".example.com/api/trigger"},
            {"metadata",
             {{"environment", "production"},
              {"project", "proj_" + std::to_string(i % 97)},
              {"note", std::string(860, 'x')}}}};
}

// -- PostgreSQL + graphile-worker ------------------------------------------------------------
class pg_cluster {
public:
    explicit pg_cluster(bool keep) : keep_(keep) {
        bin_ = "/usr/lib/postgresql/15/bin";
        if (!fs::exists(bin_ + "/initdb")) {
            std::cerr << "PostgreSQL 15 not found; installing the Debian package...\n";
            run("apt-get install -y postgresql-15 >/dev/null 2>&1 || apt-get install -y postgresql >/dev/null 2>&1");
        }
        char tmpl[] = "/tmp/kongflow-pg.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        as_ = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
        if (::geteuid() == 0) run("chown postgres " + sh_quote(dir_));
        run(as_ + bin_ + "/initdb -D " + sh_quote(dir_ + "/data") + " -A trust -U postgres >/dev/null");
        // The same settings as queues.md §1.7/§7.4; durability is set per database (tier).
        run(as_ + bin_ + "/pg_ctl -D " + sh_quote(dir_ + "/data") + " -l " + sh_quote(dir_ + "/log") +
            " -w -o \"-c listen_addresses='' -c unix_socket_directories=" + dir_ +
            " -c shared_buffers=512MB -c max_wal_size=4GB -c fsync=on -c full_page_writes=on -c commit_delay=0\" start "
            ">/dev/null");
        started_ = true;
        version_ = run(bin_ + "/postgres --version");
    }
    ~pg_cluster() {
        if (started_)
            (void)std::system(
                (as_ + bin_ + "/pg_ctl -D " + sh_quote(dir_ + "/data") + " stop -m fast >/dev/null 2>&1").c_str());
        if (!keep_) fs::remove_all(dir_);
    }
    std::string psql(const std::string& sql) {
        return run(as_ + bin_ + "/psql -X -q -h " + sh_quote(dir_) + " -U postgres -d postgres -c " + sh_quote(sql));
    }
    // A fresh database with the tier's synchronous_commit, graphile's schema installed, checkpointed.
    std::string fresh_db(bool durable) {
        psql("DROP DATABASE IF EXISTS bench");
        psql("CREATE DATABASE bench");
        psql(std::string("ALTER DATABASE bench SET synchronous_commit = ") + (durable ? "on" : "off"));
        auto conn = "postgresql://postgres@/bench?host=" + dir_;
        graphile("migrate", conn, "{}");
        psql("CHECKPOINT");
        return conn;
    }
    // A fresh database for our queue, with the tier's synchronous_commit (libpq keyword form).
    std::string fresh_plain_db(bool durable) {
        psql("DROP DATABASE IF EXISTS ours");
        psql("CREATE DATABASE ours");
        psql(std::string("ALTER DATABASE ours SET synchronous_commit = ") + (durable ? "on" : "off"));
        psql("CHECKPOINT");
        return "host=" + dir_ + " user=postgres dbname=ours";
    }
    boost::json::object graphile(const std::string& mode, const std::string& conn, const std::string& opts) {
        auto out = run("cd " + sh_quote(KONGFLOW_BENCH_DIR) + " && node graphile_bench.js " + mode + " " +
                       sh_quote(conn) + " " + sh_quote(opts) + " 2>/dev/null");
        auto line = out.substr(0, out.find('\n'));
        return boost::json::parse(line).as_object();
    }
    const std::string& version() const { return version_; }

private:
    bool keep_;
    bool started_ = false;
    std::string bin_, dir_, as_, version_;
};

double num(const boost::json::object& o, const char* k) { return o.at(k).to_number<double>(); }

// -- Our side ----------------------------------------------------------------------------------
struct ours {
    std::string dir;
    bool durable;
    int page_size;
    pg_cluster* pg = nullptr; ///< set: our PostgreSQL queue on this cluster
    int n = 0;

    sqlite::file_params params() const {
        sqlite::file_params p;
        p.synchronous = durable ? "FULL" : "NORMAL";
        p.page_size = page_size;
        return p;
    }

    // A fresh file per measurement, deleted after it (as graphile's side drops its database), so
    // that the kernel's writeback of a finished run's file does not land in the next run's fsyncs.
    struct fresh_queue {
        std::unique_ptr<queue> q;
        std::string path;
        bool keep;
        fresh_queue(std::unique_ptr<queue> q, std::string path, bool keep)
                : q(std::move(q)), path(std::move(path)), keep(keep) {}
        fresh_queue(const fresh_queue&) = delete;
        fresh_queue& operator=(const fresh_queue&) = delete;
        ~fresh_queue() {
            q.reset();
            if (keep || path.empty()) return;
            std::error_code ec;
            for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix, ec);
        }
        queue& operator*() const { return *q; }
    };

    fresh_queue open_fresh(bool keep) {
#if KONGFLOW_BENCH_WITH_POSTGRES
        if (pg) {
            postgres::connection_params c;
            c.conninfo = pg->fresh_plain_db(durable);
            c.max_connections = 16;
            auto q = postgres::queue::open(c);
            if (!q) throw std::runtime_error("open: " + std::string(q.error().what()));
            return fresh_queue(std::move(*q), {}, keep);
        }
#endif
        auto path = dir + "/q" + std::to_string(n++) + ".db";
        return fresh_queue(open_at(path), path, keep);
    }

    std::unique_ptr<sqlite::queue> open_at(const std::string& path) {
        auto q = sqlite::queue::open(path, params());
        if (!q) throw std::runtime_error("open: " + q.error().message());
        sqlite::detail::access::with_connection(
            **q, [](sqlite::detail::connection& c) { (void)c.exec("PRAGMA wal_checkpoint(TRUNCATE)"); });
        return std::move(*q);
    }

    std::vector<job_request> requests(int count, bool kib) {
        std::vector<job_request> v;
        v.reserve(count);
        for (int i = 0; i < count; ++i) v.push_back(make_job_request("bench", payload(i, kib)));
        return v;
    }

    // Bulk: one enqueue_batch call, timed including serialisation.
    double bulk(queue& q, int count, bool kib) {
        auto t0 = clk::now();
        auto reqs = requests(count, kib);
        auto r = q.enqueue_batch(reqs);
        if (!r) throw std::runtime_error("enqueue_batch: " + r.error().message());
        return count / elapsed_s(t0);
    }

    // Processing: jobs already enqueued; from start() until the last completion is durably recorded.
    // tuned: prefetch 500, the same local buffer as graphile's tuned localQueue; otherwise our defaults.
    double process(queue& q, int count, int slots, bool tuned) {
        asio::io_context io;
        auto guard = asio::make_work_guard(io);
        worker_params p;
        p.queues = {{"default", static_cast<std::size_t>(slots)}};
        if (tuned) p.prefetch = 500;
        worker w(io, q, p);
        std::int64_t sum = 0;
        w.register_handler("bench", [&](job_context ctx) -> error_code {
            auto id = ctx.payload().at("id");
            if (!id.is_int64()) return make_error_code(errc::invalid_payload);
            sum += id.get_int64();
            return {};
        });
        auto t0 = clk::now();
        if (!w.start()) throw std::runtime_error("start");
        while (w.counters().completed < static_cast<std::uint64_t>(count)) io.run_for(1ms);
        double rate = count / elapsed_s(t0);
        bool done = false;
        w.async_shutdown(5s, [&](error_code) { done = true; });
        while (!done) io.run_for(1ms);
        return rate;
    }

    // Single enqueues from `threads` threads (group-committed).
    double single(queue& q, int count, int threads) {
        int per = (count + threads - 1) / threads;
        auto t0 = clk::now();
        std::vector<std::thread> ts;
        std::atomic<int> failures{0};
        for (int t = 0; t < threads; ++t)
            ts.emplace_back([&, t] {
                for (int i = 0; i < per; ++i)
                    if (!q.enqueue(make_job_request("bench", payload(t * per + i, false)))) ++failures;
            });
        for (auto& t : ts) t.join();
        if (failures) throw std::runtime_error("single enqueue failures");
        return per * threads / elapsed_s(t0);
    }

    // Idle pickup latency: enqueue (durable) -> handler entry, sequential samples.
    std::vector<double> latency(queue& q, int samples, int warmup) {
        asio::io_context io;
        auto guard = asio::make_work_guard(io);
        worker w(io, q, worker_params{});
        std::mutex m;
        std::condition_variable cv;
        std::optional<clk::time_point> started;
        w.register_handler("bench", [&](job_context) -> error_code {
            auto t = clk::now();
            {
                std::lock_guard lk(m);
                started = t;
            }
            cv.notify_one();
            return {};
        });
        if (!w.start()) throw std::runtime_error("start");
        std::thread runner([&] { io.run(); });
        std::this_thread::sleep_for(200ms);
        std::vector<double> out;
        for (int i = 0; i < warmup + samples; ++i) {
            auto t0 = clk::now();
            if (!q.enqueue(make_job_request("bench", payload(i, false)))) throw std::runtime_error("enqueue");
            std::unique_lock lk(m);
            if (!cv.wait_for(lk, 10s, [&] { return started.has_value(); }))
                throw std::runtime_error("latency: no pickup");
            if (i >= warmup) out.push_back(std::chrono::duration<double, std::milli>(*started - t0).count());
            started.reset();
            lk.unlock();
            std::this_thread::sleep_for(1ms); // as graphile_bench.js: let the completion settle
        }
        bool done = false;
        w.async_shutdown(5s, [&](error_code) { done = true; });
        while (!done) std::this_thread::sleep_for(1ms);
        guard.reset();
        io.stop();
        runner.join();
        std::sort(out.begin(), out.end());
        return out;
    }
};

// Latency is fsync-bound: flush what earlier runs left dirty first (both sides), so that a
// sample measures the queue and not the kernel writing back the last run's files.
void quiesce_disk() {
    ::sync();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

double pct(const std::vector<double>& sorted, double q) {
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * sorted.size()))];
}

// -- Results -----------------------------------------------------------------------------------
struct cell {
    std::vector<double> ours, theirs;
};
struct row {
    std::string metric, tier, unit;
    bool lower_is_better = false;
    double target = 0; // ratio target (ours/theirs >= target, or <= for latency)
};

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string range(const std::vector<double>& v, int prec) {
    if (v.empty()) return "-";
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(prec);
    o << median(v) << " (" << *lo << "-" << *hi << ")";
    return o.str();
}

long peak_rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}
long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

void rss_run(const std::string& dir, int total) {
    std::cout << "\nPeak RSS over " << total << " jobs (tier P, retention: completed jobs deleted every second)\n";
    auto q = sqlite::queue::open(dir + "/rss.db", {"NORMAL"});
    if (!q) throw std::runtime_error("open rss.db");
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    worker_params p;
    p.queues = {{"default", 24}};
    p.completed_retention = 0ms;
    p.cleanup_interval = 1000ms;
    worker w(io, **q, p);
    w.register_handler("bench", [](job_context ctx) -> error_code {
        return ctx.payload().at("id").is_int64() ? error_code{} : make_error_code(errc::invalid_payload);
    });
    if (!w.start()) throw std::runtime_error("start");
    const int chunk = 50000;
    int enqueued = 0;
    auto t0 = clk::now();
    long first = 0;
    while (w.counters().completed < static_cast<std::uint64_t>(total)) {
        // Keep at most two chunks pending: a steady stream, not one huge backlog.
        if (enqueued < total &&
            static_cast<std::int64_t>(enqueued) - static_cast<std::int64_t>(w.counters().completed) < chunk) {
            std::vector<job_request> batch;
            for (int i = 0; i < chunk; ++i) batch.push_back(make_job_request("bench", payload(enqueued + i, false)));
            if (!(*q)->enqueue_batch(batch)) throw std::runtime_error("enqueue");
            enqueued += chunk;
            if (enqueued % (total / 5) == 0) {
                auto s = (*q)->stats(now_ms()).value();
                std::cout << "  " << w.counters().completed << " done: RSS " << rss_kib() / 1024 << " MiB, peak "
                          << peak_rss_kib() / 1024 << " MiB, rows in table " << s.totals.total() << "\n";
                if (!first) first = peak_rss_kib();
            }
        }
        io.run_for(2ms);
    }
    std::cout << "  " << total << " done in " << elapsed_s(t0) << " s: peak RSS " << peak_rss_kib() / 1024
              << " MiB (at 20%: " << first / 1024 << " MiB)\n";
    bool done = false;
    w.async_shutdown(5s, [&](error_code) { done = true; });
    while (!done) io.run_for(1ms);
}

} // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        // The value after a numeric option; a missing or bad one ends the program (exit 2).
        auto next = [&] {
            auto n = kongflow::bench::parse_count(a, i + 1 < argc ? argv[++i] : nullptr, 1, 100'000'000);
            if (!n) std::exit(2);
            return *n;
        };
        if (a == "--quick") {
        } else if (a == "--full") {
            o.jobs = 200000;
            o.runs = 5;
            o.default_jobs = 200000;
            o.single_jobs = 10000;
            o.rss = true;
        } else if (a == "--jobs")
            o.jobs = next();
        else if (a == "--runs")
            o.runs = next();
        else if (a == "--default-jobs")
            o.default_jobs = next();
        else if (a == "--single-jobs")
            o.single_jobs = next();
        else if (a == "--samples")
            o.latency_samples = next();
        else if (a == "--no-graphile")
            o.graphile = false;
        else if (a == "--backend" && i + 1 < argc) {
            std::string b = argv[++i];
            if (b != "sqlite" && b != "postgres") {
                std::cerr << "queue_bench: --backend takes sqlite or postgres\n";
                return 2;
            }
            o.postgres_backend = b == "postgres";
#if !KONGFLOW_BENCH_WITH_POSTGRES
            if (o.postgres_backend) {
                std::cerr << "queue_bench: built without the PostgreSQL backend\n";
                return 2;
            }
#endif
        } else if (a == "--rss")
            o.rss = true;
        else if (a == "--keep")
            o.keep = true;
        else if (a == "--page-size")
            o.page_size = next();
        else if (a == "--only" && i + 1 < argc) {
            o.only = argv[++i];
            if (o.only != "bulk" && o.only != "process" && o.only != "single" && o.only != "latency") {
                std::cerr << "queue_bench: --only takes bulk, process, single or latency\n";
                return 2;
            }
        } else {
            std::cerr
                << "usage: queue_bench [--quick|--full] [--jobs N] [--runs R] [--default-jobs N] [--single-jobs N] "
                   "[--samples N] [--no-graphile] [--rss] [--keep] [--backend sqlite|postgres]\n"
                   "                   [--page-size BYTES]\n"
                   "                   [--only bulk|process|single|latency]\n";
            return 2;
        }
    }
    if (auto bad = sqlite::detail::page_size_error(o.page_size); !bad.empty()) {
        std::cerr << "queue_bench: --page-size: " << bad << "\n";
        return 2;
    }
    try {
        utsname u{};
        ::uname(&u);
        std::string cpu;
        {
            std::ifstream in("/proc/cpuinfo");
            std::string line;
            while (std::getline(in, line))
                if (line.rfind("model name", 0) == 0) {
                    cpu = line.substr(line.find(':') + 2);
                    break;
                }
        }
        double load[3] = {};
        ::getloadavg(load, 3);
        std::cout << "queue_bench: " << o.jobs << " jobs, " << o.runs << " runs, " << o.slots << " in-flight slots\n"
                  << "host: " << cpu << " x" << std::thread::hardware_concurrency() << ", kernel " << u.release
                  << ", load average " << load[0] << "\n"
                  << "SQLite " << sqlite3_libversion() << "\n";

        std::optional<pg_cluster> pg;
        if (o.graphile || o.postgres_backend) {
            pg.emplace(o.keep);
            std::cout << pg->version();
        }
        char tmpl[] = "/tmp/kongflow-bench.XXXXXX";
        std::string dir = ::mkdtemp(tmpl);

        std::vector<row> rows;
        std::map<std::string, cell> cells;
        auto add = [&](const std::string& key, double v, bool mine) {
            (mine ? cells[key].ours : cells[key].theirs).push_back(v);
        };

        for (bool durable : {true, false}) {
            std::string tier = durable ? "D" : "P";
            for (int r = 0; r < o.runs; ++r) {
                std::cerr << "tier " << tier << " run " << r + 1 << "/" << o.runs << "\n";
                // Alternate which system goes first (queues.md §7.1).
                for (int side = 0; side < 2; ++side) {
                    bool mine = (side == 0) == (r % 2 == 0);
                    if (mine) {
                        ours us{dir, durable, o.page_size, o.postgres_backend ? &*pg : nullptr};
                        if (o.wants("bulk") || o.wants("process")) {
                            auto q = us.open_fresh(o.keep);
                            add("bulk tiny " + tier, us.bulk(*q, o.jobs, false), true);
                            if (o.wants("process"))
                                add("process tuned " + tier, us.process(*q, o.jobs, o.slots, true), true);
                        }
                        if (o.wants("bulk") || o.wants("process")) {
                            auto q = us.open_fresh(o.keep);
                            add("bulk kib " + tier, us.bulk(*q, o.jobs, true), true);
                            if (o.wants("process"))
                                add("process kib " + tier, us.process(*q, o.jobs, o.slots, true), true);
                        }
                        if (o.wants("process")) {
                            auto q = us.open_fresh(o.keep);
                            us.bulk(*q, o.default_jobs, false);
                            // Our defaults (prefetch 100) with the common slot count.
                            add("process defaults " + tier, us.process(*q, o.default_jobs, o.slots, false), true);
                        }
                        if (o.wants("single")) {
                            auto q = us.open_fresh(o.keep);
                            add("single x8 " + tier, us.single(*q, std::max(o.single_jobs, 8000), 8), true);
                        }
                        if (o.wants("latency")) {
                            quiesce_disk();
                            auto q = us.open_fresh(o.keep);
                            auto l = us.latency(*q, o.latency_samples, 100);
                            add("latency p50 " + tier, pct(l, 0.5), true);
                            add("latency p99 " + tier, pct(l, 0.99), true);
                        }
                    } else if (pg && o.graphile) {
                        auto tuned = "{\"jobs\":" + std::to_string(o.jobs) +
                                     ",\"tuned\":true,\"concurrency\":" + std::to_string(o.slots) + "}";
                        if (o.wants("bulk") || o.wants("process")) {
                            auto conn = pg->fresh_db(durable);
                            auto b = pg->graphile("bulk", conn, tuned);
                            add("bulk tiny " + tier, num(b, "jobs") / num(b, "seconds"), false);
                            if (o.wants("process")) {
                                auto w = pg->graphile("work", conn, tuned);
                                add("process tuned " + tier, num(w, "jobs") / num(w, "seconds"), false);
                            }

                            conn = pg->fresh_db(durable);
                            auto kib =
                                "{\"jobs\":" + std::to_string(o.jobs) +
                                ",\"tuned\":true,\"payload\":\"kib\",\"concurrency\":" + std::to_string(o.slots) + "}";
                            b = pg->graphile("bulk", conn, kib);
                            add("bulk kib " + tier, num(b, "jobs") / num(b, "seconds"), false);
                            if (o.wants("process")) {
                                auto w = pg->graphile("work", conn, kib);
                                add("process kib " + tier, num(w, "jobs") / num(w, "seconds"), false);
                            }
                        }
                        if (o.wants("process")) {
                            auto conn = pg->fresh_db(durable);
                            auto defs = "{\"jobs\":" + std::to_string(o.default_jobs) +
                                        ",\"tuned\":false,\"concurrency\":" + std::to_string(o.slots) + "}";
                            pg->graphile("bulk", conn, defs);
                            auto w = pg->graphile("work", conn, defs);
                            add("process defaults " + tier, num(w, "jobs") / num(w, "seconds"), false);
                        }
                        if (o.wants("single")) {
                            auto conn = pg->fresh_db(durable);
                            auto s = pg->graphile("single", conn,
                                                  "{\"jobs\":" + std::to_string(o.single_jobs) + ",\"clients\":8}");
                            add("single x8 " + tier, num(s, "jobs") / num(s, "seconds"), false);
                        }
                        if (o.wants("latency")) {
                            auto conn = pg->fresh_db(durable);
                            quiesce_disk();
                            auto l =
                                pg->graphile("latency", conn,
                                             "{\"tuned\":true,\"samples\":" + std::to_string(o.latency_samples) + "}");
                            add("latency p50 " + tier, num(l, "p50"), false);
                            add("latency p99 " + tier, num(l, "p99"), false);
                        }
                    }
                }
            }
        }

        struct spec {
            const char* key;
            const char* label;
            bool lower;
            double target; // 0: no target
        };
        const spec specs[] = {
            {"bulk tiny", "bulk enqueue, 1 call, {\"id\":i}  jobs/s", false, 3},
            {"bulk kib", "bulk enqueue, 1 call, ~1 KiB     jobs/s", false, 10},
            {"single x8", "single enqueue, 8 threads       jobs/s", false, 5},
            {"process tuned", "processing, tuned vs tuned      jobs/s", false, 0},
            {"process kib", "processing, ~1 KiB, tuned       jobs/s", false, 1.5},
            {"process defaults", "processing, defaults vs defaults jobs/s", false, 10},
            {"latency p50", "idle pickup latency p50          ms", true, 0.25},
            {"latency p99", "idle pickup latency p99          ms", true, 0.3},
        };
        std::cout << "\nmedian (min-max) of " << o.runs << " runs; ratio = ours / graphile-worker\n";
        std::printf("%-42s %-4s %-28s %-28s %-8s %s\n", "metric", "tier",
                    o.postgres_backend ? "kongflow postgres::queue" : "kongflow sqlite::queue",
                    "graphile-worker 0.17.3", "ratio", "target");
        for (const auto& sp : specs)
            for (std::string tier : {"D", "P"}) {
                auto key = std::string(sp.key) + " " + tier;
                auto it = cells.find(key);
                if (it == cells.end()) continue;
                double target = sp.target;
                if (o.postgres_backend) {
                    // The PostgreSQL issue's targets, the same for both tiers (same server).
                    const std::string k = sp.key;
                    target = k == "process defaults"      ? 10
                             : k.rfind("latency", 0) == 0 ? 0.5
                             : k == "process kib"         ? 0
                                                          : 2;
                } else {
                    if (std::string(sp.key) == "process tuned") target = tier == "D" ? 1.5 : 3;
                    if (std::string(sp.key) == "single x8" && tier == "P") target = 0;
                    if (std::string(sp.key) == "process kib" && tier == "P") target = 0;
                }
                int prec = sp.lower ? 2 : 0;
                double mo = median(it->second.ours), mt = median(it->second.theirs);
                std::string ratio = "-", verdict;
                if (mt > 0) {
                    double rr = mo / mt;
                    char b[32];
                    std::snprintf(b, sizeof b, "%.2fx", rr);
                    ratio = b;
                    if (target > 0) {
                        bool ok = sp.lower ? rr <= target : rr >= target;
                        std::snprintf(b, sizeof b, "%s%.2fx %s", sp.lower ? "<=" : ">=", target, ok ? "met" : "MISSED");
                        verdict = b;
                    }
                }
                std::printf("%-42s %-4s %-28s %-28s %-8s %s\n", sp.label, tier.c_str(),
                            range(it->second.ours, prec).c_str(), range(it->second.theirs, prec).c_str(), ratio.c_str(),
                            verdict.c_str());
            }
        std::cout
            << "Notes: our defaults batch claims and completions (prefetch 100); 'tuned' sets prefetch 500 like\n"
               "graphile's localQueue 500. Both use the same in-flight slots. Claims, heartbeats and rescues are\n"
               "not fsynced in tier D (losing one on power failure only re-runs a job, as a crash would);\n"
               "enqueues and completions are. Completed rows are kept (state\n"
               "'completed') and deleted by retention; graphile deletes them at once.\n";
        if (o.rss) rss_run(dir, 1000000);
        if (!o.keep) fs::remove_all(dir);
    } catch (const std::exception& e) {
        std::cerr << "queue_bench: " << e.what() << "\n";
        return 1;
    }
}
