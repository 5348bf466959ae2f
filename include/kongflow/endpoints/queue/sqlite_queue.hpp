// SQLite queue: durable jobs in one table of a SQLite file (WAL), shared safely by several
// processes. Claims take up to N jobs in one statement; concurrent single enqueues from several
// threads are group-committed (one write transaction, one fsync, for all of them).
#ifndef KONGFLOW_ENDPOINTS_QUEUE_SQLITE_QUEUE_HPP
#define KONGFLOW_ENDPOINTS_QUEUE_SQLITE_QUEUE_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/detail/sqlite.hpp>
#include <kongflow/endpoints/queue/queue.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kongflow::endpoints {

struct sqlite_queue_params {
    /// "FULL": a committed enqueue survives power loss. "NORMAL" (WAL): survives a process crash.
    /// Also "OFF" or "EXTRA"; any case, or the level's number 0-3. Anything else fails open().
    std::string synchronous = "FULL";
    /// How long a writer waits for another process's write lock before failing with SQLITE_BUSY.
    std::chrono::milliseconds busy_timeout{10000};
    /// Claims, heartbeats, rescues and lease releases skip the fsync under "FULL": losing one of
    /// them in a power failure only runs a job again, exactly as a crash would (the next durable
    /// commit syncs them anyway). Enqueues, completions and cancels are always durable.
    bool durable_leases = false;
    /// WAL checkpoints run on a background thread owned by the queue (its only thread), so no
    /// enqueue or claim pays for one: passive passes copy the WAL into the database from a quarter
    /// of this many pages; once past it, the thread syncs the database file and starts the WAL
    /// over (a RESTART checkpoint, holding writers back at most 25 ms, typically 1-3 ms), so the
    /// file stays near this size (16 MiB with 4 KiB pages) under constant load. 0 = SQLite's own
    /// automatic checkpoint inside the committing call (no thread). A checkpoint's fsyncs still
    /// delay the commits that meet them on the disk: 4000 pages makes that rare enough to stay out
    /// of the 99th percentile of enqueue and pickup latency.
    int background_checkpoint_pages = 4000;
    /// Past this many WAL pages the committing call checkpoints in-line, in case the background
    /// thread cannot keep up. 0 = 10 x background_checkpoint_pages.
    int inline_checkpoint_pages = 0;
    /// Page size of a file this call creates (ignored for an existing one; 0 = SQLite's 4096).
    /// See detail::sqlite::open_params::page_size for why 4 KiB.
    int page_size = 4096;
    /// Under "FULL" (WAL file): enqueues and completions commit without syncing, release the
    /// write lock, then sync the WAL before returning. They are exactly as durable (nothing
    /// returns before its commit is on disk), but other writers of the file no longer wait for
    /// this one's disk flush. Rows are visible to other connections during that sync. false =
    /// SQLite syncs inside COMMIT, holding the write lock.
    bool pipelined_sync = true;
    /// One write per transaction to the WAL instead of two per page (see
    /// detail::sqlite::open_params::buffer_wal_writes).
    bool buffer_wal_writes = true;
};

/// Thread-safe: one connection guarded by a mutex (SQLite has one writer per file anyway).
/// Several processes may open the same file; each claim is one IMMEDIATE transaction, so no job is
/// claimed twice. Other processes' enqueues are not signalled: workers find them by polling.
class sqlite_queue final : public queue {
public:
    /// Opens (creating if needed) the file and applies the queue's migrations. Errors come in the
    /// "kongflow.sqlite" category (SQLITE_NOTADB for a corrupt file, SQLITE_READONLY for a
    /// read-only one, SQLITE_CANTOPEN ...), errc::schema_too_new, or errc::invalid_argument for a
    /// `synchronous` that is not a level (SQLite would read it as NORMAL) or a `page_size` SQLite
    /// would ignore.
    static KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<sqlite_queue>> open(const std::string& path,
                                                                                const sqlite_queue_params& p = {});

    /// Creates or upgrades the queue's table on `conn` (component "queue" of kongflow_schema).
    static KONGFLOW_ENDPOINTS_DECL result<void> migrate(detail::sqlite::connection& conn);

    /// Enqueues on a connection where the caller holds a write transaction (a unit of work), with
    /// the same validation and job_key rules as enqueue_batch. Nothing is visible until the caller
    /// commits; then call notify_enqueued() on the process's sqlite_queue to wake local workers.
    static KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_in(detail::sqlite::connection& conn,
                                                                          std::span<const job_request> jobs);

    /// Wakes the local workers (after a transaction that used enqueue_in committed).
    void notify_enqueued() { notify_listeners(); }

    /// Hands the WAL checkpoints of another connection to this file (a repository's, in a store)
    /// to the queue's background checkpointer, so its commits never run one inline. The queue
    /// must outlive `c`. Does nothing when background checkpoints are off.
    KONGFLOW_ENDPOINTS_DECL void take_checkpoints_of(detail::sqlite::connection& c);

    using queue::enqueue;
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

    /// Runs `f(connection&)` under the queue's lock (checkpoints, PRAGMA integrity_check in tests).
    template <class F>
    auto with_connection(F&& f) {
        std::lock_guard lk(conn_mtx_);
        return f(conn_);
    }

private:
    /// full: commit_sync_pragma of the file's setting (null below FULL); soft: leases skip the fsync.
    sqlite_queue(detail::sqlite::connection c, const char* full, bool soft)
        : conn_(std::move(c)), full_sync_(full), soft_leases_(full && soft) {}
    void start_checkpointer(detail::sqlite::connection c, int pages, int inline_pages);
    static int on_wal_commit(void* self, sqlite3*, const char*, int pages);

public:
    KONGFLOW_ENDPOINTS_DECL ~sqlite_queue() override;

private:

    struct pending_enqueue {
        const job_request* request;
        job_id id = 0;
        error_code ec;
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
    detail::sqlite::connection conn_;
    const char* full_sync_ = nullptr; ///< restores the setting after a normal_sync_scope
    bool soft_leases_ = false;
    std::unique_ptr<detail::sqlite::wal_sync> post_sync_; ///< set: pipelined_sync applies

    std::mutex gc_mtx_;
    std::condition_variable gc_cv_;
    std::vector<pending_enqueue*> gc_queue_;
    bool gc_leader_ = false;

    // Background checkpointer (see background_checkpoint_pages).
    detail::sqlite::connection ckpt_conn_;
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

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/queue/impl/sqlite_queue.ipp>
#endif

#endif
