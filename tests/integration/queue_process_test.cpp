// The SQLite queue with real processes: crash recovery after SIGKILL, two processes on one file,
// and bad files (corrupt, read-only, disk full).
#include "catch.hpp"
#include "queue_test_util.hpp"

#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace kongflow::endpoints;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

bool run_until(asio::io_context& io, const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_for(10ms);
    }
    return true;
}

// Forks; the child runs f and exits with its result without running atexit handlers or Catch.
pid_t spawn(const std::function<int()>& f) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int rc = 99;
        try {
            rc = f();
        } catch (...) {}
        ::_exit(rc);
    }
    return pid;
}

// Waits for a child up to `timeout` (then kills it); returns its exit code, or -signal.
int wait_child(pid_t pid, std::chrono::milliseconds timeout = 60s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1000;
        }
        std::this_thread::sleep_for(5ms);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return -WTERMSIG(status);
}

worker_params short_lease() {
    worker_params p;
    p.queues = {{"default", 32}};
    p.lease_duration = 2000ms;
    p.heartbeat_interval = 500ms;
    p.rescue_interval = 500ms;
    p.poll_interval = 100ms;
    return p;
}

std::string integrity(const std::string& path) {
    auto c = sqlite::detail::connection::open(path);
    if (!c) return "open failed: " + c.error().message();
    auto st = c->prepare("PRAGMA integrity_check");
    if (!st) return "integrity_check failed to prepare";
    auto row = st->step();
    if (!row || !*row) return "integrity_check failed to run";
    return std::string(st->get_text(0));
}

} // namespace

TEST_CASE("sqlite queue: worker runs jobs from a file", "[integration][queue]") {
    kongflow_test::temp_dir dir;
    auto q = sqlite::queue::open(dir.file("jobs.db"));
    REQUIRE(q.has_value());
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    worker w(io, **q, short_lease());
    std::set<std::int64_t> seen;
    w.register_handler("work", [&](job_context ctx) -> error_code {
        seen.insert(ctx.payload().at("i").as_int64());
        return ctx.payload().at("i").as_int64() % 10 == 0 && ctx.attempt() == 1 ? make_error_code(errc::timeout)
                                                                                : error_code{};
    });
    REQUIRE(w.start().has_value());
    std::vector<job_request> batch;
    for (int i = 0; i < 500; ++i) batch.push_back(make_job_request("work", {{"i", i}}));
    REQUIRE(w.enqueue_batch(batch).has_value());
    // Single enqueues from several threads are group-committed.
    std::vector<std::thread> threads;
    std::atomic<int> enqueue_failures{0}; // Catch2 assertions are not thread-safe: count, check after
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i)
                if (!w.enqueue("work", boost::json::object{{"i", 1000 + t * 100 + i}})) ++enqueue_failures;
        });
    for (auto& t : threads) t.join();
    CHECK(enqueue_failures == 0);
    REQUIRE(run_until(
        io, [&] { return (*q)->stats(now_ms()).value().totals.count(job_state::completed) == 600; }, 30s));
    CHECK(seen.size() == 600);
    CHECK(w.counters().retried == 62); // i % 10 == 0: 50 of the batch, 3 per thread
    bool done = false;
    w.async_shutdown(2s, [&](error_code ec) {
        CHECK(!ec);
        done = true;
    });
    REQUIRE(run_until(
        io, [&] { return done; }, 5s));
    CHECK(integrity(dir.file("jobs.db")) == "ok");
}

TEST_CASE("sqlite queue: a SIGKILLed worker's leased jobs run again elsewhere, attempts not charged",
          "[integration][queue][crash]") {
    kongflow_test::temp_dir dir;
    auto path = dir.file("jobs.db");
    constexpr int n = 20;
    {
        auto q = sqlite::queue::open(path);
        REQUIRE(q.has_value());
        std::vector<job_request> batch;
        for (int i = 0; i < n; ++i) batch.push_back(make_job_request("work", {{"i", i}}));
        REQUIRE((*q)->enqueue_batch(batch).has_value());
    }
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    // Process A claims every job and hangs in its handlers, holding the leases (heartbeating).
    pid_t a = spawn([&] {
        ::close(fds[0]);
        auto q = sqlite::queue::open(path);
        if (!q) return 2;
        asio::io_context io;
        auto guard = asio::make_work_guard(io);
        worker w(io, **q, short_lease());
        std::vector<job_completion_handler> held;
        w.register_handler("work", [&](job_context ctx, job_completion_handler done) {
            std::int64_t id = ctx.id();
            if (::write(fds[1], &id, sizeof id) != sizeof id) ::_exit(3);
            held.push_back(std::move(done));
        });
        if (!w.start()) return 4;
        io.run_for(60s); // killed long before
        return 5;
    });
    REQUIRE(a > 0);
    ::close(fds[1]);
    std::set<std::int64_t> started_in_a;
    while (started_in_a.size() < n) {
        std::int64_t id = 0;
        if (::read(fds[0], &id, sizeof id) != sizeof id) break;
        started_in_a.insert(id);
    }
    ::close(fds[0]);
    REQUIRE(started_in_a.size() == n);
    std::this_thread::sleep_for(700ms); // at least one heartbeat extended the leases
    REQUIRE(::kill(a, SIGKILL) == 0);
    auto killed_at = std::chrono::steady_clock::now();
    CHECK(wait_child(a) == -SIGKILL);

    // Process B (this one) rescues and runs them.
    auto q = sqlite::queue::open(path);
    REQUIRE(q.has_value());
    {
        auto s = (*q)->stats(now_ms()).value();
        CHECK(s.totals.count(job_state::running) == n); // still leased by the dead process
    }
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    auto p = short_lease();
    worker w(io, **q, p);
    std::map<std::int64_t, int> runs;
    std::chrono::steady_clock::time_point last_run{};
    w.register_handler("work", [&](job_context ctx) -> error_code {
        ++runs[ctx.id()];
        CHECK(ctx.attempt() == 1); // the crash did not cost an attempt
        last_run = std::chrono::steady_clock::now();
        return {};
    });
    REQUIRE(w.start().has_value());
    REQUIRE(run_until(
        io, [&] { return (*q)->stats(now_ms()).value().totals.count(job_state::completed) == n; }, 20s));
    auto recovery = last_run - killed_at;
    WARN("recovered in " << std::chrono::duration_cast<std::chrono::milliseconds>(recovery).count() << " ms");
    CHECK(recovery <= p.lease_duration + p.rescue_interval + 1500ms);
    CHECK(runs.size() == n);
    for (auto& [id, count] : runs) {
        CHECK(count == 1);
        CHECK(started_in_a.count(id) == 1);
        auto j = (*q)->get(id).value();
        CHECK(j.attempt == 1);
        CHECK(j.rescue_count == 1);
    }
    bool done = false;
    w.async_shutdown(2s, [&](error_code) { done = true; });
    REQUIRE(run_until(
        io, [&] { return done; }, 5s));
    CHECK(integrity(path) == "ok");
}

TEST_CASE("sqlite queue: two processes enqueue and work on one file", "[integration][queue][crash]") {
    kongflow_test::temp_dir dir;
    auto path = dir.file("jobs.db");
    REQUIRE(sqlite::queue::open(path).has_value()); // create the schema once
    constexpr int per_process = 400;
    auto child = [&](int me) {
        return spawn([&, me] {
            auto q = sqlite::queue::open(path);
            if (!q) return 2;
            asio::io_context io;
            auto guard = asio::make_work_guard(io);
            auto p = short_lease();
            p.queues = {{"default", 8}};
            worker w(io, **q, p);
            std::ofstream log(dir.file("log-" + std::to_string(me)));
            int violations = 0;
            w.register_handler("work", [&](job_context ctx) -> error_code {
                // A marker file per job, created exclusively: a concurrent second run would fail here.
                auto marker = dir.file("running-" + std::to_string(ctx.id()));
                int fd = ::open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
                if (fd < 0)
                    ++violations;
                else
                    ::close(fd);
                log << ctx.id() << '\n';
                ::unlink(marker.c_str());
                return {};
            });
            if (!w.start()) return 3;
            for (int i = 0; i < per_process; ++i) {
                auto r = make_job_request("work", {{"proc", me}, {"i", i}});
                if (i % 2 == 0) {
                    if (!w.enqueue(r)) return 4;
                } else {
                    std::vector<job_request> one{r};
                    if (!w.enqueue_batch(one)) return 4;
                }
            }
            bool ok = run_until(
                io, [&] { return (*q)->stats(now_ms()).value().totals.count(job_state::completed) == 2 * per_process; },
                60s);
            bool done = false;
            w.async_shutdown(5s, [&](error_code) { done = true; });
            run_until(
                io, [&] { return done; }, 10s);
            log.flush();
            if (!ok) return 5;
            return violations == 0 ? 0 : 6;
        });
    };
    pid_t a = child(1), b = child(2);
    CHECK(wait_child(a, 90s) == 0);
    CHECK(wait_child(b, 90s) == 0);
    std::map<std::int64_t, int> runs;
    for (int me : {1, 2}) {
        std::ifstream in(dir.file("log-" + std::to_string(me)));
        std::int64_t id;
        while (in >> id) ++runs[id];
    }
    CHECK(runs.size() == 2 * per_process);
    int twice = 0;
    for (auto& [id, c] : runs) twice += c != 1;
    CHECK(twice == 0);
    CHECK(integrity(path) == "ok");
}

TEST_CASE("sqlite queue: corrupt and read-only files give clear errors", "[integration][queue]") {
    kongflow_test::temp_dir dir;
    {
        auto path = dir.file("garbage.db");
        std::ofstream(path) << std::string(8192, 'x');
        auto q = sqlite::queue::open(path);
        REQUIRE(!q.has_value());
        CHECK(q.error().category() == sqlite::get_category());
        CHECK(q.error().value() == SQLITE_NOTADB);
        CHECK(q.error().message() == "file is not a database");
    }
    {
        // A valid queue file that this process may not write.
        auto path = dir.file("ro.db");
        {
            auto q = sqlite::queue::open(path);
            REQUIRE(q.has_value());
            REQUIRE((*q)->enqueue("k", boost::json::object{}).has_value());
        }
        ::chmod(path.c_str(), 0444);
        ::chmod(dir.path().c_str(), 0555);
        pid_t pid = spawn([&] {
            if (::geteuid() == 0 && ::setuid(65534) != 0) return 10; // root ignores permissions
            auto q = sqlite::queue::open(path);
            if (q) return 11;
            auto& cat = q.error().category();
            if (cat != sqlite::get_category()) return 12;
            int primary = q.error().value() & 0xff;
            return (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN) ? 0 : 13;
        });
        CHECK(wait_child(pid) == 0);
        ::chmod(dir.path().c_str(), 0755);
    }
}

TEST_CASE("sqlite queue: a full disk fails enqueues clearly and loses nothing committed", "[integration][queue]") {
    kongflow_test::temp_dir dir;
    auto path = dir.file("full.db");
    REQUIRE(sqlite::queue::open(path).has_value());
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = spawn([&] {
        ::close(fds[0]);
        ::signal(SIGXFSZ, SIG_IGN); // get EFBIG instead of being killed
        rlimit lim{512 * 1024, 512 * 1024};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return 2;
        auto q = sqlite::queue::open(path);
        if (!q) return 3;
        std::int64_t committed = 0;
        error_code failure;
        std::string filler(1024, 'z');
        for (int round = 0; round < 10000 && !failure; ++round) {
            std::vector<job_request> batch;
            for (int i = 0; i < 20; ++i) batch.push_back(make_job_request("k", {{"pad", filler}}));
            auto r = (*q)->enqueue_batch(batch);
            if (r)
                committed += 20;
            else
                failure = r.error();
        }
        // A single (group-committed) enqueue fails the same way.
        auto one = (*q)->enqueue(make_job_request("k", {{"pad", filler}}));
        std::int64_t msg[4] = {committed, failure.value(), failure.category() == sqlite::get_category(),
                               one ? 0 : one.error().value()};
        if (::write(fds[1], msg, sizeof msg) != sizeof msg) return 4;
        return failure ? 0 : 5;
    });
    ::close(fds[1]);
    std::int64_t msg[4] = {};
    auto got = ::read(fds[0], msg, sizeof msg);
    ::close(fds[0]);
    CHECK(wait_child(pid) == 0);
    REQUIRE(got == sizeof msg);
    INFO("committed " << msg[0] << ", error " << msg[1] << " (" << sqlite3_errstr(static_cast<int>(msg[1])) << ")");
    CHECK(msg[0] > 0);
    CHECK(msg[2] == 1);
    CHECK(((msg[1] & 0xff) == SQLITE_FULL || (msg[1] & 0xff) == SQLITE_IOERR));
    CHECK(msg[3] != 0);
    auto q = sqlite::queue::open(path);
    REQUIRE(q.has_value());
    CHECK((*q)->stats(now_ms()).value().totals.total() == msg[0]);
    CHECK(integrity(path) == "ok");
}

TEST_CASE("sqlite queue: a periodic job fires live, once per fire across two worker processes",
          "[integration][queue][periodic]") {
    // Cron has minute resolution: this test waits for the next minute boundary (at most ~2 min).
    kongflow_test::temp_dir dir;
    const auto db = dir.file("periodic.db");
    const auto ran = dir.file("ran.log");
    REQUIRE(sqlite::queue::open(db).has_value()); // migrate once before the children race
    auto child = [&]() -> int {
        auto q = sqlite::queue::open(db);
        if (!q) return 3;
        asio::io_context io;
        auto guard = asio::make_work_guard(io);
        worker w(io, **q, short_lease());
        w.register_handler("tick", [&](job_context ctx) -> error_code {
            // One line per run, appended atomically by either process.
            int fd = ::open(ran.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
            std::string line = std::to_string(::getpid()) + " " + ctx.job().job_key.value_or("") + "\n";
            if (fd >= 0) {
                (void)::write(fd, line.data(), line.size());
                ::close(fd);
            }
            return {};
        });
        periodic_job p;
        p.name = "tick";
        p.schedule = cron_schedule::parse("* * * * *").value();
        p.request = make_job_request("tick", boost::json::object{});
        w.add_periodic(std::move(p));
        if (!w.start()) return 4;
        io.run_for(150s); // the parent kills us once it has seen the fire
        return 0;
    };
    pid_t a = spawn(child);
    pid_t b = spawn(child);
    auto lines = [&] {
        std::vector<std::string> out;
        std::ifstream in(ran);
        for (std::string l; std::getline(in, l);) out.push_back(l);
        return out;
    };
    auto deadline = std::chrono::steady_clock::now() + 130s;
    while (lines().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
    // Both workers computed the same fire; give the slower one time to (wrongly) run it again.
    std::this_thread::sleep_for(1500ms);
    ::kill(a, SIGKILL);
    ::kill(b, SIGKILL);
    wait_child(a, 10s);
    wait_child(b, 10s);
    auto got = lines();
    REQUIRE(got.size() == 1);
    CHECK(got[0].find(" periodic:tick:") != std::string::npos);
    auto q = sqlite::queue::open(db);
    REQUIRE(q.has_value());
    auto st = (*q)->stats(now_ms());
    REQUIRE(st.has_value());
    CHECK(st->totals.total() == 1);
    CHECK(st->totals.count(job_state::completed) == 1);
    CHECK(integrity(db) == "ok");
}
