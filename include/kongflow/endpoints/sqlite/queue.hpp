// SQLite queue: durable jobs in one table of a SQLite file (WAL), shared safely by several
// processes. Claims take up to N jobs in one statement; concurrent single enqueues from several
// threads are group-committed (one write transaction, one fsync, for all of them).
#ifndef KONGFLOW_ENDPOINTS_SQLITE_QUEUE_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_QUEUE_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/queue/queue.hpp>
#include <kongflow/endpoints/sqlite/detail/connection.hpp>
#include <kongflow/endpoints/sqlite/params.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kongflow::endpoints::sqlite {

namespace detail {
struct access;
} // namespace detail

/// Thread-safe: one connection guarded by a mutex (SQLite has one writer per file anyway).
/// Several processes may open the same file; each claim is one IMMEDIATE transaction, so no job is
/// claimed twice. Other processes' enqueues are not signalled: workers find them by polling.
class queue final : public endpoints::queue {
public:
    /// Opens (creating if needed) the file and applies the queue's migrations. Errors come in the
    /// "kongflow.sqlite" category (SQLITE_NOTADB for a corrupt file, SQLITE_READONLY for a
    /// read-only one, SQLITE_CANTOPEN ...), errc::schema_too_new, or errc::invalid_argument for a
    /// `synchronous` that is not a level (SQLite would read it as NORMAL) or a `page_size` SQLite
    /// would ignore; the error's diagnostics say which, with SQLite's own text.
    static KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<queue>>
    open(const std::string& path, const file_params& file = {}, const queue_params& p = {});

    using endpoints::queue::enqueue;
    /// Group commit: concurrent callers share one write transaction. Blocks until durable.
    KONGFLOW_ENDPOINTS_DECL result<job_id> enqueue(const job_request& job) override;
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

private:
    friend struct detail::access;

    /// full: commit_sync_pragma of the file's setting (null below FULL); soft: leases skip the fsync.
    queue(detail::connection c, const char* full, bool soft)
            : conn_(std::move(c)), full_sync_(full), soft_leases_(full && soft) {}
    void start_checkpointer(detail::connection c, int pages, int inline_pages);
    static int on_wal_commit(void* self, sqlite3*, const char*, int pages);
    /// Hands the WAL checkpoints of another connection to this file (a repository's, in a store)
    /// to the background checkpointer, so its commits never run one inline. The queue must
    /// outlive `c`. Does nothing when background checkpoints are off.
    KONGFLOW_ENDPOINTS_DECL void take_checkpoints_of(detail::connection& c);

public:
    KONGFLOW_ENDPOINTS_DECL ~queue() override;

private:
    struct pending_enqueue {
        const job_request* request;
        job_id id = 0;
        error ec;
        bool done = false;
    };
    void write_group(std::vector<pending_enqueue*>& group);
    // Both run inside a transaction the caller holds, under conn_mtx_.
    result<std::size_t> complete_tx(const complete_params& p);
    result<std::vector<job_row>> claim_tx(const claim_params& p);

    /// One write transaction, durable when it returns (see the definition).
    template <class F>
    auto durable_write(F&& body) -> decltype(body());

    std::mutex conn_mtx_;
    detail::connection conn_;
    const char* full_sync_ = nullptr; ///< restores the setting after a normal_sync_scope
    bool soft_leases_ = false;
    std::unique_ptr<detail::wal_sync> post_sync_; ///< set: pipelined_sync applies

    std::mutex gc_mtx_;
    std::condition_variable gc_cv_;
    std::vector<pending_enqueue*> gc_queue_;
    bool gc_leader_ = false;

    // Background checkpointer (see background_checkpoint_pages).
    detail::connection ckpt_conn_;
    std::thread ckpt_thread_;
    std::mutex ckpt_mtx_;
    std::condition_variable ckpt_cv_;
    bool ckpt_wanted_ = false;
    bool ckpt_stop_ = false;
    int ckpt_pages_ = 0;      // RESTART from this WAL size
    int ckpt_copy_pages_ = 0; // passive passes from this one
    int ckpt_inline_pages_ = 0;
    bool ckpt_presync_ = true; // sync the database file before a RESTART (not under synchronous=OFF)
};

} // namespace kongflow::endpoints::sqlite

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/sqlite/impl/queue.ipp>
#endif

#endif
