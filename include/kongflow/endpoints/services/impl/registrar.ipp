#ifndef KONGFLOW_ENDPOINTS_SERVICES_IMPL_REGISTRAR_IPP
#define KONGFLOW_ENDPOINTS_SERVICES_IMPL_REGISTRAR_IPP

#include <kongflow/endpoints/services/registrar.hpp>

#include <variant>

namespace kongflow::endpoints {
namespace detail {

inline result<void> upsert_item(repository& repo, const endpoint& ep, registration_kind kind, std::string key,
                                const boost::json::value& definition) {
    upsert_registration_params p;
    p.endpoint_id = ep.id;
    p.kind = kind;
    p.key = std::move(key);
    p.definition = definition;
    p.enabled = true;
    auto r = repo.upsert_registration(p);
    if (!r) return r.error();
    return {};
}

} // namespace detail

KONGFLOW_ENDPOINTS_DECL result<std::vector<registered_job>> repository_registrar::enabled_jobs(repository& repo,
                                                                                               const endpoint& ep) {
    auto jobs = repo.list_jobs(ep.id);
    if (!jobs) return jobs.error();
    std::erase_if(*jobs, [](const registered_job& j) { return !j.enabled; });
    return jobs;
}

KONGFLOW_ENDPOINTS_DECL result<void> repository_registrar::register_job(repository& repo, const endpoint& ep,
                                                                        indexed_item<job_metadata> job) {
    upsert_job_params p;
    p.endpoint_id = ep.id;
    p.slug = job.value.id;
    p.version = job.value.version;
    p.definition = job.json;
    p.enabled = true;
    p.internal = job.value.internal;
    auto r = repo.upsert_job(p);
    if (!r) return r.error();
    return {};
}

KONGFLOW_ENDPOINTS_DECL result<bool> repository_registrar::disable_job(repository& repo, const endpoint& ep,
                                                                       const std::string& slug,
                                                                       const std::string& version,
                                                                       const boost::json::value* definition) {
    disable_job_params p;
    p.endpoint_id = ep.id;
    p.slug = slug;
    if (!version.empty()) p.version = version;
    auto disabled = repo.disable_job(p);
    if (!disabled && disabled.error() != errc::not_found) return {boost::system::in_place_error, disabled.error()};
    const bool counted = disabled && *disabled;
    // Counting follows Trigger.dev (only a registered, enabled version counts); the stored
    // definition follows the app, so "what does this endpoint expose" shows the job disabled.
    if (definition && !counted) {
        auto existing = repo.find_job(ep.id, slug);
        if (!existing || existing->version != version || existing->enabled) {
            upsert_job_params up;
            up.endpoint_id = ep.id;
            up.slug = slug;
            up.version = version;
            up.definition = *definition;
            up.enabled = false;
            if (auto* o = definition->if_object())
                if (auto* internal = o->if_contains("internal"); internal && internal->is_bool())
                    up.internal = internal->get_bool();
            if (auto r = repo.upsert_job(up); !r) return {boost::system::in_place_error, r.error()};
        }
    }
    return counted;
}

KONGFLOW_ENDPOINTS_DECL result<void> repository_registrar::register_source(repository& repo, const endpoint& ep,
                                                                           indexed_item<source_metadata> source) {
    std::string key = std::visit([](const auto& s) { return s.key; }, source.value);
    return detail::upsert_item(repo, ep, registration_kind::source, std::move(key), source.json);
}

KONGFLOW_ENDPOINTS_DECL result<void>
repository_registrar::register_dynamic_trigger(repository& repo, const endpoint& ep,
                                               indexed_item<dynamic_trigger_endpoint_metadata> trigger) {
    return detail::upsert_item(repo, ep, registration_kind::dynamic_trigger, trigger.value.id, trigger.json);
}

KONGFLOW_ENDPOINTS_DECL result<void>
repository_registrar::register_dynamic_schedule(repository& repo, const endpoint& ep,
                                                indexed_item<register_dynamic_schedule_payload> schedule) {
    return detail::upsert_item(repo, ep, registration_kind::dynamic_schedule, schedule.value.id, schedule.json);
}

KONGFLOW_ENDPOINTS_DECL result<void> repository_registrar::register_webhook(repository& repo, const endpoint& ep,
                                                                            indexed_item<webhook_metadata> webhook) {
    return detail::upsert_item(repo, ep, registration_kind::webhook, webhook.value.key, webhook.json);
}

KONGFLOW_ENDPOINTS_DECL result<void>
repository_registrar::register_http_endpoint(repository& repo, const endpoint& ep,
                                             indexed_item<http_endpoint_metadata> http_endpoint) {
    return detail::upsert_item(repo, ep, registration_kind::http_endpoint, http_endpoint.value.id, http_endpoint.json);
}

} // namespace kongflow::endpoints

#endif
