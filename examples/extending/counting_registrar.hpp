// A registrar of your own (docs/extending.md): a decorator that forwards to another registrar
// (the repository_registrar by default) and counts what an endpoint registered, per kind. The
// same shape serves to mirror registrations elsewhere or to enqueue a job per item.
#ifndef KONGFLOW_EXAMPLES_EXTENDING_COUNTING_REGISTRAR_HPP
#define KONGFLOW_EXAMPLES_EXTENDING_COUNTING_REGISTRAR_HPP

#include <kongflow/endpoints/services/registrar.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace example {
namespace kf = kongflow::endpoints;

// [counting_registrar]
class counting_registrar final : public kf::registrar {
public:
    explicit counting_registrar(kf::registrar& inner) : inner_(inner) {}

    // Called on the services' blocking executor, possibly from several threads: atomics.
    std::atomic<int> jobs{0}, disabled_jobs{0}, sources{0}, dynamic_triggers{0}, dynamic_schedules{0}, webhooks{0},
        http_endpoints{0};

    kf::result<std::vector<kf::registered_job>> enabled_jobs(kf::repository& repo, const kf::endpoint& ep) override {
        return inner_.enabled_jobs(repo, ep);
    }
    kf::result<void> register_job(kf::repository& repo, const kf::endpoint& ep,
                                  kf::indexed_item<kf::job_metadata> job) override {
        return count(inner_.register_job(repo, ep, job), jobs);
    }
    kf::result<bool> disable_job(kf::repository& repo, const kf::endpoint& ep, const std::string& slug,
                                 const std::string& version, const boost::json::value* definition) override {
        auto r = inner_.disable_job(repo, ep, slug, version, definition);
        if (r && *r) ++disabled_jobs;
        return r;
    }
    kf::result<void> register_source(kf::repository& repo, const kf::endpoint& ep,
                                     kf::indexed_item<kf::source_metadata> source) override {
        return count(inner_.register_source(repo, ep, source), sources);
    }
    kf::result<void>
    register_dynamic_trigger(kf::repository& repo, const kf::endpoint& ep,
                             kf::indexed_item<kf::dynamic_trigger_endpoint_metadata> trigger) override {
        return count(inner_.register_dynamic_trigger(repo, ep, trigger), dynamic_triggers);
    }
    kf::result<void>
    register_dynamic_schedule(kf::repository& repo, const kf::endpoint& ep,
                              kf::indexed_item<kf::register_dynamic_schedule_payload> schedule) override {
        return count(inner_.register_dynamic_schedule(repo, ep, schedule), dynamic_schedules);
    }
    kf::result<void> register_webhook(kf::repository& repo, const kf::endpoint& ep,
                                      kf::indexed_item<kf::webhook_metadata> webhook) override {
        return count(inner_.register_webhook(repo, ep, webhook), webhooks);
    }
    kf::result<void> register_http_endpoint(kf::repository& repo, const kf::endpoint& ep,
                                            kf::indexed_item<kf::http_endpoint_metadata> http_endpoint) override {
        return count(inner_.register_http_endpoint(repo, ep, http_endpoint), http_endpoints);
    }

private:
    // Errors are returned, never thrown: perform-index logs a failed item and goes on.
    static kf::result<void> count(kf::result<void> r, std::atomic<int>& n) {
        if (r) ++n;
        return r;
    }

    kf::registrar& inner_;
};
// [counting_registrar]

} // namespace example

#endif
