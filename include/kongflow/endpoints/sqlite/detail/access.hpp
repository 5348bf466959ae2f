// The hooks between the SQLite backend's components (Boost.MySQL's detail::access): a store's
// units of work run the repository and the queue on the connection that holds their transaction,
// and hand checkpoints and wake-ups to the queue. Not part of the public interface.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_DETAIL_ACCESS_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_DETAIL_ACCESS_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/sqlite/detail/connection.hpp>
#include <kongflow/endpoints/sqlite/detail/pool.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>
#include <kongflow/endpoints/sqlite/repository.hpp>

#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace kongflow::endpoints::sqlite::detail {

/// The storage component's migrations on `c` (applied by repository::open).
KONGFLOW_ENDPOINTS_DECL result<int> migrate_storage(connection& c);
/// The queue's migrations on `c` (applied by queue::open).
KONGFLOW_ENDPOINTS_DECL result<void> migrate_queue(connection& c);
/// Enqueues on a connection where the caller holds a write transaction; visible at its commit.
KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_in(connection& c, std::span<const job_request> jobs);

struct access {
    /// A repository whose calls all run on `c`, inside the transaction the caller holds on it (a
    /// unit of work). `c` must outlive it.
    static repository bound_to(connection& c) {
        repository r;
        r.bound_ = &c;
        return r;
    }
    /// The repository's connections, shared with the units of work of its store.
    static const std::shared_ptr<pool>& pool_of(const repository& r) noexcept { return r.pool_; }

    /// Wakes this process's workers (after a transaction that used enqueue_in committed).
    static void notify_enqueued(queue& q) { q.notify_listeners(); }
    static void take_checkpoints_of(queue& q, connection& c) { q.take_checkpoints_of(c); }
    /// Runs `f(connection&)` under the queue's lock (checkpoints; PRAGMAs in tests).
    template <class F>
    static auto with_connection(queue& q, F&& f) {
        std::lock_guard lk(q.conn_mtx_);
        return f(q.conn_);
    }
};

} // namespace kongflow::endpoints::sqlite::detail

#endif
