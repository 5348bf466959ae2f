// The queue conformance suite (River's riverdrivertest): every queue implementation must pass it.
// It depends on no test framework: run_queue_conformance() returns the failed checks, and a thin
// wrapper reports them (tests/unit/queue_conformance_test.cpp shows the Catch2 one).
#ifndef KONGFLOW_ENDPOINTS_TESTING_QUEUE_CONFORMANCE_HPP
#define KONGFLOW_ENDPOINTS_TESTING_QUEUE_CONFORMANCE_HPP

#include <kongflow/endpoints/queue/queue.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kongflow::endpoints::testing {

struct conformance_failure {
    std::string test;
    std::string check;
    int line = 0;
};

class conformance_checker {
public:
    explicit conformance_checker(std::string test) : test_(std::move(test)) {}
    bool check(bool ok, const char* expr, int line) {
        ++checks_;
        if (!ok) failures_.push_back({test_, expr, line});
        return ok;
    }
    std::vector<conformance_failure>& failures() noexcept { return failures_; }
    int checks() const noexcept { return checks_; }

private:
    std::string test_;
    int checks_ = 0;
    std::vector<conformance_failure> failures_;
};

struct queue_conformance_case {
    const char* name;
    void (*run)(queue&, conformance_checker&);
};

namespace detail::conformance {

#define KF_QCHECK(expr) ck.check(static_cast<bool>(expr), #expr, __LINE__)
// Stops the case when a precondition fails (later checks would only add noise or crash).
#define KF_QREQUIRE(expr)                                                                                              \
    do {                                                                                                               \
        if (!ck.check(static_cast<bool>(expr), #expr, __LINE__)) return;                                               \
    } while (0)

using namespace std::chrono_literals;

inline job_request req(std::string kind, boost::json::object payload = {}, std::string q = "default") {
    job_request r;
    r.kind = std::move(kind);
    r.payload = std::move(payload);
    r.queue = std::move(q);
    return r;
}

inline claim_params claim_at(timestamp now, std::size_t n, std::string owner = "w1", std::string q = "default") {
    return claim_params{std::move(q), n, std::move(owner), now, now + 30s};
}

inline void enqueue_and_get(queue& q, conformance_checker& ck) {
    auto r = req("send_email", {{"to", "a@example.com"}, {"n", 3}});
    r.priority = 2;
    r.max_attempts = 7;
    auto before = now_ms();
    auto id = q.enqueue(r);
    KF_QREQUIRE(id);
    auto j = q.get(*id);
    KF_QREQUIRE(j);
    KF_QCHECK(j->id == *id);
    KF_QCHECK(j->kind == "send_email");
    KF_QCHECK(j->payload == r.payload);
    KF_QCHECK(j->queue == "default");
    KF_QCHECK(j->priority == 2);
    KF_QCHECK(j->max_attempts == 7);
    KF_QCHECK(j->attempt == 0);
    KF_QCHECK(j->state == job_state::available);
    KF_QCHECK(j->run_at >= before);
    KF_QCHECK(j->errors.empty());
    KF_QCHECK(!j->lease_owner);
    auto id2 = q.enqueue(req("send_email"));
    KF_QREQUIRE(id2);
    KF_QCHECK(*id2 != *id);
    auto missing = q.get(*id2 + 1000);
    KF_QCHECK(!missing && missing.error() == errc::not_found);
}

inline void validation(queue& q, conformance_checker& ck) {
    auto r = q.enqueue(req(""));
    KF_QCHECK(!r && r.error() == errc::unknown_job_kind);
    auto bad_attempts = req("k");
    bad_attempts.max_attempts = 0;
    r = q.enqueue(bad_attempts);
    KF_QCHECK(!r && r.error() == errc::invalid_argument);
    r = q.enqueue("k", boost::json::value(42));
    KF_QCHECK(!r && r.error() == errc::invalid_payload);
    r = q.enqueue("k", boost::json::array{1, 2});
    KF_QCHECK(!r && r.error() == errc::invalid_payload);
    r = q.enqueue("k", boost::json::value(nullptr));
    KF_QCHECK(!r && r.error() == errc::invalid_payload);
    // A batch is all or nothing.
    std::vector<job_request> batch{req("a"), req(""), req("c")};
    auto b = q.enqueue_batch(batch);
    KF_QCHECK(!b && b.error() == errc::unknown_job_kind);
    auto s = q.stats(now_ms());
    KF_QREQUIRE(s);
    KF_QCHECK(s->totals.total() == 0);
    r = q.enqueue("k", boost::json::object{{"x", 1}});
    KF_QCHECK(r);
}

inline void batch_enqueue(queue& q, conformance_checker& ck) {
    std::vector<job_request> batch;
    for (int i = 0; i < 50; ++i) batch.push_back(req("k", {{"i", i}}));
    auto ids = q.enqueue_batch(batch);
    KF_QREQUIRE(ids && ids->size() == 50);
    for (std::size_t i = 1; i < ids->size(); ++i) KF_QCHECK((*ids)[i] > (*ids)[i - 1]);
    auto j = q.get((*ids)[17]);
    KF_QREQUIRE(j);
    KF_QCHECK(j->payload.at("i").as_int64() == 17);
    auto empty = q.enqueue_batch({});
    KF_QCHECK(empty && empty->empty());
}

inline void claim_order_and_limits(queue& q, conformance_checker& ck) {
    auto t0 = now_ms();
    auto mk = [&](int prio, timestamp run_at, std::string qn = "default") {
        auto r = req("k", {}, std::move(qn));
        r.priority = prio;
        r.run_at = run_at;
        return q.enqueue(r).value();
    };
    auto late_low = mk(0, t0 - 1s);
    auto early_low = mk(0, t0 - 2s);
    auto high = mk(-5, t0 - 1s);
    auto future = mk(-10, t0 + 60s);
    auto other_queue = mk(-10, t0 - 5s, "other");
    {
        auto f = q.get(future);
        KF_QCHECK(f && f->state == job_state::scheduled);
    }
    auto c = q.claim(claim_at(t0, 2));
    KF_QREQUIRE(c && c->size() == 2);
    KF_QCHECK((*c)[0].id == high);
    KF_QCHECK((*c)[1].id == early_low);
    for (auto& j : *c) {
        KF_QCHECK(j.state == job_state::running);
        KF_QCHECK(j.attempt == 1);
        KF_QCHECK(j.lease_owner == std::optional<std::string>("w1"));
        KF_QCHECK(j.lease_expires_at == std::optional<timestamp>(t0 + 30s));
        KF_QCHECK(j.attempted_at == std::optional<timestamp>(t0));
    }
    auto c2 = q.claim(claim_at(t0, 10, "w2"));
    KF_QREQUIRE(c2 && c2->size() == 1);
    KF_QCHECK((*c2)[0].id == late_low);
    auto none = q.claim(claim_at(t0, 10, "w2"));
    KF_QCHECK(none && none->empty());
    auto zero = q.claim(claim_at(t0 + 120s, 0));
    KF_QCHECK(zero && zero->empty());
    auto later = q.claim(claim_at(t0 + 61s, 10, "w3"));
    KF_QREQUIRE(later && later->size() == 1);
    KF_QCHECK((*later)[0].id == future);
    auto oq = q.claim(claim_at(t0, 10, "w1", "other"));
    KF_QREQUIRE(oq && oq->size() == 1);
    KF_QCHECK((*oq)[0].id == other_queue);
    auto row = q.get(high);
    KF_QCHECK(row && row->state == job_state::running && row->lease_owner == std::optional<std::string>("w1"));
}

inline void complete_outcomes(queue& q, conformance_checker& ck) {
    std::vector<job_request> batch(4, req("k"));
    auto ids = q.enqueue_batch(batch).value();
    auto t0 = now_ms(); // after enqueue: the jobs' run_at is the enqueue time
    auto c = q.claim(claim_at(t0, 4));
    KF_QREQUIRE(c && c->size() == 4);
    std::vector<job_outcome> outs{
        {ids[0], job_outcome_kind::completed, {}, {}},
        {ids[1], job_outcome_kind::retry, t0 + 10s, "boom"},
        {ids[2], job_outcome_kind::discard, {}, "fatal"},
        {ids[3], job_outcome_kind::cancel, {}, "stop"},
    };
    // Another owner cannot complete them.
    auto wrong = q.complete({"intruder", outs, t0 + 1s});
    KF_QCHECK(wrong && *wrong == 0);
    auto n = q.complete({"w1", outs, t0 + 1s});
    KF_QCHECK(n && *n == 4);
    auto j0 = q.get(ids[0]).value();
    KF_QCHECK(j0.state == job_state::completed);
    KF_QCHECK(j0.finalized_at == std::optional<timestamp>(t0 + 1s));
    KF_QCHECK(!j0.lease_owner && !j0.lease_expires_at);
    KF_QCHECK(j0.errors.empty());
    auto j1 = q.get(ids[1]).value();
    KF_QCHECK(j1.state == job_state::retryable);
    KF_QCHECK(j1.run_at == t0 + 10s);
    KF_QCHECK(!j1.lease_owner);
    KF_QREQUIRE(j1.errors.size() == 1);
    KF_QCHECK(j1.errors[0].error == "boom");
    KF_QCHECK(j1.errors[0].attempt == 1);
    KF_QCHECK(j1.errors[0].at == t0 + 1s);
    auto j2 = q.get(ids[2]).value();
    KF_QCHECK(j2.state == job_state::discarded && j2.errors.size() == 1 && j2.finalized_at);
    auto j3 = q.get(ids[3]).value();
    KF_QCHECK(j3.state == job_state::cancelled && j3.finalized_at);
    // Completing twice changes nothing.
    auto again = q.complete({"w1", outs, t0 + 2s});
    KF_QCHECK(again && *again == 0);
    // The retry waits for its time, then runs as attempt 2; the history grows.
    auto early = q.claim(claim_at(t0 + 9s, 10));
    KF_QCHECK(early && early->empty());
    auto due = q.claim(claim_at(t0 + 10s, 10));
    KF_QREQUIRE(due && due->size() == 1);
    KF_QCHECK((*due)[0].attempt == 2);
    std::vector<job_outcome> fail2{{ids[1], job_outcome_kind::retry, t0 + 20s, "boom again"}};
    KF_QCHECK(q.complete({"w1", fail2, t0 + 11s}).value() == 1);
    auto j1b = q.get(ids[1]).value();
    KF_QREQUIRE(j1b.errors.size() == 2);
    KF_QCHECK(j1b.errors[1].attempt == 2 && j1b.errors[1].error == "boom again");
}

inline void complete_and_claim(queue& q, conformance_checker& ck) {
    std::vector<job_request> batch(3, req("k"));
    auto ids = q.enqueue_batch(batch).value();
    auto t0 = now_ms();
    KF_QREQUIRE(q.claim(claim_at(t0, 1)).value().size() == 1);
    std::vector<job_outcome> done{{ids[0], job_outcome_kind::completed, {}, {}}};
    auto next = q.complete_and_claim({"w1", done, t0}, claim_at(t0, 5));
    KF_QREQUIRE(next);
    KF_QCHECK(next->size() == 2);
    KF_QCHECK(q.get(ids[0]).value().state == job_state::completed);
    KF_QCHECK(q.get(ids[2]).value().state == job_state::running);
    // Nothing left: the completion still applies.
    std::vector<job_outcome> more{{ids[1], job_outcome_kind::completed, {}, {}}};
    auto none = q.complete_and_claim({"w1", more, t0}, claim_at(t0, 5));
    KF_QCHECK(none && none->empty());
    KF_QCHECK(q.get(ids[1]).value().state == job_state::completed);
}

inline void heartbeat_and_rescue(queue& q, conformance_checker& ck) {
    std::vector<job_request> batch(3, req("k"));
    auto ids = q.enqueue_batch(batch).value();
    auto t0 = now_ms();
    auto c = q.claim(claim_params{"default", 2, "w1", t0, t0 + 10s});
    KF_QREQUIRE(c && c->size() == 2);
    auto c2 = q.claim(claim_params{"default", 1, "w2", t0, t0 + 10s});
    KF_QREQUIRE(c2 && c2->size() == 1);
    auto held = q.heartbeat({"w1", t0 + 5s, t0 + 15s});
    KF_QREQUIRE(held);
    auto h = *held;
    std::sort(h.begin(), h.end());
    KF_QCHECK(h == std::vector<job_id>({ids[0], ids[1]}));
    // At t0+12s, w2's lease (t0+10s) expired; w1's (t0+15s) did not.
    auto n = q.rescue({t0 + 12s, 10});
    KF_QCHECK(n && *n == 1);
    auto j = q.get(ids[2]).value();
    KF_QCHECK(j.state == job_state::available);
    KF_QCHECK(j.attempt == 0); // not charged
    KF_QCHECK(j.rescue_count == 1);
    KF_QCHECK(!j.lease_owner);
    KF_QCHECK(j.errors.size() == 1);
    KF_QCHECK(q.get(ids[0]).value().state == job_state::running);
    // w2 lost the job: its late completion is ignored and its heartbeat no longer holds it.
    std::vector<job_outcome> late{{ids[2], job_outcome_kind::completed, {}, {}}};
    KF_QCHECK(q.complete({"w2", late, t0 + 13s}).value() == 0);
    KF_QCHECK(q.heartbeat({"w2", t0 + 13s, t0 + 23s}).value().empty());
    // Another worker runs it again, as attempt 1.
    auto again = q.claim(claim_params{"default", 5, "w3", t0 + 13s, t0 + 23s});
    KF_QREQUIRE(again && again->size() == 1);
    KF_QCHECK((*again)[0].id == ids[2] && (*again)[0].attempt == 1);
    // Too many rescues discard the job.
    auto r2 = q.rescue({t0 + 30s, 1});
    KF_QCHECK(r2 && *r2 == 3);
    KF_QCHECK(q.get(ids[2]).value().state == job_state::discarded);
    KF_QCHECK(q.get(ids[0]).value().state == job_state::available);
}

inline void release_leases(queue& q, conformance_checker& ck) {
    std::vector<job_request> batch(2, req("k"));
    auto ids = q.enqueue_batch(batch).value();
    auto t0 = now_ms();
    auto c = q.claim(claim_at(t0, 2));
    KF_QREQUIRE(c && c->size() == 2);
    std::vector<job_id> one{ids[0]};
    KF_QCHECK(q.release("other", one).value() == 0);
    KF_QCHECK(q.release("w1", one).value() == 1);
    auto j = q.get(ids[0]).value();
    KF_QCHECK(j.state == job_state::available && j.attempt == 0 && !j.lease_owner);
    KF_QCHECK(q.get(ids[1]).value().state == job_state::running);
}

inline void cancel_jobs(queue& q, conformance_checker& ck) {
    auto pending = q.enqueue(req("k")).value();
    auto running = q.enqueue(req("k")).value();
    auto t0 = now_ms();
    KF_QREQUIRE(q.cancel(pending));
    KF_QCHECK(q.get(pending).value().state == job_state::cancelled);
    auto c = q.claim(claim_at(t0, 10));
    KF_QREQUIRE(c && c->size() == 1 && (*c)[0].id == running);
    KF_QREQUIRE(q.cancel(running));
    auto j = q.get(running).value();
    KF_QCHECK(j.state == job_state::cancelled && !j.lease_owner);
    KF_QCHECK(q.heartbeat({"w1", t0, t0 + 30s}).value().empty());
    std::vector<job_outcome> late{{running, job_outcome_kind::completed, {}, {}}};
    KF_QCHECK(q.complete({"w1", late, t0}).value() == 0);
    auto again = q.cancel(pending);
    KF_QCHECK(!again && again.error() == errc::job_not_cancellable);
    auto missing = q.cancel(running + 1000);
    KF_QCHECK(!missing && missing.error() == errc::not_found);
}

inline void retry_jobs(queue& q, conformance_checker& ck) {
    auto r = req("k");
    r.max_attempts = 1;
    auto id = q.enqueue(r).value();
    auto t0 = now_ms();
    KF_QREQUIRE(q.claim(claim_at(t0, 1)).value().size() == 1);
    auto busy = q.retry(id);
    KF_QCHECK(!busy && busy.error() == errc::conflict);
    std::vector<job_outcome> out{{id, job_outcome_kind::discard, {}, "no"}};
    KF_QCHECK(q.complete({"w1", out, t0}).value() == 1);
    KF_QREQUIRE(q.retry(id));
    auto j = q.get(id).value();
    KF_QCHECK(j.state == job_state::available && j.max_attempts == 2 && !j.finalized_at);
    auto c = q.claim(claim_at(now_ms() + 1s, 1));
    KF_QCHECK(c && c->size() == 1 && (*c)[0].attempt == 2);
    auto missing = q.retry(id + 1000);
    KF_QCHECK(!missing && missing.error() == errc::not_found);
}

inline void job_keys(queue& q, conformance_checker& ck) {
    auto t0 = now_ms();
    auto a = req("k", {{"v", 1}});
    a.job_key = "key-1";
    auto id1 = q.enqueue(a).value();
    // Replace a pending job: same id, new payload and run_at.
    auto b = req("k2", {{"v", 2}});
    b.job_key = "key-1";
    b.run_at = t0 + 5s;
    auto id2 = q.enqueue(b).value();
    KF_QCHECK(id2 == id1);
    auto j = q.get(id1).value();
    KF_QCHECK(j.kind == "k2" && j.payload.at("v").as_int64() == 2 && j.run_at == t0 + 5s);
    KF_QCHECK(j.job_key == std::optional<std::string>("key-1"));
    KF_QCHECK(q.stats(t0).value().totals.total() == 1);
    // keep_existing leaves it alone.
    auto c = req("k3", {{"v", 3}});
    c.job_key = "key-1";
    c.key_mode = job_key_mode::keep_existing;
    KF_QCHECK(q.enqueue(c).value() == id1);
    KF_QCHECK(q.get(id1).value().kind == "k2");
    // A running job gives the key up; a new job is created.
    KF_QREQUIRE(q.claim(claim_at(t0 + 6s, 1)).value().size() == 1);
    auto d = req("k4", {{"v", 4}});
    d.job_key = "key-1";
    auto id3 = q.enqueue(d).value();
    KF_QCHECK(id3 != id1);
    KF_QCHECK(!q.get(id1).value().job_key);
    KF_QCHECK(q.get(id3).value().job_key == std::optional<std::string>("key-1"));
    // keep_existing also holds against a finished job, until cleanup removes it.
    KF_QREQUIRE(q.claim(claim_at(t0 + 7s, 5)).value().size() == 1);
    std::vector<job_outcome> done{{id3, job_outcome_kind::completed, {}, {}}};
    KF_QCHECK(q.complete({"w1", done, t0 + 7s}).value() == 1);
    auto e = req("k5");
    e.job_key = "key-1";
    e.key_mode = job_key_mode::keep_existing;
    KF_QCHECK(q.enqueue(e).value() == id3);
    KF_QCHECK(q.cleanup({t0 + 8s, {}, {}, 100}).value() == 1);
    auto id4 = q.enqueue(e).value();
    KF_QCHECK(id4 != id3);
    // Duplicates inside one batch dedupe in order.
    auto f = req("batch", {{"n", 1}});
    f.job_key = "key-2";
    auto g = f;
    g.payload = {{"n", 2}};
    std::vector<job_request> batch{f, g};
    auto ids = q.enqueue_batch(batch).value();
    KF_QCHECK(ids.size() == 2 && ids[0] == ids[1]);
    KF_QCHECK(q.get(ids[0]).value().payload.at("n").as_int64() == 2);
}

inline void cleanup_retention(queue& q, conformance_checker& ck) {
    std::vector<job_request> batch(4, req("k"));
    auto ids = q.enqueue_batch(batch).value();
    auto t0 = now_ms();
    KF_QREQUIRE(q.claim(claim_at(t0, 3)).value().size() == 3);
    std::vector<job_outcome> outs{{ids[0], job_outcome_kind::completed, {}, {}},
                                  {ids[1], job_outcome_kind::discard, {}, "x"},
                                  {ids[2], job_outcome_kind::completed, {}, {}}};
    KF_QCHECK(q.complete({"w1", outs, t0}).value() == 3);
    // Nothing is older than t0.
    KF_QCHECK(q.cleanup({t0, t0, t0, 100}).value() == 0);
    // Completed only; discarded kept.
    KF_QCHECK(q.cleanup({t0 + 1s, {}, {}, 1}).value() == 1); // the limit holds
    KF_QCHECK(q.cleanup({t0 + 1s, {}, {}, 100}).value() == 1);
    KF_QCHECK(!q.get(ids[0]) && !q.get(ids[2]));
    KF_QCHECK(q.get(ids[1]).value().state == job_state::discarded);
    KF_QCHECK(q.cleanup({{}, {}, t0 + 1s, 100}).value() == 1);
    KF_QCHECK(q.get(ids[3]).value().state == job_state::available); // pending jobs are never cleaned
}

inline void stats_counts(queue& q, conformance_checker& ck) {
    auto t0 = now_ms();
    auto early = req("k");
    early.run_at = t0 - 10s;
    q.enqueue(early).value();
    q.enqueue(req("k")).value();
    auto future = req("k");
    future.run_at = t0 + 60s;
    q.enqueue(future).value();
    q.enqueue(req("k", {}, "mail")).value();
    KF_QREQUIRE(q.claim(claim_at(t0 + 1s, 1, "w1", "mail")).value().size() == 1);
    auto s = q.stats(t0 + 1s);
    KF_QREQUIRE(s);
    KF_QCHECK(s->totals.total() == 4);
    KF_QCHECK(s->totals.count(job_state::available) == 2);
    KF_QCHECK(s->totals.count(job_state::scheduled) == 1);
    KF_QCHECK(s->totals.count(job_state::running) == 1);
    KF_QREQUIRE(s->queues.count("default") == 1 && s->queues.count("mail") == 1);
    KF_QCHECK(s->queues.at("default").total() == 3);
    KF_QCHECK(s->queues.at("mail").count(job_state::running) == 1);
    KF_QCHECK(s->oldest_available_run_at == std::optional<timestamp>(t0 - 10s));
    KF_QCHECK(s->oldest_available_age == std::chrono::milliseconds(11000));
    auto idle = q.stats(t0 - 20s);
    KF_QCHECK(idle && !idle->oldest_available_run_at && idle->oldest_available_age.count() == 0);
}

inline void list_jobs(queue& q, conformance_checker& ck) {
    auto later = req("k");
    later.run_at = now_ms() + 60s;
    auto a = q.enqueue(req("k")).value();
    auto b = q.enqueue(req("k")).value();
    auto c = q.enqueue(req("k", {}, "mail")).value();
    auto d = q.enqueue(later).value();
    auto t0 = now_ms();
    KF_QREQUIRE(q.claim(claim_at(t0, 2)).value().size() == 2);
    KF_QREQUIRE(q.claim(claim_at(t0, 1, "w1", "mail")).value().size() == 1);
    std::vector<job_outcome> ab{{a, job_outcome_kind::discard, {}, "fatal"},
                                {b, job_outcome_kind::retry, t0 + 60s, "boom"}};
    KF_QREQUIRE(q.complete({"w1", ab, t0 + 1s}).value() == 2);
    std::vector<job_outcome> cc{{c, job_outcome_kind::discard, {}, "bad"}};
    KF_QREQUIRE(q.complete({"w1", cc, t0 + 3s}).value() == 1);
    auto ids = [](const std::vector<job_row>& rows) {
        std::vector<job_id> out;
        for (const auto& r : rows) out.push_back(r.id);
        return out;
    };
    // Newest first: finalized_at (c, a), then attempted_at for the retryable b.
    auto failed = q.list_jobs({{job_state::discarded, job_state::retryable}, std::nullopt, 10});
    KF_QREQUIRE(failed);
    KF_QCHECK(ids(*failed) == std::vector<job_id>({c, a, b}));
    KF_QREQUIRE(failed->size() == 3);
    KF_QCHECK((*failed)[0].state == job_state::discarded && (*failed)[0].queue == "mail");
    KF_QCHECK((*failed)[0].errors.size() == 1 && (*failed)[0].errors[0].error == "bad");
    KF_QCHECK((*failed)[0].finalized_at == std::optional<timestamp>(t0 + 3s));
    KF_QCHECK((*failed)[2].state == job_state::retryable && (*failed)[2].errors.size() == 1);
    KF_QCHECK((*failed)[2].attempted_at == std::optional<timestamp>(t0));
    KF_QCHECK(ids(q.list_jobs({{job_state::discarded, job_state::retryable}, std::nullopt, 2}).value()) ==
              std::vector<job_id>({c, a}));
    KF_QCHECK(ids(q.list_jobs({{job_state::discarded, job_state::retryable}, "default", 10}).value()) ==
              std::vector<job_id>({a, b}));
    KF_QCHECK(ids(q.list_jobs({{job_state::scheduled}, std::nullopt, 10}).value()) == std::vector<job_id>({d}));
    KF_QCHECK(q.list_jobs({{}, std::nullopt, 10}).value().size() == 4); // no states: every state
    KF_QCHECK(q.list_jobs({{}, "nowhere", 10}).value().empty());
    KF_QCHECK(q.list_jobs({{}, std::nullopt, 0}).value().empty());
}

inline void listeners(queue& q, conformance_checker& ck) {
    std::atomic<int> calls{0};
    auto token = q.add_listener([&] { ++calls; });
    q.enqueue(req("k")).value();
    KF_QCHECK(calls.load() >= 1);
    int before = calls.load();
    std::vector<job_request> batch(10, req("k"));
    q.enqueue_batch(batch).value();
    KF_QCHECK(calls.load() == before + 1); // once per transaction, not per job
    q.remove_listener(token);
    q.enqueue(req("k")).value();
    KF_QCHECK(calls.load() == before + 1);
}

#undef KF_QCHECK
#undef KF_QREQUIRE

} // namespace detail::conformance

/// Every case of the suite. Each case needs a fresh, empty queue.
inline const std::vector<queue_conformance_case>& queue_conformance_cases() {
    namespace c = detail::conformance;
    static const std::vector<queue_conformance_case> cases{
        {"enqueue and get", c::enqueue_and_get},
        {"validation", c::validation},
        {"batch enqueue", c::batch_enqueue},
        {"claim order and limits", c::claim_order_and_limits},
        {"complete outcomes", c::complete_outcomes},
        {"complete and claim", c::complete_and_claim},
        {"heartbeat and rescue", c::heartbeat_and_rescue},
        {"release leases", c::release_leases},
        {"cancel", c::cancel_jobs},
        {"retry", c::retry_jobs},
        {"job keys", c::job_keys},
        {"cleanup retention", c::cleanup_retention},
        {"stats", c::stats_counts},
        {"list jobs", c::list_jobs},
        {"listeners", c::listeners},
    };
    return cases;
}

/// Runs one case on `q` and returns its failed checks (empty = pass). `checks_run`, when given,
/// receives how many checks ran (a case that stops early runs fewer).
inline std::vector<conformance_failure> run_queue_conformance_case(const queue_conformance_case& c, queue& q,
                                                                   int* checks_run = nullptr) {
    conformance_checker ck(c.name);
    c.run(q, ck);
    if (checks_run) *checks_run = ck.checks();
    return std::move(ck.failures());
}

/// Runs every case, each on a fresh queue from `make_queue`.
inline std::vector<conformance_failure>
run_queue_conformance(const std::function<std::unique_ptr<queue>()>& make_queue) {
    std::vector<conformance_failure> all;
    for (const auto& c : queue_conformance_cases()) {
        auto q = make_queue();
        auto f = run_queue_conformance_case(c, *q);
        all.insert(all.end(), f.begin(), f.end());
    }
    return all;
}

} // namespace kongflow::endpoints::testing

#endif
