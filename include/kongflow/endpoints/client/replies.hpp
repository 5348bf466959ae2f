// Sans-io core of the EndpointApi client: how each action's request is built and how each reply is
// read, with the user-facing messages exactly as Trigger.dev v2 writes them (protocol.md §A).
// No sockets here, so every branch is unit-testable; http_api_client and the fakes share it.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_REPLIES_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_REPLIES_HPP

#include <kongflow/endpoints/client/endpoint_action.hpp>
#include <kongflow/endpoints/client/http_message.hpp>
#include <kongflow/endpoints/client/schemas.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpoints {

/// Headers every request carries besides the action's own (protocol.md §A.0).
struct client_identity {
    std::string user_agent = "kongflow-endpoints/" KONGFLOW_ENDPOINTS_VERSION_STRING;
    std::string trigger_version = "2023-09-29"; ///< API_VERSIONS.LAZY_LOADED_CACHED_TASKS
};

// ---------------------------------------------------------------------------------------------
// Inputs of the actions that carry more than a JSON body.
// ---------------------------------------------------------------------------------------------

/// The HTTP request an HTTP source, webhook or HTTP endpoint received, forwarded to the endpoint.
struct forwarded_http_request {
    std::string url;
    std::string method;
    std::vector<http_header> headers; ///< sent as a JSON record in x-ts-http-headers
    std::string raw_body;             ///< sent as the body, application/octet-stream
};

struct http_source_delivery {
    std::string key;
    std::string secret;
    boost::json::value params; ///< null → {}
    boost::json::value data;   ///< null → {}
    forwarded_http_request request;
    std::optional<boost::json::value> auth;     ///< x-ts-auth (ConnectionAuth)
    std::optional<std::string> dynamic_id;      ///< x-ts-dynamic-id
    std::optional<boost::json::value> metadata; ///< x-ts-metadata
};

struct webhook_delivery {
    std::string key;
    std::string secret;
    boost::json::value params; ///< null → {}
    forwarded_http_request request;
};

struct http_endpoint_delivery {
    std::string key;
    forwarded_http_request request; ///< the secret is deliberately not sent (as Trigger.dev)
};

// ---------------------------------------------------------------------------------------------
// Results. Where Trigger.dev returns `{ok:false, error}` we do too, and the completion's
// error_code says which branch failed; `error` holds Trigger.dev's exact message.
// ---------------------------------------------------------------------------------------------

struct ping_result {
    bool ok = false;
    std::string error;
    std::optional<std::string> trigger_version;
    std::optional<std::string> trigger_sdk_version;
};

struct validate_result {
    bool ok = false;
    std::string endpoint_id;
    std::string error;
    std::optional<std::string> trigger_version;
};

/// INDEX_ENDPOINT read as PerformEndpointIndexService reads it (protocol.md §C.4 steps 3–7).
struct index_result {
    enum class outcome { success, redirect, failure };
    outcome kind = outcome::failure;
    unsigned status = 0;
    std::chrono::milliseconds duration{};
    std::string location;                           ///< redirect: the Location header, verbatim
    endpoint_index_error error;                     ///< failure: {message, raw?} as it is stored
    index_endpoint_response response;               ///< success: the validated index
    boost::json::value body;                        ///< success: the body as received (for storage)
    std::optional<std::string> trigger_version;     ///< from the reply headers
    std::optional<std::string> trigger_sdk_version; ///< from the reply headers
};

/// EXECUTE_JOB classified as performRunExecution does (protocol.md §A.5).
struct execute_job_result {
    enum class outcome { success, fail, retry, resume };
    outcome kind = outcome::fail;
    unsigned status = 0;
    std::chrono::milliseconds duration{};
    std::string message;                            ///< for fail/retry/resume
    std::optional<error_with_stack> endpoint_error; ///< an ErrorWithStack body, when there was one
    run_job_response response;                      ///< success: the validated RunJobResponse
    std::optional<std::string> trigger_version;
    std::optional<boost::json::value> run_metadata; ///< x-trigger-run-metadata, parsed
};

using preprocess_run_result = preprocess_run_response;

struct probe_result {
    unsigned status = 0; ///< 0 when there was no response
    std::chrono::milliseconds duration{};
    bool timed_out_on_platform = false; ///< a Vercel/CloudFront/Deno/Cloudflare timeout (§A.5)
};

struct http_endpoint_response_result {
    http_response reply;          ///< the raw reply
    normalized_response response; ///< validated NormalizedResponse
};

// ---------------------------------------------------------------------------------------------
// Request builders.
// ---------------------------------------------------------------------------------------------
namespace replies {

KONGFLOW_ENDPOINTS_DECL action_request make_ping(const endpoint_target&, std::string_view endpoint_id,
                                                 const client_identity&);
KONGFLOW_ENDPOINTS_DECL action_request make_validate(const endpoint_target&, const client_identity&);
KONGFLOW_ENDPOINTS_DECL action_request make_index(const endpoint_target&, const client_identity&);
/// EXECUTE_JOB, PREPROCESS_RUN, PROBE_EXECUTION_TIMEOUT, RUN_NOTIFICATION, DELIVER_EVENT and
/// INITIALIZE_TRIGGER: a JSON body. `content_type_name` keeps Trigger.dev's header spelling.
KONGFLOW_ENDPOINTS_DECL action_request make_json_action(endpoint_action, const endpoint_target&,
                                                        const boost::json::value& body, const client_identity&);
KONGFLOW_ENDPOINTS_DECL action_request make_http_source(const endpoint_target&, const http_source_delivery&,
                                                        const client_identity&);
KONGFLOW_ENDPOINTS_DECL action_request make_webhook(const endpoint_target&, const webhook_delivery&,
                                                    const client_identity&);
KONGFLOW_ENDPOINTS_DECL action_request make_http_endpoint(const endpoint_target&, const http_endpoint_delivery&,
                                                          const client_identity&);

/// Refuses a request whose header names or values contain CR, LF or NUL (never sent).
KONGFLOW_ENDPOINTS_DECL error_code check_headers(const action_request&, diagnostics&);

// ---------------------------------------------------------------------------------------------
// Reply interpreters. `transport` is the error of the exchange (no response); `reply` is only
// read when it is clear. Each fills `diag`: client message = Trigger.dev's message, server message
// = the endpoint's body (untrusted) when there was one.
// ---------------------------------------------------------------------------------------------
KONGFLOW_ENDPOINTS_DECL error_code read_ping(std::string_view url, error_code transport, const http_response&,
                                             ping_result& out, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_validate(std::string_view url, error_code transport, const http_response&,
                                                 validate_result& out, diagnostics& diag);
/// Never an error for endpoint-side failures: those are `index_result::outcome::failure`
/// (they are stored on the index). The error_code is set to the failure's class all the same.
KONGFLOW_ENDPOINTS_DECL error_code read_index(std::string_view url, error_code transport, const http_response&,
                                              index_result& out, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_execute_job(std::string_view url, error_code transport, const http_response&,
                                                    execute_job_result& out, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_preprocess_run(std::string_view url, error_code transport, const http_response&,
                                                       preprocess_run_result& out, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_initialize_trigger(std::string_view url, error_code transport,
                                                           const http_response&, register_trigger_body& out,
                                                           diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_http_source(std::string_view url, error_code transport, const http_response&,
                                                    http_source_response& out, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_webhook(std::string_view url, error_code transport, const http_response&,
                                                webhook_delivery_response& out, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_http_endpoint(std::string_view url, error_code transport, const http_response&,
                                                      http_endpoint_response_result& out, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_probe(error_code transport, const http_response&, probe_result& out,
                                              diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_run_notification(std::string_view url, error_code transport,
                                                         const http_response&, diagnostics& diag);
KONGFLOW_ENDPOINTS_DECL error_code read_deliver_event(std::string_view url, error_code transport, const http_response&,
                                                      deliver_event_response& out, diagnostics& diag);

/// True for the platform timeouts of protocol.md §A.5 (Vercel, CloudFront, Deno, Cloudflare).
KONGFLOW_ENDPOINTS_DECL bool is_platform_timeout(const http_response&);

/// The one definition lives with the HTTP value types; the readers here use it unqualified.
using endpoints::is_redirect;

/// Trigger.dev sends every action with fetch's default `redirect: "follow"`, except
/// INDEX_ENDPOINT (`redirect: "manual"`: §C.4 stores the new URL itself).
constexpr bool follows_redirects(endpoint_action a) noexcept { return a != endpoint_action::index_endpoint; }

/// The most redirects one action follows (fetch's limit).
inline constexpr unsigned max_redirects = 20;

/// What to do with a reply to a request that follows redirects (fetch's "HTTP-redirect fetch").
struct redirect_step {
    enum class kind {
        deliver, ///< not a redirect, or one without Location: the reply is the answer
        follow,  ///< send `next`
        fail,    ///< fetch fails (Trigger.dev: no response); `ec` and the diagnostics say why
    } what = kind::deliver;
    action_request next;
    error_code ec;
};

/// `location` resolved against `base_url` (RFC 3986), without its fragment, when the result is an
/// absolute http(s) URL with a host and no user info; nothing otherwise.
KONGFLOW_ENDPOINTS_DECL std::optional<std::string> resolve_location(std::string_view base_url,
                                                                    std::string_view location);

/// The URL an INDEX_ENDPOINT redirect moves the endpoint to: a relative Location resolved against
/// `from` (Trigger.dev stores it verbatim, then cannot reach it); anything else verbatim, as
/// Trigger.dev stores it.
KONGFLOW_ENDPOINTS_DECL std::string index_redirect_url(std::string_view from, std::string_view location);

/// The next hop after `reply` to `sent`, which already followed `followed` redirects:
/// `Location` resolved against the request's URL; 301/302 of a POST and 303 become a GET without
/// body or body headers; 307/308 resend as is; more than max_redirects, a Location that is not
/// an absolute http(s) URL with a host (or carries user info) fails. The fragment is dropped.
KONGFLOW_ENDPOINTS_DECL redirect_step next_hop(const action_request& sent, const http_response& reply,
                                               unsigned followed, diagnostics& diag);

} // namespace replies
} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/client/impl/replies.ipp>
#endif

#endif
