// IndexEndpointService and PerformEndpointIndexService: record an index and have it performed
// (queued or now), the hook-triggered index, the recurring index, purge and auto-disable
// (protocol.md §C.3–C.6), with our fixes of Trigger.dev's defects ("Our decisions").
#ifndef KONGFLOW_ENDPOINTS_SERVICES_INDEX_ENDPOINT_SERVICE_HPP
#define KONGFLOW_ENDPOINTS_SERVICES_INDEX_ENDPOINT_SERVICE_HPP

#include <kongflow/endpoints/client/api_client.hpp>
#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/services/observability.hpp>
#include <kongflow/endpoints/services/registrar.hpp>
#include <kongflow/endpoints/services/service_error.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace kongflow::endpoints {

/// Job kinds the index service enqueues and handles.
inline constexpr std::string_view perform_index_job_kind = "performEndpointIndexing";
inline constexpr std::string_view recurring_index_job_kind = "recurringEndpointIndex";
inline constexpr std::string_view purge_indexes_job_kind = "purgeOldIndexings";

struct index_endpoint_service_params {
    /// Where store and registrar calls run (they block). Unset = the service's executor.
    std::optional<boost::asio::any_io_executor> blocking_executor;
    /// Attempts of the perform-index job (Trigger.dev: 1 in DEVELOPMENT, 7 otherwise).
    int index_attempts_development = 1;
    int index_attempts_other = 7;
    /// When a failed perform-index job runs again (register_jobs sets it for that kind). The
    /// default is Trigger.dev's, graphile-worker's exp(min(attempt, 10)) s: 7 attempts span
    /// about 10 min. Null = the worker's own policy.
    std::shared_ptr<retry_policy> index_retry = std::make_shared<graphile_backoff>();
    /// Trigger.dev's redirect limit: a redirect arriving after more than this many have been
    /// followed fails with "is redirecting too many times" (with 5: six URL rewrites, the 7th
    /// redirect fails). Each followed redirect is stored as the endpoint's new URL.
    int max_redirects = 5;
    /// Auto-disable (url = null) after this many consecutive FAILURE indexes outside
    /// DEVELOPMENT (MAX_SEQUENTIAL_INDEX_FAILURE_COUNT). 0 = never.
    std::size_t auto_disable_after_failures = 96;
    /// Hook-triggered indexes run this long after the hook (Trigger.dev: 5 s).
    std::chrono::milliseconds hook_delay{5000};
    /// An index performed now (index_request::perform_now) is also queued, to run this long
    /// after: should the process die while it runs, the job performs it then, so it does not stay
    /// PENDING or STARTED for ever. A perform-index job whose index is already SUCCESS or FAILURE
    /// completes without doing anything. Keep it above the longest inline index (INDEX request
    /// timeouts times redirects).
    std::chrono::milliseconds inline_recovery_delay{std::chrono::minutes(10)};
    /// Recurring index: the cron, the environments it covers, and the quiet period (endpoints
    /// indexed more recently are skipped).
    std::string recurring_cron = "*/30 * * * *";
    std::vector<environment_type> recurring_environments{environment_type::production, environment_type::staging};
    std::chrono::minutes recurring_quiet_period{60};
    /// Purge of old indexes: the cron and the age.
    std::string purge_cron = "0 * * * *";
    std::chrono::hours purge_older_than{24 * 7};
    logger log;
    metrics_sink metrics;
};

struct index_request {
    std::string endpoint_id;
    index_source source = index_source::internal;
    std::optional<std::string> reason;
    boost::json::value source_data; ///< null when absent
    /// false: record PENDING and enqueue perform-index; true: perform it now and return the
    /// finished index (SUCCESS or FAILURE), with a perform-index job queued at
    /// now + inline_recovery_delay in case the process dies first.
    bool perform_now = false;
};

struct hook_index_request {
    std::string environment_id;
    std::string endpoint_slug;
    std::string hook_identifier;
    /// The hook request's body: absent for GET or an empty body; JSON when it parsed, else null.
    /// A null body (invalid JSON or a literal `null`) is refused with invalid_request once the
    /// endpoint and identifier check out, and nothing is written: Trigger.dev's create throws.
    std::optional<boost::json::value> body;
};

/// Thread safety and handler rules as endpoint_service.
class index_endpoint_service {
public:
    using executor_type = boost::asio::any_io_executor;

    index_endpoint_service(boost::asio::any_io_executor ex, store& st, api_client& client, registrar& reg,
                           index_endpoint_service_params params = {})
            : ex_(std::move(ex)), store_(st), client_(client), registrar_(reg), params_(std::move(params)) {}

    executor_type get_executor() const noexcept { return ex_; }
    const index_endpoint_service_params& params() const noexcept { return params_; }

    /// Records an index {PENDING, source, reason, source data}; enqueues perform-index, or
    /// performs it now. NOT_FOUND for an unknown endpoint.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_index(index_request req, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, endpoint_index)>(
            initiation{this}, token,
            [this, req = std::move(req), e = &err](auto h) mutable { index_impl(std::move(req), *e, std::move(h)); });
    }

    /// PerformEndpointIndexService.call: STARTED → INDEX_ENDPOINT → redirects → validate →
    /// register → SUCCESS with stats, or FAILURE with {message, raw}. Never leaves STARTED.
    /// The returned index is the finished one; the error_code is set only when the index could
    /// not be processed at all (unknown index, store failure): an endpoint failure is a FAILURE
    /// index, not an error.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_perform_index(std::string index_id, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, endpoint_index)>(
            initiation{this}, token, [this, index_id = std::move(index_id), e = &err](auto h) mutable {
                perform_index_impl(std::move(index_id), false, *e, std::move(h));
            });
    }

    /// The hook route: by (environment, slug, identifier), constant-time comparison; records
    /// {PENDING, HOOK, reason, body} and enqueues perform-index at now + hook_delay. A null body
    /// fails with invalid_request after those checks, writing nothing (as Trigger.dev's Prisma).
    /// NOT_FOUND (nothing written) for an unknown or deleted endpoint or a wrong identifier.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_hook_index(hook_index_request req, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, endpoint_index)>(
            initiation{this}, token, [this, req = std::move(req), e = &err](auto h) mutable {
                hook_index_impl(std::move(req), *e, std::move(h));
            });
    }

    /// One run of the recurring index: indexes (INTERNAL, queued) every endpoint that needs it.
    /// Completes with how many indexes were recorded.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_recurring_index(service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, std::size_t)>(
            initiation{this}, token, [this, e = &err](auto h) mutable { recurring_impl(*e, std::move(h)); });
    }

    /// Deletes indexes older than purge_older_than; completes with how many.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_purge_indexes(service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, std::size_t)>(
            initiation{this}, token, [this, e = &err](auto h) mutable { purge_impl(*e, std::move(h)); });
    }

    /// Registers the handlers of performEndpointIndexing (with index_retry), recurringEndpointIndex
    /// and purgeOldIndexings with `w`, and the two periodic jobs (recurring_cron, purge_cron).
    /// performEndpointIndexing leaves a SUCCESS or FAILURE index as it is, and on its last attempt
    /// turns a store failure into a FAILURE index ("The index could not be processed: ..."),
    /// retrying that write until the store takes it. Call before w.start().
    KONGFLOW_ENDPOINTS_DECL void register_jobs(worker& w);

    /// The reason Trigger.dev records for a hook body (Vercel "deployment.succeeded"), if any.
    KONGFLOW_ENDPOINTS_DECL static std::optional<std::string> hook_reason(const boost::json::value& body);

private:
    /// Where store calls run, as a reference: no temporary executor in a co_await expression
    /// (GCC 12 mishandles those).
    const boost::asio::any_io_executor& blocking_executor() const noexcept {
        return params_.blocking_executor ? *params_.blocking_executor : ex_;
    }

    struct initiation {
        index_endpoint_service* self;
        using executor_type = boost::asio::any_io_executor;
        executor_type get_executor() const noexcept { return self->ex_; }
        template <class Handler, class Launch>
        void operator()(Handler&& h, Launch&& launch) const {
            std::forward<Launch>(launch)(std::forward<Handler>(h));
        }
    };

    KONGFLOW_ENDPOINTS_DECL void index_impl(index_request, service_error&,
                                            boost::asio::any_completion_handler<void(error_code, endpoint_index)>);
    /// `unfinished_only` (the job's run): a SUCCESS or FAILURE index is returned as it is.
    KONGFLOW_ENDPOINTS_DECL void
    perform_index_impl(std::string, bool unfinished_only, service_error&,
                       boost::asio::any_completion_handler<void(error_code, endpoint_index)>);
    KONGFLOW_ENDPOINTS_DECL void hook_index_impl(hook_index_request, service_error&,
                                                 boost::asio::any_completion_handler<void(error_code, endpoint_index)>);
    KONGFLOW_ENDPOINTS_DECL void recurring_impl(service_error&,
                                                boost::asio::any_completion_handler<void(error_code, std::size_t)>);
    KONGFLOW_ENDPOINTS_DECL void purge_impl(service_error&,
                                            boost::asio::any_completion_handler<void(error_code, std::size_t)>);

    boost::asio::any_io_executor ex_;
    store& store_;
    api_client& client_;
    registrar& registrar_;
    index_endpoint_service_params params_;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/services/impl/index_endpoint_service.ipp>
#endif

#endif
