// INDEX_ENDPOINT replies: typed parsing, zod defaults, and the webapp's friendly error (protocol §B.1).
// Expected texts were produced by @trigger.dev/core 2.3.19 + zod-validation-error 1.5.0 under Node 20.
#include "catch.hpp"

#include <kongflow/endpoints/client/schemas.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>

#include <fstream>
#include <optional>
#include <sstream>

namespace json = boost::json;
namespace kf = kongflow::endpoints;

namespace {

json::value valid_job() {
    return json::parse(R"({"id":"j1","name":"n","version":"1","event":{"name":"e","title":"t","source":"s","icon":"i"},
        "trigger":{"type":"invoke"},"integrations":{},"enabled":true,"startPosition":"latest","preprocessRuns":false})");
}

json::value body_with(json::value job) {
    json::object o;
    o["jobs"] = json::array{std::move(job)};
    o["sources"] = json::array();
    o["dynamicTriggers"] = json::array();
    o["dynamicSchedules"] = json::array();
    return o;
}

kf::index_failure failure_of(const json::value& body) {
    auto issues = kf::validate_index_endpoint_response(body);
    REQUIRE_FALSE(issues.empty());
    return kf::index_failure_message(body, issues);
}

} // namespace

TEST_CASE("the SDK fixture index-ok parses to the expected typed value", "[unit][schemas]") {
    std::ifstream in(std::string(KONGFLOW_TEST_FIXTURES_DIR) + "/sdk-2.3.19/index-ok.body.json");
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    auto body = json::parse(ss.str());
    auto r = kf::parse_index_endpoint_response(body);
    REQUIRE(r.ok());
    const auto& idx = r.value();
    REQUIRE(idx.jobs.size() == 3);

    const auto& example = idx.jobs[0];
    CHECK(example.id == "example-job");
    CHECK(example.name == "Example Job");
    CHECK(example.version == "0.0.1");
    CHECK(std::get<std::string>(example.event.name) == "example.event");
    CHECK(example.internal == false); // zod default
    CHECK(example.enabled);
    CHECK(example.start_position == kf::start_position::latest);
    REQUIRE(std::holds_alternative<kf::static_trigger>(example.trigger));
    const auto& st = std::get<kf::static_trigger>(example.trigger);
    CHECK(std::get<std::string>(st.title) == "example.event");
    CHECK(std::get<std::string>(st.rule.event) == "example.event");
    REQUIRE(st.rule.payload);
    CHECK(st.rule.payload->as_object().empty());

    const auto& cron = idx.jobs[1];
    REQUIRE(std::holds_alternative<kf::scheduled_trigger>(cron.trigger));
    const auto& cs = std::get<kf::scheduled_trigger>(cron.trigger).schedule;
    REQUIRE(std::holds_alternative<kf::cron_schedule_metadata>(cs));
    CHECK(std::get<kf::cron_schedule_metadata>(cs).cron == "0 * * * *");
    REQUIRE(cron.event.examples);
    CHECK(cron.event.examples->at(0).icon == "clock");
    CHECK(cron.event.examples->at(0).payload->at("ts") == "__CURRENT_DATE__");
    REQUIRE(cron.event.properties);
    CHECK(cron.event.properties->at(1).text == "Every hour (UTC)");

    const auto& disabled = idx.jobs[2];
    CHECK_FALSE(disabled.enabled);
    const auto& is = std::get<kf::scheduled_trigger>(disabled.trigger).schedule;
    CHECK(std::get<kf::interval_schedule_metadata>(is).seconds == 60);

    CHECK(idx.sources.empty());
    REQUIRE(idx.webhooks);
    CHECK(idx.webhooks->empty());
    REQUIRE(idx.http_endpoints);

    // value_from writes what the SDK sent, here byte for byte (same keys, same order; in general key
    // order inside `event` depends on the SDK trigger that built it).
    CHECK(json::value_from(idx) == body);
    CHECK(kf::js_json_stringify(json::value_from(idx)) == kf::js_json_stringify(body));
}

TEST_CASE("typed index: defaults, stripped keys, sources, concurrency", "[unit][schemas]") {
    auto body = json::parse(R"({
      "jobs":[{"id":"j","name":"n","version":"1","event":{"name":["a","b"],"title":"t","source":"s","icon":"i","extra":1},
               "trigger":{"type":"dynamic","id":"dyn"},"integrations":{"gh":{"id":"github","metadata":{"id":"m","name":"GitHub"},"authSource":"LOCAL"}},
               "enabled":true,"startPosition":"initial","preprocessRuns":true,"internal":true,"concurrencyLimit":{"id":"c","limit":2},"unknown":[1]}],
      "sources":[{"channel":"SQS","integration":{"id":"i","metadata":{"id":"m","name":"n"},"authSource":"RESOLVER"},"key":"k","params":null,"events":["e"]},
                 {"version":"2","channel":"HTTP","integration":{"id":"i","metadata":{"id":"m","name":"n"},"authSource":"HOSTED"},"key":"k2","options":{"event":["push"]},"registerSourceJob":{"id":"r","version":"1"}}],
      "dynamicTriggers":[{"id":"d","jobs":[{"id":"j","version":"1","extra":true}]}],
      "dynamicSchedules":[{"id":"s","jobs":[]}],
      "extraTop":"x"})");
    auto r = kf::parse_index_endpoint_response(body);
    REQUIRE(r.ok());
    const auto& j = r.value().jobs.at(0);
    CHECK(std::get<std::vector<std::string>>(j.event.name) == std::vector<std::string>{"a", "b"});
    CHECK(j.internal);
    CHECK(j.start_position == kf::start_position::initial);
    CHECK(std::get<kf::dynamic_trigger>(j.trigger).id == "dyn");
    REQUIRE(j.integrations.size() == 1);
    CHECK(j.integrations[0].first == "gh");
    CHECK(j.integrations[0].second.auth_source == kf::auth_source::local);
    REQUIRE(j.concurrency_limit);
    CHECK(std::get<kf::concurrency_limit_options>(*j.concurrency_limit).limit == 2);

    const auto& s1 = std::get<kf::source_metadata_v1>(r.value().sources.at(0)); // version defaulted to "1"
    CHECK(s1.channel == kf::source_channel::sqs);
    REQUIRE(s1.params);
    CHECK(s1.params->is_null()); // z.any() keeps an explicit null
    const auto& s2 = std::get<kf::source_metadata_v2>(r.value().sources.at(1));
    CHECK(s2.options.at(0).second == std::vector<std::string>{"push"});
    CHECK(s2.register_source_job->id == "r");
    CHECK_FALSE(r.value().webhooks);

    // Unknown keys are gone from what we write back; the source gets its version.
    auto back = json::value_from(r.value());
    CHECK_FALSE(back.as_object().contains("extraTop"));
    CHECK_FALSE(back.at("jobs").at(0).as_object().contains("unknown"));
    CHECK_FALSE(back.at("jobs").at(0).at("event").as_object().contains("extra"));
    CHECK(back.at("sources").at(0).at("version") == "1");
    CHECK(back.at("jobs").at(0).at("internal") == true);
    CHECK(kf::parse_index_endpoint_response(back).ok());
}

TEST_CASE("§B.1: {jobs: []} lists the missing arrays", "[unit][schemas]") {
    auto f = failure_of(json::parse(R"({"jobs":[]})"));
    CHECK(f.message == "There's an issue with the format of your Jobs: Required at \"sources\"; Required at "
                       "\"dynamicTriggers\"; Required at \"dynamicSchedules\"");
    CHECK(f.raw == "Validation error: Required at \"sources\"; Required at \"dynamicTriggers\"; Required at "
                   "\"dynamicSchedules\"");
    CHECK_FALSE(f.reference_throws);
}

TEST_CASE("§B.1: a job without a name", "[unit][schemas]") {
    auto job = valid_job();
    job.as_object().erase("name");
    auto f = failure_of(body_with(job));
    CHECK(f.message == "Your Jobs have issues:\n- Job \"j1\": Required at \"name\".");
    CHECK(f.raw == "Validation error: Required at \"jobs[0].name\"");
}

TEST_CASE("§B.1: a bad trigger type", "[unit][schemas]") {
    auto job = valid_job();
    job.as_object()["trigger"] = json::parse(R"({"type":"bogus"})");
    auto f = failure_of(body_with(job));
    CHECK(f.message == "Your Jobs have issues:\n- Job \"j1\": Invalid discriminator value. Expected 'dynamic' | "
                       "'static' | 'scheduled' | 'invoke' at \"trigger.type\".");
    CHECK(f.raw == "Validation error: Invalid discriminator value. Expected 'dynamic' | 'static' | 'scheduled' | "
                   "'invoke' at \"jobs[0].trigger.type\"");
}

TEST_CASE("§B.1: an interval of 5 seconds", "[unit][schemas]") {
    auto job = valid_job();
    job.as_object()["trigger"] =
        json::parse(R"({"type":"scheduled","schedule":{"type":"interval","options":{"seconds":5}}})");
    auto f = failure_of(body_with(job));
    CHECK(f.message == "Your Jobs have issues:\n- Job \"j1\": Number must be greater than or equal to 20 at "
                       "\"trigger.schedule.options.seconds\".");
    CHECK(f.raw == "Validation error: Number must be greater than or equal to 20 at "
                   "\"jobs[0].trigger.schedule.options.seconds\"");
    job.as_object()["trigger"] =
        json::parse(R"({"type":"scheduled","schedule":{"type":"interval","options":{"seconds":2592001}}})");
    CHECK(failure_of(body_with(job)).message ==
          "Your Jobs have issues:\n- Job \"j1\": Number must be less than or equal to 2592000 at "
          "\"trigger.schedule.options.seconds\".");
}

TEST_CASE("§B.1: jobs:[\"x\"] names job \"undefined\"", "[unit][schemas]") {
    auto f = failure_of(json::parse(R"({"jobs":["x"],"sources":[],"dynamicTriggers":[],"dynamicSchedules":[]})"));
    CHECK(f.message == "Your Jobs have issues:\n- Job \"undefined\": Expected object, received string at \"\".");
    CHECK(f.raw == "Validation error: Expected object, received string at \"jobs[0]\"");
}

TEST_CASE("§B.1: body null, {} and jobs:null", "[unit][schemas]") {
    auto f = failure_of(json::value(nullptr));
    CHECK(f.message == "There's an issue with the format of your Jobs: Expected object, received null");
    CHECK(f.raw == "Validation error: Expected object, received null");
    CHECK_FALSE(f.reference_throws);

    // Trigger.dev throws on these (it reads body.jobs[i]); we give the readable text instead.
    f = failure_of(json::parse("{}"));
    CHECK(f.reference_throws);
    CHECK(f.message == "There's an issue with the format of your Jobs: Required at \"jobs\"; Required at \"sources\"; "
                       "Required at \"dynamicTriggers\"; Required at \"dynamicSchedules\"");
    f = failure_of(json::parse(R"({"jobs":null})"));
    CHECK(f.reference_throws);
    CHECK(f.message == "There's an issue with the format of your Jobs: Expected array, received null at \"jobs\"; "
                       "Required at \"sources\"; Required at \"dynamicTriggers\"; Required at \"dynamicSchedules\"");
}

TEST_CASE("§B.1: job issues hide other issues from the message, and zod skips later sources", "[unit][schemas]") {
    auto job = valid_job();
    job.as_object()["name"] = 5;
    auto body = body_with(job);
    body.as_object()["sources"] = json::parse(R"([{"channel":"FTP"}])");
    auto f = failure_of(body);
    CHECK(f.message == "Your Jobs have issues:\n- Job \"j1\": Expected string, received number at \"name\".");
    // zod 3.22's preprocess (the source `version` default) stops once any issue exists: the bad
    // source is never reported, in `raw` either.
    CHECK(f.raw == "Validation error: Expected string, received number at \"jobs[0].name\"");

    body = body_with(valid_job());
    body.as_object()["sources"] = json::parse(R"([{"channel":"FTP"},{"channel":"X"}])");
    f = failure_of(body);
    CHECK(f.message == "There's an issue with the format of your Jobs: Invalid enum value. Expected 'HTTP' | 'SQS' | "
                       "'SMTP', received 'FTP' at \"sources[0].channel\"; Required at \"sources[0].integration\"; "
                       "Required at \"sources[0].key\"; Required at \"sources[0].events\"");
}

TEST_CASE("job ids are printed as JS template literals print them", "[unit][schemas]") {
    auto job = valid_job();
    job.as_object()["id"] = json::array{"a", "b"};
    job.as_object()["name"] = 1;
    auto f = failure_of(body_with(job));
    CHECK(f.message == "Your Jobs have issues:\n- Job \"a,b\": Expected string, received array at \"id\".\n- Job "
                       "\"a,b\": Expected string, received number at \"name\".");
    CHECK(kf::js_to_string(json::parse(R"({"a":1})")) == "[object Object]");
    CHECK(kf::js_to_string(json::parse("1.5e21")) == "1.5e+21");
    CHECK(kf::js_to_string(json::parse("[1,null,[2,3]]")) == "1,,2,3");
}

TEST_CASE("concurrencyLimit: a float gives the number option's issue, not a union issue", "[unit][schemas]") {
    auto job = valid_job();
    job.as_object()["concurrencyLimit"] = 1.5;
    auto f = failure_of(body_with(job));
    CHECK(f.message ==
          "Your Jobs have issues:\n- Job \"j1\": Expected integer, received float at \"concurrencyLimit\".");
    job.as_object()["concurrencyLimit"] = 3;
    auto r = kf::parse_index_endpoint_response(body_with(job));
    REQUIRE(r.ok());
    CHECK(std::get<std::int64_t>(*r.value().jobs[0].concurrency_limit) == 3);
}

TEST_CASE("record keys are visited in JS order (integer keys first)", "[unit][schemas]") {
    auto job = valid_job();
    job.as_object()["integrations"] = json::parse(R"({"10":1,"b":{},"2":3})");
    auto f = failure_of(body_with(job));
    CHECK(f.raw == "Validation error: Expected object, received number at \"jobs[0].integrations[\"2\"]\"; Expected "
                   "object, received number at \"jobs[0].integrations[\"10\"]\"; Required at "
                   "\"jobs[0].integrations.b.id\"; Required at \"jobs[0].integrations.b.metadata\"; Required at "
                   "\"jobs[0].integrations.b.authSource\"");
}

TEST_CASE("deep nesting gives an issue, not a crash", "[unit][schemas]") {
    std::string filter;
    for (int i = 0; i < 400; ++i) filter += "{\"a\":";
    filter += "[1]";
    for (int i = 0; i < 400; ++i) filter += "}";
    json::parse_options opt;
    opt.max_depth = 1000;
    auto job = valid_job();
    job.as_object()["event"].as_object()["filter"] = json::parse(filter, {}, opt);
    auto issues = kf::validate_index_endpoint_response(body_with(job));
    REQUIRE_FALSE(issues.empty());
    // (Inside the filter's unions, so it shows up among the union errors.)
    CHECK(kf::zod_error_message(issues).find("Input is nested too deeply") != std::string::npos);

    // 200 levels are fine, as in zod.
    std::string ok_filter;
    for (int i = 0; i < 200; ++i) ok_filter += "{\"a\":";
    ok_filter += "[1]";
    for (int i = 0; i < 200; ++i) ok_filter += "}";
    job.as_object()["event"].as_object()["filter"] = json::parse(ok_filter, {}, opt);
    CHECK(kf::validate_index_endpoint_response(body_with(job)).empty());
}

TEST_CASE("nulls: optional arrays and strings do not accept null", "[unit][schemas]") {
    auto body = body_with(valid_job());
    body.as_object()["webhooks"] = nullptr;
    body.as_object()["httpEndpoints"] = nullptr;
    auto f = failure_of(body);
    CHECK(f.message == "There's an issue with the format of your Jobs: Expected array, received null at \"webhooks\"; "
                       "Expected array, received null at \"httpEndpoints\"");

    auto job = valid_job();
    job.as_object()["event"].as_object()["schema"] = nullptr; // z.any().optional(): null is a value
    job.as_object()["event"].as_object()["properties"] = nullptr;
    f = failure_of(body_with(job));
    CHECK(f.message == "Your Jobs have issues:\n- Job \"j1\": Expected array, received null at \"event.properties\".");
}

TEST_CASE("typed values do not refer to the input's memory resource", "[unit][schemas]") {
    std::optional<kf::index_endpoint_response> kept;
    {
        json::monotonic_resource arena;
        auto job = valid_job();
        job.as_object()["event"].as_object()["schema"] = json::parse(R"({"type":"object","properties":{"a":{}}})");
        auto body = json::value(body_with(job), &arena);
        auto r = kf::parse_index_endpoint_response(body);
        REQUIRE(r.ok());
        kept = std::move(r).value();
    } // the arena is gone; the typed value must not care
    REQUIRE(kept->jobs.at(0).event.schema);
    CHECK(kept->jobs.at(0).event.schema->at("properties").at("a").as_object().empty());
    CHECK(kept->jobs.at(0).event.schema->storage() == json::storage_ptr());
}
