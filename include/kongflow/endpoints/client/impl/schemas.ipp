// The protocol's zod trees (the core 2.3.19 schemas) and the parse and validate entry points;
// the JSON conversions of the shapes are in json_index.ipp and json_actions.ipp.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_SCHEMAS_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_SCHEMAS_IPP

#include <kongflow/endpoints/client/detail/js_date.hpp>
#include <kongflow/endpoints/client/detail/json_fields.hpp>
#include <kongflow/endpoints/client/detail/zod_schema.hpp>
#include <kongflow/endpoints/client/schemas.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>

namespace kongflow::endpoints {

namespace detail {

// The core 2.3.19 schemas (dist/index.js), transcribed one for one. Keep the key order of each
// z.object: zod reports issues in that order.
struct protocol_schemas {
    zs::builder b;
    const zs::node* error_with_stack = nullptr;
    const zs::node* job_metadata = nullptr;
    const zs::node* index_endpoint_response = nullptr;
    const zs::node* pong = nullptr;
    const zs::node* validate = nullptr;
    const zs::node* endpoint_index_error = nullptr;
    const zs::node* index_endpoint_stats = nullptr;
    const zs::node* endpoint_headers = nullptr;
    const zs::node* create_endpoint_body = nullptr;      ///< the webapp's route: {url, id}
    const zs::node* create_endpoint_body_name = nullptr; ///< older SDKs: {url, name}
    const zs::node* execute_job_headers = nullptr;
    const zs::node* register_trigger_body_v1 = nullptr;
    const zs::node* register_trigger_body_v2 = nullptr;
    const zs::node* normalized_response = nullptr;
    const zs::node* http_source_response = nullptr;
    const zs::node* webhook_delivery_response = nullptr;
    const zs::node* preprocess_run_response = nullptr;
    const zs::node* deliver_event_response = nullptr;
    const zs::node* run_job_response = nullptr;

    protocol_schemas() {
        using B = zs::builder;
        const auto* S = b.string();
        const auto* N = b.number();
        const auto* Bo = b.boolean();
        const auto* any = b.any();
        const auto* ostr = b.optional(S);
        const auto* str_or_strs = b.union_({S, b.array(S)});

        error_with_stack = b.object({{"message", S}, {"name", ostr}, {"stack", ostr}});
        const auto* schema_error = b.object({{"path", b.array(S)}, {"message", S}});

        // EventMatcher / EventFilter
        const auto* ends_with = b.object({{"$endsWith", S}});
        const auto* starts_with = b.object({{"$startsWith", S}});
        const auto* ignore_case = b.object({{"$ignoreCaseEquals", S}});
        const auto* snb = b.union_({S, N, Bo});
        const auto* matcher_objects = b.union_({
            ends_with,
            starts_with,
            ignore_case,
            b.object({{"$exists", Bo}}),
            b.object({{"$isNull", Bo}}),
            b.object({{"$anythingBut", snb}}),
            b.object({{"$anythingBut", b.union_({b.array(S), b.array(N), b.array(Bo)})}}),
            b.object({{"$gt", N}}),
            b.object({{"$lt", N}}),
            b.object({{"$gte", N}}),
            b.object({{"$lte", N}}),
            b.object({{"$between", b.tuple({N, N})}}),
            b.object({{"$includes", snb}}),
            b.object({{"$not", snb}}),
        });
        const auto* event_matcher = b.union_({b.array(S), b.array(N), b.array(Bo), b.array(matcher_objects)});
        auto* event_filter = b.lazy();
        event_filter->inner = b.record(b.union_({event_matcher, event_filter}));
        const auto* oef = b.optional(event_filter);

        const auto* event_rule = b.object({{"event", str_or_strs}, {"source", S}, {"payload", oef}, {"context", oef}});
        const auto* integration_metadata = b.object({{"id", S}, {"name", S}, {"instructions", ostr}});
        const auto* integration_config = b.object({{"id", S},
                                                   {"metadata", integration_metadata},
                                                   {"authSource", b.enumeration({"HOSTED", "LOCAL", "RESOLVER"})}});

        const auto* literal_schema = b.union_({S, N, Bo, b.null()});
        auto* deserialized_json = b.lazy();
        deserialized_json->inner = b.union_({literal_schema, b.array(deserialized_json), b.record(deserialized_json)});

        const auto* display_property =
            b.object({{"label", S}, {"text", S}, {"url", ostr}, {"imageUrl", b.optional(b.array(S))}});
        const auto* display_properties = b.optional(b.array(display_property));
        const auto* style = b.object({{"style", b.enumeration({"normal", "minimal"})}, {"variant", ostr}});

        const auto* interval_options =
            b.object({{"seconds", b.number({B::integer(), B::positive(), B::min(20), B::max(2592e3)})}});
        const auto* cron_options = b.object({{"cron", S}});
        const auto* cron_metadata =
            b.object({{"type", b.literal("cron")}, {"options", cron_options}, {"accountId", ostr}, {"metadata", any}});
        const auto* interval_metadata = b.object(
            {{"type", b.literal("interval")}, {"options", interval_options}, {"accountId", ostr}, {"metadata", any}});
        const auto* schedule_metadata = b.discriminated_union("type", {interval_metadata, cron_metadata});
        const auto* job_ref = b.object({{"id", S}, {"version", S}});
        const auto* register_dynamic_schedule = b.object({{"id", S}, {"jobs", b.array(job_ref)}});

        const auto* task_status = b.enumeration({"PENDING", "WAITING", "RUNNING", "COMPLETED", "ERRORED", "CANCELED"});
        auto on = [&](const zs::node* n) { return b.nullable(b.optional(n)); }; // .optional().nullable()
        const auto* date = b.coerce_date();
        const auto* task = b.object({
            {"id", S},
            {"name", S},
            {"icon", on(S)},
            {"noop", Bo},
            {"startedAt", on(date)},
            {"completedAt", on(date)},
            {"delayUntil", on(date)},
            {"status", task_status},
            {"description", on(S)},
            {"properties", on(b.array(display_property))},
            {"outputProperties", on(b.array(display_property))},
            {"params", on(deserialized_json)},
            {"output", on(deserialized_json)},
            {"context", on(deserialized_json)},
            {"error", on(S)},
            {"parentId", on(S)},
            {"style", on(style)},
            {"operation", on(S)},
            {"callbackUrl", on(S)},
            {"childExecutionMode", on(b.enumeration({"SEQUENTIAL", "PARALLEL"}))},
        });

        const auto* event_example = b.object({{"id", S}, {"icon", ostr}, {"name", S}, {"payload", any}});
        const auto* event_specification = b.object({
            {"name", str_or_strs},
            {"title", S},
            {"source", S},
            {"icon", S},
            {"filter", oef},
            {"properties", display_properties},
            {"schema", b.optional(any)},
            {"examples", b.optional(b.array(event_example))},
        });
        const auto* dynamic_trigger = b.object({{"type", b.literal("dynamic")}, {"id", S}});
        const auto* trigger_help = b.object({{"noRuns", b.optional(b.object({{"text", S}, {"link", ostr}}))}});
        const auto* static_trigger = b.object({
            {"type", b.literal("static")},
            {"title", str_or_strs},
            {"properties", display_properties},
            {"rule", event_rule},
            {"link", ostr},
            {"help", b.optional(trigger_help)},
        });
        const auto* invoke_trigger = b.object({{"type", b.literal("invoke")}});
        const auto* scheduled_trigger = b.object({{"type", b.literal("scheduled")}, {"schedule", schedule_metadata}});
        const auto* trigger_metadata =
            b.discriminated_union("type", {dynamic_trigger, static_trigger, scheduled_trigger, invoke_trigger});

        const auto* string_match = b.union_({b.array(S), b.array(b.union_({ends_with, starts_with, ignore_case}))});
        const auto* http_method = b.union_({b.literal("GET"), b.literal("POST"), b.literal("PUT"), b.literal("PATCH"),
                                            b.literal("DELETE"), b.literal("HEAD"), b.literal("OPTIONS")});
        const auto* request_filter = b.object({
            {"method", b.optional(b.array(http_method))},
            {"headers", b.optional(b.record(string_match))},
            {"query", b.optional(b.record(string_match))},
            {"body", oef},
        });

        pong = b.discriminated_union(
            "ok",
            {b.object({{"ok", b.literal(true)}, {"triggerVersion", ostr}, {"triggerSdkVersion", ostr}}),
             b.object(
                 {{"ok", b.literal(false)}, {"error", S}, {"triggerVersion", ostr}, {"triggerSdkVersion", ostr}})});
        validate = b.discriminated_union(
            "ok", {b.object({{"ok", b.literal(true)}, {"endpointId", S}, {"triggerVersion", ostr}}),
                   b.object({{"ok", b.literal(false)}, {"error", S}, {"triggerVersion", ostr}})});

        const auto* concurrency_limit_options = b.object({{"id", S}, {"limit", N}});
        job_metadata = b.object({
            {"id", S},
            {"name", S},
            {"version", S},
            {"event", event_specification},
            {"trigger", trigger_metadata},
            {"integrations", b.record(integration_config)},
            {"internal", b.default_(Bo, false)},
            {"enabled", Bo},
            {"startPosition", b.enumeration({"initial", "latest"})},
            {"preprocessRuns", Bo},
            {"concurrencyLimit",
             b.optional(b.union_({concurrency_limit_options, b.number({B::integer(), B::positive()})}))},
        });
        const auto* channel = b.enumeration({"HTTP", "SQS", "SMTP"});
        const auto* source_v1 = b.object({
            {"version", b.literal("1")},
            {"channel", channel},
            {"integration", integration_config},
            {"key", S},
            {"params", any},
            {"events", b.array(S)},
            {"registerSourceJob", b.optional(job_ref)},
        });
        const auto* source_v2 = b.object({
            {"version", b.literal("2")},
            {"channel", channel},
            {"integration", integration_config},
            {"key", S},
            {"params", any},
            {"options", b.record(b.array(S))},
            {"registerSourceJob", b.optional(job_ref)},
        });
        const auto* source_metadata = b.add_missing_version(b.discriminated_union("version", {source_v1, source_v2}));
        const auto* webhook_metadata = b.object({
            {"key", S},
            {"params", any},
            {"config", b.record(b.array(S))},
            {"integration", integration_config},
            {"httpEndpoint", b.object({{"id", S}})},
        });
        const auto* dynamic_trigger_endpoint = b.object({
            {"id", S},
            {"jobs", b.array(b.pick(job_metadata, {"id", "version"}))},
            {"registerSourceJob", b.optional(job_ref)},
        });
        const auto* http_endpoint = b.object({
            {"id", S},
            {"version", S},
            {"enabled", Bo},
            {"title", ostr},
            {"icon", ostr},
            {"properties", display_properties},
            {"event", event_specification},
            {"immediateResponseFilter", b.optional(request_filter)},
            {"skipTriggeringRuns", b.optional(Bo)},
            {"source", S},
        });
        index_endpoint_response = b.object({
            {"jobs", b.array(job_metadata)},
            {"sources", b.array(source_metadata)},
            {"webhooks", b.optional(b.array(webhook_metadata))},
            {"dynamicTriggers", b.array(dynamic_trigger_endpoint)},
            {"dynamicSchedules", b.array(register_dynamic_schedule)},
            {"httpEndpoints", b.optional(b.array(http_endpoint))},
        });
        endpoint_index_error = b.object({{"message", S}, {"raw", b.optional(any)}});
        index_endpoint_stats = b.object({
            {"jobs", N},
            {"sources", N},
            {"webhooks", b.optional(N)},
            {"dynamicTriggers", N},
            {"dynamicSchedules", N},
            {"disabledJobs", b.default_(N, 0)},
            {"httpEndpoints", b.default_(N, 0)},
        });
        endpoint_headers = b.object({{"trigger-version", ostr}, {"trigger-sdk-version", ostr}});
        create_endpoint_body = b.object({{"url", S}, {"id", S}});
        create_endpoint_body_name = b.object({{"url", S}, {"name", S}});
        const auto* run_metadata =
            b.object({{"successSubscription", b.optional(Bo)}, {"failedSubscription", b.optional(Bo)}});
        execute_job_headers =
            b.extend(endpoint_headers, {{"x-trigger-run-metadata", b.optional(b.parse_json_string(run_metadata))}});
        register_trigger_body_v1 = b.object({{"rule", event_rule}, {"source", source_v1}});
        register_trigger_body_v2 = b.object({{"rule", event_rule}, {"source", source_v2}, {"accountId", ostr}});

        normalized_response = b.object({{"status", N}, {"body", any}, {"headers", b.optional(b.record(S))}});
        // The id default is a fresh ULID; any string passes validation, so "" stands in here.
        const auto* raw_event = b.object({
            {"name", S},
            {"payload", any},
            {"context", b.optional(any)},
            {"id", b.default_(S, "")},
            {"timestamp", b.optional(date)},
            {"source", ostr},
            {"payloadType", b.optional(b.union_({b.literal("JSON"), b.literal("REQUEST")}))},
        });
        http_source_response = b.object({{"response", normalized_response},
                                         {"events", b.array(raw_event)},
                                         {"metadata", b.optional(deserialized_json)}});
        webhook_delivery_response = b.object({{"response", normalized_response}, {"verified", Bo}, {"error", ostr}});
        preprocess_run_response = b.object({{"abort", Bo}, {"properties", display_properties}});
        deliver_event_response = b.object({{"deliveredAt", b.datetime()}});

        // RunJobResponse
        const auto* run_error =
            b.object({{"status", b.literal("ERROR")}, {"error", error_with_stack}, {"task", b.optional(task)}});
        const auto* yield_execution = b.object({{"status", b.literal("YIELD_EXECUTION")}, {"key", S}});
        const auto* auto_yield_metadata =
            b.object({{"location", S}, {"timeRemaining", N}, {"timeElapsed", N}, {"limit", b.optional(N)}});
        const auto* auto_yield_execution =
            b.extend(auto_yield_metadata, {{"status", b.literal("AUTO_YIELD_EXECUTION")}});
        const auto* auto_yield_completed = b.object({
            {"status", b.literal("AUTO_YIELD_EXECUTION_WITH_COMPLETED_TASK")},
            {"id", S},
            {"properties", display_properties},
            {"output", ostr},
            {"data", auto_yield_metadata},
        });
        const auto* auto_yield_rate_limit =
            b.object({{"status", b.literal("AUTO_YIELD_RATE_LIMIT")}, {"reset", b.coerce_number()}});
        const auto* invalid_payload =
            b.object({{"status", b.literal("INVALID_PAYLOAD")}, {"errors", b.array(schema_error)}});
        const auto* unresolved_auth = b.object({{"status", b.literal("UNRESOLVED_AUTH_ERROR")},
                                                {"issues", b.record(b.object({{"id", S}, {"error", S}}))}});
        const auto* resume_with_task = b.object({{"status", b.literal("RESUME_WITH_TASK")}, {"task", task}});
        const auto* retry_with_task = b.object(
            {{"status", b.literal("RETRY_WITH_TASK")}, {"task", task}, {"error", error_with_stack}, {"retryAt", date}});
        const auto* canceled_with_task = b.object({{"status", b.literal("CANCELED")}, {"task", task}});
        const auto* success = b.object({{"status", b.literal("SUCCESS")}, {"output", b.optional(deserialized_json)}});
        const auto* error_response =
            b.union_({auto_yield_execution, auto_yield_completed, yield_execution, auto_yield_rate_limit, run_error,
                      unresolved_auth, invalid_payload, resume_with_task, retry_with_task, canceled_with_task});
        const auto* resume_with_parallel = b.object({{"status", b.literal("RESUME_WITH_PARALLEL_TASK")},
                                                     {"task", task},
                                                     {"childErrors", b.array(error_response)}});
        run_job_response = b.discriminated_union("status", {auto_yield_execution, auto_yield_completed, yield_execution,
                                                            auto_yield_rate_limit, run_error, unresolved_auth,
                                                            invalid_payload, resume_with_task, resume_with_parallel,
                                                            retry_with_task, canceled_with_task, success});
    }
};

inline const protocol_schemas& protocol() {
    static const protocol_schemas instance;
    return instance;
}

template <class T, class Parse>
validated<T> run(const zs::node* schema, const boost::json::value& body, Parse&& parse) {
    auto issues = zs::validate(*schema, body);
    if (!issues.empty()) return validated<T>(std::move(issues));
    try {
        return validated<T>(parse(body));
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        // Validation and conversion disagree: a bug of ours (the differential test round-trips every
        // accepted payload), reported as an issue rather than thrown at the caller.
        zod_issue i;
        i.code = "custom";
        i.message = std::string("Could not convert the validated value: ") + e.what();
        return validated<T>(std::vector<zod_issue>{std::move(i)});
    }
}

} // namespace detail

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------
#define KONGFLOW_ENDPOINTS_PARSE_FN(fn, T, member)                                                                     \
    KONGFLOW_ENDPOINTS_DECL validated<T> fn(const boost::json::value& body) {                                          \
        return detail::run<T>(detail::protocol().member, body,                                                         \
                              [](const boost::json::value& v) { return boost::json::value_to<T>(v); });                \
    }

KONGFLOW_ENDPOINTS_PARSE_FN(parse_index_endpoint_response, index_endpoint_response, index_endpoint_response)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_job_metadata, job_metadata, job_metadata)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_pong_response, pong_response, pong)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_validate_response, validate_response, validate)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_error_with_stack, error_with_stack, error_with_stack)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_endpoint_index_error, endpoint_index_error, endpoint_index_error)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_index_endpoint_stats, index_endpoint_stats, index_endpoint_stats)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_register_trigger_body_v1, register_trigger_body_v1, register_trigger_body_v1)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_register_trigger_body_v2, register_trigger_body_v2, register_trigger_body_v2)

KONGFLOW_ENDPOINTS_DECL validated<register_trigger_body> parse_register_trigger_body(const boost::json::value& body) {
    // Trigger.dev parses RegisterTriggerBodySchemaV1 only, which every SDK 2.3 reply fails (its
    // sources are version "2"). Not a discriminated union: anything but "2" stays strict V1, so
    // older SDKs get Trigger.dev's exact messages (and a missing version still fails, as there).
    const auto* source = body.is_object() ? body.get_object().if_contains("source") : nullptr;
    const auto* version = source && source->is_object() ? source->get_object().if_contains("version") : nullptr;
    if (version && version->is_string() && version->get_string() == "2") {
        auto v2 = parse_register_trigger_body_v2(body);
        if (!v2) return v2.issues();
        return register_trigger_body{std::move(v2).value()};
    }
    auto v1 = parse_register_trigger_body_v1(body);
    if (!v1) return v1.issues();
    return register_trigger_body{std::move(v1).value()};
}
KONGFLOW_ENDPOINTS_PARSE_FN(parse_http_source_response, http_source_response, http_source_response)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_webhook_delivery_response, webhook_delivery_response, webhook_delivery_response)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_normalized_response, normalized_response, normalized_response)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_preprocess_run_response, preprocess_run_response, preprocess_run_response)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_deliver_event_response, deliver_event_response, deliver_event_response)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_run_job_response, run_job_response, run_job_response)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_endpoint_headers, endpoint_headers, endpoint_headers)
KONGFLOW_ENDPOINTS_PARSE_FN(parse_execute_job_headers, execute_job_headers, execute_job_headers)

#undef KONGFLOW_ENDPOINTS_PARSE_FN

KONGFLOW_ENDPOINTS_DECL validated<create_endpoint_body> parse_create_endpoint_body(const boost::json::value& body) {
    const auto* o = body.if_object();
    const bool by_name = o && !o->contains("id") && o->contains("name");
    const auto* schema =
        by_name ? detail::protocol().create_endpoint_body_name : detail::protocol().create_endpoint_body;
    return detail::run<create_endpoint_body>(schema, body, [by_name](const boost::json::value& v) {
        const auto& fields = v.as_object();
        return create_endpoint_body{std::string(fields.at("url").as_string()),
                                    std::string(fields.at(by_name ? "name" : "id").as_string())};
    });
}

KONGFLOW_ENDPOINTS_DECL std::vector<zod_issue> validate_index_endpoint_response(const boost::json::value& body) {
    return detail::zs::validate(*detail::protocol().index_endpoint_response, body);
}

// ---------------------------------------------------------------------------------------------
// The webapp's friendly index message (performEndpointIndexService)
// ---------------------------------------------------------------------------------------------
KONGFLOW_ENDPOINTS_DECL std::string js_to_string(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return v.get_bool() ? "true" : "false";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return js_number_to_string(detail::num(v));
    case boost::json::kind::string: return std::string(v.get_string());
    case boost::json::kind::object: return "[object Object]";
    case boost::json::kind::array: {
        // Array.prototype.join(","): null/undefined elements become "".
        std::string out;
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) out += ',';
            first = false;
            if (!e.is_null()) out += js_to_string(e);
        }
        return out;
    }
    }
    return {};
}

namespace detail {
inline bool js_truthy(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::null: return false;
    case boost::json::kind::bool_: return v.get_bool();
    case boost::json::kind::int64: return v.get_int64() != 0;
    case boost::json::kind::uint64: return v.get_uint64() != 0;
    case boost::json::kind::double_: return v.get_double() != 0 && !std::isnan(v.get_double());
    case boost::json::kind::string: return !v.get_string().empty();
    default: return true;
    }
}
} // namespace detail

KONGFLOW_ENDPOINTS_DECL index_failure index_failure_message(const boost::json::value& body,
                                                            const std::vector<zod_issue>& issues) {
    index_failure out;
    std::vector<std::string> lines;
    for (const auto& issue : issues) {
        if (issue.path.empty()) continue;
        const auto* first = std::get_if<std::string>(&issue.path[0]);
        if (!first || *first != "jobs") continue;
        // JS: `const job = anyBody.jobs[issue.path.at(1)]` — property access on whatever `jobs` is.
        const boost::json::value* jobs = body.is_object() ? body.get_object().if_contains("jobs") : nullptr;
        if (!jobs || jobs->is_null()) {
            out.reference_throws = true; // TypeError: cannot read properties of undefined/null
            continue;
        }
        const boost::json::value* job = nullptr;
        if (issue.path.size() >= 2) {
            const auto& key = issue.path[1];
            if (const auto* idx = std::get_if<std::size_t>(&key)) {
                if (jobs->is_array() && *idx < jobs->get_array().size())
                    job = &jobs->get_array()[*idx];
                else if (jobs->is_object())
                    job = jobs->get_object().if_contains(std::to_string(*idx));
            } else if (jobs->is_object()) {
                job = jobs->get_object().if_contains(std::get<std::string>(key));
            }
        } else if (jobs->is_object()) {
            job = jobs->get_object().if_contains("undefined"); // jobs[undefined]
        }
        if (!job || !detail::js_truthy(*job)) continue;
        std::string id = "undefined";
        if (job->is_object())
            if (const auto* idv = job->get_object().if_contains("id")) id = js_to_string(*idv);
        std::string path;
        for (std::size_t i = 2; i < issue.path.size(); ++i) {
            if (i > 2) path += '.';
            if (const auto* s = std::get_if<std::string>(&issue.path[i]))
                path += *s;
            else
                path += std::to_string(std::get<std::size_t>(issue.path[i]));
        }
        lines.push_back("Job \"" + id + "\": " + issue.message + " at \"" + path + "\".");
    }
    if (!lines.empty()) {
        out.message = "Your Jobs have issues:";
        for (const auto& l : lines) out.message += "\n- " + l;
    } else {
        out.message = from_zod_error(issues, "There's an issue with the format of your Jobs");
    }
    out.raw = from_zod_error(issues);
    return out;
}

KONGFLOW_ENDPOINTS_DECL std::string headers_failure_message(const std::vector<zod_issue>& issues) {
    return from_zod_error(issues, "Your headers are invalid");
}

} // namespace kongflow::endpoints

#endif
