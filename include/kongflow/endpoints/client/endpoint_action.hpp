// The vocabulary of one exchange with an endpoint: which action, what is sent, what came back.
// Transport-neutral on purpose, so that api_client implementations need no Beast.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_ENDPOINT_ACTION_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_ENDPOINT_ACTION_HPP

#include <kongflow/endpoints/detail/config.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpoints {

namespace detail {
constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}
} // namespace detail

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

struct header_field {
    std::string name;
    std::string value;
    friend bool operator==(const header_field&, const header_field&) = default;
};

/// Where an action goes and with which credentials.
struct endpoint_target {
    std::string url;     ///< the stored endpoint URL; actions are POSTed to it as is
    std::string api_key; ///< the environment's secret key (x-trigger-api-key)
    /// Overrides the client's default total timeout for this one call.
    std::optional<std::chrono::milliseconds> timeout;
};

/// One request, fully built: every header in wire order, the body, and its limits.
struct action_request {
    endpoint_action action = endpoint_action::ping;
    /// POST; GET only on a hop after a 301, 302 or 303 (fetch's redirect rules, replies::next_hop).
    std::string method = "POST";
    std::string url;
    std::vector<header_field> headers;
    std::string body;
    std::chrono::milliseconds timeout{30'000}; ///< total time for the exchange; 0 = none
};

/// One reply as received. An api_client reports "no response" as an error_code instead.
struct endpoint_reply {
    unsigned status = 0;
    std::string reason;
    std::vector<header_field> headers;
    std::string body;
    std::chrono::microseconds duration{};

    bool ok() const noexcept { return status >= 200 && status < 300; } // fetch's `ok`
    /// First header with this name, compared case-insensitively.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (const auto& h : headers)
            if (detail::ascii_iequals(h.name, name)) return std::string_view(h.value);
        return std::nullopt;
    }
};

} // namespace kongflow::endpoints

#endif
