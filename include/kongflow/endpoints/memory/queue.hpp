// In-memory queue: the default for tests and single-process hosts that accept losing pending jobs
// on exit. Same semantics as sqlite::queue (checked by the same conformance suite).
#ifndef KONGFLOW_ENDPOINTS_MEMORY_QUEUE_HPP
#define KONGFLOW_ENDPOINTS_MEMORY_QUEUE_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/queue/queue.hpp>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

namespace kongflow::endpoints::memory {

/// Thread-safe (one mutex). Claims use an ordered index of pending jobs per queue, so a claim costs
/// O(k log n) for k jobs.
class queue final : public endpoints::queue {
public:
    queue() = default;
    queue(const queue&) = delete;
    queue& operator=(const queue&) = delete;

    /// errc::unknown_job_kind (empty kind) or errc::invalid_argument (empty queue, max_attempts < 1).
    static error_code validate(const job_request& r) noexcept { return validate_job_request(r); }

    using endpoints::queue::enqueue;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_batch(std::span<const job_request> jobs) override;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> claim(const claim_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> complete(const complete_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> heartbeat(const heartbeat_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> rescue(const rescue_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> release(const std::string& owner, std::span<const job_id> ids) override;
    KONGFLOW_ENDPOINTS_DECL result<void> cancel(job_id id) override;
    KONGFLOW_ENDPOINTS_DECL result<void> retry(job_id id) override;
    KONGFLOW_ENDPOINTS_DECL result<job_row> get(job_id id) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> cleanup(const cleanup_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<queue_stats> stats(timestamp now) override;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> list_jobs(const list_jobs_params& p) override;

private:
    using ready_key = std::tuple<int, std::int64_t, job_id>; // priority, run_at, id

    void index_pending(const job_row& j);
    void unindex_pending(const job_row& j);
    void make_pending(job_row& j, job_state s, timestamp run_at);
    void finalize(job_row& j, job_state s, timestamp now);
    void drop_key(job_row& j);
    void unlease(job_row& j);

    std::mutex mtx_;
    job_id next_id_ = 1;
    std::map<job_id, job_row> jobs_;
    std::map<std::string, std::set<ready_key>, std::less<>> ready_; // pending jobs per queue
    std::unordered_map<std::string, job_id> keys_;                  // job_key -> holder
    std::unordered_map<std::string, std::set<job_id>> leased_;      // owner -> running jobs
    std::set<std::pair<std::int64_t, job_id>> final_;               // finalized_at, id
};

} // namespace kongflow::endpoints::memory

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/memory/impl/queue.ipp>
#endif

#endif
