// Several processes on one PostgreSQL schema: migrations racing on an empty database, 20,000 jobs
// shared by three worker processes, a SIGKILLed worker's leases, periodic fires, a killed LISTEN
// connection, and bad connection settings.
#include "catch.hpp"
#include "pg_test_util.hpp"

#include <kongflow/endpoints/postgres.hpp>
#include <kongflow/endpoints/queue/worker.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace kf = kongflow::endpoints;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

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
int wait_child(pid_t pid, std::chrono::milliseconds timeout = 120s) {
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

bool run_until(asio::io_context& io, const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_for(10ms);
    }
    return true;
}

kf::worker_params short_lease() {
    kf::worker_params p;
    p.queues = {{"default", 32}};
    p.lease_duration = 2000ms;
    p.heartbeat_interval = 500ms;
    p.rescue_interval = 500ms;
    p.poll_interval = 200ms;
    return p;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::string temp_file(const std::string& name) { return "/tmp/kf-pgtest-" + std::to_string(::getpid()) + "-" + name; }

} // namespace

TEST_CASE("postgres: three processes migrating an empty schema at once leave one schema", "[postgres][migrate]") {
    kf_pg::schema s;
    std::vector<pid_t> kids;
    for (int i = 0; i < 3; ++i)
        kids.push_back(spawn([&] {
            kf::postgres::store_params p;
            p.connection = s.params();
            return kf::postgres::store::open(p) ? 0 : 1;
        }));
    for (auto k : kids) CHECK(wait_child(k) == 0);
    CHECK(kf_pg::psql("SELECT string_agg(component || '=' || version, ',' ORDER BY component) FROM " + s.name() +
                      ".schema_versions") == "queue=1,storage=1");
    CHECK(kf_pg::psql("SELECT count(*) FROM pg_tables WHERE schemaname = '" + s.name() + "'") == "9");
}

TEST_CASE("postgres: a schema written by a newer library is refused, and nothing is written", "[postgres][migrate]") {
    kf_pg::schema s;
    REQUIRE(kf::postgres::repository::open(s.params()).has_value());
    kf_pg::psql("UPDATE " + s.name() + ".schema_versions SET version = 99 WHERE component = 'storage'");
    auto r = kf::postgres::repository::open(s.params());
    REQUIRE(!r);
    CHECK(r.error() == kf::errc::schema_too_new);
    CHECK(std::string(r.error().diag().client_message()).find("storage schema version 99") != std::string::npos);
    auto q = kf::postgres::queue::open(s.params());
    CHECK((!q && q.error() == kf::errc::schema_too_new));
    CHECK(kf_pg::psql("SELECT version FROM " + s.name() + ".schema_versions WHERE component = 'storage'") == "99");
}

TEST_CASE("postgres: bad connection settings fail with a clear error", "[postgres][errors]") {
    auto open = [](kf::postgres::connection_params p) {
        p.connect_timeout = 2s;
        auto r = kf::postgres::repository::open(p);
        REQUIRE(!r);
        return std::make_pair(r.error().code(), std::string(r.error().diag().client_message()));
    };
    kf::postgres::connection_params p;
    p.conninfo = "postgresql://[::1"; // not a URI
    auto [ec, msg] = open(p);
    CHECK(ec == kf::errc::invalid_argument);
    CHECK(msg.find("invalid PostgreSQL connection string") != std::string::npos);

    p.conninfo = "host=127.0.0.1 port=1 dbname=postgres"; // nobody listens on port 1
    std::tie(ec, msg) = open(p);
    CHECK(ec == kf::errc::storage_failure);
    CHECK(msg.find("cannot connect to PostgreSQL") != std::string::npos);
    CHECK(msg.find("refused") != std::string::npos);

    p.conninfo = kf_pg::conninfo() + " user=nobody_here";
    std::tie(ec, msg) = open(p);
    CHECK(ec == kf::errc::storage_failure);
    CHECK(msg.find("nobody_here") != std::string::npos);

    p.conninfo = kf_pg::conninfo();
    p.schema = "bad-name; DROP";
    std::tie(ec, msg) = open(p);
    CHECK(ec == kf::errc::invalid_argument);

    p.schema = "kongflow";
    p.conninfo = "definitely_not_an_option=1";
    std::tie(ec, msg) = open(p);
    CHECK(ec == kf::errc::invalid_argument);
    CHECK(msg.find("definitely_not_an_option") != std::string::npos);
}

TEST_CASE("postgres: three worker processes share 20000 jobs and run each exactly once", "[postgres][queue]") {
    kf_pg::schema s;
    constexpr int n = 20000;
    {
        auto q = kf::postgres::queue::open(s.params());
        REQUIRE(q.has_value());
        std::vector<kf::job_request> batch;
        for (int i = 0; i < n; ++i) batch.push_back(kf::make_job_request("work", {{"i", i}}));
        for (int i = 0; i < n; i += 1000)
            REQUIRE((*q)->enqueue_batch(std::span<const kf::job_request>(batch).subspan(i, 1000)).has_value());
    }
    std::vector<pid_t> kids;
    std::vector<std::string> logs;
    for (int k = 0; k < 3; ++k) {
        logs.push_back(temp_file("ran" + std::to_string(k)));
        kids.push_back(spawn([&, k] {
            auto q = kf::postgres::queue::open(s.params());
            if (!q) return 2;
            asio::io_context io;
            auto guard = asio::make_work_guard(io);
            kf::worker w(io, **q, short_lease());
            std::vector<std::int64_t> ran;
            w.register_handler("work", [&](kf::job_context ctx) -> kf::error_code {
                ran.push_back(ctx.payload().at("i").as_int64());
                return {};
            });
            if (!w.start()) return 3;
            bool drained = run_until(
                io,
                [&] {
                    auto st = (*q)->stats(kf::now_ms());
                    return st && st->totals.count(kf::job_state::completed) == n;
                },
                180s);
            std::ofstream out(logs[static_cast<std::size_t>(k)]);
            for (auto i : ran) out << i << "\n";
            return drained ? 0 : 4;
        }));
    }
    for (auto k : kids) CHECK(wait_child(k, 240s) == 0);
    std::map<std::int64_t, int> runs;
    std::vector<std::size_t> per_process;
    for (const auto& l : logs) {
        auto lines = read_lines(l);
        per_process.push_back(lines.size());
        for (const auto& x : lines) ++runs[std::stoll(x)];
        std::remove(l.c_str());
    }
    CHECK(runs.size() == n);
    int twice = 0;
    for (auto& [i, c] : runs) twice += c != 1;
    CHECK(twice == 0);
    INFO("jobs per process: " << per_process[0] << ", " << per_process[1] << ", " << per_process[2]);
    for (auto c : per_process) CHECK(c > 0); // all three took part
}

TEST_CASE("postgres: a SIGKILLed worker's leased jobs run again in another process, attempts not charged",
          "[postgres][queue][crash]") {
    kf_pg::schema s;
    constexpr int n = 20;
    {
        auto q = kf::postgres::queue::open(s.params());
        REQUIRE(q.has_value());
        std::vector<kf::job_request> batch;
        for (int i = 0; i < n; ++i) batch.push_back(kf::make_job_request("work", {{"i", i}}));
        REQUIRE((*q)->enqueue_batch(batch).has_value());
    }
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t a = spawn([&] {
        ::close(fds[0]);
        auto q = kf::postgres::queue::open(s.params());
        if (!q) return 2;
        asio::io_context io;
        auto guard = asio::make_work_guard(io);
        kf::worker w(io, **q, short_lease());
        std::vector<kf::job_completion_handler> held;
        w.register_handler("work", [&](kf::job_context ctx, kf::job_completion_handler done) {
            std::int64_t id = ctx.id();
            if (::write(fds[1], &id, sizeof id) != sizeof id) ::_exit(3);
            held.push_back(std::move(done));
        });
        if (!w.start()) return 4;
        io.run_for(60s);
        return 5;
    });
    REQUIRE(a > 0);
    ::close(fds[1]);
    std::set<std::int64_t> started;
    while (started.size() < n) {
        std::int64_t id = 0;
        if (::read(fds[0], &id, sizeof id) != sizeof id) break;
        started.insert(id);
    }
    ::close(fds[0]);
    REQUIRE(started.size() == n);
    std::this_thread::sleep_for(700ms);
    REQUIRE(::kill(a, SIGKILL) == 0);
    auto killed_at = std::chrono::steady_clock::now();
    CHECK(wait_child(a) == -SIGKILL);

    auto q = kf::postgres::queue::open(s.params());
    REQUIRE(q.has_value());
    CHECK((*q)->stats(kf::now_ms())->totals.count(kf::job_state::running) == n);
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    kf::worker w(io, **q, short_lease());
    std::map<std::int64_t, int> runs;
    std::vector<int> attempts;
    w.register_handler("work", [&](kf::job_context ctx) -> kf::error_code {
        ++runs[ctx.id()];
        attempts.push_back(ctx.attempt());
        return {};
    });
    REQUIRE(w.start().has_value());
    REQUIRE(run_until(
        io, [&] { return runs.size() == n; }, 30s));
    auto recovered = std::chrono::steady_clock::now() - killed_at;
    // The lease (2 s) plus a rescue pass (0.5 s) and a claim, with room for a loaded machine.
    CHECK(recovered < 10s);
    for (auto a_ : attempts) CHECK(a_ == 1);
    for (auto id : started) CHECK(runs[id] == 1);
    bool done = false;
    w.async_shutdown(2s, [&](kf::error_code) { done = true; });
    run_until(
        io, [&] { return done; }, 5s);
}

TEST_CASE("postgres: periodic fires enqueued by three processes at once exist once each", "[postgres][periodic]") {
    kf_pg::schema s;
    REQUIRE(kf::postgres::queue::open(s.params()).has_value());
    constexpr int fires = 200;
    const auto t0 = kf::timestamp(std::chrono::milliseconds(1'700'000'000'000));
    std::vector<pid_t> kids;
    for (int k = 0; k < 3; ++k)
        kids.push_back(spawn([&] {
            auto q = kf::postgres::queue::open(s.params());
            if (!q) return 2;
            kf::periodic_job p;
            p.name = "tick";
            p.request = kf::make_job_request("tick", boost::json::object{});
            for (int i = 0; i < fires; ++i)
                if (!(*q)->enqueue(kf::periodic_request(p, t0 + std::chrono::minutes(i)))) return 3;
            return 0;
        }));
    for (auto k : kids) CHECK(wait_child(k) == 0);
    CHECK(kf_pg::psql("SELECT count(*) FROM " + s.name() + ".queue_jobs") == std::to_string(fires));
    CHECK(kf_pg::psql("SELECT count(DISTINCT job_key) FROM " + s.name() + ".queue_jobs") == std::to_string(fires));
}

TEST_CASE("postgres: an enqueue in one process wakes an idle worker in another, also after its LISTEN "
          "connection was killed",
          "[postgres][queue][listen]") {
    kf_pg::schema s;
    auto q = kf::postgres::queue::open(s.params());
    REQUIRE(q.has_value());
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    auto p = short_lease();
    p.poll_interval = 30s; // only a wake-up can make the worker see a job in time
    kf::worker w(io, **q, p);
    std::vector<std::chrono::steady_clock::time_point> ran;
    w.register_handler("work", [&](kf::job_context) -> kf::error_code {
        ran.push_back(std::chrono::steady_clock::now());
        return {};
    });
    REQUIRE(w.start().has_value());
    REQUIRE(run_until(
        io, [&] { return (*q)->listen_connects() == 1; }, 10s));
    io.run_for(300ms); // the worker's first poll is done; it idles now

    auto enqueue_elsewhere = [&] {
        pid_t k = spawn([&] {
            auto other = kf::postgres::queue::open(s.params(), kf::postgres::queue_params{false, false});
            if (!other) return 2;
            return (*other)->enqueue("work", boost::json::object{}) ? 0 : 3;
        });
        auto sent = std::chrono::steady_clock::now();
        REQUIRE(wait_child(k) == 0);
        return sent;
    };
    auto sent = enqueue_elsewhere();
    REQUIRE(run_until(
        io, [&] { return ran.size() == 1; }, 5s));
    CHECK(ran[0] - sent < 3s);

    // Kill the listener's backend: it reconnects and wake-ups resume.
    kf_pg::psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' OR query = "
                "'SELECT 1'");
    REQUIRE(run_until(
        io, [&] { return (*q)->listen_connects() >= 2; }, 10s));
    io.run_for(300ms);
    sent = enqueue_elsewhere();
    REQUIRE(run_until(
        io, [&] { return ran.size() == 2; }, 5s));
    CHECK(ran[1] - sent < 3s);
    bool done = false;
    w.async_shutdown(2s, [&](kf::error_code) { done = true; });
    run_until(
        io, [&] { return done; }, 5s);
}

TEST_CASE("postgres: a URI, key=value pairs and the PG* environment all reach the database", "[postgres][errors]") {
    // The fixture's string is "host=DIR port=PORT dbname=postgres user=postgres".
    const auto kv = kf_pg::conninfo();
    auto value_of = [&](const std::string& key) {
        auto at = kv.find(key + "=");
        REQUIRE(at != std::string::npos);
        at += key.size() + 1;
        return kv.substr(at, kv.find(' ', at) - at);
    };
    const auto host = value_of("host"), port = value_of("port");
    kf_pg::schema s;
    auto open_with = [&](const std::string& conninfo) {
        kf::postgres::connection_params p = s.params();
        p.conninfo = conninfo;
        auto r = kf::postgres::repository::open(p);
        INFO(conninfo << ": " << (r ? "" : r.error().what()));
        CHECK(r.has_value());
        if (r) CHECK(r->list_organizations().has_value());
    };
    open_with(kv);
    open_with("postgresql://postgres@/postgres?host=" + host + "&port=" + port);
    open_with("postgres://postgres@/postgres?host=" + host + "&port=" + port +
              "&application_name=kf-test&connect_timeout=5");
    ::setenv("PGHOST", host.c_str(), 1);
    ::setenv("PGPORT", port.c_str(), 1);
    ::setenv("PGUSER", "postgres", 1);
    ::setenv("PGDATABASE", "postgres", 1);
    open_with("");
    for (const char* v : {"PGHOST", "PGPORT", "PGUSER", "PGDATABASE"}) ::unsetenv(v);
}

TEST_CASE("postgres: TLS with the server's certificate verified, and a wrong CA refused", "[postgres][errors]") {
    const char* state = std::getenv("KONGFLOW_TEST_POSTGRES_FILE");
    REQUIRE(state != nullptr); // the fixture's cluster serves TLS on a loopback port
    std::string tcp;
    std::getline(std::ifstream(std::string(state) + ".tcp"), tcp);
    REQUIRE(!tcp.empty());
    const std::string ca = std::string(state) + ".ca";
    kf_pg::schema s;
    kf::postgres::connection_params p = s.params();
    p.conninfo = tcp + " sslmode=verify-full sslrootcert=" + ca;
    auto r = kf::postgres::repository::open(p);
    INFO((r ? "" : r.error().what()));
    REQUIRE(r.has_value());
    CHECK(kf_pg::psql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", p.conninfo) == "t");

    // Another self-signed certificate as the CA: the handshake fails, clearly.
    const auto other = "/tmp/kf-other-ca-" + std::to_string(::getpid()) + ".crt";
    REQUIRE(std::system(("openssl req -new -x509 -days 1 -nodes -subj /CN=other -keyout /dev/null -out " + other +
                         " >/dev/null 2>&1")
                            .c_str()) == 0);
    p.conninfo = tcp + " sslmode=verify-full sslrootcert=" + other;
    p.connect_timeout = std::chrono::seconds(5);
    auto bad = kf::postgres::repository::open(p);
    std::remove(other.c_str());
    REQUIRE(!bad);
    CHECK(bad.error() == kf::errc::storage_failure);
    CHECK(std::string(bad.error().diag().client_message()).find("certificate verify failed") != std::string::npos);
}
