// JSON conversions of the index reply's shapes (jobs, triggers, sources, integrations, webhooks,
// HTTP endpoints, stats, the index error), declared in client/schemas.hpp.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_JSON_INDEX_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_JSON_INDEX_IPP

#include <kongflow/endpoints/client/detail/js_date.hpp>
#include <kongflow/endpoints/client/detail/json_fields.hpp>
#include <kongflow/endpoints/client/schemas.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace kongflow::endpoints {

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

} // namespace kongflow::endpoints

#endif
