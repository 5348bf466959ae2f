// Where perform-index puts what an endpoint exposes. The default persists into the repository;
// a host can plug its own (for instance one that enqueues a job per item).
#ifndef KONGFLOW_ENDPOINTS_SERVICES_REGISTRAR_HPP
#define KONGFLOW_ENDPOINTS_SERVICES_REGISTRAR_HPP

#include <kongflow/endpoints/client/schemas.hpp>
#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/storage/repository.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace kongflow::endpoints {

/// One item of an index reply, with the JSON the endpoint sent for it (kept for storage).
template <class T>
struct indexed_item {
    const T& value;
    const boost::json::value& json;
};

/// Synchronous, called on the services' blocking executor. Every call gets `repo`, the repository
/// of the unit of work in which perform-index records the index: writes made through it commit
/// together with the index's SUCCESS (or not at all). A failed call is logged and not counted
/// (as Trigger.dev), so implementations report errors, never throw.
class registrar {
public:
    virtual ~registrar() = default;

    /// The jobs currently registered for this endpoint that are enabled (for "missing jobs").
    virtual result<std::vector<registered_job>> enabled_jobs(repository& repo, const endpoint& ep) = 0;
    /// Registers an enabled job; perform-index counts it unless it is internal.
    virtual result<void> register_job(repository& repo, const endpoint& ep, indexed_item<job_metadata> job) = 0;
    /// Disables the job at `version` (any version when empty). true = it was enabled at that
    /// version and is now disabled (counted as disabledJobs); false = nothing to disable.
    virtual result<bool> disable_job(repository& repo, const endpoint& ep, const std::string& slug,
                                     const std::string& version, const boost::json::value* definition) = 0;
    virtual result<void> register_source(repository& repo, const endpoint& ep,
                                         indexed_item<source_metadata> source) = 0;
    virtual result<void> register_dynamic_trigger(repository& repo, const endpoint& ep,
                                                  indexed_item<dynamic_trigger_endpoint_metadata> trigger) = 0;
    virtual result<void> register_dynamic_schedule(repository& repo, const endpoint& ep,
                                                   indexed_item<register_dynamic_schedule_payload> schedule) = 0;
    virtual result<void> register_webhook(repository& repo, const endpoint& ep,
                                          indexed_item<webhook_metadata> webhook) = 0;
    virtual result<void> register_http_endpoint(repository& repo, const endpoint& ep,
                                                indexed_item<http_endpoint_metadata> http_endpoint) = 0;
};

/// The default: registrations are rows of the repository (jobs, and one registration per source,
/// dynamic trigger, dynamic schedule, webhook and HTTP endpoint), keyed per endpoint.
class repository_registrar final : public registrar {
public:
    KONGFLOW_ENDPOINTS_DECL result<std::vector<registered_job>> enabled_jobs(repository& repo,
                                                                             const endpoint& ep) override;
    KONGFLOW_ENDPOINTS_DECL result<void> register_job(repository& repo, const endpoint& ep,
                                                      indexed_item<job_metadata> job) override;
    KONGFLOW_ENDPOINTS_DECL result<bool> disable_job(repository& repo, const endpoint& ep, const std::string& slug,
                                                     const std::string& version,
                                                     const boost::json::value* definition) override;
    KONGFLOW_ENDPOINTS_DECL result<void> register_source(repository& repo, const endpoint& ep,
                                                         indexed_item<source_metadata> source) override;
    KONGFLOW_ENDPOINTS_DECL result<void>
    register_dynamic_trigger(repository& repo, const endpoint& ep,
                             indexed_item<dynamic_trigger_endpoint_metadata> trigger) override;
    KONGFLOW_ENDPOINTS_DECL result<void>
    register_dynamic_schedule(repository& repo, const endpoint& ep,
                              indexed_item<register_dynamic_schedule_payload> schedule) override;
    KONGFLOW_ENDPOINTS_DECL result<void> register_webhook(repository& repo, const endpoint& ep,
                                                          indexed_item<webhook_metadata> webhook) override;
    KONGFLOW_ENDPOINTS_DECL result<void>
    register_http_endpoint(repository& repo, const endpoint& ep,
                           indexed_item<http_endpoint_metadata> http_endpoint) override;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/services/impl/registrar.ipp>
#endif

#endif
