#ifndef KONGFLOW_ENDPOINTS_POSTGRES_IMPL_QUEUE_IPP
#define KONGFLOW_ENDPOINTS_POSTGRES_IMPL_QUEUE_IPP

#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/json_text.hpp>
#include <kongflow/endpoints/postgres/detail/access.hpp>
#include <kongflow/endpoints/postgres/detail/connection.hpp>
#include <kongflow/endpoints/postgres/queue.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <tuple>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace kongflow::endpoints::postgres {
namespace detail::queue_impl {

inline constexpr std::string_view row_columns =
    "id, kind, payload, queue, priority, state, attempt, max_attempts, rescue_count, run_at, created_at, "
    "attempted_at, finalized_at, errors::text, job_key, lease_owner, lease_expires_at";

inline std::optional<timestamp> opt_time(const rows& r, int i, int col) {
    if (r.is_null(i, col)) return std::nullopt;
    return endpoints::detail::from_millis(r.integer(i, col));
}

// A payload that is not an object (written by hand or by a foreign tool) is surfaced as an empty
// object with an error entry rather than crashing the worker.
inline job_row read_row(const rows& r, int i) {
    job_row j;
    j.id = r.integer(i, 0);
    j.kind = std::string(r.text(i, 1));
    boost::system::error_code ec;
    auto v = boost::json::parse(r.text(i, 2), ec);
    if (!ec && v.is_object())
        j.payload = std::move(v.get_object());
    else
        j.errors.push_back({now_ms(), 0, "stored payload is not a JSON object"});
    j.queue = std::string(r.text(i, 3));
    j.priority = static_cast<int>(r.integer(i, 4));
    auto s = r.integer(i, 5);
    j.state = (s >= 0 && s < job_state_count) ? static_cast<job_state>(s) : job_state::discarded;
    j.attempt = static_cast<int>(r.integer(i, 6));
    j.max_attempts = static_cast<int>(r.integer(i, 7));
    j.rescue_count = static_cast<int>(r.integer(i, 8));
    j.run_at = endpoints::detail::from_millis(r.integer(i, 9));
    j.created_at = endpoints::detail::from_millis(r.integer(i, 10));
    j.attempted_at = opt_time(r, i, 11);
    j.finalized_at = opt_time(r, i, 12);
    auto errs = boost::json::parse(r.text(i, 13), ec);
    if (!ec) {
        auto parsed = endpoints::detail::errors_from_json(errs);
        j.errors.insert(j.errors.begin(), parsed.begin(), parsed.end());
    }
    j.job_key = r.optional_text(i, 14);
    j.lease_owner = r.optional_text(i, 15);
    j.lease_expires_at = opt_time(r, i, 16);
    return j;
}

inline std::vector<job_row> read_rows(const rows& r) {
    std::vector<job_row> out;
    out.reserve(static_cast<std::size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) out.push_back(read_row(r, i));
    return out;
}

/// A PostgreSQL array literal of integers.
template <class Range>
std::string int_array(const Range& ids) {
    std::string s = "{";
    bool first = true;
    for (auto id : ids) {
        if (!first) s += ',';
        first = false;
        s += std::to_string(id);
    }
    return s + "}";
}

/// A PostgreSQL array literal of strings (every element quoted, so no value is read as NULL).
inline std::string text_array(const std::vector<std::string>& v) {
    std::string s = "{";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += ',';
        s += '"';
        for (char c : v[i]) {
            if (c == '"' || c == '\\') s += '\\';
            s += c;
        }
        s += '"';
    }
    return s + "}";
}

inline std::string sql(std::string_view head, std::string_view tail = {}) {
    std::string s(head);
    s += row_columns;
    s += tail;
    return s;
}

inline constexpr std::string_view insert_one =
    "INSERT INTO queue_jobs(kind, payload, queue, priority, state, run_at, max_attempts, created_at, job_key) "
    "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)";
// keep_existing: nothing changes while any job holds the key.
inline constexpr std::string_view insert_keep =
    "INSERT INTO queue_jobs(kind, payload, queue, priority, state, run_at, max_attempts, created_at, job_key) "
    "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO NOTHING "
    "RETURNING id";
// replace: a pending holder is overwritten in place and keeps its id; a running or final one
// keeps the row (the statement returns nothing), and the caller takes the key from it.
inline constexpr std::string_view insert_replace =
    "INSERT INTO queue_jobs(kind, payload, queue, priority, state, run_at, max_attempts, created_at, job_key) "
    "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO UPDATE SET "
    "kind = excluded.kind, payload = excluded.payload, queue = excluded.queue, priority = excluded.priority, state = "
    "excluded.state, run_at = excluded.run_at, max_attempts = excluded.max_attempts, attempt = 0, rescue_count = 0, "
    "errors = '[]' WHERE queue_jobs.state <= 2 RETURNING id";

inline result<std::vector<job_id>> enqueue_rows(connection& c, std::span<const job_request> jobs, timestamp now) {
    std::vector<job_id> ids(jobs.size(), 0);
    const auto now_ms_v = endpoints::detail::to_millis(now);
    auto state_of = [&](const job_request& r) {
        return static_cast<int>(r.run_at.value_or(now) > now ? job_state::scheduled : job_state::available);
    };
    // Jobs without a key: one statement for the lot (ids drawn from the sequence first, so that
    // each request gets its own id back whatever order the rows are written in).
    std::vector<std::size_t> plain;
    for (std::size_t i = 0; i < jobs.size(); ++i)
        if (!jobs[i].job_key) plain.push_back(i);
    if (plain.size() == 1) {
        const auto& r = jobs[plain[0]];
        auto w = c.query(std::string(insert_one) + " RETURNING id", r.kind, endpoints::json_text(r.payload), r.queue,
                         r.priority, state_of(r), endpoints::detail::to_millis(r.run_at.value_or(now)), r.max_attempts,
                         now_ms_v, nullptr);
        if (!w) return w.error();
        ids[plain[0]] = w->integer(0, 0);
    } else if (plain.size() > 1) {
        auto seq = c.query("SELECT nextval('queue_jobs_id_seq') FROM generate_series(1, $1)",
                           static_cast<std::int64_t>(plain.size()));
        if (!seq) return seq.error();
        if (seq->size() != static_cast<int>(plain.size()))
            return pg_failure(errc::storage_failure, "the job id sequence returned too few ids");
        std::vector<std::int64_t> new_ids, prio, states, run_at, max_att;
        std::vector<std::string> kinds, payloads, queues;
        for (std::size_t k = 0; k < plain.size(); ++k) {
            const auto& r = jobs[plain[k]];
            new_ids.push_back(seq->integer(static_cast<int>(k), 0));
            kinds.push_back(r.kind);
            payloads.push_back(endpoints::json_text(r.payload));
            queues.push_back(r.queue);
            prio.push_back(r.priority);
            states.push_back(state_of(r));
            run_at.push_back(endpoints::detail::to_millis(r.run_at.value_or(now)));
            max_att.push_back(r.max_attempts);
        }
        auto w = c.query("INSERT INTO queue_jobs(id, kind, payload, queue, priority, state, run_at, max_attempts, "
                         "created_at) SELECT u.*, $9 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
                         "$5::integer[], $6::smallint[], $7::bigint[], $8::integer[]) AS u",
                         int_array(new_ids), text_array(kinds), text_array(payloads), text_array(queues),
                         int_array(prio), int_array(states), int_array(run_at), int_array(max_att), now_ms_v);
        if (!w) return w.error();
        for (std::size_t k = 0; k < plain.size(); ++k) ids[plain[k]] = new_ids[k];
    }
    // Keyed jobs one statement each, in request order (a later request sees an earlier one's key).
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const auto& r = jobs[i];
        if (!r.job_key) continue;
        const auto payload = endpoints::json_text(r.payload);
        const auto run_at = endpoints::detail::to_millis(r.run_at.value_or(now));
        bool done = false;
        // A concurrent claim, cleanup or enqueue can move the key between two statements: loop.
        for (int attempt = 0; attempt < 20 && !done; ++attempt) {
            const bool keep = r.key_mode == job_key_mode::keep_existing;
            auto w = c.query(keep ? insert_keep : insert_replace, r.kind, payload, r.queue, r.priority, state_of(r),
                             run_at, r.max_attempts, now_ms_v, *r.job_key);
            if (!w) return w.error();
            if (!w->empty()) {
                ids[i] = w->integer(0, 0);
                done = true;
            } else if (keep) {
                auto held = c.query("SELECT id FROM queue_jobs WHERE job_key = $1", *r.job_key);
                if (!held) return held.error();
                if (!held->empty()) {
                    ids[i] = held->integer(0, 0);
                    done = true;
                }
            } else {
                auto rel = c.query("UPDATE queue_jobs SET job_key = NULL WHERE job_key = $1 AND state > 2", *r.job_key);
                if (!rel) return rel.error();
            }
        }
        if (!done) return pg_failure(errc::conflict, "job key " + *r.job_key + " kept changing hands; try again");
    }
    return ids;
}

} // namespace detail::queue_impl

namespace pqi = detail::queue_impl;

namespace detail {
KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_in(connection& c, std::span<const job_request> jobs) {
    for (const auto& r : jobs)
        if (auto ec = validate_job_request(r)) return ec;
    return queue_impl::enqueue_rows(c, jobs, now_ms());
}
} // namespace detail

KONGFLOW_ENDPOINTS_DECL queue::queue(std::shared_ptr<detail::pool> pool, const queue_params& p)
        : pool_(std::move(pool)), params_(p) {
    // One channel per schema (truncated alike by NOTIFY and LISTEN if long).
    const auto channel = detail::quote_identifier("kongflow:" + pool_->settings().schema);
    auto inst = endpoints::detail::new_id();
    instance_ = inst ? *inst : std::to_string(reinterpret_cast<std::uintptr_t>(this));
    listen_sql_ = "LISTEN " + channel;
    // Its own small transaction after the enqueue's commit, not inside it: a NOTIFY in the
    // enqueuing transaction serialises every enqueuer's commit on one lock (shared/postgres.md).
    notify_sql_ = "BEGIN; SET LOCAL synchronous_commit TO off; NOTIFY " + channel + ", '" + instance_ + "'; COMMIT";
}

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<queue>> queue::open(const connection_params& c, const queue_params& p) {
    auto pl = detail::open_pool(c);
    if (!pl) return pl.error();
    // Not detail::access::queue_on: in header-only mode this file may be compiled in the middle of
    // detail/access.hpp (access.hpp -> queue.hpp -> impl/queue.ipp), before access is defined.
    std::unique_ptr<queue> q(new queue(std::move(*pl), p));
    if (p.listen) q->start_listener();
    return q;
}

KONGFLOW_ENDPOINTS_DECL queue::~queue() {
    if (listener_.joinable()) {
        char b = 1;
        (void)::write(stop_pipe_[1], &b, 1);
        listener_.join();
    }
    for (int fd : {stop_pipe_[0], stop_pipe_[1], wake_pipe_[0], wake_pipe_[1]})
        if (fd >= 0) ::close(fd);
}

KONGFLOW_ENDPOINTS_DECL void queue::start_listener() {
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) return; // no listener: workers poll
    if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
        wake_pipe_[0] = wake_pipe_[1] = -1; // NOTIFYs go out inline
    }
    listener_ = std::thread([this] { listen_loop(); });
}

// Waits for notifications on its own connection, and sends this process's NOTIFYs on it. A lost
// connection (server restart, pg_terminate_backend) is re-opened with a backoff; after each
// reconnect the local workers are woken once, for whatever was enqueued while nobody listened. A
// silent connection is probed every few seconds, so that a dead network is noticed too.
KONGFLOW_ENDPOINTS_DECL void queue::listen_loop() {
    detail::connection c;
    auto backoff = std::chrono::milliseconds(50);
    auto drain_notifications = [&] {
        bool wake = false;
        while (PGnotify* note = PQnotifies(c.native())) {
            if (!note->extra || instance_ != note->extra) wake = true;
            PQfreemem(note);
        }
        if (wake) notify_listeners();
    };
    for (;;) {
        if (!c.ok()) {
            auto n = detail::connection::open(pool_->settings());
            if (n && n->exec(listen_sql_, "listening")) {
                c = std::move(*n);
                backoff = std::chrono::milliseconds(50);
                // After a reconnect, wake the workers once for what was enqueued while nobody
                // listened (the first connect has nothing to catch up on).
                if (listen_connects_.fetch_add(1, std::memory_order_relaxed) > 0) notify_listeners();
            } else {
                pollfd stop{stop_pipe_[0], POLLIN, 0};
                if (::poll(&stop, 1, static_cast<int>(backoff.count())) > 0) return;
                backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
                continue;
            }
        }
        // Enqueues of this process asked for a NOTIFY: one for all of them since the last one.
        if (notify_pending_.exchange(false)) {
            if (!c.exec(notify_sql_, "notifying other processes")) {
                c = detail::connection();
                continue;
            }
            drain_notifications(); // what arrived during the exec is already read
        }
        pollfd fds[3] = {{stop_pipe_[0], POLLIN, 0}, {PQsocket(c.native()), POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        int n = ::poll(fds, wake_pipe_[0] >= 0 ? 3 : 2, 5000);
        if (n < 0) continue; // EINTR
        if (fds[0].revents) return;
        if (wake_pipe_[0] >= 0 && fds[2].revents) {
            char buf[64];
            while (::read(wake_pipe_[0], buf, sizeof buf) > 0) {}
        }
        if (n == 0) {
            if (!c.exec("SELECT 1", "probing the LISTEN connection")) {
                c = detail::connection();
                continue;
            }
        } else if (fds[1].revents && !PQconsumeInput(c.native())) {
            c = detail::connection();
            continue;
        }
        drain_notifications();
        if (!c.ok()) c = detail::connection();
    }
}

KONGFLOW_ENDPOINTS_DECL void queue::enqueued(detail::connection& c) {
    notify_listeners();
    if (listener_.joinable() && wake_pipe_[1] >= 0) {
        // The listener sends it, off the caller's path; concurrent enqueues share one NOTIFY.
        if (!notify_pending_.exchange(true)) {
            char b = 1;
            (void)::write(wake_pipe_[1], &b, 1);
        }
        return;
    }
    (void)c.exec(notify_sql_, "notifying other processes"); // best effort: polling is the safety net
}

template <class F>
auto queue::on_connection(bool read_only, F&& f) -> decltype(f(std::declval<detail::connection&>())) {
    using R = decltype(f(std::declval<detail::connection&>()));
    for (int attempt = 0;; ++attempt) {
        auto c = pool_->acquire();
        if (!c) return R(boost::system::in_place_error, c.error());
        auto r = f(**c);
        if (r || (*c)->ok()) return r;
        pool_->drop_idle();
        if (!read_only || attempt > 0) return r;
    }
}

template <class F>
auto queue::in_transaction(bool soft, F&& f) -> decltype(f(std::declval<detail::connection&>())) {
    using R = decltype(f(std::declval<detail::connection&>()));
    for (int attempt = 0;; ++attempt) {
        auto c = pool_->acquire();
        if (!c) return R(boost::system::in_place_error, c.error());
        if (auto b =
                (*c)->exec(soft ? "BEGIN; SET LOCAL synchronous_commit TO off" : "BEGIN", "starting a transaction");
            !b) {
            // Nothing was done: a connection lost before BEGIN (the server restarted) is retried.
            if ((*c)->ok() || attempt > 0) return R(boost::system::in_place_error, b.error());
            pool_->drop_idle();
            continue;
        }
        auto r = f(**c);
        if (!r) {
            (void)(*c)->exec("ROLLBACK");
            if (!(*c)->ok()) pool_->drop_idle();
            return r;
        }
        if (auto cm = (*c)->exec("COMMIT", "committing"); !cm) {
            if (!(*c)->ok()) pool_->drop_idle();
            return R(boost::system::in_place_error, cm.error());
        }
        return r;
    }
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> queue::enqueue_batch(std::span<const job_request> jobs) {
    for (const auto& r : jobs)
        if (auto ec = validate_job_request(r)) return ec;
    if (jobs.empty()) return std::vector<job_id>{};
    return on_connection(false, [&](detail::connection& c) -> result<std::vector<job_id>> {
        // One unkeyed job is one statement, its own transaction; the rest need one around them.
        const bool single = jobs.size() == 1 && !jobs[0].job_key;
        if (!single)
            if (auto b = c.exec("BEGIN", "starting a transaction"); !b) return b.error();
        auto ids = pqi::enqueue_rows(c, jobs, now_ms());
        if (!ids) {
            if (!single) (void)c.exec("ROLLBACK");
            return ids.error();
        }
        if (!single)
            if (auto cm = c.exec("COMMIT", "committing the enqueue"); !cm) return cm.error();
        enqueued(c);
        return ids;
    });
}

// The claim is one statement. Its prefix decides the rest of the transaction: none (the caller's
// transaction, or autocommit with the server's durability), "soft" (a claim alone: the statement
// turns synchronous_commit off for its own commit, so it needs no BEGIN/COMMIT round trips), or
// "complete" (the worker's steady state: the batch of completions, durable, in the same statement).
namespace detail::queue_impl {
inline constexpr std::string_view claim_body =
    "picked AS (SELECT id FROM queue_jobs WHERE state <= 2 AND queue = $1 AND run_at <= $2 ORDER BY priority, "
    "run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) UPDATE queue_jobs j SET state = 3, attempt = attempt + 1, "
    "attempted_at = $2, lease_owner = $4, lease_expires_at = $5 FROM picked WHERE j.id = picked.id RETURNING j.id, "
    "kind, payload, queue, priority, state, attempt, max_attempts, rescue_count, run_at, created_at, attempted_at, "
    "finalized_at, errors::text, job_key, lease_owner, lease_expires_at";
enum class claim_prefix { none, soft, complete };
inline const std::string& claim_sql(claim_prefix k) {
    static const std::string plain = "WITH " + std::string(claim_body);
    // set_config(..., true) lasts until the end of the statement's own transaction: its commit.
    static const std::string soft =
        "WITH soft AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true) AS v), " +
        std::string(claim_body)
            .replace(std::string(claim_body).find("ORDER BY"), 0, "AND (SELECT v FROM soft) IS NOT NULL ");
    static const std::string complete =
        "WITH done AS (UPDATE queue_jobs SET state = 4, finalized_at = $7, lease_owner = NULL, lease_expires_at = NULL "
        "WHERE id = ANY($6::bigint[]) AND state = 3 AND lease_owner = $8), " +
        std::string(claim_body);
    return k == claim_prefix::soft ? soft : k == claim_prefix::complete ? complete : plain;
}
} // namespace detail::queue_impl

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::claim_tx(detail::connection& c, const claim_params& p,
                                                                     const complete_params* done, bool in_transaction) {
    using pqi::claim_prefix;
    // Inside the caller's transaction the claim must not change its durability.
    auto k = done                                         ? claim_prefix::complete
             : (in_transaction || params_.durable_leases) ? claim_prefix::none
                                                          : claim_prefix::soft;
    detail::param_list args(p.queue, endpoints::detail::to_millis(p.now), static_cast<std::int64_t>(p.max_jobs),
                            p.owner, endpoints::detail::to_millis(p.lease_expires_at));
    if (done) {
        std::vector<job_id> ids;
        for (const auto& o : done->outcomes) ids.push_back(o.id);
        args.add(pqi::int_array(ids));
        args.add(endpoints::detail::to_millis(done->now));
        args.add(done->owner);
    }
    auto r = c.query_params(pqi::claim_sql(k), args, "claiming jobs");
    if (!r) return r.error();
    auto out = pqi::read_rows(*r);
    // RETURNING's order is not the claim order.
    std::sort(out.begin(), out.end(), [](const job_row& a, const job_row& b) {
        return std::tie(a.priority, a.run_at, a.id) < std::tie(b.priority, b.run_at, b.id);
    });
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::claim(const claim_params& p) {
    if (p.max_jobs == 0) return std::vector<job_row>{};
    return on_connection(false, [&](detail::connection& c) { return claim_tx(c, p, nullptr, false); });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::complete_and_claim(const complete_params& done,
                                                                               const claim_params& next) {
    const bool all_completed = std::all_of(done.outcomes.begin(), done.outcomes.end(),
                                           [](const job_outcome& o) { return o.kind == job_outcome_kind::completed; });
    if (done.outcomes.empty()) return claim(next);
    // The steady state (every job succeeded): one statement, one round trip, one durable commit.
    if (all_completed)
        return on_connection(false, [&](detail::connection& c) { return claim_tx(c, next, &done, false); });
    return in_transaction(false, [&](detail::connection& c) -> result<std::vector<job_row>> {
        if (auto n = complete_tx(c, done); !n) return n.error();
        return claim_tx(c, next, nullptr, true);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::complete(const complete_params& p) {
    if (p.outcomes.empty()) return std::size_t(0);
    return in_transaction(false, [&](detail::connection& c) { return complete_tx(c, p); });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::complete_tx(detail::connection& c, const complete_params& p) {
    std::vector<job_id> done;
    for (const auto& o : p.outcomes)
        if (o.kind == job_outcome_kind::completed) done.push_back(o.id);
    std::size_t n = 0;
    const auto now = endpoints::detail::to_millis(p.now);
    if (!done.empty()) {
        auto r = c.query("UPDATE queue_jobs SET state = 4, finalized_at = $1, lease_owner = NULL, lease_expires_at = "
                         "NULL WHERE id = ANY($3::bigint[]) AND state = 3 AND lease_owner = $2",
                         now, p.owner, pqi::int_array(done));
        if (!r) return r.error();
        n += r->affected();
    }
    for (const auto& o : p.outcomes) {
        if (o.kind == job_outcome_kind::completed) continue;
        std::optional<std::string> err;
        if (!(o.kind == job_outcome_kind::cancel && o.error.empty())) err = o.error;
        int state = static_cast<int>(job_state::cancelled);
        std::int64_t retry_at = 0;
        if (o.kind == job_outcome_kind::retry) {
            state = static_cast<int>(job_state::retryable);
            retry_at = endpoints::detail::to_millis(o.retry_at);
        } else if (o.kind == job_outcome_kind::discard) {
            state = static_cast<int>(job_state::discarded);
        }
        // A retry (state 2) moves run_at and stays unfinalized; the rest are final now.
        auto r = c.query("UPDATE queue_jobs SET state = $5::smallint, run_at = CASE WHEN $5::smallint = 2 THEN "
                         "$6::bigint ELSE run_at END, "
                         "finalized_at = CASE WHEN $5::smallint = 2 THEN NULL ELSE $4::bigint END, lease_owner = NULL, "
                         "lease_expires_at = NULL, errors = CASE WHEN $3::text IS NULL THEN errors ELSE errors || "
                         "jsonb_build_array(jsonb_build_object('at', $4::bigint, 'attempt', attempt, 'error', "
                         "$3::text)) END WHERE id = $1 AND state = 3 AND lease_owner = $2",
                         o.id, p.owner, err, now, state, retry_at);
        if (!r) return r.error();
        n += r->affected();
    }
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> queue::heartbeat(const heartbeat_params& p) {
    return in_transaction(!params_.durable_leases, [&](detail::connection& c) -> result<std::vector<job_id>> {
        auto r =
            c.query("UPDATE queue_jobs SET lease_expires_at = $1 WHERE state = 3 AND lease_owner = $2 RETURNING id",
                    endpoints::detail::to_millis(p.lease_expires_at), p.owner);
        if (!r) return r.error();
        std::vector<job_id> held;
        for (int i = 0; i < r->size(); ++i) held.push_back(r->integer(i, 0));
        return held;
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::rescue(const rescue_params& p) {
    auto n = in_transaction(!params_.durable_leases, [&](detail::connection& c) -> result<std::size_t> {
        auto r = c.query(
            "UPDATE queue_jobs SET rescue_count = rescue_count + 1, state = CASE WHEN rescue_count + 1 > $2 THEN 6 "
            "ELSE 0 END, attempt = CASE WHEN rescue_count + 1 > $2 THEN attempt ELSE attempt - 1 END, finalized_at = "
            "CASE WHEN rescue_count + 1 > $2 THEN $1::bigint ELSE NULL END, errors = errors || "
            "jsonb_build_array(jsonb_build_object('at', $1::bigint, 'attempt', attempt, 'error', CASE WHEN "
            "rescue_count + 1 > $2 THEN 'worker lost: lease expired too many times' ELSE 'worker lost: lease expired; "
            "attempt not charged' END)), lease_owner = NULL, lease_expires_at = NULL WHERE state = 3 AND "
            "lease_expires_at < $1",
            endpoints::detail::to_millis(p.now), p.max_rescues);
        if (!r) return r.error();
        return r->affected();
    });
    if (n && *n) notify_listeners();
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::release(const std::string& owner, std::span<const job_id> ids) {
    if (ids.empty()) return std::size_t(0);
    auto n = in_transaction(!params_.durable_leases, [&](detail::connection& c) -> result<std::size_t> {
        auto r = c.query("UPDATE queue_jobs SET state = 0, attempt = attempt - 1, lease_owner = NULL, "
                         "lease_expires_at = NULL WHERE id = ANY($2::bigint[]) AND state = 3 AND lease_owner = $1",
                         owner, pqi::int_array(ids));
        if (!r) return r.error();
        return r->affected();
    });
    if (n && *n) notify_listeners();
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<void> queue::cancel(job_id id) {
    return on_connection(false, [&](detail::connection& c) -> result<void> {
        auto r = c.query("WITH j AS (SELECT id, state FROM queue_jobs WHERE id = $1 FOR UPDATE), u AS (UPDATE "
                         "queue_jobs q SET state = 5, finalized_at = $2, lease_owner = NULL, lease_expires_at = NULL "
                         "FROM j WHERE q.id = j.id AND j.state < 4 RETURNING q.id) SELECT (SELECT state FROM j), "
                         "(SELECT count(*) FROM u)",
                         id, endpoints::detail::to_millis(now_ms()));
        if (!r) return r.error();
        if (r->is_null(0, 0)) return make_error_code(errc::not_found);
        if (r->integer(0, 1) == 0) return make_error_code(errc::job_not_cancellable);
        return {};
    });
}

KONGFLOW_ENDPOINTS_DECL result<void> queue::retry(job_id id) {
    return on_connection(false, [&](detail::connection& c) -> result<void> {
        auto r = c.query("WITH j AS (SELECT id, state FROM queue_jobs WHERE id = $1 FOR UPDATE), u AS (UPDATE "
                         "queue_jobs q SET state = 0, run_at = $2, finalized_at = NULL, max_attempts = CASE WHEN "
                         "q.attempt >= q.max_attempts THEN q.attempt + 1 ELSE q.max_attempts END FROM j WHERE q.id = "
                         "j.id AND j.state <> 3 RETURNING q.id) SELECT (SELECT state FROM j), (SELECT count(*) FROM u)",
                         id, endpoints::detail::to_millis(now_ms()));
        if (!r) return r.error();
        if (r->is_null(0, 0)) return make_error_code(errc::not_found);
        if (r->integer(0, 1) == 0) return make_error_code(errc::conflict);
        enqueued(c);
        return {};
    });
}

KONGFLOW_ENDPOINTS_DECL result<job_row> queue::get(job_id id) {
    static const std::string sql = pqi::sql("SELECT ", " FROM queue_jobs WHERE id = $1");
    return on_connection(true, [&](detail::connection& c) -> result<job_row> {
        auto r = c.query(sql, id);
        if (!r) return r.error();
        if (r->empty()) return make_error_code(errc::not_found);
        return pqi::read_row(*r, 0);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::cleanup(const cleanup_params& p) {
    return on_connection(false, [&](detail::connection& c) -> result<std::size_t> {
        std::size_t n = 0;
        const std::pair<job_state, const std::optional<timestamp>*> rules[] = {
            {job_state::completed, &p.completed_before},
            {job_state::cancelled, &p.cancelled_before},
            {job_state::discarded, &p.discarded_before}};
        for (auto [state, before] : rules) {
            if (!*before || n >= p.limit) continue;
            auto r = c.query("DELETE FROM queue_jobs WHERE id IN (SELECT id FROM queue_jobs WHERE state >= 4 AND "
                             "state = $1 AND finalized_at < $2 LIMIT $3)",
                             static_cast<int>(state), endpoints::detail::to_millis(**before),
                             static_cast<std::int64_t>(p.limit - n));
            if (!r) return r.error();
            n += r->affected();
        }
        return n;
    });
}

KONGFLOW_ENDPOINTS_DECL result<queue_stats> queue::stats(timestamp now) {
    return on_connection(true, [&](detail::connection& c) -> result<queue_stats> {
        // One statement, so counts and the oldest age agree.
        auto r = c.query("SELECT queue, CASE WHEN state <= 2 AND run_at <= $1 THEN 0 WHEN state = 0 THEN 1 ELSE state "
                         "END AS s, count(*), min(CASE WHEN state <= 2 AND run_at <= $1 THEN run_at END) FROM "
                         "queue_jobs GROUP BY queue, s",
                         endpoints::detail::to_millis(now));
        if (!r) return r.error();
        queue_stats s;
        for (int i = 0; i < r->size(); ++i) {
            auto state = r->integer(i, 1);
            if (state < 0 || state >= job_state_count) continue;
            auto count = r->integer(i, 2);
            auto& q = s.queues[std::string(r->text(i, 0))];
            q.by_state[state] += count;
            s.totals.by_state[state] += count;
            if (!r->is_null(i, 3)) {
                auto t = endpoints::detail::from_millis(r->integer(i, 3));
                if (!s.oldest_available_run_at || t < *s.oldest_available_run_at) s.oldest_available_run_at = t;
            }
        }
        if (s.oldest_available_run_at) s.oldest_available_age = now - *s.oldest_available_run_at;
        return s;
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::list_jobs(const list_jobs_params& p) {
    static const std::string sql =
        pqi::sql("SELECT ", " FROM queue_jobs WHERE ($1::integer >> state) & 1 = 1 AND ($2::text IS NULL OR queue = "
                            "$2) ORDER BY coalesce(finalized_at, attempted_at, created_at) DESC, id DESC LIMIT $3");
    if (p.limit == 0) return std::vector<job_row>{};
    return on_connection(true, [&](detail::connection& c) -> result<std::vector<job_row>> {
        auto r = c.query(sql, endpoints::detail::state_mask(p.states), p.queue,
                         static_cast<long long>(std::min<std::size_t>(p.limit, 1u << 30)));
        if (!r) return r.error();
        return pqi::read_rows(*r);
    });
}

} // namespace kongflow::endpoints::postgres

#endif
