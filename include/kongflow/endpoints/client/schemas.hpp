// Typed JSON shapes of the Trigger.dev v2 endpoint protocol (@trigger.dev/core 2.3.19), with
// validation that decides exactly as the core's zod schemas do.
//
// Public API (all in namespace kongflow::endpoints):
//
//   validated<T>                     ok() / value() / issues(): the typed value, or zod's issues.
//   parse_index_endpoint_response    IndexEndpointResponseSchema  → index_endpoint_response
//   parse_job_metadata               JobMetadataSchema            → job_metadata
//   parse_pong_response              PongResponseSchema           → pong_response
//   parse_validate_response          ValidateResponseSchema       → validate_response
//   parse_error_with_stack           ErrorWithStackSchema         → error_with_stack
//   parse_endpoint_index_error       EndpointIndexErrorSchema     → endpoint_index_error
//   parse_index_endpoint_stats       IndexEndpointStatsSchema     → index_endpoint_stats
//   parse_register_trigger_body_v1   RegisterTriggerBodySchemaV1  → register_trigger_body_v1
//   parse_register_trigger_body_v2   RegisterTriggerBodySchemaV2  → register_trigger_body_v2
//   parse_register_trigger_body      V2 for a version "2" source, else V1 → register_trigger_body
//   parse_http_source_response       HttpSourceResponseSchema     → http_source_response
//   parse_webhook_delivery_response  WebhookDeliveryResponseSchema → webhook_delivery_response
//   parse_normalized_response        NormalizedResponseSchema     → normalized_response
//   parse_preprocess_run_response    PreprocessRunResponseSchema  → preprocess_run_response
//   parse_deliver_event_response     DeliverEventResponseSchema   → deliver_event_response
//   parse_run_job_response           RunJobResponseSchema         → run_job_response (status + JSON)
//   parse_endpoint_headers           EndpointHeadersSchema        → endpoint_headers
//   parse_execute_job_headers        ExecuteJobHeadersSchema      → execute_job_headers
//   parse_create_endpoint_body       the webapp's POST /api/v1/endpoints body → create_endpoint_body
//   validate_index_endpoint_response the issues only (empty = valid), no typed conversion
//   index_failure_message            the webapp's friendly index error {message, raw} (protocol §B.1)
//   headers_failure_message          "Your headers are invalid: ..." for an EndpointHeaders failure
//   generate_error_message (zod.hpp) zod-error text the webapp stores for bad EXECUTE_JOB/PREPROCESS_RUN replies
//
// Texts derived from issues live in zod.hpp: zod_error_message (ZodError.message, used by
// PING/VALIDATE) and from_zod_error (zod-validation-error 1.5.0).
//
// Typed values: zod defaults are applied (job `internal` = false, source `version` = "1", stats
// `disabledJobs`/`httpEndpoints` = 0, raw event `id` = a new ULID); keys zod strips are dropped; every
// `z.any()` part is kept as the original boost::json::value (std::nullopt = the key was absent).
// Boost.JSON conversions exist both ways (value_to / value_from) and write what the SDK sends.
// A typed value owns its data (JSON parts are copied into the default memory resource), so the
// input may be parsed into a short-lived boost::json::monotonic_resource: for a large index reply
// that halves the cost (tests/benchmarks/parse_validate_bench.cpp).
//
// Exactness: tests/interop/schema_diff.js compares our verdict, issues (as JSON), friendly message
// and raw text with zod's on thousands of seeded payloads (ctest -L interop). That includes zod
// 3.22 quirks we reproduce on purpose: a preprocess (the source `version` default) skips its
// schema once any issue exists in the same scope, so sources after an earlier problem are never
// checked; a dirty union option (e.g. a float concurrencyLimit) reports its own issues instead of
// `invalid_union`; record keys are visited in JS order (integer-like keys first).
// Known limits, documented rather than emulated: z.coerce.date() reads numbers, booleans, null and
// ISO-8601 strings only (V8's lenient parser also takes "2" or "Tue Nov 24 2026"), and reads
// date-times without an offset as UTC; input nested deeper than 256 levels gives a `custom` issue
// "Input is nested too deeply" where JS would overflow its stack.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_SCHEMAS_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_SCHEMAS_HPP

#include <kongflow/endpoints/client/zod.hpp>
#include <kongflow/endpoints/detail/config.hpp>

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace kongflow::endpoints {

/// The result of validating a JSON value: the typed value, or the issues zod reports.
template <class T>
class validated {
public:
    validated(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    validated(std::vector<zod_issue> issues) : v_(std::in_place_index<1>, std::move(issues)) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    /// The typed value; throws std::logic_error when !ok().
    const T& value() const& { return ok() ? std::get<0>(v_) : throw_no_value(); }
    T& value() & { return ok() ? std::get<0>(v_) : throw_no_value(); }
    T&& value() && { return std::move(ok() ? std::get<0>(v_) : throw_no_value()); }

    /// zod's issues, in zod's order; empty when ok().
    const std::vector<zod_issue>& issues() const noexcept {
        static const std::vector<zod_issue> none;
        return ok() ? none : std::get<1>(v_);
    }

private:
    [[noreturn]] static T& throw_no_value() { throw std::logic_error("validated<T>: the value did not validate"); }
    std::variant<T, std::vector<zod_issue>> v_;
};

/// A JS object used as a dictionary (`z.record`), in the order of the JSON text.
template <class T>
using json_record = std::vector<std::pair<std::string, T>>;

/// `z.string().or(z.array(z.string()))`.
using string_or_strings = std::variant<std::string, std::vector<std::string>>;

// ---------------------------------------------------------------------------------------------
// Index (INDEX_ENDPOINT reply)
// ---------------------------------------------------------------------------------------------
struct display_property {
    std::string label;
    std::string text;
    std::optional<std::string> url;
    std::optional<std::vector<std::string>> image_url; // "imageUrl"
};

struct event_example {
    std::string id;
    std::optional<std::string> icon;
    std::string name;
    std::optional<boost::json::value> payload;
};

struct event_specification {
    string_or_strings name;
    std::string title;
    std::string source;
    std::string icon;
    std::optional<boost::json::value> filter; // EventFilter: recursive, kept as JSON
    std::optional<std::vector<display_property>> properties;
    std::optional<boost::json::value> schema;
    std::optional<std::vector<event_example>> examples;
};

struct event_rule {
    string_or_strings event;
    std::string source;
    std::optional<boost::json::value> payload; // EventFilter
    std::optional<boost::json::value> context; // EventFilter
};

struct trigger_help {
    struct no_runs_help {
        std::string text;
        std::optional<std::string> link;
    };
    std::optional<no_runs_help> no_runs; // "noRuns"
};

struct static_trigger {
    string_or_strings title;
    std::optional<std::vector<display_property>> properties;
    event_rule rule;
    std::optional<std::string> link;
    std::optional<trigger_help> help;
};

struct interval_schedule_metadata {
    std::int64_t seconds = 0;              // integer in [20, 2592000]
    std::optional<std::string> account_id; // "accountId"
    std::optional<boost::json::value> metadata;
};

struct cron_schedule_metadata {
    std::string cron;
    std::optional<std::string> account_id;
    std::optional<boost::json::value> metadata;
};

using schedule_metadata = std::variant<interval_schedule_metadata, cron_schedule_metadata>;

struct scheduled_trigger {
    schedule_metadata schedule;
};

struct dynamic_trigger {
    std::string id;
};

struct invoke_trigger {};

using trigger_metadata = std::variant<static_trigger, scheduled_trigger, dynamic_trigger, invoke_trigger>;

enum class auth_source { hosted, local, resolver };

struct integration_metadata {
    std::string id;
    std::string name;
    std::optional<std::string> instructions;
};

struct integration_config {
    std::string id;
    integration_metadata metadata;
    endpoints::auth_source auth_source = endpoints::auth_source::hosted; // "authSource"
};

struct concurrency_limit_options {
    std::string id;
    double limit = 0;
};

/// `{id, limit}` or a positive integer.
using concurrency_limit = std::variant<concurrency_limit_options, std::int64_t>;

enum class start_position { initial, latest };

struct job_metadata {
    std::string id;
    std::string name;
    std::string version;
    event_specification event;
    trigger_metadata trigger;
    json_record<integration_config> integrations;
    bool internal = false; // zod default; written only when true, as the SDK omits it
    bool enabled = true;
    endpoints::start_position start_position = endpoints::start_position::latest;
    bool preprocess_runs = false;
    std::optional<endpoints::concurrency_limit> concurrency_limit;
};

struct job_version_ref {
    std::string id;
    std::string version;
};

enum class source_channel { http, sqs, smtp };

struct source_metadata_v1 {
    source_channel channel = source_channel::http;
    integration_config integration;
    std::string key;
    std::optional<boost::json::value> params;
    std::vector<std::string> events;
    std::optional<job_version_ref> register_source_job; // "registerSourceJob"
};

struct source_metadata_v2 {
    source_channel channel = source_channel::http;
    integration_config integration;
    std::string key;
    std::optional<boost::json::value> params;
    json_record<std::vector<std::string>> options;
    std::optional<job_version_ref> register_source_job;
};

/// Discriminated on "version"; a missing version means "1".
using source_metadata = std::variant<source_metadata_v1, source_metadata_v2>;

struct webhook_metadata {
    std::string key;
    std::optional<boost::json::value> params;
    json_record<std::vector<std::string>> config;
    integration_config integration;
    std::string http_endpoint_id; // "httpEndpoint": {"id"}
};

struct dynamic_trigger_endpoint_metadata {
    std::string id;
    std::vector<job_version_ref> jobs;
    std::optional<job_version_ref> register_source_job;
};

struct register_dynamic_schedule_payload {
    std::string id;
    std::vector<job_version_ref> jobs;
};

struct request_filter {
    std::optional<std::vector<std::string>> method; // HTTP verbs
    std::optional<boost::json::value> headers;      // record of StringMatch
    std::optional<boost::json::value> query;        // record of StringMatch
    std::optional<boost::json::value> body;         // EventFilter
};

struct http_endpoint_metadata {
    std::string id;
    std::string version;
    bool enabled = true;
    std::optional<std::string> title;
    std::optional<std::string> icon;
    std::optional<std::vector<display_property>> properties;
    event_specification event;
    std::optional<request_filter> immediate_response_filter; // "immediateResponseFilter"
    std::optional<bool> skip_triggering_runs;                // "skipTriggeringRuns"
    std::string source;
};

struct index_endpoint_response {
    std::vector<job_metadata> jobs;
    std::vector<source_metadata> sources;
    std::optional<std::vector<webhook_metadata>> webhooks;
    std::vector<dynamic_trigger_endpoint_metadata> dynamic_triggers;   // "dynamicTriggers"
    std::vector<register_dynamic_schedule_payload> dynamic_schedules;  // "dynamicSchedules"
    std::optional<std::vector<http_endpoint_metadata>> http_endpoints; // "httpEndpoints"
};

struct index_endpoint_stats {
    double jobs = 0;
    double sources = 0;
    std::optional<double> webhooks;
    double dynamic_triggers = 0;
    double dynamic_schedules = 0;
    double disabled_jobs = 0;  // default 0
    double http_endpoints = 0; // default 0
};

struct endpoint_index_error {
    std::string message;
    std::optional<boost::json::value> raw;
};

// ---------------------------------------------------------------------------------------------
// PING / VALIDATE / errors
// ---------------------------------------------------------------------------------------------
struct pong_response {
    bool ok = true;
    std::optional<std::string> error;               // present iff !ok
    std::optional<std::string> trigger_version;     // "triggerVersion"
    std::optional<std::string> trigger_sdk_version; // "triggerSdkVersion"
};

struct validate_response {
    bool ok = true;
    std::optional<std::string> endpoint_id; // "endpointId", present iff ok
    std::optional<std::string> error;       // present iff !ok
    std::optional<std::string> trigger_version;
};

struct error_with_stack {
    std::string message;
    std::optional<std::string> name;
    std::optional<std::string> stack;
};

struct endpoint_headers {
    std::optional<std::string> trigger_version;     // "trigger-version"
    std::optional<std::string> trigger_sdk_version; // "trigger-sdk-version"
};

/// The JSON carried by an EXECUTE_JOB reply's `x-trigger-run-metadata` header.
struct execute_job_run_metadata {
    std::optional<bool> success_subscription; // "successSubscription"
    std::optional<bool> failed_subscription;  // "failedSubscription"
};

/// EXECUTE_JOB reply headers: EndpointHeaders plus `x-trigger-run-metadata` (a JSON string).
struct execute_job_headers {
    std::optional<std::string> trigger_version;
    std::optional<std::string> trigger_sdk_version;
    std::optional<execute_job_run_metadata> run_metadata; // absent when the header is absent
};

// ---------------------------------------------------------------------------------------------
// Triggers, HTTP sources, webhooks, runs
// ---------------------------------------------------------------------------------------------
struct register_trigger_body_v1 {
    event_rule rule;
    source_metadata_v1 source;
};

struct register_trigger_body_v2 {
    event_rule rule;
    source_metadata_v2 source;
    std::optional<std::string> account_id; // "accountId"
};

/// What INITIALIZE_TRIGGER answers: SDK 2.3 sends version "2" sources, older SDKs version "1".
using register_trigger_body = std::variant<register_trigger_body_v1, register_trigger_body_v2>;

struct normalized_response {
    double status = 200;
    std::optional<boost::json::value> body;
    std::optional<json_record<std::string>> headers;
};

struct raw_event {
    std::string name;
    std::optional<boost::json::value> payload;
    std::optional<boost::json::value> context;
    std::string id;                     // default: a new ULID
    std::optional<double> timestamp_ms; // z.coerce.date(), ms since the epoch
    std::optional<std::string> source;
    std::optional<std::string> payload_type; // "payloadType": "JSON" | "REQUEST"
};

struct http_source_response {
    normalized_response response;
    std::vector<raw_event> events;
    std::optional<boost::json::value> metadata;
};

struct webhook_delivery_response {
    normalized_response response;
    bool verified = false;
    std::optional<std::string> error;
};

struct preprocess_run_response {
    bool abort = false;
    std::optional<std::vector<display_property>> properties;
};

struct deliver_event_response {
    std::string delivered_at; // "deliveredAt", an ISO datetime (zod's string().datetime())
};

/// The body of the webapp's POST /api/v1/endpoints route: `{url: string, id: string}`. SDKs before
/// 2.1 send `name` instead of `id`: a body with `name` and no `id` is read as `{url, name}`. The
/// URL itself is the service's to check.
struct create_endpoint_body {
    std::string url;
    std::string id;
};

/// RunJobResponse, validated in full but kept as its status and the original JSON.
struct run_job_response {
    std::string status;
    boost::json::value body;
};

// ---------------------------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------------------------
KONGFLOW_ENDPOINTS_DECL std::vector<zod_issue> validate_index_endpoint_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<index_endpoint_response>
parse_index_endpoint_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<job_metadata> parse_job_metadata(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<pong_response> parse_pong_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<validate_response> parse_validate_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<error_with_stack> parse_error_with_stack(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<endpoint_index_error> parse_endpoint_index_error(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<index_endpoint_stats> parse_index_endpoint_stats(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<register_trigger_body_v1>
parse_register_trigger_body_v1(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<register_trigger_body_v2>
parse_register_trigger_body_v2(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<register_trigger_body> parse_register_trigger_body(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<http_source_response> parse_http_source_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<webhook_delivery_response>
parse_webhook_delivery_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<normalized_response> parse_normalized_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<preprocess_run_response>
parse_preprocess_run_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<deliver_event_response> parse_deliver_event_response(const boost::json::value& body);
KONGFLOW_ENDPOINTS_DECL validated<run_job_response> parse_run_job_response(const boost::json::value& body);
/// `headers` is a JSON object of lower-case header names to string values.
KONGFLOW_ENDPOINTS_DECL validated<endpoint_headers> parse_endpoint_headers(const boost::json::value& headers);
/// ExecuteJobHeadersSchema. A run-metadata header that is not JSON gives a `custom` issue "Invalid
/// JSON" (JS's JSON.parse throws out of safeParse there).
KONGFLOW_ENDPOINTS_DECL validated<execute_job_headers> parse_execute_job_headers(const boost::json::value& headers);
/// The route's issues read exactly as Trigger.dev prints them with generate_error_message.
KONGFLOW_ENDPOINTS_DECL validated<create_endpoint_body> parse_create_endpoint_body(const boost::json::value& body);

/// The FAILURE text the webapp stores for a rejected index reply (protocol §B.1).
struct index_failure {
    std::string
        message;     ///< "Your Jobs have issues:\n- Job ..." or "There's an issue with the format of your Jobs: ..."
    std::string raw; ///< fromZodError(err).message ("Validation error: ...")
    /// True when Trigger.dev's own code throws on this body (`{}` or `"jobs": null`: it reads
    /// `body.jobs[i]`); we then leave the job out, so `message` is the "format" text.
    bool reference_throws = false;
};

/// `body` is the JSON reply as parsed; `issues` what validate_index_endpoint_response returned.
KONGFLOW_ENDPOINTS_DECL index_failure index_failure_message(const boost::json::value& body,
                                                            const std::vector<zod_issue>& issues);

/// `fromZodError(err, {prefix: "Your headers are invalid"}).message`.
KONGFLOW_ENDPOINTS_DECL std::string headers_failure_message(const std::vector<zod_issue>& issues);

/// JS `String(v)` of a JSON value, as a template literal prints it (`${job.id}`).
KONGFLOW_ENDPOINTS_DECL std::string js_to_string(const boost::json::value& v);

// ---------------------------------------------------------------------------------------------
// Boost.JSON conversions. value_to expects a value that validated (it throws
// boost::system::system_error on a shape it cannot read); value_from writes what the SDK sends.
// ---------------------------------------------------------------------------------------------
#define KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(T)                                                                         \
    KONGFLOW_ENDPOINTS_DECL void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const T& v);   \
    KONGFLOW_ENDPOINTS_DECL T tag_invoke(const boost::json::value_to_tag<T>&, const boost::json::value& jv);

KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(display_property)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(event_example)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(event_specification)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(event_rule)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(trigger_help)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(static_trigger)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(interval_schedule_metadata)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(cron_schedule_metadata)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(scheduled_trigger)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(dynamic_trigger)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(invoke_trigger)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(integration_metadata)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(integration_config)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(concurrency_limit_options)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(job_metadata)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(job_version_ref)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(source_metadata_v1)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(source_metadata_v2)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(webhook_metadata)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(dynamic_trigger_endpoint_metadata)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(register_dynamic_schedule_payload)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(request_filter)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(http_endpoint_metadata)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(index_endpoint_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(index_endpoint_stats)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(endpoint_index_error)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(pong_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(validate_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(error_with_stack)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(endpoint_headers)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(execute_job_headers)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(register_trigger_body_v1)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(register_trigger_body_v2)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(normalized_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(raw_event)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(http_source_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(webhook_delivery_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(preprocess_run_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(deliver_event_response)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(run_job_response)

#undef KONGFLOW_ENDPOINTS_JSON_CONVERSIONS

/// The variants convert through these (Boost.JSON 1.81 has no std::variant support of its own).
KONGFLOW_ENDPOINTS_DECL boost::json::value trigger_to_json(const trigger_metadata& t);
KONGFLOW_ENDPOINTS_DECL trigger_metadata trigger_from_json(const boost::json::value& jv);
KONGFLOW_ENDPOINTS_DECL boost::json::value source_to_json(const source_metadata& s);
KONGFLOW_ENDPOINTS_DECL source_metadata source_from_json(const boost::json::value& jv);

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/client/impl/json_actions.ipp>
#include <kongflow/endpoints/client/impl/json_index.ipp>
#include <kongflow/endpoints/client/impl/schemas.ipp>
#endif

#endif
