// The in-memory store: repository + queue with units of work spanning both.
#ifndef KONGFLOW_ENDPOINTS_MEMORY_STORE_HPP
#define KONGFLOW_ENDPOINTS_MEMORY_STORE_HPP

#include <kongflow/endpoints/memory/queue.hpp>
#include <kongflow/endpoints/memory/repository.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <memory>

namespace kongflow::endpoints::memory {

/// Thread-safe. A unit of work holds the repository's mutex for its lifetime and keeps an undo
/// log, so a rollback restores the repository exactly; its jobs are buffered and handed to the
/// queue in one enqueue_batch at commit, under the same mutex, so they appear together with the
/// rows (a failing batch rolls the rows back).
class store final : public endpoints::store {
public:
    store() = default;
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    repository& repo() override { return repo_; }
    queue& jobs() override { return queue_; }

    /// errc::conflict when the calling thread already holds a unit of work on this store.
    KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> begin() override;

private:
    repository repo_;
    queue queue_;
};

} // namespace kongflow::endpoints::memory

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/memory/impl/store.ipp>
#endif

#endif
