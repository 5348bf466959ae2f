// When to run a failed job again. The worker asks the policy after every failed attempt that has
// attempts left; plug in your own by deriving from retry_policy.
#ifndef KONGFLOW_ENDPOINTS_QUEUE_RETRY_POLICY_HPP
#define KONGFLOW_ENDPOINTS_QUEUE_RETRY_POLICY_HPP

#include <kongflow/endpoints/queue/job.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <random>

namespace kongflow::endpoints {

class retry_policy {
public:
    virtual ~retry_policy() = default;
    /// Delay before the next attempt of `job`, which just failed attempt number job.attempt (>= 1).
    /// Called on the worker's store thread.
    virtual std::chrono::milliseconds backoff(const job_row& job) = 0;
};

/// delay(n) = min(max_delay, initial_delay * multiplier^(n-1)), then scaled by a uniform random
/// factor in [1 - jitter, 1 + jitter] so that jobs failing together do not retry together.
///
/// Defaults: 1 s, 2 s, 4 s ... capped at 1 h, ±10 %. With the default 25 attempts a job is
/// retried for about 15 h in total; with 7 attempts, about 63 s (Trigger.dev's indexing retries
/// span about 10 min: see graphile_backoff).
struct exponential_backoff_params {
    std::chrono::milliseconds initial_delay{1000};
    double multiplier = 2.0;
    std::chrono::milliseconds max_delay{std::chrono::hours(1)};
    double jitter = 0.1; ///< 0 disables jitter; clamped to [0, 1]
};

class exponential_backoff final : public retry_policy {
public:
    explicit exponential_backoff(exponential_backoff_params p = {}, std::uint64_t seed = std::random_device{}())
            : p_(p), rng_(seed) {
        p_.jitter = std::clamp(p_.jitter, 0.0, 1.0);
        p_.multiplier = std::max(p_.multiplier, 1.0);
    }

    /// The delay without jitter for failed attempt `attempt` (>= 1).
    std::chrono::milliseconds base_delay(int attempt) const noexcept {
        double ms = static_cast<double>(p_.initial_delay.count()) *
                    std::pow(p_.multiplier, static_cast<double>(std::max(attempt, 1) - 1));
        double cap = static_cast<double>(p_.max_delay.count());
        return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(ms, cap)));
    }

    std::chrono::milliseconds backoff(const job_row& job) override {
        auto base = static_cast<double>(base_delay(job.attempt).count());
        if (p_.jitter == 0) return std::chrono::milliseconds(static_cast<std::int64_t>(base));
        std::uniform_real_distribution<double> d(1.0 - p_.jitter, 1.0 + p_.jitter);
        std::lock_guard lk(mtx_);
        return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(base * d(rng_))));
    }

    const exponential_backoff_params& params() const noexcept { return p_; }

private:
    exponential_backoff_params p_;
    std::mutex mtx_;
    std::mt19937_64 rng_;
};

/// graphile-worker's schedule, which Trigger.dev's jobs run on: delay(n) = exp(min(n, max_exponent))
/// seconds, no jitter (its fail_job: run_at = greatest(now(), run_at) + exp(least(attempts, 10)) s).
/// 2.7 s, 7.4 s, 20 s, 55 s, 2.5 min, 6.7 min ...: about 10.6 min over 7 attempts, capped at
/// e^10 s (about 6.1 h) from the 10th.
class graphile_backoff final : public retry_policy {
public:
    explicit graphile_backoff(int max_exponent = 10) noexcept : max_exponent_(std::max(max_exponent, 0)) {}

    /// The delay after failed attempt `attempt` (>= 1), to the millisecond.
    std::chrono::milliseconds delay(int attempt) const noexcept {
        double seconds = std::exp(static_cast<double>(std::clamp(attempt, 0, max_exponent_)));
        return std::chrono::milliseconds(std::llround(seconds * 1000.0));
    }

    std::chrono::milliseconds backoff(const job_row& job) override { return delay(job.attempt); }

private:
    int max_exponent_;
};

} // namespace kongflow::endpoints

#endif
