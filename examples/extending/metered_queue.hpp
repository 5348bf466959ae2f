// A queue of your own (docs/extending.md): a decorator over any queue driver that counts the
// calls a worker makes and the jobs it enqueues. It must pass the queue conformance suite like the
// driver it wraps (examples/extending/conformance.cpp checks both).
#ifndef KONGFLOW_EXAMPLES_EXTENDING_METERED_QUEUE_HPP
#define KONGFLOW_EXAMPLES_EXTENDING_METERED_QUEUE_HPP

#include <kongflow/endpoints/queue/queue.hpp>

#include <atomic>
#include <cstdint>
#include <memory>

namespace example {
namespace kf = kongflow::endpoints;

// [metered_queue]
class metered_queue final : public kf::queue {
public:
    explicit metered_queue(std::unique_ptr<kf::queue> inner) : inner_(std::move(inner)) {
        // The inner driver wakes its own listeners after a commit; workers listen to us.
        token_ = inner_->add_listener([this] { notify_listeners(); });
    }
    ~metered_queue() override { inner_->remove_listener(token_); }

    std::atomic<std::uint64_t> calls{0}, enqueued{0}, claimed{0};

    kf::result<std::vector<kf::job_id>> enqueue_batch(std::span<const kf::job_request> jobs) override {
        ++calls;
        auto r = inner_->enqueue_batch(jobs);
        if (r) enqueued += r->size();
        return r;
    }
    kf::result<kf::job_id> enqueue(const kf::job_request& job) override {
        ++calls;
        auto r = inner_->enqueue(job); // keeps the driver's group commit
        if (r) ++enqueued;
        return r;
    }
    kf::result<std::vector<kf::job_row>> claim(const kf::claim_params& p) override {
        ++calls;
        auto r = inner_->claim(p);
        if (r) claimed += r->size();
        return r;
    }
    kf::result<std::size_t> complete(const kf::complete_params& p) override { return counted(inner_->complete(p)); }
    kf::result<std::vector<kf::job_row>> complete_and_claim(const kf::complete_params& done,
                                                            const kf::claim_params& next) override {
        ++calls;
        auto r = inner_->complete_and_claim(done, next); // keeps the driver's one-transaction cycle
        if (r) claimed += r->size();
        return r;
    }
    kf::result<std::vector<kf::job_id>> heartbeat(const kf::heartbeat_params& p) override {
        return counted(inner_->heartbeat(p));
    }
    kf::result<std::size_t> rescue(const kf::rescue_params& p) override { return counted(inner_->rescue(p)); }
    kf::result<std::size_t> release(const std::string& owner, std::span<const kf::job_id> ids) override {
        return counted(inner_->release(owner, ids));
    }
    kf::result<void> cancel(kf::job_id id) override { return counted(inner_->cancel(id)); }
    kf::result<void> retry(kf::job_id id) override { return counted(inner_->retry(id)); }
    kf::result<kf::job_row> get(kf::job_id id) override { return counted(inner_->get(id)); }
    kf::result<std::size_t> cleanup(const kf::cleanup_params& p) override { return counted(inner_->cleanup(p)); }
    kf::result<kf::queue_stats> stats(kf::timestamp now) override { return counted(inner_->stats(now)); }
    kf::result<std::vector<kf::job_row>> list_jobs(const kf::list_jobs_params& p) override {
        return counted(inner_->list_jobs(p));
    }

private:
    template <class T>
    T counted(T r) {
        ++calls;
        return r;
    }

    std::unique_ptr<kf::queue> inner_;
    std::uint64_t token_ = 0;
};
// [metered_queue]

} // namespace example

#endif
