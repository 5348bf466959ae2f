#ifndef KONGFLOW_ENDPOINTS_STORAGE_IMPL_SQLITE_STORE_IPP
#define KONGFLOW_ENDPOINTS_STORAGE_IMPL_SQLITE_STORE_IPP

#include <kongflow/endpoints/storage/sqlite_store.hpp>

#include <span>

namespace kongflow::endpoints {
namespace detail {

class sqlite_unit_of_work final : public unit_of_work {
public:
    sqlite_unit_of_work(sqlite_pool::lease lease, sqlite_queue& jobs, std::chrono::milliseconds budget)
        : lease_(std::move(lease)), repo_(sqlite_repository::bound_to(*lease_)), jobs_(jobs), budget_(budget) {}
    ~sqlite_unit_of_work() override { rollback(); }

    repository& repo() override { return repo_; }

    result<void> enqueue(const job_request& job) override {
        if (done_) return finished();
        auto r = sqlite_queue::enqueue_in(*lease_, std::span<const job_request>(&job, 1));
        if (!r) {
            if (r.error().category() == get_sqlite_category()) return sqlite_fail(*lease_, r.error(), "enqueueing a job");
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
        if (auto c = sqlite_commit(*lease_, budget_); !c) return sqlite_fail(*lease_, c.error(), "committing");
        if (!ids_.empty()) jobs_.notify_enqueued();
        return std::move(ids_);
    }

    void rollback() noexcept override {
        if (done_) return;
        done_ = true;
        if (lease_->in_transaction()) (void)lease_->exec("ROLLBACK");
    }

private:
    static error_code finished() {
        return sqlite_set_failure(errc::invalid_argument, "the unit of work has already been committed or rolled back");
    }

    sqlite_pool::lease lease_;
    sqlite_repository repo_;
    sqlite_queue& jobs_;
    std::chrono::milliseconds budget_;
    std::vector<job_id> ids_;
    bool done_ = false;
};

} // namespace detail

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<sqlite_store>> sqlite_store::open(const std::string& path,
                                                                                 const sqlite_store_params& p,
                                                                                 diagnostics& diag) {
    auto repo = sqlite_repository::open(path, p.repository, diag);
    if (!repo) return repo.error();
    auto q = sqlite_queue::open(path, p.queue);
    if (!q) {
        diag = diagnostics(path + ": cannot open the job queue: " + q.error().message());
        return q.error();
    }
    return std::unique_ptr<sqlite_store>(new sqlite_store(std::move(*repo), std::move(*q)));
}

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> sqlite_store::begin() {
    diagnostics d;
    auto lease = repo_.pool()->acquire(d);
    if (!lease) return detail::sqlite_set_failure(errc::storage_failure, std::string(d.client_message()));
    const auto budget = repo_.pool()->params().busy_timeout;
    if (auto b = detail::sqlite_begin_immediate(**lease, budget); !b)
        return detail::sqlite_fail(**lease, b.error(), "starting a unit of work");
    return std::unique_ptr<unit_of_work>(
        std::make_unique<detail::sqlite_unit_of_work>(std::move(*lease), *queue_, budget));
}

} // namespace kongflow::endpoints

#endif
