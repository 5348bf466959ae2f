#ifndef KONGFLOW_ENDPOINTS_SQLITE_IMPL_STORE_IPP
#define KONGFLOW_ENDPOINTS_SQLITE_IMPL_STORE_IPP

#include <kongflow/endpoints/sqlite/detail/access.hpp>
#include <kongflow/endpoints/sqlite/detail/errors.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <algorithm>
#include <exception>
#include <span>

namespace kongflow::endpoints::sqlite {
namespace detail {

class unit final : public endpoints::unit_of_work {
public:
    unit(pool::lease lease, queue& jobs, std::chrono::milliseconds budget)
            : lease_(std::move(lease)), repo_(access::bound_to(*lease_)), jobs_(jobs), budget_(budget) {}
    ~unit() override { rollback(); }

    endpoints::repository& repo() override { return repo_; }

    result<void> enqueue(const job_request& job) override {
        if (done_) return finished();
        auto r = enqueue_in(*lease_, std::span<const job_request>(&job, 1));
        if (!r) {
            if (r.error().category() == get_category()) return sqlite_fail(*lease_, r.error(), "enqueueing a job");
            return r.error();
        }
        ids_.insert(ids_.end(), r->begin(), r->end());
        return {};
    }

    result<std::vector<job_id>> commit() override {
        if (done_) return finished();
        done_ = true;
        if (!lease_->in_transaction()) // SQLite rolled back by itself after an I/O error or a full disk
            return sqlite_set_failure(errc::storage_failure,
                                      "the transaction was rolled back by SQLite after an earlier error");
        if (auto c = detail::commit(*lease_, budget_); !c) {
            auto ec = sqlite_fail(*lease_, c.error(), "committing"); // before ROLLBACK replaces errmsg
            if (lease_->in_transaction()) (void)lease_->exec("ROLLBACK");
            return ec;
        }
        if (!ids_.empty()) access::notify_enqueued(jobs_);
        return std::move(ids_);
    }

    void rollback() noexcept override {
        if (done_) return;
        done_ = true;
        if (lease_->in_transaction()) (void)lease_->exec("ROLLBACK");
    }

private:
    static error finished() {
        return sqlite_set_failure(errc::invalid_argument, "the unit of work has already been committed or rolled back");
    }

    pool::lease lease_;
    repository repo_;
    queue& jobs_;
    std::chrono::milliseconds budget_;
    std::vector<job_id> ids_;
    bool done_ = false;
};

/// A unit of a group (store::async_transact), inside the group's transaction: in a
/// savepoint, which the store releases or rolls back when the work returns; or, when the group
/// runs without savepoints, a rollback() only marks it, and the store rolls the group back.
class grouped_unit final : public endpoints::unit_of_work {
public:
    grouped_unit(connection& c, bool savepoint) : conn_(c), repo_(access::bound_to(c)), savepoint_(savepoint) {}

    endpoints::repository& repo() override { return repo_; }

    result<void> enqueue(const job_request& job) override {
        if (discarded_) return finished();
        auto r = enqueue_in(conn_, std::span<const job_request>(&job, 1));
        if (!r) {
            if (r.error().category() == get_category()) return sqlite_fail(conn_, r.error(), "enqueueing a job");
            return r.error();
        }
        ids_.insert(ids_.end(), r->begin(), r->end());
        return {};
    }

    result<std::vector<job_id>> commit() override {
        return sqlite_set_failure(errc::invalid_argument,
                                  "async_transact commits the unit when its work returns: do not call commit()");
    }

    void rollback() noexcept override {
        if (discarded_) return;
        discarded_ = true;
        ids_.clear();
        if (savepoint_ && conn_.in_transaction()) (void)conn_.exec_cached("ROLLBACK TO kf_unit");
    }

    bool discarded() const noexcept { return discarded_; }
    std::vector<job_id> take_ids() noexcept { return std::move(ids_); }

private:
    static error finished() {
        return sqlite_set_failure(errc::invalid_argument, "the unit of work has been rolled back");
    }

    connection& conn_;
    repository repo_;
    std::vector<job_id> ids_;
    bool savepoint_;
    bool discarded_ = false;
};

} // namespace detail

KONGFLOW_ENDPOINTS_DECL void store::transact_impl(transact_work work, transact_mode mode, diagnostics& diag,
                                                  boost::asio::any_io_executor ex,
                                                  boost::asio::any_completion_handler<transact_signature> h) {
    // Keeps the handler's executor busy (an io_context's run() must not return while a unit is
    // pending) and lets lead() post the completion straight to it: one hop instead of two.
    auto work_guard = boost::asio::prefer(boost::asio::get_associated_executor(h, ex),
                                          boost::asio::execution::outstanding_work.tracked);
    pending_unit unit{std::move(work), &diag, std::move(work_guard), std::move(h)};
    unit.repeatable = mode == transact_mode::repeatable;
    {
        std::lock_guard lk(group_mtx_);
        pending_.push_back(std::move(unit));
        if (leading_) return; // the running leader takes it into its next group: no thread hop
        leading_ = true;
    }
    // Never lead on the caller's thread: it may be an io thread, and the work blocks.
    boost::asio::post(ex, [this] { lead(); });
}

// Runs groups until none is waiting. Units that arrive meanwhile only queue, so their threads are
// free at once; the leader's thread does the store work of all of them.
KONGFLOW_ENDPOINTS_DECL void store::lead() {
    for (;;) {
        std::vector<pending_unit> group;
        {
            std::lock_guard lk(group_mtx_);
            while (!pending_.empty() && group.size() < max_group_) {
                group.push_back(std::move(pending_.front()));
                pending_.pop_front();
            }
            if (group.empty()) {
                leading_ = false;
                return;
            }
        }
        if (run_group(group)) {
            // Committed without waiting for the disk: the sync thread completes the units once
            // the WAL is synced, while this thread goes on with the next group.
            {
                std::lock_guard lk(sync_mtx_);
                for (auto& u : group) unsynced_.push_back(std::move(u));
            }
            sync_cv_.notify_one();
            continue;
        }
        complete(group);
    }
}

KONGFLOW_ENDPOINTS_DECL void store::complete(std::vector<pending_unit>& group) {
    for (auto& u : group) {
        // As asio's own post hands a handler over to its executor (possibly-blocking execute):
        // queued when this thread is not one of that executor's, as it is with a blocking pool.
        auto hex = std::move(u.handler_ex);
        hex.execute([h = std::move(u.handler), ec = u.ec, ids = std::move(u.ids)]() mutable {
            std::move(h)(ec, std::move(ids));
        });
    }
}

KONGFLOW_ENDPOINTS_DECL void store::start_syncer(std::string wal_path) {
    wal_ = std::make_unique<detail::wal_sync>(std::move(wal_path));
    syncer_ = std::thread([this] { sync_loop(); });
}

KONGFLOW_ENDPOINTS_DECL void store::sync_loop() {
    std::unique_lock lk(sync_mtx_);
    for (;;) {
        sync_cv_.wait(lk, [&] { return !unsynced_.empty() || sync_stop_; });
        if (unsynced_.empty()) return; // stopping, nothing left
        // Every group taken here committed before this sync starts, so one fdatasync covers them
        // all; groups that commit meanwhile wait for the next one.
        auto batch = std::move(unsynced_);
        unsynced_.clear();
        lk.unlock();
        auto ec = wal_->sync();
        syncs_.fetch_add(1, std::memory_order_relaxed);
        bool jobs = false;
        for (auto& u : batch) {
            if (u.ec) continue; // its work failed: that is its answer
            if (ec) {
                // Committed, but not known to be on disk: the caller must not count on it.
                u.ec = make_error_code(errc::storage_failure);
                u.ids.clear();
                *u.diag = diagnostics("the commit could not be made durable (syncing " + wal_->path() + ": " +
                                          ec.message() + ")",
                                      ec.message());
            }
            jobs = jobs || u.enqueued;
        }
        // This process's workers start the new jobs only once they are durable.
        if (jobs && !ec) detail::access::notify_enqueued(*queue_);
        complete(batch);
        lk.lock();
    }
}

KONGFLOW_ENDPOINTS_DECL store::~store() {
    if (syncer_.joinable()) {
        {
            std::lock_guard lk(sync_mtx_);
            sync_stop_ = true;
        }
        sync_cv_.notify_one();
        syncer_.join();
    }
}

KONGFLOW_ENDPOINTS_DECL void store::fail_unit(pending_unit& u, const error& ec) {
    u.ec = ec;
    u.ids.clear();
    u.enqueued = false;
    *u.diag = ec.diag();
}

KONGFLOW_ENDPOINTS_DECL void store::fail_rest(std::vector<pending_unit>& group, const error& ec) {
    for (auto& u : group)
        if (!u.ec) fail_unit(u, ec);
}

// Runs the group's units on `conn`, inside its open transaction. With savepoints, a unit that
// fails rolls back to its savepoint and the others go on; without, the first failure stops the
// run (the caller rolls the transaction back).
KONGFLOW_ENDPOINTS_DECL store::group_run store::run_units(detail::connection& conn, std::vector<pending_unit>& group,
                                                          bool savepoints) {
    auto lost = [&] {
        // SQLite rolled the whole transaction back (I/O error, full disk): no unit can be kept.
        if (conn.in_transaction()) return false;
        auto ec = detail::sqlite_set_failure(errc::storage_failure,
                                             "the transaction was rolled back by SQLite after an earlier error");
        for (auto& u : group) fail_unit(u, ec);
        return true;
    };
    for (auto& u : group) {
        if (savepoints) {
            if (auto sp = conn.exec_cached("SAVEPOINT kf_unit"); !sp) {
                fail_unit(u, detail::sqlite_fail(conn, sp.error(), "starting a unit of work"));
                if (lost()) return group_run::aborted;
                continue;
            }
        }
        detail::grouped_unit unit(conn, savepoints);
        result<void> r;
        try {
            r = u.work(unit);
        } catch (const std::exception& e) {
            r = detail::sqlite_set_failure(errc::storage_failure, std::string("the unit of work threw: ") + e.what());
        }
        if (lost()) return group_run::aborted;
        if (r && !unit.discarded()) {
            u.ids = unit.take_ids();
            u.enqueued = !u.ids.empty();
        } else {
            if (!r) fail_unit(u, r.error());
            if (!savepoints) return group_run::unit_failed;
            if (!unit.discarded()) (void)conn.exec_cached("ROLLBACK TO kf_unit");
        }
        if (savepoints) {
            if (auto rel = conn.exec_cached("RELEASE kf_unit"); !rel) {
                auto ec = detail::sqlite_fail(conn, rel.error(), "ending a unit of work");
                fail_rest(group, ec);
                return group_run::aborted;
            }
        }
    }
    return group_run::done;
}

KONGFLOW_ENDPOINTS_DECL bool store::run_group(std::vector<pending_unit>& group) {
    diagnostics d;
    auto lease = detail::access::pool_of(repo_)->acquire(d);
    if (!lease) {
        fail_rest(group, error(make_error_code(errc::storage_failure), d));
        return false;
    }
    auto& conn = **lease;
    const auto budget = detail::access::pool_of(repo_)->params().busy_timeout;
    // Pipelined: this commit writes the WAL without syncing it; the sync thread syncs it. The
    // connection goes back to the pool with its own setting.
    const bool pipelined = syncer_.joinable();
    detail::normal_sync_scope unsynced(
        conn, pipelined ? detail::commit_sync_pragma(detail::access::pool_of(repo_)->params().synchronous) : nullptr);
    if (unsynced.error()) {
        fail_rest(group, detail::sqlite_fail(conn, unsynced.error(), "starting a unit of work"));
        return false;
    }
    auto begin = [&] {
        if (auto b = detail::begin_immediate(conn, budget); !b) {
            fail_rest(group, detail::sqlite_fail(conn, b.error(), "starting a unit of work"));
            return false;
        }
        return true;
    };
    auto roll_back = [&] {
        if (conn.in_transaction()) (void)conn.exec("ROLLBACK");
    };
    if (!begin()) return false;
    // A savepoint per unit costs a create about a tenth of its store work, and is only needed to
    // keep the other units of a group when one fails. Without them, a failure rolls back the
    // whole transaction: final for a group of one (it held only that unit), else the group runs
    // again with savepoints, which needs every unit to be repeatable.
    const bool optimistic = group.size() == 1 ||
                            std::all_of(group.begin(), group.end(), [](const pending_unit& u) { return u.repeatable; });
    auto outcome = run_units(conn, group, !optimistic);
    if (outcome == group_run::unit_failed) {
        roll_back();
        if (group.size() == 1) return false; // its failure is its answer; nothing to commit
        reruns_.fetch_add(1, std::memory_order_relaxed);
        for (auto& u : group) {
            if (u.ec) *u.diag = {};
            u.ec = {};
            u.ids.clear();
            u.enqueued = false;
        }
        if (!begin()) return false;
        outcome = run_units(conn, group, true);
    }
    if (outcome == group_run::aborted) {
        roll_back();
        return false;
    }
    if (auto c = detail::commit(conn, budget); !c) {
        auto ec = detail::sqlite_fail(conn, c.error(), "committing"); // before ROLLBACK replaces errmsg
        roll_back();
        fail_rest(group, ec);
        return false;
    }
    units_.fetch_add(group.size(), std::memory_order_relaxed);
    transactions_.fetch_add(1, std::memory_order_relaxed);
    const bool jobs = std::any_of(group.begin(), group.end(), [](const pending_unit& u) { return u.enqueued; });
    // Pipelined, the sync thread wakes the workers once the jobs are durable.
    if (jobs && !pipelined) detail::access::notify_enqueued(*queue_);
    return pipelined;
}

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<store>> store::open(const std::string& path, const store_params& p) {
    auto repo = repository::open(path, p.file, p.repository);
    if (!repo) return repo.error();
    auto q = queue::open(path, p.file, p.queue);
    if (!q) return q.error();
    detail::access::pool_of(*repo)->set_on_open(
        [queue = q->get()](detail::connection& c) { detail::access::take_checkpoints_of(*queue, c); });
    std::unique_ptr<store> st(new store(std::move(*repo), std::move(*q), p.max_group_size));
    const bool full = detail::commit_sync_pragma(p.file.synchronous) != nullptr;
    if (p.pipelined_sync && full && p.file.wal && !p.file.read_only) {
        diagnostics d;
        auto lease = detail::access::pool_of(st->repo_)->acquire(d);
        if (!lease) return error(lease.error().code(), d);
        // Only a file in WAL mode: the sync thread syncs the WAL by its path.
        if (auto wal = detail::wal_sync::path_for(**lease); !wal.empty()) st->start_syncer(std::move(wal));
    }
    return st;
}

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> store::begin() {
    diagnostics d;
    auto lease = detail::access::pool_of(repo_)->acquire(d);
    if (!lease) return detail::sqlite_set_failure(errc::storage_failure, std::string(d.client_message()));
    const auto budget = detail::access::pool_of(repo_)->params().busy_timeout;
    if (auto b = detail::begin_immediate(**lease, budget); !b)
        return detail::sqlite_fail(**lease, b.error(), "starting a unit of work");
    return std::unique_ptr<unit_of_work>(std::make_unique<detail::unit>(std::move(*lease), *queue_, budget));
}

} // namespace kongflow::endpoints::sqlite

#endif
