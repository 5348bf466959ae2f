// Routing for the REST API: method + path template (":name" segments), Bearer authentication,
// 404 / 405 with Allow, JSON helpers, request metrics and logs. Route handlers run on the
// connection's strand; store calls go to the blocking executor through offload().
#ifndef KONGFLOW_ENDPOINTSD_ROUTER_HPP
#define KONGFLOW_ENDPOINTSD_ROUTER_HPP

#include "api_key_cache.hpp"
#include "http_server.hpp"
#include "logging.hpp"
#include "metrics.hpp"

#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/services/observability.hpp>
#include <kongflow/endpoints/storage/repository.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kongflow::endpoints {
class endpoint_service;
class queue;
class index_endpoint_service;
} // namespace kongflow::endpoints

namespace kongflow::endpointsd {

namespace kfe = kongflow::endpoints;

/// What the routes use. The services are absent in builds without them (repository-only routes).
struct api_deps {
    kfe::repository* repo = nullptr;
    /// The job queue, for the queue introspection routes (add_queue_routes).
    kfe::queue* jobs = nullptr;
    asio::any_io_executor blocking;
    metrics_registry* metrics = nullptr;
    kfe::logger log;
    /// Empty when ready; otherwise why not (for /readyz).
    std::function<std::optional<std::string>()> not_ready;
    kfe::endpoint_service* endpoints = nullptr;
    kfe::index_endpoint_service* indexer = nullptr;
    /// Remembers authenticated keys for a while (null: every request looks its key up).
    std::shared_ptr<api_key_cache> keys;
};

struct request_context {
    http_request& req;
    const api_deps& deps;
    std::vector<std::string> params;     ///< the ":name" segments, in order, percent-decoded
    std::string query;                   ///< after '?', raw
    std::optional<kfe::environment> env; ///< the authenticated environment (auth routes)
};

using route_fn = std::function<asio::awaitable<http_response>(request_context&)>;

class router {
public:
    explicit router(api_deps deps) : deps_(std::move(deps)) {}

    /// `pattern` like "/api/v1/endpoints/:slug"; `auth` = Bearer API key required.
    void add(http::verb method, std::string pattern, bool auth, route_fn fn);
    asio::awaitable<http_response> handle(http_request& req);
    const api_deps& deps() const noexcept { return deps_; }

private:
    struct route {
        http::verb method;
        std::string pattern;
        std::vector<std::string> segments;
        bool auth;
        route_fn fn;
    };
    asio::awaitable<http_response> dispatch(http_request& req, std::string& route_name);
    api_deps deps_;
    std::vector<route> routes_;
};

/// Runs a blocking call on `ex` and resumes the awaiting coroutine on its own executor. Plain
/// handlers, no coroutine lambdas: GCC 12 mishandles temporaries and captures around them.
///
/// Takes lvalues only, on purpose: GCC 12 keeps a temporary of a co_await full-expression (an
/// argument passed by value or bound to a reference) in the wrong storage, so one that outlives
/// the suspension is destroyed from garbage. Name the lambda, then `co_await offload(ex, fn)`.
template <class F>
asio::awaitable<std::invoke_result_t<F&>> offload(const asio::any_io_executor& ex, F& f) {
    using R = std::invoke_result_t<F&>;
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, R)>(
        [](auto handler, asio::any_io_executor ex, F f) {
            asio::post(ex, [handler = std::move(handler), f = std::move(f)]() mutable {
                std::exception_ptr e;
                R r{};
                try {
                    r = f();
                } catch (...) {
                    e = std::current_exception();
                }
                auto home = asio::get_associated_executor(handler);
                asio::post(home, [handler = std::move(handler), e, r = std::move(r)]() mutable {
                    std::move(handler)(e, std::move(r));
                });
            });
        },
        asio::use_awaitable, ex, f);
}

http_response json_response(unsigned status, const boost::json::value& body);
/// Percent-decodes a path segment; nullopt for malformed escapes.
std::optional<std::string> percent_decode(std::string_view s);
/// The value of `name` in a raw query string (first occurrence, decoded).
std::optional<std::string> query_param(std::string_view query, std::string_view name);

/// The routes that need only the repository: health, readiness, metrics, whoami and reads.
void add_api_routes(router& r);
/// Queue introspection: counts, failed jobs, retry and cancel (needs api_deps::jobs).
void add_queue_routes(router& r);
/// The routes that call the services: create, delete, API index and the indexing hook.
void add_service_routes(router& r);

/// The public key the CLI expects in whoami: derived from the secret key (SHA-256), so it is
/// stable and reveals nothing about it. Prefix `pk_<dev|prod|stg|prev>_`.
std::string public_api_key(const kfe::environment& env);
/// The environment as JSON without its secret key.
boost::json::object environment_json(const kfe::environment& env);

} // namespace kongflow::endpointsd

#endif
