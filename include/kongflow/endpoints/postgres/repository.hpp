// The PostgreSQL repository: the storage seam over one schema of a PostgreSQL database, shared by
// every thread of the process (a connection pool) and by every process that opens the same
// schema. Its tables are the "storage" component of the schema's migrations, applied at open.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_REPOSITORY_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_REPOSITORY_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/postgres/params.hpp>
#include <kongflow/endpoints/storage/repository.hpp>

#include <memory>
#include <string>
#include <vector>

namespace kongflow::endpoints::postgres {

namespace detail {
class connection;
class pool;
struct access;
} // namespace detail

/// Thread-safe. Every call is one statement (its own transaction) on a pooled connection, or,
/// for a repository bound to a unit of work, a statement of the unit's transaction. Expected
/// outcomes (a duplicate, a missing parent) are written so that PostgreSQL raises no error: a
/// failed call leaves a unit usable.
class repository final : public endpoints::repository {
public:
    /// Connects, creates the schema if needed and applies the migrations (both components: a
    /// store's queue shares them). A wrong connection string, a refused connection or wrong
    /// credentials fail with libpq's reason; a schema written by a newer library fails with
    /// errc::schema_too_new.
    KONGFLOW_ENDPOINTS_DECL static result<repository> open(const connection_params& p = {});

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

    /// Runs `f(connection&)` on the bound connection or a pooled one. A read that fails because
    /// the connection was lost (the server restarted) runs once more on a fresh connection.
    template <class F>
    auto run(bool read_only, F&& f) -> decltype(f(std::declval<detail::connection&>()));

    std::shared_ptr<detail::pool> pool_;
    detail::connection* bound_ = nullptr; ///< set: a repository bound to a unit of work's connection
};

} // namespace kongflow::endpoints::postgres

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/postgres/impl/repository.ipp>
#endif

#endif
