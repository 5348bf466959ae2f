// The SQLite repository: one database file, safe for several threads (a small connection pool)
// and several processes (WAL, busy timeout, BEGIN IMMEDIATE retried on SQLITE_BUSY). Its schema
// is the "storage" component of detail::sqlite::migrate, applied when the file is opened.
#ifndef KONGFLOW_ENDPOINTS_STORAGE_SQLITE_REPOSITORY_HPP
#define KONGFLOW_ENDPOINTS_STORAGE_SQLITE_REPOSITORY_HPP

#include <kongflow/endpoints/detail/sqlite.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/storage/repository.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kongflow::endpoints {

struct sqlite_repository_params {
    /// read_only: every write fails with errc::storage_failure; the schema must already be current.
    detail::sqlite::open_params open{};
    /// Connections kept open for reuse; more are opened on demand when threads contend.
    std::size_t max_idle_connections = 4;
};

namespace detail {

/// Connections to one file, handed out one per caller and returned when done.
class sqlite_pool {
public:
    sqlite_pool(std::string path, detail::sqlite::open_params params, std::size_t max_idle)
        : path_(std::move(path)), params_(std::move(params)), max_idle_(max_idle) {}

    class lease {
    public:
        lease(sqlite_pool* pool, detail::sqlite::connection c) : pool_(pool), c_(std::move(c)) {}
        lease(lease&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), c_(std::move(o.c_)) {}
        lease& operator=(lease&&) = delete;
        ~lease() {
            if (pool_) pool_->release(std::move(c_));
        }
        detail::sqlite::connection& operator*() noexcept { return c_; }
        detail::sqlite::connection* operator->() noexcept { return &c_; }

    private:
        sqlite_pool* pool_;
        detail::sqlite::connection c_;
    };

    /// An idle connection, or a new one. Open failures carry SQLite's message in `diag`.
    result<lease> acquire(diagnostics& diag) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (!idle_.empty()) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                return lease(this, std::move(c));
            }
        }
        auto c = detail::sqlite::connection::open(path_, params_);
        if (!c) {
            std::string server(c.error().diag().server_message());
            diag = diagnostics("cannot open the SQLite database " + path_ + ": " + c.error().message() +
                                   " (SQLite code " + std::to_string(c.error().value()) + ")",
                               server.empty() ? c.error().message() : server);
            return c.error();
        }
        if (on_open_) on_open_(*c);
        return lease(this, std::move(*c));
    }

    /// Runs `f` on every connection the pool opens from now on (and on the idle ones). Set it
    /// before the pool is shared between threads (sqlite_store uses it to move checkpoints off
    /// the committing connections).
    void set_on_open(std::function<void(detail::sqlite::connection&)> f) {
        std::lock_guard<std::mutex> lock(mu_);
        on_open_ = std::move(f);
        for (auto& c : idle_) on_open_(c);
    }

    const std::string& path() const noexcept { return path_; }
    const detail::sqlite::open_params& params() const noexcept { return params_; }

private:
    void release(detail::sqlite::connection c) {
        // A connection left inside a transaction (a bug or a failed ROLLBACK) is not reused.
        if (!c || c.in_transaction()) return;
        std::lock_guard<std::mutex> lock(mu_);
        if (idle_.size() < max_idle_) idle_.push_back(std::move(c));
    }

    std::string path_;
    detail::sqlite::open_params params_;
    std::size_t max_idle_;
    std::mutex mu_;
    std::vector<detail::sqlite::connection> idle_;
    std::function<void(detail::sqlite::connection&)> on_open_;
};

/// Starts a write transaction, retrying SQLITE_BUSY (which BEGIN IMMEDIATE can return without
/// waiting, e.g. during WAL recovery) until `budget` has passed.
KONGFLOW_ENDPOINTS_DECL result<void> sqlite_begin_immediate(detail::sqlite::connection& c,
                                                            std::chrono::milliseconds budget);
/// COMMIT, retrying SQLITE_BUSY. On failure the transaction may still be open: the caller reads
/// the diagnostics, then rolls back.
KONGFLOW_ENDPOINTS_DECL result<void> sqlite_commit(detail::sqlite::connection& c, std::chrono::milliseconds budget);

} // namespace detail

/// Thread-safe. Distinct objects on one file are safe across threads and processes.
class sqlite_repository final : public repository {
public:
    /// Opens or creates `path` and applies the storage migrations. A file that is not a database,
    /// or one written by a newer library (errc::schema_too_new), is refused with a clear error;
    /// `diag` says what happened.
    static result<sqlite_repository> open(const std::string& path, const sqlite_repository_params& p,
                                          diagnostics& diag);
    static result<sqlite_repository> open(const std::string& path, const sqlite_repository_params& p = {}) {
        diagnostics d;
        return open(path, p, d);
    }

    /// A repository whose calls all run on `c`, inside the transaction the caller holds on it
    /// (a unit of work). `c` must outlive it.
    static sqlite_repository bound_to(detail::sqlite::connection& c);

    /// The storage component's migrations: applies what is missing, or errc::schema_too_new.
    /// Writes nothing when the schema is current, so read-only files open fine.
    static result<int> migrate(detail::sqlite::connection& c);
    /// The schema version this library writes.
    static int schema_version() noexcept;

    sqlite_repository(sqlite_repository&&) noexcept = default;
    sqlite_repository& operator=(sqlite_repository&&) noexcept = default;

    result<organization> create_organization(const create_organization_params& p) override;
    result<organization> find_organization(const std::string& id) override;
    result<std::vector<organization>> list_organizations() override;
    result<project> create_project(const create_project_params& p) override;
    result<project> find_project(const std::string& id) override;
    result<std::vector<project>> list_projects(const std::string& organization_id) override;
    result<environment> create_environment(const create_environment_params& p) override;
    result<environment> find_environment(const std::string& id) override;
    result<environment> find_environment_by_api_key(const std::string& api_key) override;
    result<std::vector<environment>> list_environments(const std::string& project_id) override;
    result<endpoint> find_endpoint(const std::string& id) override;
    result<endpoint> find_endpoint_by_slug(const std::string& environment_id, const std::string& slug) override;
    result<upsert_endpoint_result> upsert_endpoint(const upsert_endpoint_params& p) override;
    result<endpoint> update_endpoint(const update_endpoint_params& p) override;
    result<std::vector<endpoint>> list_endpoints(const std::string& environment_id) override;
    result<endpoint> delete_endpoint(const std::string& id) override;
    result<std::vector<endpoint>> find_endpoints_for_recurring_index(const recurring_index_params& p) override;
    result<endpoint_index> create_index(const create_index_params& p) override;
    result<endpoint_index> update_index(const update_index_params& p) override;
    result<endpoint_index> find_index(const std::string& id) override;
    result<std::vector<endpoint_index>> list_indexes(const std::string& endpoint_id, std::size_t limit) override;
    result<std::vector<endpoint_index>> last_indexes(const last_indexes_params& p) override;
    result<std::size_t> purge_indexes_older_than(timestamp cutoff) override;
    result<registered_job> upsert_job(const upsert_job_params& p) override;
    result<bool> disable_job(const disable_job_params& p) override;
    result<registered_job> find_job(const std::string& endpoint_id, const std::string& slug) override;
    result<std::vector<registered_job>> list_jobs(const std::string& endpoint_id) override;
    result<registration> upsert_registration(const upsert_registration_params& p) override;
    result<std::vector<registration>> list_registrations(const std::string& endpoint_id,
                                                         std::optional<registration_kind> kind) override;
    result<void> delete_registration(const std::string& endpoint_id, registration_kind kind,
                                     const std::string& key) override;

    /// The pool, shared with sqlite_store's units of work.
    const std::shared_ptr<detail::sqlite_pool>& pool() const noexcept { return pool_; }

private:
    sqlite_repository() = default;

    template <class F>
    auto read(F&& f) -> decltype(f(std::declval<detail::sqlite::connection&>()));
    template <class F>
    auto write(F&& f) -> decltype(f(std::declval<detail::sqlite::connection&>()));

    std::shared_ptr<detail::sqlite_pool> pool_;
    detail::sqlite::connection* bound_ = nullptr;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/storage/impl/sqlite_repository.ipp>
#endif

#endif
