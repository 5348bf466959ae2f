// The SQLite store: sqlite_repository + sqlite_queue in one file, with units of work that span
// both in one SQLite transaction.
#ifndef KONGFLOW_ENDPOINTS_STORAGE_SQLITE_STORE_HPP
#define KONGFLOW_ENDPOINTS_STORAGE_SQLITE_STORE_HPP

#include <kongflow/endpoints/queue/sqlite_queue.hpp>
#include <kongflow/endpoints/storage/sqlite_repository.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <memory>
#include <string>

namespace kongflow::endpoints {

struct sqlite_store_params {
    sqlite_repository_params repository;
    sqlite_queue_params queue;
};

/// Thread-safe; several processes may open the same file. A unit of work takes a connection of
/// the repository's pool, starts BEGIN IMMEDIATE (retried on SQLITE_BUSY), runs the repository
/// and sqlite_queue::enqueue_in on that connection, and wakes this process's workers after COMMIT.
class sqlite_store final : public store {
public:
    /// Opens or creates the file and applies both components' migrations ("storage", "queue").
    KONGFLOW_ENDPOINTS_DECL static result<std::unique_ptr<sqlite_store>> open(const std::string& path,
                                                                              const sqlite_store_params& p,
                                                                              diagnostics& diag);
    static result<std::unique_ptr<sqlite_store>> open(const std::string& path, const sqlite_store_params& p = {}) {
        diagnostics d;
        return open(path, p, d);
    }

    repository& repo() override { return repo_; }
    queue& jobs() override { return *queue_; }
    sqlite_repository& sqlite_repo() noexcept { return repo_; }
    sqlite_queue& sqlite_jobs() noexcept { return *queue_; }

    KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<unit_of_work>> begin() override;

private:
    sqlite_store(sqlite_repository repo, std::unique_ptr<sqlite_queue> q)
        : repo_(std::move(repo)), queue_(std::move(q)) {}

    sqlite_repository repo_;
    std::unique_ptr<sqlite_queue> queue_;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/storage/impl/sqlite_store.ipp>
#endif

#endif
