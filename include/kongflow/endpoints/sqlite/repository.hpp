// The SQLite repository: one database file, safe for several threads (a small connection pool)
// and several processes (WAL, busy timeout, BEGIN IMMEDIATE retried on SQLITE_BUSY). Its schema
// (sqlite/detail/schema.hpp) is the "storage" component of kongflow_schema, migrated at open.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_REPOSITORY_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_REPOSITORY_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/sqlite/params.hpp>
#include <kongflow/endpoints/storage/repository.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kongflow::endpoints::sqlite {

namespace detail {
class connection;
class pool;
struct access;
} // namespace detail

/// Thread-safe. Distinct objects on one file are safe across threads and processes.
class repository final : public endpoints::repository {
public:
    /// Opens or creates `path` and applies the storage migrations. A file that is not a database,
    /// or one written by a newer library (errc::schema_too_new), or settings SQLite would misread
    /// (errc::invalid_argument) are refused with a clear error: the error's diagnostics say what
    /// happened, with SQLite's own text.
    KONGFLOW_ENDPOINTS_DECL static result<repository> open(const std::string& path, const file_params& file = {},
                                                           const repository_params& p = {});

    /// The storage schema version this library writes.
    KONGFLOW_ENDPOINTS_DECL static int schema_version() noexcept;

    repository(repository&&) noexcept = default;
    repository& operator=(repository&&) noexcept = default;

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

private:
    friend struct detail::access;
    repository() = default;

    template <class F>
    auto read(F&& f) -> decltype(f(std::declval<detail::connection&>()));
    template <class F>
    auto write(F&& f) -> decltype(f(std::declval<detail::connection&>()));

    std::shared_ptr<detail::pool> pool_;
    detail::connection* bound_ = nullptr; ///< set: a repository bound to a unit of work's connection
};

} // namespace kongflow::endpoints::sqlite

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/sqlite/impl/repository.ipp>
#endif

#endif
