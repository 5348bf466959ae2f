// The PostgreSQL queue: durable jobs in one table, shared by every process that opens the same
// schema. Claims take up to N jobs in one statement with FOR UPDATE SKIP LOCKED, so processes
// never wait for each other's claims and no job is claimed twice; an enqueue in any process wakes
// idle workers in every process (NOTIFY after commit, one LISTEN connection per queue).
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_QUEUE_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_QUEUE_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/postgres/params.hpp>
#include <kongflow/endpoints/queue/queue.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kongflow::endpoints::postgres {

namespace detail {
class connection;
class pool;
struct access;
} // namespace detail

/// Thread-safe: every call takes a connection of the pool. Times come from the caller (the
/// worker's clock), as with SQLite: keep the hosts of one database on NTP.
class queue final : public endpoints::queue {
public:
    /// Connects, applies the migrations and, with queue_params::listen, starts the thread that
    /// LISTENs for other processes' enqueues (it reconnects on its own when its connection drops).
    KONGFLOW_ENDPOINTS_DECL static result<std::unique_ptr<queue>> open(const connection_params& c = {},
                                                                       const queue_params& p = {});

    using endpoints::queue::enqueue;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_batch(std::span<const job_request> jobs) override;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> claim(const claim_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> complete(const complete_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> complete_and_claim(const complete_params& done,
                                                                            const claim_params& next) override;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> heartbeat(const heartbeat_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> rescue(const rescue_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> release(const std::string& owner, std::span<const job_id> ids) override;
    KONGFLOW_ENDPOINTS_DECL result<void> cancel(job_id id) override;
    KONGFLOW_ENDPOINTS_DECL result<void> retry(job_id id) override;
    KONGFLOW_ENDPOINTS_DECL result<job_row> get(job_id id) override;
    KONGFLOW_ENDPOINTS_DECL result<std::size_t> cleanup(const cleanup_params& p) override;
    KONGFLOW_ENDPOINTS_DECL result<queue_stats> stats(timestamp now) override;
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> list_jobs(const list_jobs_params& p) override;

    /// Times the LISTEN connection was (re)established; for tests and metrics.
    std::uint64_t listen_connects() const noexcept { return listen_connects_.load(std::memory_order_relaxed); }

    /// Stops the LISTEN thread.
    KONGFLOW_ENDPOINTS_DECL ~queue() override;

private:
    friend struct detail::access;

    KONGFLOW_ENDPOINTS_DECL queue(std::shared_ptr<detail::pool> pool, const queue_params& p);
    void start_listener();
    void listen_loop();
    /// After a commit that enqueued: wakes this process's workers, then the others' (NOTIFY).
    void enqueued(detail::connection& c);
    /// Runs `f(connection&)` in a transaction; soft: with synchronous_commit off.
    template <class F>
    auto in_transaction(bool soft, F&& f) -> decltype(f(std::declval<detail::connection&>()));
    template <class F>
    auto on_connection(bool read_only, F&& f) -> decltype(f(std::declval<detail::connection&>()));
    result<std::size_t> complete_tx(detail::connection& c, const complete_params& p);
    /// The claim statement; with `done`, the completions (all `completed`) in the same statement.
    result<std::vector<job_row>> claim_tx(detail::connection& c, const claim_params& p, const complete_params* done,
                                          bool in_transaction);

    std::shared_ptr<detail::pool> pool_;
    queue_params params_;
    std::string notify_sql_; ///< NOTIFY on this schema's channel, with our instance as payload
    std::string listen_sql_;
    std::string instance_; ///< tells our own notifications from other processes'
    std::thread listener_;
    int stop_pipe_[2] = {-1, -1};
    int wake_pipe_[2] = {-1, -1}; ///< enqueues ask the listener for a NOTIFY
    std::atomic<bool> notify_pending_{false};
    std::atomic<std::uint64_t> listen_connects_{0};
};

} // namespace kongflow::endpoints::postgres

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/postgres/impl/queue.ipp>
#endif

#endif
