// PING / VALIDATE and the other endpoint replies (protocol §A, §B, §E.4).
#include "catch.hpp"

#include <kongflow/endpoints/client/schemas.hpp>
#include <kongflow/endpoints/client/zod.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>

#include <stdexcept>

namespace json = boost::json;
namespace kf = kongflow::endpoints;

TEST_CASE("pong: ok, error, versions, extra keys", "[unit][schemas]") {
    auto r = kf::parse_pong_response(json::parse(R"({"ok":true,"extra":1})"));
    REQUIRE(r.ok());
    CHECK(r.value().ok);
    CHECK(json::value_from(r.value()) == json::parse(R"({"ok":true})"));

    r = kf::parse_pong_response(json::parse(
        R"({"ok":false,"error":"Endpoint ID mismatch error. Expected my-app, got other","triggerVersion":"2023-09-29"})"));
    REQUIRE(r.ok());
    CHECK_FALSE(r.value().ok);
    CHECK(r.value().error == "Endpoint ID mismatch error. Expected my-app, got other");
    CHECK(r.value().trigger_version == "2023-09-29");

    r = kf::parse_pong_response(json::parse(R"({"ok":false})"));
    REQUIRE_FALSE(r.ok());
    CHECK(kf::zod_error_message(r.issues()) ==
          "[\n  {\n    \"code\": \"invalid_type\",\n    \"expected\": \"string\",\n    \"received\": \"undefined\",\n"
          "    \"path\": [\n      \"error\"\n    ],\n    \"message\": \"Required\"\n  }\n]");
    CHECK_THROWS_AS(r.value(), std::logic_error);

    r = kf::parse_pong_response(json::value(nullptr));
    REQUIRE_FALSE(r.ok());
    CHECK(kf::from_zod_error(r.issues()) == "Validation error: Expected object, received null");
}

TEST_CASE("validate: ok needs endpointId", "[unit][schemas]") {
    auto r = kf::parse_validate_response(json::parse(R"({"ok":true,"endpointId":"my-app"})"));
    REQUIRE(r.ok());
    CHECK(r.value().endpoint_id == "my-app");
    r = kf::parse_validate_response(json::parse(R"({"ok":true})"));
    REQUIRE_FALSE(r.ok());
    CHECK(kf::zod_error_message(r.issues()) ==
          "[\n  {\n    \"code\": \"invalid_type\",\n    \"expected\": \"string\",\n    \"received\": \"undefined\",\n"
          "    \"path\": [\n      \"endpointId\"\n    ],\n    \"message\": \"Required\"\n  }\n]");
    r = kf::parse_validate_response(json::parse(R"({"ok":"yes"})"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.issues().at(0).code == "invalid_union_discriminator");
}

TEST_CASE("error with stack, endpoint headers, stats defaults", "[unit][schemas]") {
    auto e = kf::parse_error_with_stack(json::parse(R"({"message":"Forbidden","stack":"at x"})"));
    REQUIRE(e.ok());
    CHECK(e.value().message == "Forbidden");
    CHECK(e.value().stack == "at x");
    CHECK_FALSE(kf::parse_error_with_stack(json::parse(R"({"message":1})")).ok());

    auto h = kf::parse_endpoint_headers(json::parse(R"({"trigger-version":"2023-09-29","content-type":"x"})"));
    REQUIRE(h.ok());
    CHECK(h.value().trigger_version == "2023-09-29");
    CHECK_FALSE(h.value().trigger_sdk_version);
    auto bad = kf::parse_endpoint_headers(json::parse(R"({"trigger-version":1})"));
    REQUIRE_FALSE(bad.ok());
    CHECK(kf::headers_failure_message(bad.issues()) ==
          "Your headers are invalid: Expected string, received number at \"trigger-version\"");

    auto s = kf::parse_index_endpoint_stats(
        json::parse(R"({"jobs":3,"sources":0,"dynamicTriggers":1,"dynamicSchedules":0})"));
    REQUIRE(s.ok());
    CHECK(s.value().jobs == 3);
    CHECK(s.value().disabled_jobs == 0);
    CHECK(s.value().http_endpoints == 0);
    CHECK_FALSE(s.value().webhooks);
    CHECK(json::value_from(s.value()) ==
          json::parse(
              R"({"jobs":3,"sources":0,"dynamicTriggers":1,"dynamicSchedules":0,"disabledJobs":0,"httpEndpoints":0})"));
}

TEST_CASE("deliver event: deliveredAt is zod's datetime", "[unit][schemas]") {
    CHECK(kf::parse_deliver_event_response(json::parse(R"({"deliveredAt":"2024-01-01T00:00:00Z"})")).ok());
    CHECK(kf::parse_deliver_event_response(json::parse(R"({"deliveredAt":"2024-01-01T00:00:00.123456Z"})")).ok());
    auto r = kf::parse_deliver_event_response(json::parse(R"({"deliveredAt":"2024-01-01T00:00:00+01:00"})"));
    REQUIRE_FALSE(r.ok());
    CHECK(kf::zod_error_message(r.issues()) ==
          "[\n  {\n    \"code\": \"invalid_string\",\n    \"validation\": \"datetime\",\n    \"message\": \"Invalid "
          "datetime\",\n    \"path\": [\n      \"deliveredAt\"\n    ]\n  }\n]");
}

TEST_CASE("http source and webhook delivery responses", "[unit][schemas]") {
    auto r = kf::parse_http_source_response(json::parse(
        R"({"response":{"status":200,"body":{"ok":true},"headers":{"x":"y"}},
            "events":[{"name":"e","payload":{"a":1}},{"name":"f","id":"given","timestamp":"2024-01-01T00:00:00.000Z","payloadType":"REQUEST"}],
            "metadata":{"cursor":5}})"));
    REQUIRE(r.ok());
    const auto& v = r.value();
    CHECK(v.response.status == 200);
    CHECK(v.response.headers->at(0).second == "y");
    CHECK(v.events.at(0).id.size() == 26); // a fresh ULID, as zod's default
    CHECK(v.events.at(1).id == "given");
    CHECK(v.events.at(1).timestamp_ms == 1704067200000.0);
    CHECK(v.metadata->at("cursor") == 5);

    auto bad =
        kf::parse_http_source_response(json::parse(R"({"response":{"status":"200"},"events":[{"timestamp":"nope"}]})"));
    REQUIRE_FALSE(bad.ok());
    CHECK(kf::from_zod_error(bad.issues()) ==
          "Validation error: Expected number, received string at \"response.status\"; Required at \"events[0].name\"; "
          "Invalid date at \"events[0].timestamp\"");

    auto w = kf::parse_webhook_delivery_response(
        json::parse(R"({"response":{"status":202},"verified":false,"error":"bad sig"})"));
    REQUIRE(w.ok());
    CHECK_FALSE(w.value().verified);
    CHECK(w.value().error == "bad sig");
    CHECK(kf::parse_normalized_response(json::parse(R"({"status":404,"body":null})")).ok());
}

TEST_CASE("initialize trigger, preprocess and run job responses", "[unit][schemas]") {
    auto t = kf::parse_register_trigger_body_v1(json::parse(
        R"({"rule":{"event":["push"],"source":"github.com","payload":{"ref":[{"$startsWith":"refs/heads"}]}},
            "source":{"version":"1","channel":"HTTP","integration":{"id":"gh","metadata":{"id":"gh","name":"GitHub"},"authSource":"HOSTED"},
                      "key":"repo","params":{"owner":"o"},"events":["push"]}})"));
    REQUIRE(t.ok());
    CHECK(t.value().source.key == "repo");
    CHECK(t.value().rule.payload->at("ref").at(0).at("$startsWith") == "refs/heads");

    auto p =
        kf::parse_preprocess_run_response(json::parse(R"({"abort":true,"properties":[{"label":"a","text":"b"}]})"));
    REQUIRE(p.ok());
    CHECK(p.value().abort);

    auto j = kf::parse_run_job_response(json::parse(R"({"status":"SUCCESS","output":{"a":[1,null]}})"));
    REQUIRE(j.ok());
    CHECK(j.value().status == "SUCCESS");
    CHECK(j.value().body.at("output").at("a").at(1).is_null());
    auto bad = kf::parse_run_job_response(json::parse(R"({"status":"NOPE"})"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.issues().at(0).message ==
          "Invalid discriminator value. Expected 'AUTO_YIELD_EXECUTION' | 'AUTO_YIELD_EXECUTION_WITH_COMPLETED_TASK' | "
          "'YIELD_EXECUTION' | 'AUTO_YIELD_RATE_LIMIT' | 'ERROR' | 'UNRESOLVED_AUTH_ERROR' | 'INVALID_PAYLOAD' | "
          "'RESUME_WITH_TASK' | 'RESUME_WITH_PARALLEL_TASK' | 'RETRY_WITH_TASK' | 'CANCELED' | 'SUCCESS'");
}

TEST_CASE("generate_error_message is zod-error's default text (EXECUTE_JOB, PREPROCESS_RUN)", "[unit][schemas]") {
    auto r = kf::parse_run_job_response(json::parse(R"({"status":"ERROR","error":{},"task":{"id":"t"}})"));
    REQUIRE_FALSE(r.ok());
    CHECK(kf::generate_error_message(r.issues()) ==
          "Code: invalid_type ~ Path: error.message ~ Message: Required | Code: invalid_type ~ Path: task.name ~ "
          "Message: Required | Code: invalid_type ~ Path: task.noop ~ Message: Required | Code: invalid_type ~ Path: "
          "task.status ~ Message: Required");
}

TEST_CASE("execute job headers: run metadata is JSON in a header", "[unit][schemas]") {
    auto h = kf::parse_execute_job_headers(
        json::parse(R"({"trigger-version":"2023-09-29","x-trigger-run-metadata":"{\"successSubscription\":true}"})"));
    REQUIRE(h.ok());
    REQUIRE(h.value().run_metadata);
    CHECK(h.value().run_metadata->success_subscription == true);
    CHECK_FALSE(h.value().run_metadata->failed_subscription);
    CHECK(json::value_from(h.value()).at("x-trigger-run-metadata") == R"({"successSubscription":true})");

    CHECK_FALSE(kf::parse_execute_job_headers(json::parse("{}")).value().run_metadata);

    auto bad = kf::parse_execute_job_headers(json::parse(R"({"x-trigger-run-metadata":"null"})"));
    REQUIRE_FALSE(bad.ok());
    CHECK(kf::from_zod_error(bad.issues()) ==
          "Validation error: Expected object, received null at \"x-trigger-run-metadata\"");
    bad = kf::parse_execute_job_headers(json::parse(R"({"x-trigger-run-metadata":"{oops"})"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.issues().at(0).code == "custom");
}

TEST_CASE("the create-endpoint body as the webapp's route reads it", "[unit][schemas]") {
    auto ok = kf::parse_create_endpoint_body(json::parse(R"({"url":"http://x.test/api","id":"my-app"})"));
    REQUIRE(ok);
    CHECK(ok.value().url == "http://x.test/api");
    CHECK(ok.value().id == "my-app");
    // SDKs before 2.1 send `name`; `id` wins when both are there.
    auto named = kf::parse_create_endpoint_body(json::parse(R"({"url":"http://x.test/api","name":"old"})"));
    REQUIRE(named);
    CHECK(named.value().id == "old");
    auto both = kf::parse_create_endpoint_body(json::parse(R"({"url":"u","id":"a","name":"b"})"));
    REQUIRE(both);
    CHECK(both.value().id == "a");
    // zod's issues, in key order, as the route prints them.
    auto bad = kf::parse_create_endpoint_body(json::parse(R"({"url":1})"));
    REQUIRE_FALSE(bad);
    CHECK(kf::generate_error_message(bad.issues()) ==
          "Code: invalid_type ~ Path: url ~ Message: Expected string, received number | "
          "Code: invalid_type ~ Path: id ~ Message: Required");
    auto arr = kf::parse_create_endpoint_body(json::parse("[]"));
    REQUIRE_FALSE(arr);
    CHECK(kf::generate_error_message(arr.issues()) ==
          "Code: invalid_type ~ Path:  ~ Message: Expected object, received array");
}
