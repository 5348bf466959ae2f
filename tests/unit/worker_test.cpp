#include "catch.hpp"

#include <kongflow/endpoints/memory/queue.hpp>
#include <kongflow/endpoints/queue/worker.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>

using namespace kongflow::endpoints;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Runs the context until pred() holds or the timeout passes (bounded: tests never hang).
bool run_until(asio::io_context& io, const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_for(5ms);
    }
    return true;
}

worker_params fast_params() {
    worker_params p;
    p.queues = {{"default", 8}};
    p.poll_interval = 50ms;
    p.heartbeat_interval = 50ms;
    p.lease_duration = 1000ms;
    p.rescue_interval = 50ms;
    p.retry = std::make_shared<exponential_backoff>(exponential_backoff_params{10ms, 2.0, 100ms, 0.0});
    return p;
}

struct fixture {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    memory::queue q;

    std::int64_t count(job_state s) { return q.stats(now_ms()).value().totals.count(s); }
    bool shutdown(worker& w, std::chrono::milliseconds deadline = 2s) {
        bool done = false;
        w.async_shutdown(deadline, [&](error_code ec) {
            CHECK(!ec);
            done = true;
        });
        return run_until(io, [&] { return done; });
    }
};

struct index_args {
    std::string endpoint;
    int version = 0;
    static constexpr std::string_view kind() { return "index_endpoint"; }
};
BOOST_DESCRIBE_STRUCT(index_args, (), (endpoint, version))

} // namespace

TEST_CASE_METHOD(fixture, "worker runs callback handlers on the caller's executor", "[unit][queue][worker]") {
    worker w(io, q, fast_params());
    int ran = 0;
    w.register_handler("count", [&](job_context ctx, job_completion_handler done) {
        CHECK(io.get_executor().running_in_this_thread());
        CHECK(ctx.payload().at("i").as_int64() >= 0);
        ++ran;
        std::move(done)(error_code{});
    });
    REQUIRE(w.start().has_value());
    std::vector<job_request> batch;
    for (int i = 0; i < 200; ++i) batch.push_back(make_job_request("count", {{"i", i}}));
    REQUIRE(w.enqueue_batch(batch).has_value());
    REQUIRE(run_until(io, [&] { return count(job_state::completed) == 200; }));
    CHECK(ran == 200);
    // The counter moves right after the store call returns, a moment after the rows change.
    CHECK(run_until(io, [&] { return w.counters().completed == 200; }));
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: coroutine, synchronous and typed handlers", "[unit][queue][worker]") {
    worker w(io, q, fast_params());
    std::string seen;
    w.register_handler("coro", [&](job_context ctx) -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 5ms);
        co_await t.async_wait(asio::use_awaitable);
        seen += "coro:" + std::string(ctx.payload().at("x").as_string()) + ";";
    });
    w.register_handler("sync", [&](job_context) -> error_code {
        seen += "sync;";
        return {};
    });
    w.register_worker<index_args>([&](index_args a, job_context) -> error_code {
        seen += "typed:" + a.endpoint + ":" + std::to_string(a.version) + ";";
        return {};
    });
    REQUIRE(w.start().has_value());
    REQUIRE(w.enqueue("coro", boost::json::object{{"x", "y"}}).has_value());
    REQUIRE(run_until(io, [&] { return count(job_state::completed) == 1; }));
    REQUIRE(w.enqueue("sync", boost::json::object{}).has_value());
    REQUIRE(run_until(io, [&] { return count(job_state::completed) == 2; }));
    REQUIRE(w.enqueue(index_args{"ep_1", 3}).has_value());
    REQUIRE(run_until(io, [&] { return count(job_state::completed) == 3; }));
    CHECK(seen == "coro:y;sync;typed:ep_1:3;");
    // A payload that does not decode is discarded, not retried.
    auto bad = q.enqueue("index_endpoint", boost::json::object{{"endpoint", 5}});
    REQUIRE(bad.has_value());
    REQUIRE(run_until(io, [&] { return count(job_state::discarded) == 1; }));
    auto j = q.get(*bad).value();
    REQUIRE(j.errors.size() == 1);
    CHECK(j.errors[0].error.find("payload does not decode as index_endpoint") != std::string::npos);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: failures retry with backoff, keep history, then discard", "[unit][queue][worker]") {
    worker w(io, q, fast_params());
    int calls = 0;
    w.register_handler("flaky", [&](job_context ctx) -> error_code {
        ++calls;
        if (ctx.attempt() < 3) {
            ctx.set_error_detail("try " + std::to_string(ctx.attempt()));
            return make_error_code(errc::timeout);
        }
        return {};
    });
    w.register_handler("hopeless", [&](job_context) -> error_code { return make_error_code(errc::bad_status); });
    REQUIRE(w.start().has_value());
    auto flaky = w.enqueue("flaky", boost::json::object{}).value();
    auto r = make_job_request("hopeless", {});
    r.max_attempts = 2;
    auto hopeless = w.enqueue(r).value();
    REQUIRE(run_until(io, [&] { return count(job_state::completed) == 1 && count(job_state::discarded) == 1; }));
    auto f = q.get(flaky).value();
    CHECK(f.attempt == 3);
    REQUIRE(f.errors.size() == 2);
    CHECK(f.errors[0].attempt == 1);
    CHECK(f.errors[0].error == "the operation timed out: try 1");
    CHECK(f.errors[1].attempt == 2);
    auto h = q.get(hopeless).value();
    CHECK(h.state == job_state::discarded);
    CHECK(h.attempt == 2);
    CHECK(h.errors.size() == 2);
    CHECK(calls == 3);
    CHECK(shutdown(w));
}

TEST_CASE("graphile_backoff is graphile-worker's exp(min(attempt, 10)) seconds", "[unit][queue][retry]") {
    // Trigger.dev's retries (graphile-worker fail_job): run_at + exp(least(attempts, 10)) s.
    graphile_backoff b;
    CHECK(b.delay(1) == 2718ms);
    CHECK(b.delay(2) == 7389ms);
    CHECK(b.delay(3) == 20086ms);
    CHECK(b.delay(4) == 54598ms);
    CHECK(b.delay(5) == 148413ms);
    CHECK(b.delay(6) == 403429ms);
    CHECK(b.delay(7) == 1096633ms);
    CHECK(b.delay(10) == 22026466ms);
    CHECK(b.delay(11) == 22026466ms); // capped
    CHECK(b.delay(100) == 22026466ms);
    // Trigger.dev's 7 attempts of performEndpointIndexing: six waits, about 10.6 min in all.
    std::chrono::milliseconds total{0};
    for (int attempt = 1; attempt < 7; ++attempt) total += b.delay(attempt);
    CHECK(total == 636633ms);
    job_row row;
    row.attempt = 3;
    CHECK(b.backoff(row) == 20086ms); // no jitter
    CHECK(graphile_backoff(3).delay(5) == 20086ms);
}

TEST_CASE_METHOD(fixture, "worker: a kind's own retry policy", "[unit][queue][worker]") {
    worker w(io, q, fast_params());
    w.set_retry_policy("slow", std::make_shared<graphile_backoff>());
    w.register_handler("slow", [&](job_context) -> error_code { return make_error_code(errc::timeout); });
    w.register_handler("fast", [&](job_context) -> error_code { return make_error_code(errc::timeout); });
    REQUIRE(w.start().has_value());
    auto slow = w.enqueue("slow", boost::json::object{}).value();
    auto fast_request = make_job_request("fast", {});
    fast_request.max_attempts = 3;
    auto fast = w.enqueue(fast_request).value();
    // The fast kind keeps the worker's 10 ms backoff; the slow one waits e^1 s after attempt 1.
    REQUIRE(run_until(io, [&] {
        return q.get(fast).value().state == job_state::discarded && q.get(slow).value().errors.size() == 1;
    }));
    auto s = q.get(slow).value();
    CHECK(s.state == job_state::retryable);
    REQUIRE(s.attempted_at.has_value());
    auto wait = s.run_at - *s.attempted_at; // the backoff counts from the failure, after the start
    CHECK(wait >= 2718ms);
    CHECK(wait < 2718ms + 1s);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: cancel, discard, exceptions and dropped completions", "[unit][queue][worker]") {
    worker w(io, q, fast_params());
    w.register_handler("cancel_me", [](job_context) -> error_code { return make_error_code(errc::job_cancel); });
    w.register_handler("discard_me", [](job_context) -> error_code { return make_error_code(errc::job_discard); });
    w.register_handler("throws", [](job_context ctx) -> error_code {
        if (ctx.attempt() == 1) throw std::runtime_error("kaboom");
        return {};
    });
    w.register_handler("drops", [](job_context ctx, job_completion_handler done) {
        if (ctx.attempt() == 1) return; // forgets to call done
        std::move(done)(error_code{});
    });
    REQUIRE(w.start().has_value());
    auto c = w.enqueue("cancel_me", boost::json::object{}).value();
    auto d = w.enqueue("discard_me", boost::json::object{}).value();
    auto t = w.enqueue("throws", boost::json::object{}).value();
    auto dr = w.enqueue("drops", boost::json::object{}).value();
    REQUIRE(run_until(io, [&] {
        return count(job_state::completed) == 2 && count(job_state::cancelled) == 1 && count(job_state::discarded) == 1;
    }));
    CHECK(q.get(c).value().state == job_state::cancelled);
    CHECK(q.get(d).value().attempt == 1);
    auto tj = q.get(t).value();
    REQUIRE(tj.errors.size() == 1);
    CHECK(tj.errors[0].error.find("kaboom") != std::string::npos);
    auto dj = q.get(dr).value();
    REQUIRE(dj.errors.size() == 1);
    CHECK(dj.errors[0].error.find("dropped its completion") != std::string::npos);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: unknown kinds", "[unit][queue][worker]") {
    worker w(io, q, fast_params());
    w.register_handler("known", [](job_context) -> error_code { return {}; });
    REQUIRE(w.start().has_value());
    auto r = w.enqueue("unknown", boost::json::object{});
    CHECK((!r && r.error() == errc::unknown_job_kind));
    CHECK(w.enqueue("known", boost::json::value(3)).error() == errc::invalid_payload);
    // Enqueued directly (another process might handle it): fails with a clear error and retries.
    auto id = q.enqueue("unknown", boost::json::object{}).value();
    REQUIRE(run_until(io, [&] { return !q.get(id).value().errors.empty(); }));
    auto j = q.get(id).value();
    CHECK(j.errors[0].error.find("no handler registered for kind 'unknown'") != std::string::npos);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: named queues respect their concurrency limits", "[unit][queue][worker]") {
    auto p = fast_params();
    p.queues = {{"default", 3}, {"serial", 1}};
    worker w(io, q, p);
    int running = 0, max_running = 0, serial_running = 0, serial_max = 0, done_count = 0;
    w.register_handler("slow", [&](job_context ctx) -> asio::awaitable<void> {
        bool serial = ctx.job().queue == "serial";
        int& r = serial ? serial_running : running;
        int& m = serial ? serial_max : max_running;
        m = std::max(m, ++r);
        asio::steady_timer t(co_await asio::this_coro::executor, 10ms);
        co_await t.async_wait(asio::use_awaitable);
        --r;
        ++done_count;
    });
    REQUIRE(w.start().has_value());
    std::vector<job_request> batch;
    for (int i = 0; i < 12; ++i) batch.push_back(make_job_request("slow", {}));
    enqueue_options serial;
    serial.queue = "serial";
    for (int i = 0; i < 4; ++i) batch.push_back(make_job_request("slow", {}, serial));
    REQUIRE(w.enqueue_batch(batch).has_value());
    REQUIRE(run_until(io, [&] { return count(job_state::completed) == 16; }));
    CHECK(max_running == 3);
    CHECK(serial_max == 1);
    CHECK(done_count == 16);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: an in-process enqueue wakes an idle worker at once", "[unit][queue][worker]") {
    auto p = fast_params();
    p.poll_interval = 60s; // only the wake-up can find the job in time
    worker w(io, q, p);
    std::chrono::steady_clock::time_point ran{};
    w.register_handler("ping", [&](job_context) -> error_code {
        ran = std::chrono::steady_clock::now();
        return {};
    });
    REQUIRE(w.start().has_value());
    io.run_for(50ms); // idle
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(w.enqueue("ping", boost::json::object{}).has_value());
    REQUIRE(run_until(
        io, [&] { return ran != std::chrono::steady_clock::time_point{}; }, 2s));
    CHECK(ran - t0 < 500ms);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: cancelling a running job signals its handler", "[unit][queue][worker]") {
    worker w(io, q, fast_params());
    bool started = false, aborted = false;
    w.register_handler("long", [&](job_context) -> asio::awaitable<void> {
        started = true;
        asio::steady_timer t(co_await asio::this_coro::executor, 10s);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        aborted = ec == asio::error::operation_aborted;
    });
    REQUIRE(w.start().has_value());
    auto id = w.enqueue("long", boost::json::object{}).value();
    REQUIRE(run_until(io, [&] { return started; }));
    REQUIRE(q.cancel(id).has_value());
    REQUIRE(run_until(
        io, [&] { return aborted; }, 3s));
    REQUIRE(run_until(
        io, [&] { return w.counters().lost == 1; }, 3s));
    CHECK(q.get(id).value().state == job_state::cancelled);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: graceful shutdown waits, then gives leases back", "[unit][queue][worker]") {
    auto p = fast_params();
    worker w(io, q, p);
    bool finished_slow = false;
    std::vector<job_completion_handler> held; // "stuck" handlers never complete
    w.register_handler("slow", [&](job_context) -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
        co_await t.async_wait(asio::use_awaitable);
        finished_slow = true;
    });
    w.register_handler("stuck", [&](job_context, job_completion_handler done) { held.push_back(std::move(done)); });
    REQUIRE(w.start().has_value());
    auto slow = w.enqueue("slow", boost::json::object{}).value();
    auto stuck = w.enqueue("stuck", boost::json::object{}).value();
    REQUIRE(run_until(io, [&] { return held.size() == 1; }));
    auto t0 = std::chrono::steady_clock::now();
    CHECK(shutdown(w, 300ms));
    CHECK(std::chrono::steady_clock::now() - t0 >= 250ms);
    CHECK(finished_slow);
    CHECK(q.get(slow).value().state == job_state::completed);
    auto s = q.get(stuck).value();
    CHECK(s.state == job_state::available);
    CHECK(s.attempt == 0);
    // No more claims after shutdown.
    REQUIRE(q.enqueue("slow", boost::json::object{}).has_value());
    io.run_for(200ms);
    CHECK(count(job_state::available) == 2);
    held.clear(); // late completions after shutdown are ignored
    io.run_for(20ms);
}

TEST_CASE_METHOD(fixture, "worker: rescues expired leases of a dead worker without charging attempts",
                 "[unit][queue][worker]") {
    auto id = q.enqueue("job", boost::json::object{}).value();
    auto now = now_ms();
    REQUIRE(q.claim({"default", 1, "dead-worker", now, now + 100ms}).value().size() == 1);
    worker w(io, q, fast_params());
    int attempt_seen = 0;
    w.register_handler("job", [&](job_context ctx) -> error_code {
        attempt_seen = ctx.attempt();
        return {};
    });
    REQUIRE(w.start().has_value());
    REQUIRE(run_until(
        io, [&] { return count(job_state::completed) == 1; }, 3s));
    CHECK(attempt_seen == 1);
    auto j = q.get(id).value();
    CHECK(j.rescue_count == 1);
    CHECK(w.counters().rescued == 1);
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: async_enqueue and parameter validation", "[unit][queue][worker]") {
    auto bad = fast_params();
    bad.heartbeat_interval = bad.lease_duration;
    worker wb(io, q, bad);
    CHECK(wb.start().error() == errc::invalid_argument);

    worker w(io, q, fast_params());
    w.register_handler("a", [](job_context) -> error_code { return {}; });
    REQUIRE(w.start().has_value());
    CHECK(w.start().error() == errc::queue_stopped);
    job_id got = 0;
    error_code got_ec;
    bool called = false;
    w.async_enqueue(make_job_request("a", {}), [&](error_code ec, job_id id) {
        called = true;
        got_ec = ec;
        got = id;
    });
    CHECK(!called); // never inline
    REQUIRE(run_until(io, [&] { return called; }));
    CHECK(!got_ec);
    CHECK(got > 0);
    called = false;
    w.async_enqueue(make_job_request("nope", {}), [&](error_code ec, job_id) {
        called = true;
        got_ec = ec;
    });
    REQUIRE(run_until(io, [&] { return called; }));
    CHECK(got_ec == errc::unknown_job_kind);
    REQUIRE(run_until(io, [&] { return count(job_state::completed) == 1; }));
    CHECK(shutdown(w));
}

TEST_CASE_METHOD(fixture, "worker: a worker with periodic jobs is destroyed cleanly", "[unit][queue][periodic]") {
    // The periodic jobs' timers live on the worker's private io_context: they must be destroyed
    // before it (a heap-use-after-free under ASan otherwise, after a shutdown or without one).
    auto make = [&] {
        auto w = std::make_unique<worker>(io, q, fast_params());
        w->register_handler("purge", [](job_context) { return error_code{}; });
        w->add_periodic({"purge", cron_schedule::parse("*/30 * * * *").value(), make_job_request("purge", {})});
        return w;
    };
    // start() arms the timers on the store thread; an async_enqueue, posted there after, returns
    // once they exist.
    auto start_armed = [&](worker& w) {
        REQUIRE(w.start().has_value());
        bool enqueued = false;
        w.async_enqueue(make_job_request("purge", {}), [&](error_code ec, job_id) {
            CHECK(!ec);
            enqueued = true;
        });
        REQUIRE(run_until(io, [&] { return enqueued; }));
    };
    auto w = make();
    start_armed(*w);
    CHECK(shutdown(*w));
    w.reset();
    w = make();
    start_armed(*w);
    w.reset(); // no shutdown: the destructor stops the store thread itself
}

TEST_CASE("periodic jobs enqueue at most once per fire", "[unit][queue][periodic]") {
    memory::queue q;
    periodic_job p{"purge", cron_schedule::parse("*/30 * * * *").value(), make_job_request("purge", {{"days", 7}})};
    auto fire = cron_schedule::parse("*/30 * * * *").value().next_after(now_ms()).value();
    auto a = q.enqueue(periodic_request(p, fire)).value();
    auto b = q.enqueue(periodic_request(p, fire)).value(); // a second process, same fire
    CHECK(a == b);
    auto j = q.get(a).value();
    CHECK(j.job_key == std::optional<std::string>("periodic:purge:" + std::to_string(fire.time_since_epoch().count())));
    CHECK(j.run_at == fire);
    CHECK(j.state == job_state::scheduled);
    auto next = q.enqueue(periodic_request(p, fire + 30min)).value();
    CHECK(next != a);
}
