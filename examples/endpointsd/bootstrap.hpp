// First-start setup and the `environments` commands: organizations, projects and environments
// through the library's repository, as a host application manages its tenants.
#ifndef KONGFLOW_ENDPOINTSD_BOOTSTRAP_HPP
#define KONGFLOW_ENDPOINTSD_BOOTSTRAP_HPP

#include <kongflow/endpoints/storage/repository.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace kongflow::endpointsd {

namespace kfe = kongflow::endpoints;

struct bootstrap_params {
    std::string org_slug = "default";
    std::string project_slug = "default";
    std::optional<std::string> api_key;
};

/// In an empty store (no organization): creates the organization, its project and a DEVELOPMENT
/// environment, and returns that environment. Otherwise returns nullopt.
kfe::result<std::optional<kfe::environment>> bootstrap_if_empty(kfe::repository& repo, const bootstrap_params& p,
                                                                kfe::diagnostics& diag);

/// The same in one unit of work, for daemons that may start at once on one empty database (on
/// PostgreSQL): exactly one of them creates the environment; the others see it and return nullopt.
kfe::result<std::optional<kfe::environment>> bootstrap_if_empty(kfe::store& store, const bootstrap_params& p,
                                                                kfe::diagnostics& diag);

struct create_environment_command {
    kfe::environment_type type = kfe::environment_type::development;
    std::optional<std::string> api_key; ///< used as is; else generated with the type's prefix
    std::optional<std::string> org;     ///< slug; default: the only organization (created if none)
    std::optional<std::string> project; ///< slug; default: the organization's only project
};

/// Creates an environment (slug from the type, made unique within the project).
kfe::result<kfe::environment> create_environment(kfe::repository& repo, const create_environment_command& c,
                                                 kfe::diagnostics& diag);

/// Every environment with its organization and project slugs (JSON objects, keys included).
kfe::result<boost::json::array> list_environments(kfe::repository& repo);

/// The environment as the commands print it: the model's JSON plus org/project slugs.
boost::json::object environment_output(const kfe::environment& env, const kfe::organization& org,
                                       const kfe::project& project);

} // namespace kongflow::endpointsd

#endif
