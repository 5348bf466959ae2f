// A unit of work: repository writes and queue enqueues that commit or roll back as one, when the
// repository and the queue live in one store (one SQLite file, or the in-memory store).
// "Upsert the endpoint, create a PENDING index, enqueue its indexing job" is one unit.
#ifndef KONGFLOW_ENDPOINTS_STORAGE_UNIT_OF_WORK_HPP
#define KONGFLOW_ENDPOINTS_STORAGE_UNIT_OF_WORK_HPP

#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/queue/job.hpp>
#include <kongflow/endpoints/storage/repository.hpp>

#include <vector>

namespace kongflow::endpoints {

/// Obtained from store::begin(). Destroying it without commit() rolls everything back.
///
/// Thread safety: use a unit on the thread that began it, and keep it short: it holds the store's
/// write lock (the memory store's mutex, SQLite's write lock) until it ends. On that thread, use
/// only repo() for repository calls while the unit is open (the store's own repository waits for
/// the unit to end: the memory store answers errc::conflict rather than deadlocking).
class unit_of_work {
public:
    virtual ~unit_of_work() = default;

    /// The repository bound to this unit: its writes are part of the unit, its reads see them.
    /// A failed call changes nothing; the unit stays usable (commit or not, as you decide).
    virtual repository& repo() = 0;

    /// Adds a job that becomes visible to workers only when, and if, the unit commits. Invalid
    /// requests are refused here (errc::unknown_job_kind, errc::invalid_argument), not at commit.
    virtual result<void> enqueue(const job_request& job) = 0;

    /// Makes the repository writes and the jobs durable together. Returns the ids of the enqueued
    /// jobs in enqueue order. On failure nothing is kept. Afterwards the unit is finished: further
    /// calls give errc::invalid_argument.
    virtual result<std::vector<job_id>> commit() = 0;

    /// Discards every write and job of the unit; what the destructor does when not committed.
    virtual void rollback() noexcept = 0;
};

} // namespace kongflow::endpoints

#endif
