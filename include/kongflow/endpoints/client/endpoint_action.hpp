// The actions sent to an endpoint, and what one exchange needs: an action_request is the HTTP
// request (http_message.hpp) of an action; the reply is an http_response. One vocabulary for the
// client and the transport, so that an api_client hands the request to its HTTP layer as built.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_ENDPOINT_ACTION_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_ENDPOINT_ACTION_HPP

#include <kongflow/endpoints/client/http_message.hpp>
#include <kongflow/endpoints/detail/config.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpoints {

/// Every action Trigger.dev v2 sends to an endpoint (protocol.md §A), by its wire name.
enum class endpoint_action {
    ping,
    validate,
    index_endpoint,
    deliver_event, ///< legacy: removed from Trigger.dev; SDK 2.3 answers 405
    execute_job,
    preprocess_run,
    initialize_trigger,
    deliver_http_source_request,
    deliver_webhook_request,
    deliver_http_endpoint_request_for_response,
    probe_execution_timeout,
    run_notification,
};

/// The value of the x-trigger-action header.
constexpr std::string_view to_string(endpoint_action a) noexcept {
    switch (a) {
    case endpoint_action::ping: return "PING";
    case endpoint_action::validate: return "VALIDATE";
    case endpoint_action::index_endpoint: return "INDEX_ENDPOINT";
    case endpoint_action::deliver_event: return "DELIVER_EVENT";
    case endpoint_action::execute_job: return "EXECUTE_JOB";
    case endpoint_action::preprocess_run: return "PREPROCESS_RUN";
    case endpoint_action::initialize_trigger: return "INITIALIZE_TRIGGER";
    case endpoint_action::deliver_http_source_request: return "DELIVER_HTTP_SOURCE_REQUEST";
    case endpoint_action::deliver_webhook_request: return "DELIVER_WEBHOOK_REQUEST";
    case endpoint_action::deliver_http_endpoint_request_for_response:
        return "DELIVER_HTTP_ENDPOINT_REQUEST_FOR_RESPONSE";
    case endpoint_action::probe_execution_timeout: return "PROBE_EXECUTION_TIMEOUT";
    case endpoint_action::run_notification: return "RUN_NOTIFICATION";
    }
    return "";
}

/// Where an action goes and with which credentials.
struct endpoint_target {
    std::string url;     ///< the stored endpoint URL; actions are POSTed to it as is
    std::string api_key; ///< the environment's secret key (x-trigger-api-key)
    /// Overrides the client's default total timeout for this one call.
    std::optional<std::chrono::milliseconds> timeout;
};

/// One action's request, fully built: the HTTP request (method POST, or GET on a hop after a
/// 301, 302 or 303, as fetch's redirect rules and replies::next_hop say; every header in wire
/// order; the body; `total_timeout` for the whole exchange, 0 = none) and which action it is. An
/// api_client sends it as the http_request it is, and answers with the http_response it got.
struct action_request : http_request {
    endpoint_action action = endpoint_action::ping;
};

} // namespace kongflow::endpoints

#endif
