#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_SCHEMAS_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_SCHEMAS_IPP

#include <kongflow/endpoints/client/detail/js_date.hpp>
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

// ---- reading (values already validated; .as_* throws on anything else) ----
inline const boost::json::object& obj(const boost::json::value& v) { return v.as_object(); }

inline std::string str_at(const boost::json::object& o, boost::json::string_view k) {
    return std::string(o.at(k).as_string());
}

inline std::optional<std::string> opt_str(const boost::json::object& o, boost::json::string_view k) {
    if (const auto* p = o.if_contains(k)) return std::string(p->as_string());
    return std::nullopt;
}

// Copies into the default memory resource: a typed value never refers to the input's storage, so
// the input may live in a short-lived json::monotonic_resource.
inline std::optional<boost::json::value> opt_val(const boost::json::object& o, boost::json::string_view k) {
    if (const auto* p = o.if_contains(k)) return boost::json::value(*p, boost::json::storage_ptr());
    return std::nullopt;
}

inline double num(const boost::json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return v.as_double();
}

inline bool get_bool(const boost::json::object& o, boost::json::string_view k, bool def = false) {
    if (const auto* p = o.if_contains(k)) return p->as_bool();
    return def;
}

inline string_or_strings to_sos(const boost::json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    return boost::json::value_to<std::vector<std::string>>(v);
}

template <class T>
std::optional<T> opt_to(const boost::json::object& o, boost::json::string_view k) {
    if (const auto* p = o.if_contains(k)) return boost::json::value_to<T>(*p);
    return std::nullopt;
}

template <class T>
json_record<T> to_record(const boost::json::value& v) {
    json_record<T> out;
    const auto& o = v.as_object();
    out.reserve(o.size());
    for (const auto& kv : o) out.emplace_back(std::string(kv.key()), boost::json::value_to<T>(kv.value()));
    return out;
}

// ---- writing ----
/// A JS number as JSON: integral values as integers (JS prints 3, not 3.0).
inline boost::json::value js_number(double d) {
    if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0) return static_cast<std::int64_t>(d);
    return d;
}

inline void put_opt(boost::json::object& o, boost::json::string_view k, const std::optional<std::string>& v) {
    if (v) o[k] = *v;
}

inline void put_opt(boost::json::object& o, boost::json::string_view k, const std::optional<boost::json::value>& v) {
    if (v) o[k] = *v;
}

template <class T>
void put_opt(boost::json::object& o, boost::json::string_view k, const std::optional<T>& v) {
    if (v) o[k] = boost::json::value_from(*v);
}

inline boost::json::value from_sos(const string_or_strings& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return boost::json::value(*s);
    return boost::json::value_from(std::get<std::vector<std::string>>(v));
}

template <class T>
boost::json::value from_record(const json_record<T>& r) {
    boost::json::object o;
    o.reserve(r.size());
    for (const auto& [k, v] : r) o[k] = boost::json::value_from(v);
    return o;
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

inline std::string make_ulid() {
    static constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    static std::mutex mu;
    static std::mt19937_64 rng{std::random_device{}()};
    std::uint64_t r1, r2;
    {
        std::lock_guard<std::mutex> lock(mu);
        r1 = rng();
        r2 = rng();
    }
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::string out(26, '0');
    std::uint64_t t = ms;
    for (int i = 9; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = alphabet[t & 31];
        t >>= 5;
    }
    // 80 random bits: 16 characters of 5 bits.
    for (int i = 0; i < 16; ++i) {
        std::uint64_t& src = i < 8 ? r1 : r2;
        out[static_cast<std::size_t>(10 + i)] = alphabet[src & 31];
        src >>= 5;
    }
    return out;
}

} // namespace detail

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const display_property& v) {
    boost::json::object o;
    o["label"] = v.label;
    o["text"] = v.text;
    detail::put_opt(o, "url", v.url);
    detail::put_opt(o, "imageUrl", v.image_url);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL display_property tag_invoke(const boost::json::value_to_tag<display_property>&,
                                                    const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "label"), detail::str_at(o, "text"), detail::opt_str(o, "url"),
            detail::opt_to<std::vector<std::string>>(o, "imageUrl")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const event_example& v) {
    boost::json::object o;
    // The SDK's key order (its examples are {id, name, icon, payload}).
    o["id"] = v.id;
    o["name"] = v.name;
    detail::put_opt(o, "icon", v.icon);
    detail::put_opt(o, "payload", v.payload);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL event_example tag_invoke(const boost::json::value_to_tag<event_example>&,
                                                 const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "id"), detail::opt_str(o, "icon"), detail::str_at(o, "name"),
            detail::opt_val(o, "payload")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const event_specification& v) {
    boost::json::object o;
    o["name"] = detail::from_sos(v.name);
    o["title"] = v.title;
    o["source"] = v.source;
    o["icon"] = v.icon;
    // The SDK's triggers write examples before properties (eventTrigger, intervalTrigger, cronTrigger).
    detail::put_opt(o, "filter", v.filter);
    detail::put_opt(o, "examples", v.examples);
    detail::put_opt(o, "properties", v.properties);
    detail::put_opt(o, "schema", v.schema);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL event_specification tag_invoke(const boost::json::value_to_tag<event_specification>&,
                                                       const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    event_specification e;
    e.name = detail::to_sos(o.at("name"));
    e.title = detail::str_at(o, "title");
    e.source = detail::str_at(o, "source");
    e.icon = detail::str_at(o, "icon");
    e.filter = detail::opt_val(o, "filter");
    e.properties = detail::opt_to<std::vector<display_property>>(o, "properties");
    e.schema = detail::opt_val(o, "schema");
    e.examples = detail::opt_to<std::vector<event_example>>(o, "examples");
    return e;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const event_rule& v) {
    boost::json::object o;
    o["event"] = detail::from_sos(v.event);
    o["source"] = v.source;
    detail::put_opt(o, "payload", v.payload);
    detail::put_opt(o, "context", v.context);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL event_rule tag_invoke(const boost::json::value_to_tag<event_rule>&,
                                              const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::to_sos(o.at("event")), detail::str_at(o, "source"), detail::opt_val(o, "payload"),
            detail::opt_val(o, "context")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const trigger_help& v) {
    boost::json::object o;
    if (v.no_runs) {
        boost::json::object n;
        n["text"] = v.no_runs->text;
        detail::put_opt(n, "link", v.no_runs->link);
        o["noRuns"] = std::move(n);
    }
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL trigger_help tag_invoke(const boost::json::value_to_tag<trigger_help>&,
                                                const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    trigger_help h;
    if (const auto* n = o.if_contains("noRuns"))
        h.no_runs = trigger_help::no_runs_help{detail::str_at(detail::obj(*n), "text"),
                                               detail::opt_str(detail::obj(*n), "link")};
    return h;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const static_trigger& v) {
    boost::json::object o;
    o["type"] = "static";
    o["title"] = detail::from_sos(v.title);
    detail::put_opt(o, "properties", v.properties);
    o["rule"] = boost::json::value_from(v.rule);
    detail::put_opt(o, "link", v.link);
    detail::put_opt(o, "help", v.help);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL static_trigger tag_invoke(const boost::json::value_to_tag<static_trigger>&,
                                                  const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    static_trigger t;
    t.title = detail::to_sos(o.at("title"));
    t.properties = detail::opt_to<std::vector<display_property>>(o, "properties");
    t.rule = boost::json::value_to<event_rule>(o.at("rule"));
    t.link = detail::opt_str(o, "link");
    t.help = detail::opt_to<trigger_help>(o, "help");
    return t;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const interval_schedule_metadata& v) {
    boost::json::object o;
    o["type"] = "interval";
    o["options"] = boost::json::object{{"seconds", v.seconds}};
    detail::put_opt(o, "accountId", v.account_id);
    detail::put_opt(o, "metadata", v.metadata);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL interval_schedule_metadata
tag_invoke(const boost::json::value_to_tag<interval_schedule_metadata>&, const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {static_cast<std::int64_t>(detail::num(detail::obj(o.at("options")).at("seconds"))),
            detail::opt_str(o, "accountId"), detail::opt_val(o, "metadata")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const cron_schedule_metadata& v) {
    boost::json::object o;
    o["type"] = "cron";
    o["options"] = boost::json::object{{"cron", v.cron}};
    detail::put_opt(o, "accountId", v.account_id);
    detail::put_opt(o, "metadata", v.metadata);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL cron_schedule_metadata tag_invoke(const boost::json::value_to_tag<cron_schedule_metadata>&,
                                                          const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(detail::obj(o.at("options")), "cron"), detail::opt_str(o, "accountId"),
            detail::opt_val(o, "metadata")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const scheduled_trigger& v) {
    boost::json::object o;
    o["type"] = "scheduled";
    o["schedule"] = std::visit([](const auto& s) { return boost::json::value_from(s); }, v.schedule);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL scheduled_trigger tag_invoke(const boost::json::value_to_tag<scheduled_trigger>&,
                                                     const boost::json::value& jv) {
    const auto& s = detail::obj(jv).at("schedule");
    if (detail::obj(s).at("type").as_string() == "interval")
        return {boost::json::value_to<interval_schedule_metadata>(s)};
    return {boost::json::value_to<cron_schedule_metadata>(s)};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const dynamic_trigger& v) {
    jv = boost::json::object{{"type", "dynamic"}, {"id", v.id}};
}
KONGFLOW_ENDPOINTS_DECL dynamic_trigger tag_invoke(const boost::json::value_to_tag<dynamic_trigger>&,
                                                   const boost::json::value& jv) {
    return {detail::str_at(detail::obj(jv), "id")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const invoke_trigger&) {
    jv = boost::json::object{{"type", "invoke"}};
}
KONGFLOW_ENDPOINTS_DECL invoke_trigger tag_invoke(const boost::json::value_to_tag<invoke_trigger>&,
                                                  const boost::json::value& jv) {
    (void)detail::obj(jv);
    return {};
}

KONGFLOW_ENDPOINTS_DECL boost::json::value trigger_to_json(const trigger_metadata& t) {
    return std::visit([](const auto& x) { return boost::json::value_from(x); }, t);
}
KONGFLOW_ENDPOINTS_DECL trigger_metadata trigger_from_json(const boost::json::value& jv) {
    const auto type = std::string_view(detail::obj(jv).at("type").as_string());
    if (type == "static") return boost::json::value_to<static_trigger>(jv);
    if (type == "scheduled") return boost::json::value_to<scheduled_trigger>(jv);
    if (type == "dynamic") return boost::json::value_to<dynamic_trigger>(jv);
    if (type == "invoke") return invoke_trigger{};
    throw std::invalid_argument("unknown trigger type");
}

namespace detail {
inline const char* to_text(auth_source a) {
    switch (a) {
    case auth_source::hosted: return "HOSTED";
    case auth_source::local: return "LOCAL";
    case auth_source::resolver: return "RESOLVER";
    }
    return "HOSTED";
}
inline auth_source auth_source_from(std::string_view s) {
    if (s == "HOSTED") return auth_source::hosted;
    if (s == "LOCAL") return auth_source::local;
    if (s == "RESOLVER") return auth_source::resolver;
    throw std::invalid_argument("unknown authSource");
}
inline const char* to_text(source_channel c) {
    switch (c) {
    case source_channel::http: return "HTTP";
    case source_channel::sqs: return "SQS";
    case source_channel::smtp: return "SMTP";
    }
    return "HTTP";
}
inline source_channel channel_from(std::string_view s) {
    if (s == "HTTP") return source_channel::http;
    if (s == "SQS") return source_channel::sqs;
    if (s == "SMTP") return source_channel::smtp;
    throw std::invalid_argument("unknown channel");
}
} // namespace detail

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const integration_metadata& v) {
    boost::json::object o;
    o["id"] = v.id;
    o["name"] = v.name;
    detail::put_opt(o, "instructions", v.instructions);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL integration_metadata tag_invoke(const boost::json::value_to_tag<integration_metadata>&,
                                                        const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "id"), detail::str_at(o, "name"), detail::opt_str(o, "instructions")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const integration_config& v) {
    jv = boost::json::object{{"id", v.id},
                             {"metadata", boost::json::value_from(v.metadata)},
                             {"authSource", detail::to_text(v.auth_source)}};
}
KONGFLOW_ENDPOINTS_DECL integration_config tag_invoke(const boost::json::value_to_tag<integration_config>&,
                                                      const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "id"), boost::json::value_to<integration_metadata>(o.at("metadata")),
            detail::auth_source_from(o.at("authSource").as_string())};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const concurrency_limit_options& v) {
    jv = boost::json::object{{"id", v.id}, {"limit", detail::js_number(v.limit)}};
}
KONGFLOW_ENDPOINTS_DECL concurrency_limit_options
tag_invoke(const boost::json::value_to_tag<concurrency_limit_options>&, const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "id"), detail::num(o.at("limit"))};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const job_metadata& v) {
    // The SDK's key order (buildJobIndex); `internal` only when set.
    boost::json::object o;
    o["id"] = v.id;
    o["name"] = v.name;
    o["version"] = v.version;
    o["event"] = boost::json::value_from(v.event);
    o["trigger"] = trigger_to_json(v.trigger);
    o["integrations"] = detail::from_record(v.integrations);
    o["startPosition"] = v.start_position == start_position::initial ? "initial" : "latest";
    o["enabled"] = v.enabled;
    o["preprocessRuns"] = v.preprocess_runs;
    if (v.internal) o["internal"] = true;
    if (v.concurrency_limit) {
        if (const auto* n = std::get_if<std::int64_t>(&*v.concurrency_limit))
            o["concurrencyLimit"] = *n;
        else
            o["concurrencyLimit"] = boost::json::value_from(std::get<concurrency_limit_options>(*v.concurrency_limit));
    }
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL job_metadata tag_invoke(const boost::json::value_to_tag<job_metadata>&,
                                                const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    job_metadata j;
    j.id = detail::str_at(o, "id");
    j.name = detail::str_at(o, "name");
    j.version = detail::str_at(o, "version");
    j.event = boost::json::value_to<event_specification>(o.at("event"));
    j.trigger = trigger_from_json(o.at("trigger"));
    j.integrations = detail::to_record<integration_config>(o.at("integrations"));
    j.internal = detail::get_bool(o, "internal", false);
    j.enabled = o.at("enabled").as_bool();
    j.start_position =
        o.at("startPosition").as_string() == "initial" ? start_position::initial : start_position::latest;
    j.preprocess_runs = o.at("preprocessRuns").as_bool();
    if (const auto* c = o.if_contains("concurrencyLimit")) {
        if (c->is_object())
            j.concurrency_limit = boost::json::value_to<concurrency_limit_options>(*c);
        else
            j.concurrency_limit = static_cast<std::int64_t>(detail::num(*c));
    }
    return j;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const job_version_ref& v) {
    jv = boost::json::object{{"id", v.id}, {"version", v.version}};
}
KONGFLOW_ENDPOINTS_DECL job_version_ref tag_invoke(const boost::json::value_to_tag<job_version_ref>&,
                                                   const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "id"), detail::str_at(o, "version")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const source_metadata_v1& v) {
    boost::json::object o;
    o["version"] = "1";
    o["channel"] = detail::to_text(v.channel);
    o["integration"] = boost::json::value_from(v.integration);
    o["key"] = v.key;
    detail::put_opt(o, "params", v.params);
    o["events"] = boost::json::value_from(v.events);
    detail::put_opt(o, "registerSourceJob", v.register_source_job);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL source_metadata_v1 tag_invoke(const boost::json::value_to_tag<source_metadata_v1>&,
                                                      const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    source_metadata_v1 s;
    s.channel = detail::channel_from(o.at("channel").as_string());
    s.integration = boost::json::value_to<integration_config>(o.at("integration"));
    s.key = detail::str_at(o, "key");
    s.params = detail::opt_val(o, "params");
    s.events = boost::json::value_to<std::vector<std::string>>(o.at("events"));
    s.register_source_job = detail::opt_to<job_version_ref>(o, "registerSourceJob");
    return s;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const source_metadata_v2& v) {
    boost::json::object o;
    o["version"] = "2";
    o["channel"] = detail::to_text(v.channel);
    o["integration"] = boost::json::value_from(v.integration);
    o["key"] = v.key;
    detail::put_opt(o, "params", v.params);
    o["options"] = detail::from_record(v.options);
    detail::put_opt(o, "registerSourceJob", v.register_source_job);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL source_metadata_v2 tag_invoke(const boost::json::value_to_tag<source_metadata_v2>&,
                                                      const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    source_metadata_v2 s;
    s.channel = detail::channel_from(o.at("channel").as_string());
    s.integration = boost::json::value_to<integration_config>(o.at("integration"));
    s.key = detail::str_at(o, "key");
    s.params = detail::opt_val(o, "params");
    s.options = detail::to_record<std::vector<std::string>>(o.at("options"));
    s.register_source_job = detail::opt_to<job_version_ref>(o, "registerSourceJob");
    return s;
}

KONGFLOW_ENDPOINTS_DECL boost::json::value source_to_json(const source_metadata& s) {
    return std::visit([](const auto& x) { return boost::json::value_from(x); }, s);
}
KONGFLOW_ENDPOINTS_DECL source_metadata source_from_json(const boost::json::value& jv) {
    const auto* version = detail::obj(jv).if_contains("version");
    if (version && version->as_string() == "2") return boost::json::value_to<source_metadata_v2>(jv);
    return boost::json::value_to<source_metadata_v1>(jv); // missing version means "1"
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const webhook_metadata& v) {
    boost::json::object o;
    o["key"] = v.key;
    detail::put_opt(o, "params", v.params);
    o["config"] = detail::from_record(v.config);
    o["integration"] = boost::json::value_from(v.integration);
    o["httpEndpoint"] = boost::json::object{{"id", v.http_endpoint_id}};
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL webhook_metadata tag_invoke(const boost::json::value_to_tag<webhook_metadata>&,
                                                    const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "key"), detail::opt_val(o, "params"),
            detail::to_record<std::vector<std::string>>(o.at("config")),
            boost::json::value_to<integration_config>(o.at("integration")),
            detail::str_at(detail::obj(o.at("httpEndpoint")), "id")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const dynamic_trigger_endpoint_metadata& v) {
    boost::json::object o;
    o["id"] = v.id;
    o["jobs"] = boost::json::value_from(v.jobs);
    detail::put_opt(o, "registerSourceJob", v.register_source_job);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL dynamic_trigger_endpoint_metadata
tag_invoke(const boost::json::value_to_tag<dynamic_trigger_endpoint_metadata>&, const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "id"), boost::json::value_to<std::vector<job_version_ref>>(o.at("jobs")),
            detail::opt_to<job_version_ref>(o, "registerSourceJob")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const register_dynamic_schedule_payload& v) {
    jv = boost::json::object{{"id", v.id}, {"jobs", boost::json::value_from(v.jobs)}};
}
KONGFLOW_ENDPOINTS_DECL register_dynamic_schedule_payload
tag_invoke(const boost::json::value_to_tag<register_dynamic_schedule_payload>&, const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "id"), boost::json::value_to<std::vector<job_version_ref>>(o.at("jobs"))};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const request_filter& v) {
    boost::json::object o;
    detail::put_opt(o, "method", v.method);
    detail::put_opt(o, "headers", v.headers);
    detail::put_opt(o, "query", v.query);
    detail::put_opt(o, "body", v.body);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL request_filter tag_invoke(const boost::json::value_to_tag<request_filter>&,
                                                  const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::opt_to<std::vector<std::string>>(o, "method"), detail::opt_val(o, "headers"),
            detail::opt_val(o, "query"), detail::opt_val(o, "body")};
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const http_endpoint_metadata& v) {
    boost::json::object o;
    o["id"] = v.id;
    o["version"] = v.version;
    o["enabled"] = v.enabled;
    detail::put_opt(o, "title", v.title);
    detail::put_opt(o, "icon", v.icon);
    detail::put_opt(o, "properties", v.properties);
    o["event"] = boost::json::value_from(v.event);
    detail::put_opt(o, "immediateResponseFilter", v.immediate_response_filter);
    if (v.skip_triggering_runs) o["skipTriggeringRuns"] = *v.skip_triggering_runs;
    o["source"] = v.source;
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL http_endpoint_metadata tag_invoke(const boost::json::value_to_tag<http_endpoint_metadata>&,
                                                          const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    http_endpoint_metadata h;
    h.id = detail::str_at(o, "id");
    h.version = detail::str_at(o, "version");
    h.enabled = o.at("enabled").as_bool();
    h.title = detail::opt_str(o, "title");
    h.icon = detail::opt_str(o, "icon");
    h.properties = detail::opt_to<std::vector<display_property>>(o, "properties");
    h.event = boost::json::value_to<event_specification>(o.at("event"));
    h.immediate_response_filter = detail::opt_to<request_filter>(o, "immediateResponseFilter");
    if (const auto* p = o.if_contains("skipTriggeringRuns")) h.skip_triggering_runs = p->as_bool();
    h.source = detail::str_at(o, "source");
    return h;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const index_endpoint_response& v) {
    boost::json::object o;
    o["jobs"] = boost::json::value_from(v.jobs);
    boost::json::array sources;
    sources.reserve(v.sources.size());
    for (const auto& s : v.sources) sources.push_back(source_to_json(s));
    o["sources"] = std::move(sources);
    detail::put_opt(o, "webhooks", v.webhooks);
    o["dynamicTriggers"] = boost::json::value_from(v.dynamic_triggers);
    o["dynamicSchedules"] = boost::json::value_from(v.dynamic_schedules);
    detail::put_opt(o, "httpEndpoints", v.http_endpoints);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL index_endpoint_response tag_invoke(const boost::json::value_to_tag<index_endpoint_response>&,
                                                           const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    index_endpoint_response r;
    r.jobs = boost::json::value_to<std::vector<job_metadata>>(o.at("jobs"));
    const auto& sources = o.at("sources").as_array();
    r.sources.reserve(sources.size());
    for (const auto& s : sources) r.sources.push_back(source_from_json(s));
    r.webhooks = detail::opt_to<std::vector<webhook_metadata>>(o, "webhooks");
    r.dynamic_triggers = boost::json::value_to<std::vector<dynamic_trigger_endpoint_metadata>>(o.at("dynamicTriggers"));
    r.dynamic_schedules =
        boost::json::value_to<std::vector<register_dynamic_schedule_payload>>(o.at("dynamicSchedules"));
    r.http_endpoints = detail::opt_to<std::vector<http_endpoint_metadata>>(o, "httpEndpoints");
    return r;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const index_endpoint_stats& v) {
    boost::json::object o;
    o["jobs"] = detail::js_number(v.jobs);
    o["sources"] = detail::js_number(v.sources);
    if (v.webhooks) o["webhooks"] = detail::js_number(*v.webhooks);
    o["dynamicTriggers"] = detail::js_number(v.dynamic_triggers);
    o["dynamicSchedules"] = detail::js_number(v.dynamic_schedules);
    o["disabledJobs"] = detail::js_number(v.disabled_jobs);
    o["httpEndpoints"] = detail::js_number(v.http_endpoints);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL index_endpoint_stats tag_invoke(const boost::json::value_to_tag<index_endpoint_stats>&,
                                                        const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    index_endpoint_stats s;
    s.jobs = detail::num(o.at("jobs"));
    s.sources = detail::num(o.at("sources"));
    if (const auto* w = o.if_contains("webhooks")) s.webhooks = detail::num(*w);
    s.dynamic_triggers = detail::num(o.at("dynamicTriggers"));
    s.dynamic_schedules = detail::num(o.at("dynamicSchedules"));
    if (const auto* d = o.if_contains("disabledJobs")) s.disabled_jobs = detail::num(*d);
    if (const auto* h = o.if_contains("httpEndpoints")) s.http_endpoints = detail::num(*h);
    return s;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                                        const endpoint_index_error& v) {
    boost::json::object o;
    o["message"] = v.message;
    detail::put_opt(o, "raw", v.raw);
    jv = std::move(o);
}
KONGFLOW_ENDPOINTS_DECL endpoint_index_error tag_invoke(const boost::json::value_to_tag<endpoint_index_error>&,
                                                        const boost::json::value& jv) {
    const auto& o = detail::obj(jv);
    return {detail::str_at(o, "message"), detail::opt_val(o, "raw")};
}

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
        o["x-trigger-run-metadata"] = boost::json::serialize(m); // a header carries JSON text
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
    e.id = id ? std::string(id->as_string()) : detail::make_ulid();
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
