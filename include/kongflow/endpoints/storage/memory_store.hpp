// The in-memory store: memory_repository + memory_queue with units of work spanning both.
#ifndef KONGFLOW_ENDPOINTS_STORAGE_MEMORY_STORE_HPP
#define KONGFLOW_ENDPOINTS_STORAGE_MEMORY_STORE_HPP

#include <kongflow/endpoints/queue/memory_queue.hpp>
#include <kongflow/endpoints/storage/memory_repository.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <memory>

namespace kongflow::endpoints {

/// Thread-safe. A unit of work holds the repository's mutex for its lifetime and keeps an undo
/// log, so a rollback restores the repository exactly; its jobs are buffered and handed to the
/// queue in one enqueue_batch at commit, under the same mutex, so they appear together with the
/// rows (a failing batch rolls the rows back).
class memory_store final : public store {
public:
    memory_store() = default;
    memory_store(const memory_store&) = delete;
    memory_store& operator=(const memory_store&) = delete;

    repository& repo() override { return repo_; }
    queue& jobs() override { return queue_; }
    memory_repository& memory_repo() noexcept { return repo_; }
    memory_queue& memory_jobs() noexcept { return queue_; }

    /// errc::conflict when the calling thread already holds a unit of work on this store.
    KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> begin() override;

private:
    memory_repository repo_;
    memory_queue queue_;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/storage/impl/memory_store.ipp>
#endif

#endif
