#ifndef KONGFLOW_ENDPOINTS_POSTGRES_IMPL_STORE_IPP
#define KONGFLOW_ENDPOINTS_POSTGRES_IMPL_STORE_IPP

#include <kongflow/endpoints/postgres/detail/access.hpp>
#include <kongflow/endpoints/postgres/detail/connection.hpp>
#include <kongflow/endpoints/postgres/store.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <optional>

namespace kongflow::endpoints::postgres {
namespace detail {

class unit final : public unit_of_work {
public:
    unit(pool::lease lease, queue& q) : lease_(std::move(lease)), repo_(access::bound_to(*lease_)), queue_(q) {}
    ~unit() override { rollback(); }

    endpoints::repository& repo() override { return repo_; }

    result<void> enqueue(const job_request& job) override {
        if (finished_) return pg_failure(errc::invalid_argument, "the unit of work has ended");
        auto ids = enqueue_in(*lease_, std::span<const job_request>(&job, 1));
        if (!ids) return ids.error();
        ids_.push_back(ids->front());
        return {};
    }

    result<std::vector<job_id>> commit() override {
        if (finished_) return pg_failure(errc::invalid_argument, "the unit of work has ended");
        finished_ = true;
        auto c = lease_->exec("COMMIT", "committing the unit of work");
        if (!c) {
            (void)lease_->exec("ROLLBACK");
            return c.error();
        }
        // COMMIT of a transaction a failed statement aborted "succeeds" as a ROLLBACK: say so.
        if (c->command() != "COMMIT")
            return pg_failure(errc::storage_failure,
                              "the unit of work was rolled back: a statement in it failed (see its error)");
        if (!ids_.empty()) access::enqueued(queue_, *lease_);
        return std::move(ids_);
    }

    void rollback() noexcept override {
        if (finished_) return;
        finished_ = true;
        (void)lease_->exec("ROLLBACK");
    }

private:
    pool::lease lease_;
    repository repo_;
    queue& queue_;
    std::vector<job_id> ids_;
    bool finished_ = false;
};

} // namespace detail

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<store>> store::open(const store_params& p) {
    auto pl = detail::open_pool(p.connection);
    if (!pl) return pl.error();
    auto q = detail::access::queue_on(*pl, p.queue);
    auto r = detail::access::repository_on(*pl);
    return std::unique_ptr<store>(new store(std::move(*pl), std::move(r), std::move(q), p.connection.max_connections));
}

KONGFLOW_ENDPOINTS_DECL store::~store() {
    if (units_) units_->join();
}

KONGFLOW_ENDPOINTS_DECL void store::transact_impl(transact_work work, transact_mode, diagnostics& diag,
                                                  boost::asio::any_io_executor ex,
                                                  boost::asio::any_completion_handler<transact_signature> h) {
    namespace asio = boost::asio;
    // The caller's executor keeps outstanding work until the handler ran on it.
    auto tracked = asio::prefer(ex, asio::execution::outstanding_work.tracked);
    asio::post(*units_, [this, work = std::move(work), &diag, tracked, h = std::move(h)]() mutable {
        auto r = run_unit(work, diag);
        error_code ec = r ? error_code{} : r.error();
        std::vector<job_id> ids = r ? std::move(*r) : std::vector<job_id>{};
        asio::post(tracked, asio::append(std::move(h), ec, std::move(ids))); // runs on h's executor
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> store::begin() {
    for (int attempt = 0;; ++attempt) {
        auto c = pool_->acquire();
        if (!c) return c.error();
        if (auto b = (*c)->exec("BEGIN", "starting a unit of work"); !b) {
            if ((*c)->ok() || attempt > 0) return b.error();
            pool_->drop_idle(); // a connection the server dropped: nothing was done, try a fresh one
            continue;
        }
        return std::unique_ptr<unit_of_work>(new detail::unit(std::move(*c), *queue_));
    }
}

} // namespace kongflow::endpoints::postgres

#endif
