// Jobs: what is enqueued (job_request), what is stored (job_row), and their states.
#ifndef KONGFLOW_ENDPOINTS_QUEUE_JOB_HPP
#define KONGFLOW_ENDPOINTS_QUEUE_JOB_HPP

#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/timestamp.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpoints {

using job_id = std::int64_t;

/// Life cycle of a job. available/scheduled/retryable are "pending" (waiting to run);
/// completed/cancelled/discarded are final and removed by retention cleanup.
enum class job_state : int {
    available = 0, ///< ready to run now
    scheduled = 1, ///< waits for its run_at
    retryable = 2, ///< failed; waits for its backoff to pass
    running = 3,   ///< claimed under a lease by a worker
    completed = 4,
    cancelled = 5,
    discarded = 6, ///< failed max_attempts times, or a handler discarded it
};

inline constexpr int job_state_count = 7;

inline constexpr std::string_view to_string(job_state s) noexcept {
    switch (s) {
    case job_state::available: return "available";
    case job_state::scheduled: return "scheduled";
    case job_state::retryable: return "retryable";
    case job_state::running: return "running";
    case job_state::completed: return "completed";
    case job_state::cancelled: return "cancelled";
    case job_state::discarded: return "discarded";
    }
    return "unknown";
}

inline constexpr bool is_pending(job_state s) noexcept { return static_cast<int>(s) <= 2; }
inline constexpr bool is_final(job_state s) noexcept { return static_cast<int>(s) >= 4; }

/// What happens when a job is enqueued with a job_key that an existing job already holds.
enum class job_key_mode {
    /// graphile-worker's default: a pending job with the key is replaced (kind, payload, queue,
    /// priority, run_at, max_attempts; attempts and errors reset) and keeps its id. A running or
    /// finished job gives the key up and a new job is created.
    replace,
    /// Nothing changes if any job still holds the key, whatever its state (until retention removes
    /// it); the existing id is returned. Periodic jobs use this for "at most once per fire".
    keep_existing,
};

/// Default number of attempts (River's and graphile-worker's default). Trigger.dev v2 uses 7 for
/// endpoint indexing: set max_attempts per request.
inline constexpr int default_max_attempts = 25;

/// A job to enqueue.
struct job_request {
    std::string kind;                        ///< selects the handler; must not be empty
    boost::json::object payload;             ///< handler input (always a JSON object)
    std::string queue = "default";           ///< named queue; workers set a concurrency limit per queue
    int priority = 0;                        ///< lower runs first (as River and graphile-worker)
    std::optional<timestamp> run_at;         ///< not before this time; unset = now
    int max_attempts = default_max_attempts; ///< >= 1; after this many failures the job is discarded
    std::optional<std::string> job_key;      ///< deduplication key, see job_key_mode
    job_key_mode key_mode = job_key_mode::replace;
};

/// Options for the convenience enqueue(kind, payload, options) overloads.
struct enqueue_options {
    std::string queue = "default";
    int priority = 0;
    std::optional<timestamp> run_at;
    int max_attempts = default_max_attempts;
    std::optional<std::string> job_key;
    job_key_mode key_mode = job_key_mode::replace;
};

inline job_request make_job_request(std::string kind, boost::json::object payload, enqueue_options o = {}) {
    return job_request{std::move(kind), std::move(payload), std::move(o.queue),   o.priority,
                       o.run_at,        o.max_attempts,     std::move(o.job_key), o.key_mode};
}

/// One entry of a job's error history.
struct job_error {
    timestamp at;
    int attempt = 0;
    std::string error;
    friend bool operator==(const job_error&, const job_error&) = default;
};

/// A stored job.
struct job_row {
    job_id id = 0;
    std::string kind;
    boost::json::object payload;
    std::string queue;
    int priority = 0;
    job_state state = job_state::available;
    int attempt = 0; ///< attempts started (a claim counts one; a rescued lease gives it back)
    int max_attempts = default_max_attempts;
    int rescue_count = 0; ///< times a lease expired with the job running (worker crashed or stalled)
    timestamp run_at;
    timestamp created_at;
    std::optional<timestamp> attempted_at;
    std::optional<timestamp> finalized_at;
    std::vector<job_error> errors; ///< oldest first
    std::optional<std::string> job_key;
    std::optional<std::string> lease_owner;
    std::optional<timestamp> lease_expires_at;
};

/// Validates a request without touching any store: errc::unknown_job_kind for an empty kind,
/// errc::invalid_argument for an empty queue name or max_attempts < 1.
inline error_code validate_job_request(const job_request& r) noexcept {
    if (r.kind.empty()) return errc::unknown_job_kind;
    if (r.queue.empty() || r.max_attempts < 1) return errc::invalid_argument;
    return {};
}

namespace detail {

inline std::int64_t to_millis(timestamp t) noexcept { return t.time_since_epoch().count(); }
inline timestamp from_millis(std::int64_t ms) noexcept { return timestamp(std::chrono::milliseconds(ms)); }

inline boost::json::object error_to_json(const job_error& e) {
    return boost::json::object{{"at", to_millis(e.at)}, {"attempt", e.attempt}, {"error", e.error}};
}

/// Reads an error history; tolerant of foreign entries (missing fields default).
inline std::vector<job_error> errors_from_json(const boost::json::value& v) {
    std::vector<job_error> out;
    if (!v.is_array()) return out;
    for (const auto& e : v.get_array()) {
        if (!e.is_object()) continue;
        const auto& o = e.get_object();
        job_error je;
        if (auto p = o.if_contains("at"); p && p->is_int64()) je.at = from_millis(p->get_int64());
        if (auto p = o.if_contains("attempt"); p && p->is_int64()) je.attempt = static_cast<int>(p->get_int64());
        if (auto p = o.if_contains("error"); p && p->is_string()) je.error = std::string(p->get_string());
        out.push_back(std::move(je));
    }
    return out;
}

} // namespace detail
} // namespace kongflow::endpoints

#endif
