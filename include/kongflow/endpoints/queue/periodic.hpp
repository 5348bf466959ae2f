// Periodic jobs: a job enqueued at every fire time of a cron schedule (recurring indexing,
// purging). Every worker process that registers the same periodic job computes the same fire
// times; the job key "periodic:<name>:<fire time in ms>" with job_key_mode::keep_existing makes
// the enqueue happen at most once per fire across processes (as long as the finished job is still
// retained, which the default retention of 24 h covers by a wide margin).
#ifndef KONGFLOW_ENDPOINTS_QUEUE_PERIODIC_HPP
#define KONGFLOW_ENDPOINTS_QUEUE_PERIODIC_HPP

#include <kongflow/endpoints/queue/cron.hpp>
#include <kongflow/endpoints/queue/job.hpp>

#include <string>
#include <string_view>

namespace kongflow::endpoints {

struct periodic_job {
    std::string name;       ///< unique among periodic jobs; part of the job key
    cron_schedule schedule; ///< UTC
    job_request request;    ///< enqueued at each fire; its job_key, key_mode and run_at are set for you
};

/// The job key of fire `at` of periodic job `name`.
inline std::string periodic_job_key(std::string_view name, timestamp at) {
    return "periodic:" + std::string(name) + ":" + std::to_string(at.time_since_epoch().count());
}

/// The request enqueued for fire `at`.
inline job_request periodic_request(const periodic_job& p, timestamp at) {
    job_request r = p.request;
    r.job_key = periodic_job_key(p.name, at);
    r.key_mode = job_key_mode::keep_existing;
    r.run_at = at;
    return r;
}

} // namespace kongflow::endpoints

#endif
