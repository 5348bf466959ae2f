// The hooks between the PostgreSQL backend's components (Boost.MySQL's detail::access): a store's
// units of work run the repository and the queue on the connection that holds their transaction.
// Not part of the public interface.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_ACCESS_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_ACCESS_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/postgres/detail/connection.hpp>
#include <kongflow/endpoints/postgres/queue.hpp>
#include <kongflow/endpoints/postgres/repository.hpp>

#include <memory>
#include <span>
#include <vector>

namespace kongflow::endpoints::postgres::detail {

/// Enqueues on `c` with the queue's validation and job_key rules; `c` holds the caller's
/// transaction (a unit of work), so nothing is visible before its commit.
KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_in(connection& c, std::span<const job_request> jobs);

struct access {
    static repository repository_on(std::shared_ptr<pool> p) {
        repository r;
        r.pool_ = std::move(p);
        return r;
    }
    /// A repository whose calls all run on `c`, inside the transaction the caller holds on it.
    static repository bound_to(connection& c) {
        repository r;
        r.bound_ = &c;
        return r;
    }
    static std::unique_ptr<queue> queue_on(std::shared_ptr<pool> p, const queue_params& params) {
        std::unique_ptr<queue> q(new queue(std::move(p), params));
        if (params.listen) q->start_listener();
        return q;
    }
    /// After a unit that enqueued committed on `c`.
    static void enqueued(queue& q, connection& c) { q.enqueued(c); }
};

} // namespace kongflow::endpoints::postgres::detail

#endif
