// The storage seam: every read and write the Endpoints service makes. Synchronous virtual
// functions returning result<T> (style.md §3.4.7), whose error carries the diagnostics (which
// constraint, the database's own text); implementations must not throw across it.
// memory::, sqlite:: and postgres::repository implement it; testing/repository_conformance.hpp checks
// that any implementation (yours too) behaves like them.
#ifndef KONGFLOW_ENDPOINTS_STORAGE_REPOSITORY_HPP
#define KONGFLOW_ENDPOINTS_STORAGE_REPOSITORY_HPP

#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/model.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kongflow::endpoints {

struct create_organization_params {
    std::string slug{};
    std::string title{};
    std::optional<timestamp> now{}; ///< defaults to the current time
};

struct create_project_params {
    std::string organization_id{};
    std::string slug{};
    std::string name{};
    std::optional<timestamp> now{};
};

struct create_environment_params {
    std::string organization_id{};
    std::string project_id{};
    std::string slug{};
    environment_type type = environment_type::development;
    std::string api_key{}; ///< must be non-empty and unique
    std::optional<timestamp> now{};
};

/// CreateEndpointService's upsert on (environment_id, slug), protocol.md C.1.
struct upsert_endpoint_params {
    std::string environment_id{};
    std::string organization_id{};
    std::string project_id{};
    std::string slug{};
    std::string url{};
    /// Create: the version to store ("unknown" when absent). Update: absent = unchanged.
    std::optional<std::string> version{};
    /// Used only when the row is created; an update keeps the stored identifier.
    std::string indexing_hook_identifier{};
    std::optional<timestamp> now{};
};

struct upsert_endpoint_result {
    endpoint value{};
    bool created = false; ///< false: an existing row (possibly soft-deleted) was updated
};

/// Changes to an endpoint; absent fields are left unchanged.
struct update_endpoint_params {
    std::string id{};
    std::optional<std::string> url{};
    std::optional<std::string> version{};
    std::optional<std::string> sdk_version{};
    std::optional<std::int64_t> run_chunk_execution_limit{};
    std::optional<timestamp> now{};
};

struct create_index_params {
    std::string endpoint_id{};
    index_source source = index_source::internal;
    std::optional<std::string> reason{};
    boost::json::value source_data{}; ///< null when absent
    index_status status = index_status::pending;
    std::optional<timestamp> now{}; ///< created_at and updated_at
};

/// Changes to an index; absent fields are left unchanged. To clear a JSON column, pass a null.
struct update_index_params {
    std::string id{};
    std::optional<index_status> status{};
    std::optional<boost::json::value> stats{};
    std::optional<boost::json::value> data{};
    std::optional<boost::json::value> error{};
    std::optional<timestamp> now{};
};

/// protocol.md C.6: endpoints with a url, in one of `types`, with no index created after `since`.
struct recurring_index_params {
    std::vector<environment_type> types{environment_type::production, environment_type::staging};
    timestamp since{};
};

struct last_indexes_params {
    std::string endpoint_id{};
    std::size_t n = 0;
    std::optional<std::string> excluding_index_id{}; ///< the index being processed
};

/// Creates or replaces the job (endpoint_id, slug): version, definition and flags are overwritten.
struct upsert_job_params {
    std::string endpoint_id{};
    std::string slug{};
    std::string version{};
    boost::json::value definition{};
    bool enabled = true;
    bool internal = false;
    std::optional<timestamp> now{};
};

struct disable_job_params {
    std::string endpoint_id{};
    std::string slug{};
    /// When set, disable only if the stored version is this one.
    std::optional<std::string> version{};
    std::optional<timestamp> now{};
};

/// Creates or replaces the registration (endpoint_id, kind, key).
struct upsert_registration_params {
    std::string endpoint_id{};
    registration_kind kind = registration_kind::source;
    std::string key{};
    boost::json::value definition{};
    bool enabled = true;
    std::optional<timestamp> now{};
};

class repository {
public:
    virtual ~repository() = default;

    // Organizations, projects, environments: enough to authenticate by API key and say who we are.
    virtual result<organization> create_organization(const create_organization_params& p) = 0;
    virtual result<organization> find_organization(const std::string& id) = 0;
    /// Every organization, ordered by slug (hosts find theirs by slug with it).
    virtual result<std::vector<organization>> list_organizations() = 0;
    virtual result<project> create_project(const create_project_params& p) = 0;
    virtual result<project> find_project(const std::string& id) = 0;
    virtual result<std::vector<project>> list_projects(const std::string& organization_id) = 0;
    virtual result<environment> create_environment(const create_environment_params& p) = 0;
    virtual result<environment> find_environment(const std::string& id) = 0;
    /// Exact match on the whole key; the caller compares nothing itself, so no timing leak beyond
    /// the store's own index lookup.
    virtual result<environment> find_environment_by_api_key(const std::string& api_key) = 0;
    virtual result<std::vector<environment>> list_environments(const std::string& project_id) = 0;

    // Endpoints.
    virtual result<endpoint> find_endpoint(const std::string& id) = 0;
    /// Finds soft-deleted endpoints too (url empty); callers decide what that means.
    virtual result<endpoint> find_endpoint_by_slug(const std::string& environment_id, const std::string& slug) = 0;
    virtual result<upsert_endpoint_result> upsert_endpoint(const upsert_endpoint_params& p) = 0;
    virtual result<endpoint> update_endpoint(const update_endpoint_params& p) = 0;
    /// Every endpoint of the environment, soft-deleted ones included, ordered by slug.
    virtual result<std::vector<endpoint>> list_endpoints(const std::string& environment_id) = 0;
    /// Soft delete: url = null. The row, hook identifier, indexes and registrations stay.
    virtual result<endpoint> delete_endpoint(const std::string& id) = 0;
    virtual result<std::vector<endpoint>> find_endpoints_for_recurring_index(const recurring_index_params& p) = 0;

    // Endpoint indexes.
    virtual result<endpoint_index> create_index(const create_index_params& p) = 0;
    virtual result<endpoint_index> update_index(const update_index_params& p) = 0;
    virtual result<endpoint_index> find_index(const std::string& id) = 0;
    /// Newest first (created_at, then creation order); at most `limit`.
    virtual result<std::vector<endpoint_index>> list_indexes(const std::string& endpoint_id, std::size_t limit) = 0;
    /// The `n` newest indexes of the endpoint other than `excluding_index_id`, newest first.
    virtual result<std::vector<endpoint_index>> last_indexes(const last_indexes_params& p) = 0;
    /// Deletes indexes created strictly before `cutoff`; returns how many.
    virtual result<std::size_t> purge_indexes_older_than(timestamp cutoff) = 0;

    // Registrations: what an endpoint exposes.
    virtual result<registered_job> upsert_job(const upsert_job_params& p) = 0;
    /// True when the job was enabled and is now disabled; false when it was already disabled or
    /// its stored version differs from `p.version`. not_found when there is no such job.
    virtual result<bool> disable_job(const disable_job_params& p) = 0;
    virtual result<registered_job> find_job(const std::string& endpoint_id, const std::string& slug) = 0;
    /// Ordered by slug.
    virtual result<std::vector<registered_job>> list_jobs(const std::string& endpoint_id) = 0;
    virtual result<registration> upsert_registration(const upsert_registration_params& p) = 0;
    /// Ordered by kind then key; `kind` absent = every kind.
    virtual result<std::vector<registration>> list_registrations(const std::string& endpoint_id,
                                                                 std::optional<registration_kind> kind) = 0;
    /// Removes one registration; not_found when absent.
    virtual result<void> delete_registration(const std::string& endpoint_id, registration_kind kind,
                                             const std::string& key) = 0;
};

} // namespace kongflow::endpoints

#endif
