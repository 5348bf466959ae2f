#ifndef KONGFLOW_ENDPOINTS_MEMORY_IMPL_STORE_IPP
#define KONGFLOW_ENDPOINTS_MEMORY_IMPL_STORE_IPP

#include <kongflow/endpoints/memory/store.hpp>

#include <mutex>
#include <span>
#include <thread>

namespace kongflow::endpoints::memory {
namespace detail {

class unit final : public endpoints::unit_of_work {
public:
    unit(std::unique_lock<std::mutex> lock, std::atomic<std::thread::id>& owner, core& core, queue& jobs)
            : lock_(std::move(lock)), owner_(owner), core_(core), jobs_(jobs) {
        owner_.store(std::this_thread::get_id(), std::memory_order_release);
        core_.begin_undo();
    }
    ~unit() override { rollback(); }

    endpoints::repository& repo() override { return core_; }

    result<void> enqueue(const job_request& job) override {
        if (!lock_) return finished();
        if (auto ec = queue::validate(job)) return ec;
        pending_.push_back(job);
        return {};
    }

    result<std::vector<job_id>> commit() override {
        if (!lock_) return finished();
        std::vector<job_id> ids;
        if (!pending_.empty()) {
            auto r = jobs_.enqueue_batch(std::span<const job_request>(pending_));
            if (!r) {
                core_.apply_undo();
                end();
                return r.error();
            }
            ids = std::move(*r);
        }
        core_.drop_undo();
        end();
        return ids;
    }

    void rollback() noexcept override {
        if (!lock_) return;
        core_.apply_undo();
        end();
    }

private:
    static error finished() {
        return fail(errc::invalid_argument, "the unit of work has already been committed or rolled back");
    }
    void end() noexcept {
        pending_.clear();
        owner_.store(std::thread::id(), std::memory_order_release);
        lock_.unlock();
    }

    std::unique_lock<std::mutex> lock_;
    std::atomic<std::thread::id>& owner_;
    core& core_;
    queue& jobs_;
    std::vector<job_request> pending_;
};

} // namespace detail

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> store::begin() {
    if (repo_.owner_.load(std::memory_order_acquire) == std::this_thread::get_id())
        return detail::fail(errc::conflict, "this thread already holds a unit of work on this store");
    std::unique_lock<std::mutex> lock(repo_.mu_);
    return std::unique_ptr<unit_of_work>(
        std::make_unique<detail::unit>(std::move(lock), repo_.owner_, repo_.core_, queue_));
}

} // namespace kongflow::endpoints::memory

#endif
