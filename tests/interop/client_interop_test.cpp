// The EndpointApi client against the real Trigger.dev SDK app (tests/interop/sdk-app: 2.3.19, then 2.3.3),
// started by the sdk_app CTest fixture on a free loopback port.
#include "async_test_support.hpp"
#include "catch.hpp"
#include "sdk_app.hpp"

#include <kongflow/endpoints/client/http_api_client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <string>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace kongflow::endpoints;
using kongflow_test::run_to_completion;

namespace {

struct sdk_fixture {
    asio::io_context ctx;
    http_api_client client{ctx.get_executor()};
    std::string url = kongflow_test::fixture_app_url();
    endpoint_target target{url, "tr_dev_secret123", std::nullopt};
    diagnostics diag;
};

json::value run_job_body(std::string job_id, std::string version) {
    return {{"event",
             {{"id", "evt_1"},
              {"name", "example.event"},
              {"payload", {{"hello", "world"}}},
              {"timestamp", "2024-01-01T00:00:00.000Z"}}},
            {"job", {{"id", job_id}, {"version", version}}},
            {"run", {{"id", "run_1"}, {"isTest", false}, {"startedAt", "2024-01-01T00:00:00.000Z"}}},
            {"environment", {{"id", "env_1"}, {"slug", "dev"}, {"type", "DEVELOPMENT"}}},
            {"organization", {{"id", "org_1"}, {"title", "Org"}, {"slug", "org"}}}};
}

} // namespace

TEST_CASE_METHOD(sdk_fixture, "PING with the right key and id", "[interop][client]") {
    auto [ec, pong] = run_to_completion(ctx, client.async_ping(target, "my-app", diag));
    REQUIRE(!ec);
    CHECK(pong.ok);
    CHECK(pong.trigger_version == "2023-09-29");
    CHECK(pong.trigger_sdk_version == kongflow_test::expected_sdk_version());
}

TEST_CASE_METHOD(sdk_fixture, "redirects in front of the app are followed as Trigger.dev's fetch follows them",
                 "[interop][client]") {
    const std::string path = url.substr(url.find('/', url.find("//") + 2));
    const std::string origin = url.substr(0, url.size() - path.size());
    endpoint_target moved{origin + "/redirect/308" + path, target.api_key, std::nullopt};

    auto [ec, pong] = run_to_completion(ctx, client.async_ping(moved, "my-app", diag));
    REQUIRE(!ec);
    CHECK(pong.ok);
    CHECK(pong.trigger_sdk_version == kongflow_test::expected_sdk_version());

    auto [ec2, run] =
        run_to_completion(ctx, client.async_execute_job(moved, run_job_body("example-job", "1.0.0"), diag));
    REQUIRE(!ec2);
    CHECK(run.kind == execute_job_result::outcome::success);

    // INDEX_ENDPOINT does not follow (redirect: "manual"): the caller stores the Location.
    auto [ec3, index] = run_to_completion(ctx, client.async_index_endpoint(moved, diag));
    CHECK(index.kind == index_result::outcome::redirect);
    CHECK(index.location == path);

    // 301/302: fetch re-sends a GET, which the SDK answers 405.
    moved.url = origin + "/redirect/302" + path;
    auto [ec4, pong2] = run_to_completion(ctx, client.async_ping(moved, "my-app", diag));
    CHECK(ec4);
    CHECK(pong2.error == "Could not connect to endpoint " + moved.url + ". Status code: 405");
}

TEST_CASE_METHOD(sdk_fixture, "PING with the wrong endpoint id", "[interop][client]") {
    auto [ec, pong] = run_to_completion(ctx, client.async_ping(target, "other-app", diag));
    CHECK(ec == errc::endpoint_error);
    CHECK_FALSE(pong.ok);
    CHECK(pong.error == "Endpoint ID mismatch error. Expected my-app, got other-app");
    CHECK(diag.client_message() == pong.error);
}

TEST_CASE_METHOD(sdk_fixture, "PING with the wrong API key", "[interop][client]") {
    target.api_key = "tr_dev_wrong";
    auto [ec, pong] = run_to_completion(ctx, client.async_ping(target, "my-app", diag));
    CHECK(ec == errc::unauthorized);
    CHECK(pong.error ==
          "Forbidden: client apiKey mismatch: Make sure you are using the correct API Key for your environment");
}

TEST_CASE_METHOD(sdk_fixture, "PING with no API key", "[interop][client]") {
    target.api_key = "";
    auto [ec, pong] = run_to_completion(ctx, client.async_ping(target, "my-app", diag));
    CHECK(ec == errc::unauthorized);
    CHECK(pong.error == "Unauthorized: missing x-trigger-api-key header");
}

TEST_CASE_METHOD(sdk_fixture, "VALIDATE answers the endpoint id", "[interop][client]") {
    auto [ec, v] = run_to_completion(ctx, client.async_validate(target, diag));
    REQUIRE(!ec);
    CHECK(v.ok);
    CHECK(v.endpoint_id == "my-app");
    CHECK(v.trigger_version == "2023-09-29");
}

TEST_CASE_METHOD(sdk_fixture, "INDEX_ENDPOINT returns the app's jobs, validated", "[interop][client]") {
    auto [ec, r] = run_to_completion(ctx, client.async_index_endpoint(target, diag));
    REQUIRE(!ec);
    REQUIRE(r.kind == index_result::outcome::success);
    CHECK(r.status == 200);
    CHECK(r.trigger_version == "2023-09-29");
    CHECK(r.trigger_sdk_version == kongflow_test::expected_sdk_version());
    REQUIRE(r.response.jobs.size() == 7);
    int enabled = 0;
    for (const auto& j : r.response.jobs) enabled += j.enabled ? 1 : 0;
    CHECK(enabled == 6);
    CHECK(r.response.dynamic_schedules.size() == 1);
    CHECK(r.response.sources.empty());
    REQUIRE(r.body.is_object());
    CHECK(r.body.as_object().at("jobs").as_array().size() == 7);
}

TEST_CASE_METHOD(sdk_fixture, "EXECUTE_JOB runs a defined job", "[interop][client]") {
    auto [ec, r] = run_to_completion(ctx, client.async_execute_job(target, run_job_body("example-job", "0.0.1"), diag));
    REQUIRE(!ec);
    CHECK(r.kind == execute_job_result::outcome::success);
    CHECK(r.status == 200);
    CHECK(r.response.status == "SUCCESS");
    REQUIRE(r.run_metadata.has_value());
    CHECK(r.run_metadata->is_object());
}

TEST_CASE_METHOD(sdk_fixture, "EXECUTE_JOB of an unknown job fails with the endpoint's message", "[interop][client]") {
    auto [ec, r] = run_to_completion(ctx, client.async_execute_job(target, run_job_body("nope", "1.0.0"), diag));
    CHECK(ec == make_http_error(404));
    CHECK(r.kind == execute_job_result::outcome::fail);
    CHECK(r.message == "Job not found");
}

TEST_CASE_METHOD(sdk_fixture, "INITIALIZE_TRIGGER of an unknown trigger is an EndpointApiError", "[interop][client]") {
    auto [ec, body] =
        run_to_completion(ctx, client.async_initialize_trigger(target, "missing-trigger", json::object{}, diag));
    CHECK(ec == errc::endpoint_error);
    CHECK(diag.client_message() == "EndpointApiError: Dynamic trigger not found");
    try {
        endpoint_api_error::throw_if(ec, diag);
        FAIL("expected an exception");
    } catch (const endpoint_api_error& e) {
        CHECK(std::string(e.what()).find("EndpointApiError: Dynamic trigger not found") != std::string::npos);
    }
}

TEST_CASE_METHOD(sdk_fixture, "DELIVER_* actions reach the SDK's handlers", "[interop][client]") {
    forwarded_http_request req{"https://example.com/hook", "POST", {{"content-type", "text/plain"}}, "hello"};
    SECTION("http source") {
        http_source_delivery d{"key", "secret", nullptr, nullptr, req, std::nullopt, std::nullopt, std::nullopt};
        auto [ec, r] = run_to_completion(ctx, client.async_deliver_http_source_request(target, d, diag));
        REQUIRE(!ec);
        CHECK(r.events.empty());
        CHECK(r.response.status == 200);
    }
    SECTION("webhook") {
        webhook_delivery d{"key", "secret", nullptr, req};
        auto [ec, r] = run_to_completion(ctx, client.async_deliver_webhook_request(target, d, diag));
        REQUIRE(!ec);
        CHECK_FALSE(r.verified);
    }
    SECTION("http endpoint") {
        http_endpoint_delivery d{"key", req};
        auto [ec, r] = run_to_completion(ctx, client.async_deliver_http_endpoint_request_for_response(target, d, diag));
        REQUIRE(!ec);
        CHECK(r.response.status == 200);
        CHECK(r.reply.status == 200);
    }
}

TEST_CASE_METHOD(sdk_fixture, "an integration's handlers answer: source events, webhook, dynamic trigger",
                 "[interop][client]") {
    kongflow_test::sdk_app app("sources", "integrations-app");
    endpoint_target t{app.url(), "tr_dev_secret123", std::nullopt};
    auto [iec, index] = run_to_completion(ctx, client.async_index_endpoint(t, diag));
    INFO(diag.client_message());
    REQUIRE(index.kind == index_result::outcome::success);
    REQUIRE(index.response.sources.size() == 1);
    const auto* source = std::get_if<source_metadata_v2>(&index.response.sources.front());
    REQUIRE(source != nullptr); // SDK 2.3 lists sources as version "2"
    REQUIRE(index.response.webhooks.has_value());
    REQUIRE(index.response.webhooks->size() == 1);
    forwarded_http_request req{"https://example.com/push", "POST", {{"content-type", "text/plain"}}, "pushed"};

    SECTION("the source's handler: its events, its reply and its metadata") {
        http_source_delivery d{source->key,  "secret",    source->params.value_or(json::object{}),
                               nullptr,      req,         std::nullopt,
                               std::nullopt, std::nullopt};
        auto [ec, r] = run_to_completion(ctx, client.async_deliver_http_source_request(t, d, diag));
        INFO(diag.client_message() << " " << diag.server_message());
        REQUIRE(!ec);
        REQUIRE(r.events.size() == 1);
        CHECK(r.events[0].id == "push-1");
        CHECK(r.events[0].name == "fake.push");
        CHECK(json::serialize(*r.events[0].payload) == R"({"url":"https://example.com/push","body":"pushed"})");
        CHECK(r.response.status == 202);
        CHECK(json::serialize(*r.response.body) == R"({"accepted":true})");
        REQUIRE(r.response.headers.has_value());
        CHECK(*r.response.headers == json_record<std::string>{{"x-fake", "1"}});
        CHECK(json::serialize(*r.metadata) == R"({"cursor":7})");
    }
    SECTION("the webhook: verified (no verify function), its events generated") {
        const auto& hook = index.response.webhooks->front();
        webhook_delivery d{hook.key, "secret", hook.params.value_or(json::object{}), req};
        auto [ec, r] = run_to_completion(ctx, client.async_deliver_webhook_request(t, d, diag));
        REQUIRE(!ec);
        CHECK(r.verified);
        CHECK(r.response.status == 200);
    }
    SECTION("INITIALIZE_TRIGGER of the dynamic trigger: the rule and the source to register") {
        auto [ec, body] = run_to_completion(
            ctx, client.async_initialize_trigger(t, "dynamic-push", json::object{{"repo", "acme/web"}}, diag));
        INFO(diag.client_message());
        REQUIRE(!ec);
        // SDK 2.3 answers a version "2" source, which Trigger.dev's V1-only parse rejects.
        const auto* v2 = std::get_if<register_trigger_body_v2>(&body);
        REQUIRE(v2 != nullptr);
        CHECK(v2->rule.source == "fake");
        CHECK(v2->source.integration.id == "fake");
        CHECK(v2->source.channel == source_channel::http);
        CHECK(json::serialize(*v2->source.params) == R"({"repo":"acme/web"})");
        CHECK(v2->source.key.find("acmeweb") != std::string::npos);
    }
}

TEST_CASE_METHOD(sdk_fixture, "DELIVER_* requests with missing headers are rejected by the SDK", "[interop][client]") {
    // Our client always sends every header; strip some on the wire to see the SDK's answer read
    // by the same reader.
    forwarded_http_request fwd{"https://example.com/hook", "POST", {}, "hello"};
    http_source_delivery d{"key", "secret", nullptr, nullptr, fwd, std::nullopt, std::nullopt, std::nullopt};
    for (std::string missing : {"x-ts-secret", "x-ts-key", "x-ts-http-headers"}) {
        auto built = replies::make_http_source(target, d, client.identity());
        std::erase_if(built.headers, [&](const http_header& h) { return h.name == missing; });
        http_request raw;
        raw.url = built.url;
        for (auto& h : built.headers) raw.headers.push_back({h.name, h.value});
        raw.body = built.body;
        diagnostics tdiag;
        auto [ec, res] = run_to_completion(ctx, client.transport().async_send(raw, tdiag));
        REQUIRE(!ec);
        http_response reply{res.status, res.reason, {}, res.body, res.duration};
        http_source_response out;
        CHECK(replies::read_http_source(url, {}, reply, out, diag) == make_http_error(400));
        CHECK(diag.client_message() == "Could not connect to endpoint " + url + ". Status code: 400");
        CHECK(diag.server_message() == R"({"message":"Invalid headers"})");
    }
}

TEST_CASE_METHOD(sdk_fixture, "RUN_NOTIFICATION", "[interop][client]") {
    json::value notification = {{"id", "run_1"},
                                {"ok", true},
                                {"status", "SUCCESS"},
                                {"output", {{"done", true}}},
                                {"startedAt", "2024-01-01T00:00:00.000Z"},
                                {"completedAt", "2024-01-01T00:00:01.000Z"},
                                {"createdAt", "2024-01-01T00:00:00.000Z"},
                                {"updatedAt", "2024-01-01T00:00:01.000Z"},
                                {"executionDuration", 1000},
                                {"executionCount", 1},
                                {"isTest", false},
                                {"job", {{"id", "example-job"}, {"version", "0.0.1"}}},
                                {"environment", {{"id", "env_1"}, {"slug", "dev"}, {"type", "DEVELOPMENT"}}},
                                {"organization", {{"id", "org_1"}, {"slug", "org"}, {"title", "Org"}}},
                                {"project", {{"id", "proj_1"}, {"slug", "proj"}, {"name", "Proj"}}},
                                {"invocation",
                                 {{"id", "evt_1"},
                                  {"context", json::object{}},
                                  {"timestamp", "2024-01-01T00:00:00.000Z"},
                                  {"payload", json::object{}}}}};
    auto [ec, reply] = run_to_completion(ctx, client.async_run_notification(target, notification, diag));
    INFO(reply.body);
    REQUIRE(!ec);
    CHECK(reply.status == 200);
    CHECK(reply.body == R"({"ok":true})");
}

TEST_CASE_METHOD(sdk_fixture, "PROBE_EXECUTION_TIMEOUT with a short timeout", "[interop][client]") {
    auto [ec, r] =
        run_to_completion(ctx, client.async_probe_execution_timeout(target, std::chrono::milliseconds(300), diag));
    REQUIRE(!ec);
    CHECK(r.status == 200);
    CHECK(r.duration >= std::chrono::milliseconds(290));
    CHECK_FALSE(r.timed_out_on_platform);
}

TEST_CASE_METHOD(sdk_fixture, "PREPROCESS_RUN with an invalid body", "[interop][client]") {
    auto [ec, r] = run_to_completion(ctx, client.async_preprocess_run(target, json::object{}, diag));
    CHECK(ec == make_http_error(400));
    CHECK(diag.client_message() == "Endpoint responded with 400 status code");
}

TEST_CASE_METHOD(sdk_fixture, "DELIVER_EVENT is gone from SDK 2.3 (405)", "[interop][client]") {
    json::value event = {{"id", "evt_1"},
                         {"name", "example.event"},
                         {"payload", json::object{}},
                         {"timestamp", "2024-01-01T00:00:00.000Z"}};
    auto [ec, r] = run_to_completion(ctx, client.async_deliver_event(target, event, diag));
    CHECK(ec == make_http_error(405));
    CHECK(diag.client_message() == "Could not connect to endpoint " + url + ". Status code: 405");
}

TEST_CASE_METHOD(sdk_fixture, "many concurrent PINGs over keep-alive", "[interop][client]") {
    constexpr int n = 32;
    std::vector<diagnostics> diags(n);
    int ok = 0, done = 0;
    for (auto& d : diags)
        client.async_ping(target, "my-app", d, [&](error_code ec, ping_result pong) {
            ++done;
            ok += (!ec && pong.ok) ? 1 : 0;
        });
    ctx.restart();
    for (int i = 0; i < 1000 && done < n; ++i) ctx.run_for(std::chrono::milliseconds(20));
    CHECK(done == n);
    CHECK(ok == n);
}
