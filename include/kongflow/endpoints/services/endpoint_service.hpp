// EndpointService: create (PING), validate-create (VALIDATE), get, list and delete endpoints, as
// Trigger.dev v2's CreateEndpointService, ValidateCreateEndpointService and DeleteEndpointService
// do (protocol.md §C.1, §C.2, §C.7).
#ifndef KONGFLOW_ENDPOINTS_SERVICES_ENDPOINT_SERVICE_HPP
#define KONGFLOW_ENDPOINTS_SERVICES_ENDPOINT_SERVICE_HPP

#include <kongflow/endpoints/client/api_client.hpp>
#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/services/observability.hpp>
#include <kongflow/endpoints/services/service_error.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kongflow::endpoints {

struct endpoint_service_params {
    /// Where store calls run (they block: SQLite, fsync). Unset = the service's executor, fine
    /// for tests and small hosts; servers pass a thread pool's executor.
    std::optional<boost::asio::any_io_executor> blocking_executor;
    /// Trigger.dev's docker-compose rule: a URL whose host is `localhost` is rewritten to this
    /// host (e.g. "host.docker.internal") before use. Unset = off (the default).
    std::optional<std::string> rewrite_localhost_to;
    std::size_t max_url_length = 2048;
    std::size_t max_slug_length = 100;
    /// Attempts of the perform-index job (Trigger.dev: 1 in DEVELOPMENT, 7 otherwise).
    int index_attempts_development = 1;
    int index_attempts_other = 7;
    logger log;
    metrics_sink metrics;
};

struct create_endpoint_request {
    environment env; ///< the authenticated environment (its API key is sent to the endpoint)
    std::string url;
    std::string id; ///< the endpoint's slug (the SDK client's id)
};

struct validate_create_endpoint_request {
    environment env;
    std::string url; ///< the slug comes from the VALIDATE reply
};

/// What create returns: the endpoint, its environment and the PENDING index just recorded.
struct created_endpoint {
    endpoint value;
    environment env;
    endpoint_index index;
};

/// Thread safety: distinct objects safe; a shared object is safe when its executor is one thread
/// or a strand. Every async operation: handler `void(error_code, T)`, run on the handler's
/// associated executor (or the service's), never inline; `err` must outlive the operation and
/// holds the typed error when the error_code is set (same code).
class endpoint_service {
public:
    using executor_type = boost::asio::any_io_executor;

    endpoint_service(boost::asio::any_io_executor ex, store& st, api_client& client,
                     endpoint_service_params params = {})
            : ex_(std::move(ex)), store_(st), client_(client), params_(std::move(params)) {}

    executor_type get_executor() const noexcept { return ex_; }
    const endpoint_service_params& params() const noexcept { return params_; }

    /// Validate input → PING with the environment's key and `id` → in one unit of work: upsert on
    /// (environment, slug), create a PENDING INTERNAL index, enqueue performEndpointIndexing.
    /// Errors: INVALID_REQUEST (per field), FAILED_PING (the pong's message), FAILED_UPSERT.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_create(create_endpoint_request req, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, created_endpoint)>(
            initiation{this}, token,
            [this, req = std::move(req), e = &err](auto h) mutable { create_impl(std::move(req), *e, std::move(h)); });
    }

    /// As async_create, but sends VALIDATE and takes the slug from the reply. A VALIDATE failure
    /// is INVALID_REQUEST-free plain error (Trigger.dev throws Error(msg)): code FAILED_PING.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_validate_create(validate_create_endpoint_request req, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, created_endpoint)>(
            initiation{this}, token, [this, req = std::move(req), e = &err](auto h) mutable {
                validate_create_impl(std::move(req), *e, std::move(h));
            });
    }

    /// The endpoint (environment, slug), soft-deleted ones included. NOT_FOUND when absent.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_get(std::string environment_id, std::string slug, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, endpoint)>(
            initiation{this}, token,
            [this, environment_id = std::move(environment_id), slug = std::move(slug), e = &err](auto h) mutable {
                get_impl(std::move(environment_id), std::move(slug), *e, std::move(h));
            });
    }

    /// Every endpoint of the environment, by slug.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_list(std::string environment_id, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, std::vector<endpoint>)>(
            initiation{this}, token, [this, environment_id = std::move(environment_id), e = &err](auto h) mutable {
                list_impl(std::move(environment_id), *e, std::move(h));
            });
    }

    /// Soft delete (url = null); a later create revives the row. NOT_FOUND when absent.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_delete(std::string environment_id, std::string slug, service_error& err, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, endpoint)>(
            initiation{this}, token,
            [this, environment_id = std::move(environment_id), slug = std::move(slug), e = &err](auto h) mutable {
                delete_impl(std::move(environment_id), std::move(slug), *e, std::move(h));
            });
    }

    /// The input rules, without side effects: per-field problems in `err.details`.
    KONGFLOW_ENDPOINTS_DECL bool check_input(std::string_view url, std::string_view slug, service_error& err) const;
    /// The URL after the optional localhost rewrite.
    KONGFLOW_ENDPOINTS_DECL std::string effective_url(std::string_view url) const;

private:
    /// Where store calls run, as a reference: no temporary executor in a co_await expression
    /// (GCC 12 mishandles those).
    const boost::asio::any_io_executor& blocking_executor() const noexcept {
        return params_.blocking_executor ? *params_.blocking_executor : ex_;
    }

    struct initiation {
        endpoint_service* self;
        using executor_type = boost::asio::any_io_executor;
        executor_type get_executor() const noexcept { return self->ex_; }
        template <class Handler, class Launch>
        void operator()(Handler&& h, Launch&& launch) const {
            std::forward<Launch>(launch)(std::forward<Handler>(h));
        }
    };

    KONGFLOW_ENDPOINTS_DECL void create_impl(create_endpoint_request, service_error&,
                                             boost::asio::any_completion_handler<void(error_code, created_endpoint)>);
    KONGFLOW_ENDPOINTS_DECL void
    validate_create_impl(validate_create_endpoint_request, service_error&,
                         boost::asio::any_completion_handler<void(error_code, created_endpoint)>);
    KONGFLOW_ENDPOINTS_DECL void get_impl(std::string, std::string, service_error&,
                                          boost::asio::any_completion_handler<void(error_code, endpoint)>);
    KONGFLOW_ENDPOINTS_DECL void
    list_impl(std::string, service_error&,
              boost::asio::any_completion_handler<void(error_code, std::vector<endpoint>)>);
    KONGFLOW_ENDPOINTS_DECL void delete_impl(std::string, std::string, service_error&,
                                             boost::asio::any_completion_handler<void(error_code, endpoint)>);

    boost::asio::any_io_executor ex_;
    store& store_;
    api_client& client_;
    endpoint_service_params params_;
};

/// Trigger.dev's indexing hook identifier: 10 characters of `0123456789abcdefghijklmnopqrstuvxyz`
/// (35 symbols, no `w`), from a CSPRNG with unbiased selection.
KONGFLOW_ENDPOINTS_DECL std::string new_indexing_hook_identifier();

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/services/impl/endpoint_service.ipp>
#endif

#endif
