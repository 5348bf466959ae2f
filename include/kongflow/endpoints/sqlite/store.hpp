// The SQLite store: sqlite::repository + sqlite::queue in one file, with units of work that span
// both in one SQLite transaction.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_STORE_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_STORE_HPP

#include <kongflow/endpoints/sqlite/params.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>
#include <kongflow/endpoints/sqlite/repository.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <boost/asio/any_completion_executor.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kongflow::endpoints::sqlite {

/// How well async_transact groups units: units / transactions is the mean group size.
struct group_commit_stats {
    std::uint64_t units = 0;
    std::uint64_t transactions = 0;
    /// WAL syncs that made committed groups durable (pipelined_sync; 0 when off).
    std::uint64_t syncs = 0;
    /// Groups of repeatable units run a second time, a savepoint per unit, after one of them failed.
    std::uint64_t reruns = 0;
};

/// Thread-safe; several processes may open the same file. A unit of work takes a connection of
/// the repository's pool, starts BEGIN IMMEDIATE (retried on SQLITE_BUSY), runs the repository
/// and the queue's enqueues on that connection, and wakes this process's workers after COMMIT.
///
/// async_transact group-commits: the first unit to arrive leads; units that arrive while its
/// transaction is open or committing queue up and form the next group, which one thread runs as
/// one transaction. A unit whose work fails is rolled back alone: each unit runs in its own
/// savepoint, except in a group of one or of units that are all transact_mode::repeatable, which
/// run without (a failure there rolls the group back and runs it again with savepoints). A failed
/// COMMIT fails every unit of the group (none of them is kept).
class store final : public endpoints::store {
public:
    /// Opens or creates the file and applies both components' migrations ("storage", "queue").
    KONGFLOW_ENDPOINTS_DECL static result<std::unique_ptr<store>> open(const std::string& path,
                                                                       const store_params& p = {});

    repository& repo() override { return repo_; }
    queue& jobs() override { return *queue_; }

    KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> begin() override;

    /// Units run through async_transact so far, and the transactions that committed them.
    sqlite::group_commit_stats group_commits() const noexcept {
        return {units_.load(std::memory_order_relaxed), transactions_.load(std::memory_order_relaxed),
                syncs_.load(std::memory_order_relaxed), reruns_.load(std::memory_order_relaxed)};
    }

    /// Completes every unit still waiting for its WAL sync, then stops the sync thread.
    KONGFLOW_ENDPOINTS_DECL ~store() override;

protected:
    KONGFLOW_ENDPOINTS_DECL void transact_impl(transact_work work, transact_mode mode, diagnostics& diag,
                                               boost::asio::any_io_executor ex,
                                               boost::asio::any_completion_handler<transact_signature> h) override;

private:
    friend struct detail::access;

    struct pending_unit {
        transact_work work;
        diagnostics* diag;
        boost::asio::any_completion_executor handler_ex; // tracks outstanding work
        boost::asio::any_completion_handler<transact_signature> handler;
        error_code ec{};
        std::vector<job_id> ids{};
        bool enqueued = false;   ///< committed jobs: wake this process's workers once durable
        bool repeatable = false; ///< transact_mode::repeatable
    };
    enum class group_run { done, unit_failed, aborted };

    store(repository repo, std::unique_ptr<queue> q, std::size_t max_group)
            : queue_(std::move(q)), repo_(std::move(repo)), max_group_(max_group == 0 ? 1 : max_group) {}

    void lead();
    /// true: the group committed and waits for a WAL sync (pipelined_sync), so the leader does
    /// not complete it.
    bool run_group(std::vector<pending_unit>& group);
    group_run run_units(detail::connection& conn, std::vector<pending_unit>& group, bool savepoints);
    static void fail_unit(pending_unit& u, const error& ec);
    static void fail_rest(std::vector<pending_unit>& group, const error& ec); ///< every unit not failed yet
    static void complete(std::vector<pending_unit>& group);
    void start_syncer(std::string wal_path);
    void sync_loop();

    // The queue first: the repository's connections hand their checkpoints to it, so it must
    // outlive them.
    std::unique_ptr<queue> queue_;
    repository repo_;
    std::size_t max_group_;

    std::mutex group_mtx_;
    std::deque<pending_unit> pending_;
    bool leading_ = false;
    std::atomic<std::uint64_t> units_{0};
    std::atomic<std::uint64_t> transactions_{0};
    std::atomic<std::uint64_t> syncs_{0};
    std::atomic<std::uint64_t> reruns_{0};

    // Pipelined sync (see sqlite::store_params::pipelined_sync).
    std::unique_ptr<detail::wal_sync> wal_;
    std::mutex sync_mtx_;
    std::condition_variable sync_cv_;
    std::vector<pending_unit> unsynced_;
    bool sync_stop_ = false;
    std::thread syncer_;
};

} // namespace kongflow::endpoints::sqlite

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/sqlite/impl/store.ipp>
#endif

#endif
