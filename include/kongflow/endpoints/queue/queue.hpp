// The queue driver interface (River's riverdriver): every storage operation the worker needs, as
// plain synchronous calls returning result<T>, so the worker holds no SQL and a host can plug in
// its own store. Implementations: memory::queue, sqlite::queue, postgres::queue. Check yours with
// testing/queue_conformance.hpp.
#ifndef KONGFLOW_ENDPOINTS_QUEUE_QUEUE_HPP
#define KONGFLOW_ENDPOINTS_QUEUE_QUEUE_HPP

#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/queue/job.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kongflow::endpoints {

/// Claim up to `max_jobs` pending jobs of one named queue whose run_at <= now, best first
/// (priority, run_at, id), in one atomic step. Each claimed job becomes running, its attempt grows
/// by one and it is leased to `owner` until `lease_expires_at`.
struct claim_params {
    std::string queue = "default";
    std::size_t max_jobs = 1;
    std::string owner;
    timestamp now;
    timestamp lease_expires_at;
};

/// How a job attempt ended.
enum class job_outcome_kind {
    completed,
    retry,   ///< failed; pending again at retry_at (the error is appended to the history)
    discard, ///< failed for good (attempts exhausted or the handler said so)
    cancel,  ///< the handler cancelled the job
};

struct job_outcome {
    job_id id = 0;
    job_outcome_kind kind = job_outcome_kind::completed;
    timestamp retry_at{}; ///< for retry
    std::string error;    ///< for retry/discard/cancel: appended to the error history
};

/// Records finished attempts in one batch. Only jobs still running under `owner` change: a job
/// whose lease was lost (rescued, cancelled) is left alone and not counted.
struct complete_params {
    std::string owner;
    std::span<const job_outcome> outcomes;
    timestamp now;
};

/// Extends the leases of every job running under `owner`.
struct heartbeat_params {
    std::string owner;
    timestamp now;
    timestamp lease_expires_at;
};

/// Makes running jobs whose lease expired before `now` pending again and gives their attempt back
/// (the worker died, it did not fail). A job rescued more than `max_rescues` times is discarded
/// instead, so a job that crashes its worker cannot loop for ever.
struct rescue_params {
    timestamp now;
    int max_rescues = 10;
};

/// Deletes final jobs finalized before the given times (at most `limit` rows per call).
struct cleanup_params {
    std::optional<timestamp> completed_before;
    std::optional<timestamp> cancelled_before;
    std::optional<timestamp> discarded_before;
    std::size_t limit = 10000;
};

/// Counts per state and queue. "available" counts pending jobs whose run_at has passed, whatever
/// their stored state; "scheduled" and "retryable" count those still waiting.
struct queue_counts {
    std::int64_t by_state[job_state_count] = {};
    std::int64_t count(job_state s) const noexcept { return by_state[static_cast<int>(s)]; }
    std::int64_t total() const noexcept {
        std::int64_t t = 0;
        for (auto v : by_state) t += v;
        return t;
    }
};

/// Selects jobs for introspection (an operator's view, not a worker's): jobs whose *stored* state
/// is one of `states` (all states when empty), of one queue when `queue` is set, newest first by
/// the time of their last event (finalized_at, else attempted_at, else created_at; then id), at
/// most `limit`. A pending job keeps its stored state once its run_at passes (a retryable job
/// whose backoff is over is still listed as retryable). Expect a scan: not for hot paths.
struct list_jobs_params {
    std::vector<job_state> states;
    std::optional<std::string> queue;
    std::size_t limit = 100;
};

namespace detail {

/// list_jobs_params::states as a bit set (bit n = job_state n), every state when empty: stores
/// filter with `(mask >> state) & 1` and need no variable-length IN list.
inline int state_mask(const std::vector<job_state>& states) noexcept {
    if (states.empty()) return (1 << job_state_count) - 1;
    int m = 0;
    for (auto s : states) m |= 1 << static_cast<int>(s);
    return m;
}

/// The time list_jobs sorts by.
inline timestamp last_event(const job_row& j) noexcept {
    return j.finalized_at ? *j.finalized_at : j.attempted_at ? *j.attempted_at : j.created_at;
}

} // namespace detail

struct queue_stats {
    std::map<std::string, queue_counts, std::less<>> queues;
    queue_counts totals;
    /// run_at of the oldest job that is available now (pending, run_at <= now); none when idle.
    std::optional<timestamp> oldest_available_run_at;
    /// now - oldest_available_run_at, or zero.
    std::chrono::milliseconds oldest_available_age{0};
};

/// The queue driver. All calls are synchronous and thread-safe. Implementations must not throw:
/// failures are returned as error codes (errc or a store's own category).
class queue {
public:
    virtual ~queue() = default;

    /// Enqueues jobs atomically (all or none), applying job_key deduplication in order. Returns the
    /// ids in request order (the existing id when a key kept or replaced a job). Wakes local workers.
    virtual result<std::vector<job_id>> enqueue_batch(std::span<const job_request> jobs) = 0;

    /// One job. Implementations may group-commit concurrent single enqueues.
    virtual result<job_id> enqueue(const job_request& job) {
        auto r = enqueue_batch(std::span<const job_request>(&job, 1));
        if (!r) return r.error();
        return r->front();
    }

    /// For payloads built dynamically: errc::invalid_payload unless `payload` is a JSON object.
    result<job_id> enqueue(std::string kind, const boost::json::value& payload, enqueue_options options = {}) {
        if (!payload.is_object()) return make_error_code(errc::invalid_payload);
        return enqueue(make_job_request(std::move(kind), payload.get_object(), std::move(options)));
    }

    /// See claim_params. Returns the claimed rows in claim order (possibly none).
    virtual result<std::vector<job_row>> claim(const claim_params& p) = 0;

    /// See complete_params. Returns how many jobs were updated.
    virtual result<std::size_t> complete(const complete_params& p) = 0;

    /// complete() then claim(), which a store may do in one transaction (one fsync instead of two:
    /// the worker's steady state under load). If the completion fails nothing is claimed.
    virtual result<std::vector<job_row>> complete_and_claim(const complete_params& done, const claim_params& next) {
        if (auto r = complete(done); !r) return r.error();
        return claim(next);
    }

    /// See heartbeat_params. Returns the ids still held by the owner (a running job missing from
    /// the answer was cancelled or rescued: its worker should stop it).
    virtual result<std::vector<job_id>> heartbeat(const heartbeat_params& p) = 0;

    /// See rescue_params. Returns how many jobs were rescued (made pending or discarded).
    virtual result<std::size_t> rescue(const rescue_params& p) = 0;

    /// Gives back the leases of running jobs of `owner` that will not finish (a worker's shutdown
    /// deadline passed), like a rescue: the attempt is not charged. Returns how many.
    virtual result<std::size_t> release(const std::string& owner, std::span<const job_id> ids) = 0;

    /// Cancels a pending or running job. A running job's lease is revoked: its worker learns it at
    /// the next heartbeat and signals the handler. errc::not_found for an unknown id,
    /// errc::job_not_cancellable when the job is already final.
    virtual result<void> cancel(job_id id) = 0;

    /// Makes a final or pending job available now (River's JobRetry), with one more attempt
    /// allowed if its attempts are exhausted. errc::conflict for a running job.
    virtual result<void> retry(job_id id) = 0;

    /// errc::not_found for an unknown id.
    virtual result<job_row> get(job_id id) = 0;

    /// See cleanup_params. Returns how many jobs were deleted.
    virtual result<std::size_t> cleanup(const cleanup_params& p) = 0;

    virtual result<queue_stats> stats(timestamp now) = 0;

    /// See list_jobs_params.
    virtual result<std::vector<job_row>> list_jobs(const list_jobs_params& p) = 0;

    // -- In-process wake-ups ------------------------------------------------------------------
    // Workers subscribe here; implementations call notify_listeners() after committing enqueues
    // (once per transaction, never debounced: the first wake after idle is the latency that counts).

    using listener = std::function<void()>;

    /// Registers a callback invoked (on the enqueuing thread) after jobs are committed. It must be
    /// cheap and must not call back into the queue. Returns a token for remove_listener.
    std::uint64_t add_listener(listener l) {
        std::lock_guard lk(listeners_mtx_);
        listeners_.emplace(++next_listener_, std::move(l));
        return next_listener_;
    }
    void remove_listener(std::uint64_t token) {
        std::lock_guard lk(listeners_mtx_);
        listeners_.erase(token);
    }

protected:
    void notify_listeners() {
        std::lock_guard lk(listeners_mtx_);
        for (auto& [_, l] : listeners_) l();
    }

private:
    std::mutex listeners_mtx_;
    std::map<std::uint64_t, listener> listeners_;
    std::uint64_t next_listener_ = 0;
};

} // namespace kongflow::endpoints

#endif
