#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_REPLIES_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_REPLIES_IPP

#include <kongflow/endpoints/client/replies.hpp>
#include <kongflow/endpoints/client/zod.hpp>
#include <kongflow/endpoints/json_text.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace kongflow::endpoints::replies {
namespace detail {

/// zod-error 1.5.0 `generateErrorMessage(issues)`, which Trigger.dev uses for RunJobResponse and
/// request-body failures: `Code: <code> ~ Path: <a.0.b> ~ Message: <message>` joined by " | ".
inline std::string zod_generate_error_message(const std::vector<zod_issue>& issues) {
    std::string out;
    for (const auto& issue : issues) {
        if (!out.empty()) out += " | ";
        out += "Code: " + issue.code + " ~ Path: ";
        bool first = true;
        for (const auto& step : issue.path) {
            if (!first) out += '.';
            first = false;
            if (auto* key = std::get_if<std::string>(&step))
                out += *key;
            else
                out += std::to_string(std::get<std::size_t>(step));
        }
        out += " ~ Message: " + issue.message;
    }
    return out;
}

// Endpoint text kept in diagnostics is capped: it is for humans, and it is untrusted.
constexpr std::size_t server_text_cap = 4096;

inline std::string cap(std::string_view s) { return std::string(s.substr(0, std::min(s.size(), server_text_cap))); }

inline std::string could_not_connect(std::string_view url) {
    return "Could not connect to endpoint " + std::string(url);
}

/// The same after a failed transport. A refusal by the address policy (no Trigger.dev
/// counterpart) says why in a second sentence: the user must learn that the URL itself is refused.
/// The reason moves out of `diag`, so that fail() does not repeat it in parentheses.
inline std::string could_not_connect(std::string_view url, error_code transport, diagnostics& diag) {
    std::string out = could_not_connect(url);
    if (transport == errc::address_not_allowed && !diag.client_message().empty()) {
        out += ". ";
        out += diag.client_message();
        diag.clear();
    }
    return out;
}

inline std::string could_not_connect_status(std::string_view url, unsigned status) {
    return "Could not connect to endpoint " + std::string(url) + ". Status code: " + std::to_string(status);
}

/// `response.json()`: the whole body as JSON, or nothing when it does not parse.
inline std::optional<boost::json::value> body_json(const http_response& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec) return std::nullopt;
    return v;
}

/// JavaScript truthiness of a JSON value (safeParseBodyFromResponse drops falsy bodies).
inline bool truthy(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::null: return false;
    case boost::json::kind::bool_: return v.get_bool();
    case boost::json::kind::int64: return v.get_int64() != 0;
    case boost::json::kind::uint64: return v.get_uint64() != 0;
    case boost::json::kind::double_: return v.get_double() != 0.0 && v.get_double() == v.get_double();
    case boost::json::kind::string: return !v.get_string().empty();
    default: return true;
    }
}

/// safeBodyFromResponse(response, ErrorWithStackSchema): the endpoint's error, when it sent one.
inline std::optional<error_with_stack> error_body(const http_response& r) {
    auto json = body_json(r);
    if (!json || !truthy(*json)) return std::nullopt;
    auto parsed = parse_error_with_stack(*json);
    if (!parsed.ok()) return std::nullopt;
    return parsed.value();
}

inline void fail(diagnostics& diag, std::string message, const http_response* reply = nullptr) {
    // With no reply, the client may have left the transport's detail: keep it after our message.
    if (!reply && !diag.client_message().empty()) message += " (" + std::string(diag.client_message()) + ")";
    diag.set_client_message(std::move(message));
    if (reply && !reply->body.empty()) diag.set_server_message(cap(reply->body));
}

inline std::optional<std::string> header_string(const http_response& r, std::string_view name) {
    auto h = r.header(name);
    if (!h) return std::nullopt;
    return std::string(*h);
}

/// Drops an empty x-trigger-api-key: "no key" means no header, which the SDK reports as
/// "missing x-trigger-api-key header" rather than as a wrong key.
inline void drop_empty_key(action_request& req) {
    std::erase_if(req.headers, [](const http_header& h) { return h.name == "x-trigger-api-key" && h.value.empty(); });
}

inline void append_common(action_request& req, const client_identity& id, bool accept = true) {
    drop_empty_key(req);
    req.headers.push_back({"user-agent", id.user_agent});
    req.headers.push_back({"x-trigger-version", id.trigger_version});
    if (accept) req.headers.push_back({"accept", "application/json"});
}

inline action_request start(endpoint_action a, const endpoint_target& t, std::chrono::milliseconds timeout) {
    action_request req;
    req.action = a;
    req.url = t.url;
    req.total_timeout = t.timeout.value_or(timeout);
    return req;
}

inline std::string headers_record(const std::vector<http_header>& headers) {
    boost::json::object o;
    for (const auto& h : headers) o[h.name] = h.value; // a record: the last duplicate wins, as in JS
    return endpoints::json_text(o);
}

inline std::string json_or_empty_object(const boost::json::value& v) {
    return v.is_null() ? std::string("{}") : endpoints::json_text(v);
}

/// Shared by the strict actions (A.4, A.7, A.8, A.9): no response, then non-2xx.
inline error_code standard_throws(std::string_view url, error_code transport, const http_response& reply,
                                  diagnostics& diag) {
    if (transport) {
        fail(diag, could_not_connect(url, transport, diag));
        return transport;
    }
    if (!reply.ok()) {
        fail(diag, could_not_connect_status(url, reply.status), &reply);
        return make_http_error(reply.status);
    }
    return {};
}

/// `response.json()` then a strict `schema.parse`: the ZodError's message on failure.
template <class T, class Parse>
error_code strict_parse(const http_response& reply, Parse parse, T& out, diagnostics& diag) {
    auto json = body_json(reply);
    if (!json) {
        fail(diag, "Endpoint responded with invalid JSON", &reply);
        return errc::invalid_json;
    }
    auto parsed = parse(*json);
    if (!parsed.ok()) {
        fail(diag, zod_error_message(parsed.issues()), &reply);
        return errc::invalid_response;
    }
    out = std::move(parsed.value());
    return {};
}

} // namespace detail

// ---------------------------------------------------------------------------------------------
// Requests (protocol.md §A.0–A.12). Header order follows Trigger.dev: the action's headers, then
// user-agent, x-trigger-version and accept added by its helper.
// ---------------------------------------------------------------------------------------------

KONGFLOW_ENDPOINTS_DECL action_request make_ping(const endpoint_target& t, std::string_view endpoint_id,
                                                 const client_identity& id) {
    auto req = detail::start(endpoint_action::ping, t, std::chrono::seconds(30));
    req.headers = {{"x-trigger-api-key", t.api_key},
                   {"x-trigger-endpoint-id", std::string(endpoint_id)},
                   {"x-trigger-action", "PING"}};
    detail::append_common(req, id);
    return req;
}

KONGFLOW_ENDPOINTS_DECL action_request make_validate(const endpoint_target& t, const client_identity& id) {
    auto req = detail::start(endpoint_action::validate, t, std::chrono::seconds(30));
    req.headers = {{"x-trigger-api-key", t.api_key}, {"x-trigger-action", "VALIDATE"}};
    detail::append_common(req, id);
    return req;
}

KONGFLOW_ENDPOINTS_DECL action_request make_index(const endpoint_target& t, const client_identity& id) {
    // Trigger.dev aborts INDEX_ENDPOINT after 5 s.
    auto req = detail::start(endpoint_action::index_endpoint, t, std::chrono::seconds(5));
    // fetch merges its `Accept` with the helper's `accept` into one value.
    req.headers = {{"accept", "application/json, application/json"},
                   {"x-trigger-api-key", t.api_key},
                   {"x-trigger-action", "INDEX_ENDPOINT"}};
    detail::append_common(req, id, false);
    return req;
}

KONGFLOW_ENDPOINTS_DECL action_request make_json_action(endpoint_action a, const endpoint_target& t,
                                                        const boost::json::value& body, const client_identity& id) {
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    if (a == endpoint_action::execute_job) timeout = std::chrono::minutes(15);
    if (a == endpoint_action::probe_execution_timeout) {
        // The SDK sleeps for the requested time before answering: allow for it.
        std::int64_t ms = 900000;
        if (auto* o = body.if_object())
            if (auto* v = o->if_contains("timeout"); v && v->is_number()) ms = v->to_number<std::int64_t>();
        timeout = std::chrono::milliseconds(std::max<std::int64_t>(ms, 0)) + std::chrono::seconds(30);
    }
    auto req = detail::start(a, t, timeout);
    // PREPROCESS_RUN and INITIALIZE_TRIGGER spell it "Content-Type" in Trigger.dev.
    bool capitalised = a == endpoint_action::preprocess_run || a == endpoint_action::initialize_trigger ||
                       a == endpoint_action::deliver_event;
    req.headers = {{capitalised ? "Content-Type" : "content-type", "application/json"},
                   {"x-trigger-api-key", t.api_key},
                   {"x-trigger-action", std::string(to_string(a))}};
    detail::append_common(req, id);
    req.body = endpoints::json_text(body);
    return req;
}

KONGFLOW_ENDPOINTS_DECL action_request make_http_source(const endpoint_target& t, const http_source_delivery& d,
                                                        const client_identity& id) {
    auto req = detail::start(endpoint_action::deliver_http_source_request, t, std::chrono::seconds(30));
    req.headers = {{"Content-Type", "application/octet-stream"},
                   {"x-trigger-api-key", t.api_key},
                   {"x-trigger-action", "DELIVER_HTTP_SOURCE_REQUEST"},
                   {"x-ts-key", d.key},
                   {"x-ts-secret", d.secret},
                   {"x-ts-params", detail::json_or_empty_object(d.params)},
                   {"x-ts-data", detail::json_or_empty_object(d.data)},
                   {"x-ts-http-url", d.request.url},
                   {"x-ts-http-method", d.request.method},
                   {"x-ts-http-headers", detail::headers_record(d.request.headers)}};
    if (d.auth) req.headers.push_back({"x-ts-auth", endpoints::json_text(*d.auth)});
    if (d.dynamic_id && !d.dynamic_id->empty()) req.headers.push_back({"x-ts-dynamic-id", *d.dynamic_id});
    if (d.metadata && detail::truthy(*d.metadata))
        req.headers.push_back({"x-ts-metadata", endpoints::json_text(*d.metadata)});
    detail::append_common(req, id);
    req.body = d.request.raw_body;
    return req;
}

KONGFLOW_ENDPOINTS_DECL action_request make_webhook(const endpoint_target& t, const webhook_delivery& d,
                                                    const client_identity& id) {
    auto req = detail::start(endpoint_action::deliver_webhook_request, t, std::chrono::seconds(30));
    req.headers = {{"Content-Type", "application/octet-stream"},
                   {"x-trigger-api-key", t.api_key},
                   {"x-trigger-action", "DELIVER_WEBHOOK_REQUEST"},
                   {"x-ts-key", d.key},
                   {"x-ts-secret", d.secret},
                   {"x-ts-params", detail::json_or_empty_object(d.params)},
                   {"x-ts-http-url", d.request.url},
                   {"x-ts-http-method", d.request.method},
                   {"x-ts-http-headers", detail::headers_record(d.request.headers)}};
    detail::append_common(req, id);
    req.body = d.request.raw_body;
    return req;
}

KONGFLOW_ENDPOINTS_DECL action_request make_http_endpoint(const endpoint_target& t, const http_endpoint_delivery& d,
                                                          const client_identity& id) {
    auto req = detail::start(endpoint_action::deliver_http_endpoint_request_for_response, t, std::chrono::seconds(30));
    req.headers = {{"Content-Type", "application/octet-stream"},
                   {"x-trigger-api-key", t.api_key},
                   {"x-trigger-action", "DELIVER_HTTP_ENDPOINT_REQUEST_FOR_RESPONSE"},
                   {"x-ts-key", d.key},
                   {"x-ts-http-url", d.request.url},
                   {"x-ts-http-method", d.request.method},
                   {"x-ts-http-headers", detail::headers_record(d.request.headers)}};
    detail::append_common(req, id);
    req.body = d.request.raw_body;
    return req;
}

KONGFLOW_ENDPOINTS_DECL error_code check_headers(const action_request& req, diagnostics& diag) {
    auto bad = [](std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; };
    for (const auto& h : req.headers) {
        if (bad(h.name) || bad(h.value) || h.name.empty()) {
            diag.set_client_message("refused to send header \"" + std::string(h.name.substr(0, 64)) +
                                    "\": names and values must not contain CR, LF or NUL");
            return errc::invalid_header_value;
        }
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Replies.
// ---------------------------------------------------------------------------------------------

namespace detail {

constexpr std::string_view missing_api_trigger =
    "Could not parse response from endpoint. Make sure it points to the correct URL (you might be "
    "missing /api/trigger)";

/// Steps 1–4 shared by PING and VALIDATE (§A.1). Returns the body to validate when they pass.
inline std::optional<boost::json::value> ping_like_preamble(std::string_view url, error_code transport,
                                                            const http_response& reply, std::string& error,
                                                            error_code& ec, diagnostics& diag) {
    if (transport) {
        error = could_not_connect(url, transport, diag);
        ec = transport;
    } else if (reply.status == 401) {
        auto body = error_body(reply);
        error = body ? body->message : std::string("Trigger API key is invalid");
        ec = errc::unauthorized;
    } else if (!reply.ok()) {
        error = could_not_connect_status(url, reply.status);
        ec = make_http_error(reply.status);
    } else {
        auto json = body_json(reply);
        if (json && truthy(*json)) return json;
        error = std::string(missing_api_trigger);
        ec = errc::invalid_json;
    }
    fail(diag, error, transport ? nullptr : &reply);
    return std::nullopt;
}

} // namespace detail

KONGFLOW_ENDPOINTS_DECL error_code read_ping(std::string_view url, error_code transport, const http_response& reply,
                                             ping_result& out, diagnostics& diag) {
    out = {};
    error_code ec;
    auto json = detail::ping_like_preamble(url, transport, reply, out.error, ec, diag);
    if (!json) return ec;
    auto pong = parse_pong_response(*json);
    if (!pong.ok()) {
        out.error = "Endpoint " + std::string(url) + " responded with error: " + zod_error_message(pong.issues());
        detail::fail(diag, out.error, &reply);
        return errc::invalid_response;
    }
    const auto& p = pong.value();
    out.ok = p.ok;
    out.error = p.error.value_or("");
    out.trigger_version = p.trigger_version;
    out.trigger_sdk_version = p.trigger_sdk_version;
    // A trigger-version header overrides both versions, even with no sdk header (Trigger.dev).
    if (auto v = reply.header("trigger-version"); v && !v->empty()) {
        out.trigger_version = std::string(*v);
        out.trigger_sdk_version = detail::header_string(reply, "trigger-sdk-version");
    }
    if (!out.ok) {
        detail::fail(diag, out.error, &reply);
        return errc::endpoint_error;
    }
    return {};
}

KONGFLOW_ENDPOINTS_DECL error_code read_validate(std::string_view url, error_code transport, const http_response& reply,
                                                 validate_result& out, diagnostics& diag) {
    out = {};
    error_code ec;
    auto json = detail::ping_like_preamble(url, transport, reply, out.error, ec, diag);
    if (!json) return ec;
    auto parsed = parse_validate_response(*json);
    if (!parsed.ok()) {
        out.error = "Endpoint " + std::string(url) + " responded with error: " + zod_error_message(parsed.issues());
        detail::fail(diag, out.error, &reply);
        return errc::invalid_response;
    }
    const auto& v = parsed.value();
    out.ok = v.ok;
    out.endpoint_id = v.endpoint_id.value_or("");
    out.error = v.error.value_or("");
    out.trigger_version = v.trigger_version;
    if (auto h = reply.header("trigger-version"); h && !h->empty()) out.trigger_version = std::string(*h);
    if (!out.ok) {
        detail::fail(diag, out.error, &reply);
        return errc::endpoint_error;
    }
    return {};
}

KONGFLOW_ENDPOINTS_DECL error_code read_index(std::string_view url, error_code transport, const http_response& reply,
                                              index_result& out, diagnostics& diag) {
    out = {};
    out.kind = index_result::outcome::failure;
    out.status = reply.status;
    out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(reply.duration);
    auto failure = [&](std::string message, error_code ec, std::optional<boost::json::value> raw = std::nullopt) {
        out.error.message = std::move(message);
        out.error.raw = std::move(raw);
        detail::fail(diag, out.error.message, transport ? nullptr : &reply);
        return ec;
    };
    if (transport) return failure(detail::could_not_connect(url, transport, diag), transport);
    if (is_redirect(reply.status)) {
        // Trigger.dev tests `!response.headers.get("location")`: an empty value (fetch trims
        // spaces and tabs) fails like an absent one.
        auto location = reply.header("location");
        if (!location || location->find_first_not_of(" \t") == std::string_view::npos)
            return failure("Endpoint " + std::string(url) + " is redirecting but no location header is present",
                           errc::redirect_without_location);
        out.kind = index_result::outcome::redirect;
        out.location = std::string(*location);
        return {};
    }
    if (reply.status == 401) {
        auto body = detail::error_body(reply);
        return failure(body ? body->message : std::string("Trigger API key is invalid"), errc::unauthorized);
    }
    if (!reply.ok()) return failure(detail::could_not_connect_status(url, reply.status), make_http_error(reply.status));

    // Trigger.dev throws here on a non-JSON body and leaves the index STARTED; we record a FAILURE.
    auto json = detail::body_json(reply);
    if (!json)
        return failure("Endpoint " + std::string(url) +
                           " responded with invalid JSON. Make sure it points to the correct URL (you might be "
                           "missing /api/trigger)",
                       errc::invalid_json);
    auto parsed = parse_index_endpoint_response(*json);
    if (!parsed.ok()) {
        auto friendly = index_failure_message(*json, parsed.issues());
        return failure(std::move(friendly.message), errc::invalid_response, boost::json::value(friendly.raw));
    }
    out.kind = index_result::outcome::success;
    out.response = std::move(parsed.value());
    out.body = std::move(*json);
    out.trigger_version = detail::header_string(reply, "trigger-version");
    out.trigger_sdk_version = detail::header_string(reply, "trigger-sdk-version");
    return {};
}

KONGFLOW_ENDPOINTS_DECL bool is_platform_timeout(const http_response& r) {
    auto contains = [&](std::string_view needle) { return r.body.find(needle) != std::string::npos; };
    // Vercel (408/504, which also covers CloudFront's 504), Deno Deploy, Cloudflare Workers.
    if (r.status == 408 || r.status == 504) return true;
    if (auto v = r.header("x-vercel-error"); v && *v == "FUNCTION_INVOCATION_TIMEOUT") return true;
    if (r.status == 502 && contains("TIME_LIMIT")) return true;
    return r.status == 503 && contains("Worker exceeded resource limits") && r.header("cf-ray").has_value();
}

KONGFLOW_ENDPOINTS_DECL error_code read_execute_job(std::string_view url, error_code transport,
                                                    const http_response& reply, execute_job_result& out,
                                                    diagnostics& diag) {
    using outcome = execute_job_result::outcome;
    out = {};
    out.status = reply.status;
    out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(reply.duration);
    auto finish = [&](outcome k, std::string message, error_code ec) {
        out.kind = k;
        out.message = std::move(message);
        detail::fail(diag, out.message, transport ? nullptr : &reply);
        return ec;
    };
    if (transport)
        return finish(outcome::retry, "Connection could not be established to the endpoint (" + std::string(url) + ")",
                      transport);

    out.trigger_version = detail::header_string(reply, "trigger-version");
    if (auto meta = reply.header("x-trigger-run-metadata")) {
        boost::system::error_code jec;
        auto v = boost::json::parse(*meta, jec);
        if (!jec) out.run_metadata = std::move(v);
    }
    auto json = detail::body_json(reply);
    if (!reply.ok()) {
        if (json) {
            if (auto e = parse_error_with_stack(*json); e.ok()) {
                out.endpoint_error = e.value();
                bool client_error = reply.status >= 400 && reply.status < 500;
                return finish(client_error ? outcome::fail : outcome::retry, e.value().message,
                              make_http_error(reply.status));
            }
        }
        std::string message = "Endpoint responded with " + std::to_string(reply.status) + " status code";
        if (reply.status >= 400 && reply.status < 500 && reply.status != 408)
            return finish(outcome::fail, std::move(message), make_http_error(reply.status));
        if (is_platform_timeout(reply)) return finish(outcome::resume, std::move(message), errc::timeout);
        return finish(outcome::retry, std::move(message), make_http_error(reply.status));
    }
    if (!json) return finish(outcome::fail, "Endpoint responded with invalid JSON", errc::invalid_json);
    auto parsed = parse_run_job_response(*json);
    if (!parsed.ok())
        return finish(outcome::fail, detail::zod_generate_error_message(parsed.issues()), errc::invalid_response);
    out.kind = outcome::success;
    out.response = std::move(parsed.value());
    return {};
}

KONGFLOW_ENDPOINTS_DECL error_code read_preprocess_run(std::string_view, error_code transport,
                                                       const http_response& reply, preprocess_run_result& out,
                                                       diagnostics& diag) {
    out = {};
    if (transport) {
        detail::fail(diag, "Could not connect to the endpoint");
        return transport;
    }
    if (!reply.ok()) {
        detail::fail(diag, "Endpoint responded with " + std::to_string(reply.status) + " status code", &reply);
        return make_http_error(reply.status);
    }
    auto json = detail::body_json(reply);
    if (!json) {
        detail::fail(diag, "Endpoint responded with invalid JSON", &reply);
        return errc::invalid_json;
    }
    auto parsed = parse_preprocess_run_response(*json);
    if (!parsed.ok()) {
        detail::fail(diag, detail::zod_generate_error_message(parsed.issues()), &reply);
        return errc::invalid_response;
    }
    out = std::move(parsed.value());
    return {};
}

KONGFLOW_ENDPOINTS_DECL error_code read_initialize_trigger(std::string_view url, error_code transport,
                                                           const http_response& reply, register_trigger_body& out,
                                                           diagnostics& diag) {
    if (transport) {
        detail::fail(diag, detail::could_not_connect(url, transport, diag));
        return transport;
    }
    if (!reply.ok()) {
        if (auto body = detail::error_body(reply)) {
            // EndpointApiError: the endpoint's own message and stack.
            diag.set_client_message("EndpointApiError: " + body->message);
            diag.set_server_message(detail::cap(body->stack.value_or("")));
            return errc::endpoint_error;
        }
        detail::fail(diag, detail::could_not_connect_status(url, reply.status), &reply);
        return make_http_error(reply.status);
    }
    return detail::strict_parse(
        reply, [](const auto& j) { return parse_register_trigger_body(j); }, out, diag);
}

KONGFLOW_ENDPOINTS_DECL error_code read_http_source(std::string_view url, error_code transport,
                                                    const http_response& reply, http_source_response& out,
                                                    diagnostics& diag) {
    if (auto ec = detail::standard_throws(url, transport, reply, diag)) return ec;
    return detail::strict_parse(
        reply, [](const auto& j) { return parse_http_source_response(j); }, out, diag);
}

KONGFLOW_ENDPOINTS_DECL error_code read_webhook(std::string_view url, error_code transport, const http_response& reply,
                                                webhook_delivery_response& out, diagnostics& diag) {
    if (auto ec = detail::standard_throws(url, transport, reply, diag)) return ec;
    return detail::strict_parse(
        reply, [](const auto& j) { return parse_webhook_delivery_response(j); }, out, diag);
}

KONGFLOW_ENDPOINTS_DECL error_code read_http_endpoint(std::string_view url, error_code transport,
                                                      const http_response& reply, http_endpoint_response_result& out,
                                                      diagnostics& diag) {
    if (auto ec = detail::standard_throws(url, transport, reply, diag)) return ec;
    out.reply = reply;
    // On failure the caller answers the original HTTP request with 500 and this message.
    auto json = detail::body_json(reply);
    if (!json) {
        detail::fail(diag, "Could not parse response from client", &reply);
        return errc::invalid_json;
    }
    auto parsed = parse_normalized_response(*json);
    if (!parsed.ok()) {
        detail::fail(diag, "Could not parse response from client", &reply);
        return errc::invalid_response;
    }
    out.response = std::move(parsed.value());
    return {};
}

KONGFLOW_ENDPOINTS_DECL error_code read_probe(error_code transport, const http_response& reply, probe_result& out,
                                              diagnostics& diag) {
    out = {};
    if (transport) {
        detail::fail(diag, "no response to PROBE_EXECUTION_TIMEOUT");
        return transport;
    }
    out.status = reply.status;
    out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(reply.duration);
    out.timed_out_on_platform = is_platform_timeout(reply);
    return {};
}

KONGFLOW_ENDPOINTS_DECL error_code read_run_notification(std::string_view url, error_code transport,
                                                         const http_response& reply, diagnostics& diag) {
    if (transport) {
        detail::fail(diag, "Failed to deliver endpoint notification to " + std::string(url));
        return transport;
    }
    if (!reply.ok()) {
        detail::fail(diag,
                     "Failed to deliver endpoint notification to " + std::string(url) + ": [" +
                         std::to_string(reply.status) + "] " + reply.reason,
                     &reply);
        return make_http_error(reply.status);
    }
    return {};
}

KONGFLOW_ENDPOINTS_DECL error_code read_deliver_event(std::string_view url, error_code transport,
                                                      const http_response& reply, deliver_event_response& out,
                                                      diagnostics& diag) {
    if (auto ec = detail::standard_throws(url, transport, reply, diag)) return ec;
    return detail::strict_parse(
        reply, [](const auto& j) { return parse_deliver_event_response(j); }, out, diag);
}

KONGFLOW_ENDPOINTS_DECL std::optional<std::string> resolve_location(std::string_view base_url,
                                                                    std::string_view location) {
    namespace urls = boost::urls;
    // Boost.URL 1.81 reads "http://h:80./8/" as port 80 and the path "./8/", which resolve() then
    // turns into "http://h:808/" (found by tests/fuzz). With an authority, a path is empty or
    // starts with '/' (RFC 3986 path-abempty): refuse anything else, before and after resolving.
    auto well_formed = [](const urls::url_view_base& u) {
        return !u.has_authority() || u.encoded_path().empty() || u.encoded_path().front() == '/';
    };
    auto base = urls::parse_uri(base_url);
    auto ref = urls::parse_uri_reference(location);
    urls::url target;
    if (!base || !ref || !well_formed(*base) || !well_formed(*ref) || !urls::resolve(*base, *ref, target) ||
        !well_formed(target))
        return std::nullopt;
    target.remove_fragment();
    if ((target.scheme_id() != urls::scheme::http && target.scheme_id() != urls::scheme::https) ||
        !target.has_authority() || target.encoded_host().empty() || target.has_userinfo())
        return std::nullopt;
    return std::string(target.buffer());
}

KONGFLOW_ENDPOINTS_DECL std::string index_redirect_url(std::string_view from, std::string_view location) {
    auto reference = boost::urls::parse_uri_reference(location);
    if (reference && !reference->has_scheme())
        if (auto resolved = resolve_location(from, location)) return std::move(*resolved);
    return std::string(location);
}

KONGFLOW_ENDPOINTS_DECL redirect_step next_hop(const action_request& sent, const http_response& reply,
                                               unsigned followed, diagnostics& diag) {
    redirect_step step;
    auto location = reply.header("location");
    if (!is_redirect(reply.status) || !location) return step; // fetch hands a 3xx without Location back
    auto refuse = [&](error_code ec, std::string why) {
        step.what = redirect_step::kind::fail;
        step.ec = ec;
        diag.set_client_message(std::move(why));
        return step;
    };
    if (followed >= max_redirects) return refuse(errc::too_many_redirects, "redirect count exceeded");
    auto target = resolve_location(sent.url, *location);
    if (!target) return refuse(errc::invalid_url, "invalid redirect location: " + detail::cap(*location));

    step.what = redirect_step::kind::follow;
    step.next = sent;
    step.next.url = std::move(*target);
    const bool post = sent.method == "POST";
    if (((reply.status == 301 || reply.status == 302) && post) ||
        (reply.status == 303 && sent.method != "GET" && sent.method != "HEAD")) {
        step.next.method = "GET";
        step.next.body.clear();
        std::erase_if(step.next.headers, [](const http_header& h) {
            for (std::string_view body_header :
                 {"content-encoding", "content-language", "content-location", "content-type"})
                if (iequals_ascii(h.name, body_header)) return true;
            return false;
        });
    }
    return step;
}

} // namespace kongflow::endpoints::replies

#endif
