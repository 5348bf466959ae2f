// The PostgreSQL store: postgres::repository + postgres::queue in one schema, with units of work
// that span both in one PostgreSQL transaction. Several processes on several hosts may open the
// same schema: they share every endpoint, index and job.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_STORE_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_STORE_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/postgres/params.hpp>
#include <kongflow/endpoints/postgres/queue.hpp>
#include <kongflow/endpoints/postgres/repository.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <boost/asio/thread_pool.hpp>

#include <memory>

namespace kongflow::endpoints::postgres {

/// Thread-safe. The repository, the queue and the units of work share one connection pool
/// (connection_params::max_connections). A unit holds a connection and its transaction until it
/// ends. PostgreSQL runs concurrent units side by side and flushes the commits that wait together
/// in one WAL write, so async_transact runs one unit per transaction, as many at once as the pool
/// has connections, on threads the store owns (max_connections of them): a caller's small
/// blocking pool would otherwise let only a few commits wait at a time, one fsync each.
class store final : public endpoints::store {
public:
    /// Connects, creates the schema if needed, applies the migrations, starts the queue's listener.
    KONGFLOW_ENDPOINTS_DECL static result<std::unique_ptr<store>> open(const store_params& p = {});

    repository& repo() override { return repo_; }
    queue& jobs() override { return *queue_; }

    /// BEGIN on a pooled connection. The unit's repository calls are statements of its
    /// transaction, written so that expected outcomes (not found, already exists) raise no error
    /// and leave the unit usable; a failure of the server itself (the connection lost) ends it.
    KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> begin() override;

    /// Waits for the units still running.
    KONGFLOW_ENDPOINTS_DECL ~store() override;

protected:
    KONGFLOW_ENDPOINTS_DECL void transact_impl(transact_work work, transact_mode mode, diagnostics& diag,
                                               boost::asio::any_io_executor ex,
                                               boost::asio::any_completion_handler<transact_signature> h) override;

private:
    store(std::shared_ptr<detail::pool> p, repository r, std::unique_ptr<queue> q, std::size_t threads)
            : pool_(std::move(p)), repo_(std::move(r)), queue_(std::move(q)),
              units_(std::make_unique<boost::asio::thread_pool>(threads)) {}

    std::shared_ptr<detail::pool> pool_;
    repository repo_;
    std::unique_ptr<queue> queue_;
    std::unique_ptr<boost::asio::thread_pool> units_; ///< runs async_transact's units
};

} // namespace kongflow::endpoints::postgres

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/postgres/impl/store.ipp>
#endif

#endif
