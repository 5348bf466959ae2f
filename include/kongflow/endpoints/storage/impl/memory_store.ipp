#ifndef KONGFLOW_ENDPOINTS_STORAGE_IMPL_MEMORY_STORE_IPP
#define KONGFLOW_ENDPOINTS_STORAGE_IMPL_MEMORY_STORE_IPP

#include <kongflow/endpoints/storage/memory_store.hpp>

#include <mutex>
#include <span>
#include <thread>

namespace kongflow::endpoints {
namespace detail {

class memory_unit_of_work final : public unit_of_work {
public:
    memory_unit_of_work(std::unique_lock<std::mutex> lock, std::atomic<std::thread::id>& owner, memory_core& core,
                        memory_queue& jobs)
        : lock_(std::move(lock)), owner_(owner), core_(core), jobs_(jobs) {
        owner_.store(std::this_thread::get_id(), std::memory_order_release);
        core_.begin_undo();
    }
    ~memory_unit_of_work() override { rollback(); }

    repository& repo() override { return core_; }

    result<void> enqueue(const job_request& job) override {
        if (!lock_) return finished();
        if (auto ec = memory_queue::validate(job)) return ec;
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
    static error_code finished() {
        return memory_fail(errc::invalid_argument, "the unit of work has already been committed or rolled back");
    }
    void end() noexcept {
        pending_.clear();
        owner_.store(std::thread::id(), std::memory_order_release);
        lock_.unlock();
    }

    std::unique_lock<std::mutex> lock_;
    std::atomic<std::thread::id>& owner_;
    memory_core& core_;
    memory_queue& jobs_;
    std::vector<job_request> pending_;
};

} // namespace detail

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> memory_store::begin() {
    if (repo_.owner_.load(std::memory_order_acquire) == std::this_thread::get_id())
        return detail::memory_fail(errc::conflict, "this thread already holds a unit of work on this store");
    std::unique_lock<std::mutex> lock(repo_.mu_);
    return std::unique_ptr<unit_of_work>(
        std::make_unique<detail::memory_unit_of_work>(std::move(lock), repo_.owner_, repo_.core_, queue_));
}

} // namespace kongflow::endpoints

#endif
