// JSON conversions of the other actions' shapes (PING, VALIDATE, EXECUTE_JOB, PREPROCESS_RUN, the
// HTTP source and webhook deliveries, REGISTER_TRIGGER...), declared in client/schemas.hpp.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_JSON_ACTIONS_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_JSON_ACTIONS_IPP

#include <kongflow/endpoints/client/detail/js_date.hpp>
#include <kongflow/endpoints/client/detail/json_fields.hpp>
#include <kongflow/endpoints/client/schemas.hpp>
#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/json_text.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace kongflow::endpoints {

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const pong_response& v) {
    boost::json::object o;
    o["ok"] = v.ok;
    if (!v.ok) o["error"] = v.error.value_or("");
    detail::put_opt(o, "triggerVersion", v.trigger_version);
    detail::put_opt(o, "triggerSdkVersion", v.trigger_sdk_version);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL pong_response tag_invoke(const boost::json::value_to_tag<pong_response>&,
                                                 const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    pong_response p;
    p.ok = o.at("ok").as_bool();
    if (!p.ok) p.error = detail::str_at(o, "error");
    p.trigger_version = detail::opt_str(o, "triggerVersion");
    p.trigger_sdk_version = detail::opt_str(o, "triggerSdkVersion");
    return p;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const validate_response& v) {
    boost::json::object o;
    o["ok"] = v.ok;
    if (v.ok)
        o["endpointId"] = v.endpoint_id.value_or("");
    else
        o["error"] = v.error.value_or("");
    detail::put_opt(o, "triggerVersion", v.trigger_version);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL validate_response tag_invoke(const boost::json::value_to_tag<validate_response>&,
                                                     const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    validate_response r;
    r.ok = o.at("ok").as_bool();
    if (r.ok)
        r.endpoint_id = detail::str_at(o, "endpointId");
    else
        r.error = detail::str_at(o, "error");
    r.trigger_version = detail::opt_str(o, "triggerVersion");
    return r;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const error_with_stack& v) {
    boost::json::object o;
    o["message"] = v.message;
    detail::put_opt(o, "name", v.name);
    detail::put_opt(o, "stack", v.stack);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL error_with_stack tag_invoke(const boost::json::value_to_tag<error_with_stack>&,
                                                    const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "message"), detail::opt_str(o, "name"), detail::opt_str(o, "stack")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const endpoint_headers& v) {
    boost::json::object o;
    detail::put_opt(o, "trigger-version", v.trigger_version);
    detail::put_opt(o, "trigger-sdk-version", v.trigger_sdk_version);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL endpoint_headers tag_invoke(const boost::json::value_to_tag<endpoint_headers>&,
                                                    const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::opt_str(o, "trigger-version"), detail::opt_str(o, "trigger-sdk-version")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const execute_job_headers& v) {
    boost::json::object o;
    detail::put_opt(o, "trigger-version", v.trigger_version);
    detail::put_opt(o, "trigger-sdk-version", v.trigger_sdk_version);
    if (v.run_metadata) {
        boost::json::object m;
        if (v.run_metadata->success_subscription) m["successSubscription"] = *v.run_metadata->success_subscription;
        if (v.run_metadata->failed_subscription) m["failedSubscription"] = *v.run_metadata->failed_subscription;
        o["x-trigger-run-metadata"] = endpoints::json_text(m); // a header carries JSON text
    }
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL execute_job_headers tag_invoke(const boost::json::value_to_tag<execute_job_headers>&,
                                                       const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    execute_job_headers h;
    h.trigger_version = detail::opt_str(o, "trigger-version");
    h.trigger_sdk_version = detail::opt_str(o, "trigger-sdk-version");
    if (const auto* raw = o.if_contains("x-trigger-run-metadata")) {
        const auto m = boost::json::parse(raw->as_string());
        const auto& mo = m.as_object();
        execute_job_run_metadata r;
        if (const auto* p = mo.if_contains("successSubscription")) r.success_subscription = p->as_bool();
        if (const auto* p = mo.if_contains("failedSubscription")) r.failed_subscription = p->as_bool();
        h.run_metadata = r;
    }
    return h;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const register_trigger_body_v1& v) {
    jv = boost::json::object{{"rule", boost::json::value_from(v.rule)}, {"source", boost::json::value_from(v.source)}};
}
KONGFLOW_ENDPOINTS_DECL register_trigger_body_v1 tag_invoke(const boost::json::value_to_tag<register_trigger_body_v1>&,
                                                            const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {boost::json::value_to<event_rule>(o.at("rule")), boost::json::value_to<source_metadata_v1>(o.at("source"))};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const register_trigger_body_v2& v) {
    boost::json::object o{{"rule", boost::json::value_from(v.rule)}, {"source", boost::json::value_from(v.source)}};
    if (v.account_id) o["accountId"] = *v.account_id;
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL register_trigger_body_v2 tag_invoke(const boost::json::value_to_tag<register_trigger_body_v2>&,
                                                            const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    register_trigger_body_v2 r{boost::json::value_to<event_rule>(o.at("rule")),
                               boost::json::value_to<source_metadata_v2>(o.at("source")), std::nullopt};
    if (const auto* a = o.if_contains("accountId"); a && a->is_string()) r.account_id = std::string(a->get_string());
    return r;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const normalized_response& v) {
    boost::json::object o;
    o["status"] = detail::js_number(v.status);
    detail::put_opt(o, "body", v.body);
    if (v.headers) o["headers"] = detail::from_record(*v.headers);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL normalized_response tag_invoke(const boost::json::value_to_tag<normalized_response>&,
                                                       const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    normalized_response r;
    r.status = detail::num(o.at("status"));
    r.body = detail::opt_val(o, "body");
    if (const auto* h = o.if_contains("headers")) r.headers = detail::to_record<std::string>(*h);
    return r;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const raw_event& v) {
    boost::json::object o;
    o["name"] = v.name;
    detail::put_opt(o, "payload", v.payload);
    detail::put_opt(o, "context", v.context);
    o["id"] = v.id;
    if (v.timestamp_ms) o["timestamp"] = detail::js_number(*v.timestamp_ms);
    detail::put_opt(o, "source", v.source);
    detail::put_opt(o, "payloadType", v.payload_type);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL raw_event tag_invoke(const boost::json::value_to_tag<raw_event>&,
                                             const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    raw_event e;
    e.name = detail::str_at(o, "name");
    e.payload = detail::opt_val(o, "payload");
    e.context = detail::opt_val(o, "context");
    const auto* id = o.if_contains("id");
    e.id = id ? std::string(id->as_string()) : detail::new_ulid().value(); // throws only if the OS has no randomness
    if (const auto* t = o.if_contains("timestamp")) {
        auto ms = detail::js_date_from_value(t);
        if (!ms) throw std::invalid_argument("invalid timestamp");
        e.timestamp_ms = *ms;
    }
    e.source = detail::opt_str(o, "source");
    e.payload_type = detail::opt_str(o, "payloadType");
    return e;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const http_source_response& v) {
    boost::json::object o;
    o["response"] = boost::json::value_from(v.response);
    o["events"] = boost::json::value_from(v.events);
    detail::put_opt(o, "metadata", v.metadata);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL http_source_response tag_invoke(const boost::json::value_to_tag<http_source_response>&,
                                                        const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {boost::json::value_to<normalized_response>(o.at("response")),
            boost::json::value_to<std::vector<raw_event>>(o.at("events")), detail::opt_val(o, "metadata")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const webhook_delivery_response& v) {
    boost::json::object o;
    o["response"] = boost::json::value_from(v.response);
    o["verified"] = v.verified;
    detail::put_opt(o, "error", v.error);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL webhook_delivery_response
tag_invoke(const boost::json::value_to_tag<webhook_delivery_response>&, const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {boost::json::value_to<normalized_response>(o.at("response")), o.at("verified").as_bool(),
            detail::opt_str(o, "error")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const preprocess_run_response& v) {
    boost::json::object o;
    o["abort"] = v.abort;
    detail::put_opt(o, "properties", v.properties);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL preprocess_run_response tag_invoke(const boost::json::value_to_tag<preprocess_run_response>&,
                                                           const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {o.at("abort").as_bool(), detail::opt_to<std::vector<display_property>>(o, "properties")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const deliver_event_response& v) {
    jv = boost::json::object{{"deliveredAt", v.delivered_at}};
}
KONGFLOW_ENDPOINTS_DECL deliver_event_response tag_invoke(const boost::json::value_to_tag<deliver_event_response>&,
                                                          const boost::json::value& jv) {
    return {detail::str_at(detail::obj(jv), "deliveredAt")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const run_job_response& v) {
    jv = v.body;
}
KONGFLOW_ENDPOINTS_DECL run_job_response tag_invoke(const boost::json::value_to_tag<run_job_response>&,
                                                    const boost::json::value& jv) {
    return {detail::str_at(detail::obj(jv), "status"), boost::json::value(jv, boost::json::storage_ptr())};
}

} // namespace kongflow::endpoints

#endif
