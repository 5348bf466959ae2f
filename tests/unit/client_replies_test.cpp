// Request building and reply reading for every action, without sockets (protocol.md §A, §C.4).
#include "catch.hpp"
#include "text_file.hpp"

#include <kongflow/endpoints/client/replies.hpp>

#include <boost/json.hpp>

namespace json = boost::json;
using namespace kongflow::endpoints;

namespace {

const std::string url = "http://127.0.0.1:3000/api/trigger";
const endpoint_target target{url, "tr_dev_key", std::nullopt};

http_response reply(unsigned status, std::string body, std::vector<http_header> headers = {}) {
    http_response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

std::string fixture(const std::string& name) {
    return kf_test::read_text_file(std::string(KONGFLOW_TEST_FIXTURES_DIR) + "/sdk-2.3.19/" + name);
}

const std::vector<http_header> sdk_headers = {{"Trigger-Version", "2023-09-29"}, {"Trigger-SDK-Version", "2.3.19"}};

} // namespace

TEST_CASE("PING request carries exactly Trigger.dev's headers", "[unit][client]") {
    auto req = replies::make_ping(target, "my-app", client_identity{});
    CHECK(req.action == endpoint_action::ping);
    CHECK(req.url == url);
    CHECK(req.body.empty());
    std::vector<http_header> want = {
        {"x-trigger-api-key", "tr_dev_key"}, {"x-trigger-endpoint-id", "my-app"},
        {"x-trigger-action", "PING"},        {"user-agent", "kongflow-endpoints/" KONGFLOW_ENDPOINTS_VERSION_STRING},
        {"x-trigger-version", "2023-09-29"}, {"accept", "application/json"}};
    CHECK(req.headers == want);
}

TEST_CASE("INDEX request: merged accept header and a 5 s timeout", "[unit][client]") {
    auto req = replies::make_index(target, client_identity{"ua/1", "2023-09-29"});
    CHECK(req.total_timeout == std::chrono::seconds(5));
    REQUIRE(req.headers.size() == 5);
    CHECK(req.headers[0] == http_header{"accept", "application/json, application/json"});
    CHECK(req.headers[2] == http_header{"x-trigger-action", "INDEX_ENDPOINT"});
    CHECK(req.headers[3] == http_header{"user-agent", "ua/1"});
    endpoint_target t = target;
    t.timeout = std::chrono::milliseconds(1234);
    CHECK(replies::make_index(t, {}).total_timeout == std::chrono::milliseconds(1234));
}

TEST_CASE("JSON actions carry a JSON body and content-type", "[unit][client]") {
    json::value body = {{"timeout", 1500}};
    auto probe = replies::make_json_action(endpoint_action::probe_execution_timeout, target, body, {});
    CHECK(probe.body == R"({"timeout":1500})");
    CHECK(probe.headers[0] == http_header{"content-type", "application/json"});
    CHECK(probe.headers[2] == http_header{"x-trigger-action", "PROBE_EXECUTION_TIMEOUT"});
    CHECK(probe.total_timeout == std::chrono::milliseconds(1500) + std::chrono::seconds(30));
    auto init = replies::make_json_action(endpoint_action::initialize_trigger, target, json::object{}, {});
    CHECK(init.headers[0] == http_header{"Content-Type", "application/json"});
}

TEST_CASE("DELIVER_HTTP_SOURCE_REQUEST headers", "[unit][client]") {
    http_source_delivery d;
    d.key = "k";
    d.secret = "s";
    d.request = {"https://example.com/hook?x=1", "POST", {{"content-type", "text/plain"}, {"x-a", "1"}}, "raw"};
    d.dynamic_id = "dyn";
    d.metadata = json::value{{"m", 1}};
    auto req = replies::make_http_source(target, d, {});
    CHECK(req.body == "raw");
    auto find = [&](std::string_view n) -> std::string {
        for (auto& h : req.headers)
            if (h.name == n) return h.value;
        return "<absent>";
    };
    CHECK(find("Content-Type") == "application/octet-stream");
    CHECK(find("x-ts-params") == "{}");
    CHECK(find("x-ts-data") == "{}");
    CHECK(find("x-ts-http-url") == "https://example.com/hook?x=1");
    CHECK(find("x-ts-http-method") == "POST");
    CHECK(find("x-ts-http-headers") == R"({"content-type":"text/plain","x-a":"1"})");
    CHECK(find("x-ts-dynamic-id") == "dyn");
    CHECK(find("x-ts-metadata") == R"({"m":1})");
    CHECK(find("x-ts-auth") == "<absent>");

    webhook_delivery w{"k", "s", json::value{{"p", true}}, d.request};
    auto wreq = replies::make_webhook(target, w, {});
    CHECK(std::count_if(wreq.headers.begin(), wreq.headers.end(), [](auto& h) { return h.name == "x-ts-data"; }) == 0);
    http_endpoint_delivery e{"k", d.request};
    auto ereq = replies::make_http_endpoint(target, e, {});
    CHECK(std::count_if(ereq.headers.begin(), ereq.headers.end(), [](auto& h) { return h.name == "x-ts-secret"; }) ==
          0);
}

TEST_CASE("header values with CR, LF or NUL are refused", "[unit][client]") {
    diagnostics diag;
    auto req = replies::make_ping(target, "id\r\nx-evil: 1", {});
    CHECK(replies::check_headers(req, diag) == errc::invalid_header_value);
    CHECK(!diag.client_message().empty());
    auto ok = replies::make_ping(target, "my-app", {});
    CHECK(!replies::check_headers(ok, diag));
    auto nul = replies::make_ping(endpoint_target{url, std::string("k\0y", 3), std::nullopt}, "a", {});
    CHECK(replies::check_headers(nul, diag) == errc::invalid_header_value);
}

TEST_CASE("PING replies, branch by branch (§A.1, §E.1-E.5)", "[unit][client]") {
    ping_result out;
    diagnostics diag;

    SECTION("no response") {
        CHECK(replies::read_ping(url, errc::connect_failed, {}, out, diag) == errc::connect_failed);
        CHECK(out.error == "Could not connect to endpoint " + url);
    }
    SECTION("401 with the SDK's body") {
        auto ec = replies::read_ping(url, {}, reply(401, fixture("ping-bad-key.body.json")), out, diag);
        CHECK(ec == errc::unauthorized);
        CHECK(out.error ==
              "Forbidden: client apiKey mismatch: Make sure you are using the correct API Key for your environment");
    }
    SECTION("401 with an empty or HTML body") {
        CHECK(replies::read_ping(url, {}, reply(401, ""), out, diag) == errc::unauthorized);
        CHECK(out.error == "Trigger API key is invalid");
        CHECK(replies::read_ping(url, {}, reply(401, "<html>no</html>"), out, diag) == errc::unauthorized);
        CHECK(out.error == "Trigger API key is invalid");
        CHECK(replies::read_ping(url, {}, reply(401, R"({"msg":"x"})"), out, diag) == errc::unauthorized);
        CHECK(out.error == "Trigger API key is invalid");
    }
    SECTION("500") {
        auto ec = replies::read_ping(url, {}, reply(500, "oops"), out, diag);
        CHECK(ec == make_http_error(500));
        CHECK(out.error == "Could not connect to endpoint " + url + ". Status code: 500");
        CHECK(diag.server_message() == "oops");
    }
    SECTION("HTML or null body") {
        for (std::string body : {"<html></html>", "null", "", "false", "0", "\"\""}) {
            CHECK(replies::read_ping(url, {}, reply(200, body), out, diag) == errc::invalid_json);
            CHECK(out.error == "Could not parse response from endpoint. Make sure it points to the correct URL (you "
                               "might be missing /api/trigger)");
        }
    }
    SECTION("schema failure prints zod's issues") {
        auto ec = replies::read_ping(url, {}, reply(200, R"({"ok":"yes"})"), out, diag);
        CHECK(ec == errc::invalid_response);
        CHECK(out.error.rfind("Endpoint " + url + " responded with error: [\n  {\n", 0) == 0);
        CHECK(out.error.find("\"code\": \"invalid_union_discriminator\"") != std::string::npos);
    }
    SECTION("ok:false passes through") {
        auto ec = replies::read_ping(url, {}, reply(200, fixture("ping-wrong-endpoint-id.body.json"), sdk_headers), out,
                                     diag);
        CHECK(ec == errc::endpoint_error);
        CHECK(out.error == "Endpoint ID mismatch error. Expected my-app, got other-app");
    }
    SECTION("ok with version headers") {
        auto ec = replies::read_ping(url, {}, reply(200, fixture("ping-ok.body.json"), sdk_headers), out, diag);
        CHECK(!ec);
        CHECK(out.ok);
        CHECK(out.trigger_version == "2023-09-29");
        CHECK(out.trigger_sdk_version == "2.3.19");
    }
    SECTION("a trigger-version header alone clears the body's sdk version") {
        auto ec = replies::read_ping(url, {},
                                     reply(200, R"({"ok":true,"triggerVersion":"a","triggerSdkVersion":"b"})",
                                           {{"trigger-version", "2023-09-29"}}),
                                     out, diag);
        CHECK(!ec);
        CHECK(out.trigger_version == "2023-09-29");
        CHECK(!out.trigger_sdk_version);
    }
    SECTION("no version header keeps the body's") {
        auto ec = replies::read_ping(url, {}, reply(200, R"({"ok":true,"triggerVersion":"a","triggerSdkVersion":"b"})"),
                                     out, diag);
        CHECK(!ec);
        CHECK(out.trigger_version == "a");
        CHECK(out.trigger_sdk_version == "b");
    }
}

TEST_CASE("VALIDATE replies", "[unit][client]") {
    validate_result out;
    diagnostics diag;
    CHECK(!replies::read_validate(url, {}, reply(200, fixture("validate-ok.body.json"), sdk_headers), out, diag));
    CHECK(out.ok);
    CHECK(out.endpoint_id == "my-app");
    CHECK(out.trigger_version == "2023-09-29");
    CHECK(replies::read_validate(url, {}, reply(200, R"({"ok":false,"error":"nope"})"), out, diag) ==
          errc::endpoint_error);
    CHECK(out.error == "nope");
    CHECK(replies::read_validate(url, {}, reply(200, R"({"ok":true})"), out, diag) == errc::invalid_response);
    CHECK(replies::read_validate(url, {}, reply(404, ""), out, diag) == make_http_error(404));
    CHECK(out.error == "Could not connect to endpoint " + url + ". Status code: 404");
}

TEST_CASE("INDEX replies, branch by branch (§C.4, §E.9-E.13)", "[unit][client]") {
    index_result out;
    diagnostics diag;
    using outcome = index_result::outcome;

    SECTION("success from the real SDK's reply") {
        auto ec = replies::read_index(url, {}, reply(200, fixture("index-ok.body.json"), sdk_headers), out, diag);
        REQUIRE(!ec);
        REQUIRE(out.kind == outcome::success);
        CHECK(out.response.jobs.size() == 3);
        CHECK(out.trigger_version == "2023-09-29");
        CHECK(out.trigger_sdk_version == "2.3.19");
        CHECK(out.body.as_object().at("jobs").as_array().size() == 3);
    }
    SECTION("no response, timeout included") {
        CHECK(replies::read_index(url, errc::timeout, {}, out, diag) == errc::timeout);
        CHECK(out.kind == outcome::failure);
        CHECK(out.error.message == "Could not connect to endpoint " + url);
    }
    SECTION("redirect with and without Location") {
        CHECK(!replies::read_index(url, {}, reply(307, "", {{"Location", "https://new.example/api"}}), out, diag));
        CHECK(out.kind == outcome::redirect);
        CHECK(out.location == "https://new.example/api");
        for (unsigned s : {301u, 302u, 303u, 307u, 308u}) {
            CHECK(replies::read_index(url, {}, reply(s, ""), out, diag) == errc::redirect_without_location);
            CHECK(out.error.message == "Endpoint " + url + " is redirecting but no location header is present");
        }
    }
    SECTION("401") {
        CHECK(replies::read_index(url, {}, reply(401, R"({"message":"bad key","stack":"s"})"), out, diag) ==
              errc::unauthorized);
        CHECK(out.error.message == "bad key");
        CHECK(replies::read_index(url, {}, reply(401, "nope"), out, diag) == errc::unauthorized);
        CHECK(out.error.message == "Trigger API key is invalid");
    }
    SECTION("other statuses") {
        CHECK(replies::read_index(url, {}, reply(503, ""), out, diag) == make_http_error(503));
        CHECK(out.error.message == "Could not connect to endpoint " + url + ". Status code: 503");
        CHECK(!out.error.raw);
    }
    SECTION("{jobs: []}: the format message and raw (§E.9)") {
        CHECK(replies::read_index(url, {}, reply(200, R"({"jobs":[]})"), out, diag) == errc::invalid_response);
        CHECK(out.kind == outcome::failure);
        CHECK(out.error.message == "There's an issue with the format of your Jobs: Required at \"sources\"; Required "
                                   "at \"dynamicTriggers\"; Required at \"dynamicSchedules\"");
        REQUIRE(out.error.raw);
        CHECK(out.error.raw->as_string() ==
              "Validation error: Required at \"sources\"; Required at \"dynamicTriggers\"; Required at "
              "\"dynamicSchedules\"");
    }
    SECTION("{}, {jobs:null} and non-JSON end in FAILURE, not an exception (our decision, §E.11)") {
        for (std::string body : {"{}", R"({"jobs":null})"}) {
            CHECK(replies::read_index(url, {}, reply(200, body), out, diag) == errc::invalid_response);
            CHECK(out.kind == outcome::failure);
            CHECK(out.error.message.rfind("There's an issue with the format of your Jobs: ", 0) == 0);
        }
        CHECK(replies::read_index(url, {}, reply(200, "<html>"), out, diag) == errc::invalid_json);
        CHECK(out.kind == outcome::failure);
        CHECK(out.error.message.find("responded with invalid JSON") != std::string::npos);
    }
    SECTION("a job issue names the job (§B.1)") {
        auto body = json::parse(fixture("index-ok.body.json"));
        body.as_object()["jobs"].as_array()[0].as_object().erase("name");
        replies::read_index(url, {}, reply(200, json::serialize(body)), out, diag);
        CHECK(out.error.message == "Your Jobs have issues:\n- Job \"example-job\": Required at \"name\".");
    }
}

TEST_CASE("EXECUTE_JOB classification (§A.5)", "[unit][client]") {
    execute_job_result out;
    diagnostics diag;
    using outcome = execute_job_result::outcome;
    replies::read_execute_job(url, errc::connect_failed, {}, out, diag);
    CHECK(out.kind == outcome::retry);
    CHECK(out.message == "Connection could not be established to the endpoint (" + url + ")");

    replies::read_execute_job(url, {}, reply(404, R"({"message":"Job not found"})"), out, diag);
    CHECK(out.kind == outcome::fail);
    CHECK(out.message == "Job not found");
    replies::read_execute_job(url, {}, reply(500, R"({"message":"boom","stack":"at x"})"), out, diag);
    CHECK(out.kind == outcome::retry);
    CHECK(out.endpoint_error->stack == "at x");
    replies::read_execute_job(url, {}, reply(422, "no"), out, diag);
    CHECK(out.kind == outcome::fail);
    CHECK(out.message == "Endpoint responded with 422 status code");
    replies::read_execute_job(url, {}, reply(504, "gateway timeout"), out, diag);
    CHECK(out.kind == outcome::resume);
    replies::read_execute_job(url, {}, reply(503, "Worker exceeded resource limits", {{"cf-ray", "1"}}), out, diag);
    CHECK(out.kind == outcome::resume);
    replies::read_execute_job(url, {}, reply(503, "down"), out, diag);
    CHECK(out.kind == outcome::retry);
    replies::read_execute_job(url, {}, reply(200, "not json"), out, diag);
    CHECK(out.kind == outcome::fail);
    CHECK(out.message == "Endpoint responded with invalid JSON");
    replies::read_execute_job(url, {}, reply(200, R"({"status":"NOPE"})"), out, diag);
    CHECK(out.kind == outcome::fail);
    CHECK(out.message.rfind("Code: invalid_union_discriminator ~ Path: status ~ Message: ", 0) == 0);
    auto ec = replies::read_execute_job(
        url, {}, reply(200, R"({"status":"SUCCESS","output":{"a":1}})", {{"x-trigger-run-metadata", "{}"}}), out, diag);
    CHECK(!ec);
    CHECK(out.kind == outcome::success);
    CHECK(out.response.status == "SUCCESS");
    CHECK(out.run_metadata->is_object());
}

TEST_CASE("INITIALIZE_TRIGGER: EndpointApiError and strict parsing (§A.7)", "[unit][client]") {
    register_trigger_body out;
    diagnostics diag;
    CHECK(replies::read_initialize_trigger(url, {},
                                           reply(404, R"({"message":"Dynamic trigger not found","stack":"S"})"), out,
                                           diag) == errc::endpoint_error);
    CHECK(diag.client_message() == "EndpointApiError: Dynamic trigger not found");
    CHECK(diag.server_message() == "S");
    CHECK(replies::read_initialize_trigger(url, {}, reply(500, "html"), out, diag) == make_http_error(500));
    CHECK(diag.client_message() == "Could not connect to endpoint " + url + ". Status code: 500");
    CHECK(replies::read_initialize_trigger(url, {}, reply(200, "{}"), out, diag) == errc::invalid_response);
    CHECK(diag.client_message().rfind("[\n  {\n", 0) == 0);
}

TEST_CASE("INITIALIZE_TRIGGER: a version 2 source (SDK 2.3) is read as V2, anything else as V1", "[unit][client]") {
    const std::string rule = R"("rule":{"event":["push"],"source":"fake"})";
    const std::string integration =
        R"("integration":{"id":"fake","metadata":{"id":"fake","name":"Fake"},"authSource":"LOCAL"})";
    register_trigger_body out;
    diagnostics diag;
    auto v2 = "{" + rule + R"(,"source":{"version":"2","channel":"HTTP",)" + integration +
              R"(,"key":"k2","params":{"repo":"a/b"},"options":{"event":["push"]}},"accountId":"acc"})";
    REQUIRE(!replies::read_initialize_trigger(url, {}, reply(200, v2), out, diag));
    const auto* b2 = std::get_if<register_trigger_body_v2>(&out);
    REQUIRE(b2 != nullptr);
    CHECK(b2->source.key == "k2");
    CHECK(b2->source.options == json_record<std::vector<std::string>>{{"event", {"push"}}});
    CHECK(b2->account_id == "acc");

    auto v1 = "{" + rule + R"(,"source":{"version":"1","channel":"HTTP",)" + integration +
              R"(,"key":"k1","events":["push"]}})";
    REQUIRE(!replies::read_initialize_trigger(url, {}, reply(200, v1), out, diag));
    REQUIRE(std::holds_alternative<register_trigger_body_v1>(out));
    CHECK(std::get<register_trigger_body_v1>(out).source.events == std::vector<std::string>{"push"});

    // A version 2 source without options fails V2 (options required); no version fails V1, as
    // Trigger.dev (the literal "1" is required).
    auto bad2 = "{" + rule + R"(,"source":{"version":"2","channel":"HTTP",)" + integration + R"(,"key":"k"}})";
    CHECK(replies::read_initialize_trigger(url, {}, reply(200, bad2), out, diag) == errc::invalid_response);
    CHECK(diag.client_message().find(R"("options")") != std::string::npos);
    auto none = "{" + rule + R"(,"source":{"channel":"HTTP",)" + integration + R"(,"key":"k","events":[]}})";
    CHECK(replies::read_initialize_trigger(url, {}, reply(200, none), out, diag) == errc::invalid_response);
    CHECK(diag.client_message().find(R"("code": "invalid_literal")") != std::string::npos);
}

TEST_CASE("RUN_NOTIFICATION and DELIVER_EVENT messages", "[unit][client]") {
    diagnostics diag;
    auto r = reply(502, "");
    r.reason = "Bad Gateway";
    CHECK(replies::read_run_notification(url, {}, r, diag) == make_http_error(502));
    CHECK(diag.client_message() == "Failed to deliver endpoint notification to " + url + ": [502] Bad Gateway");
    CHECK(replies::read_run_notification(url, errc::connect_failed, {}, diag) == errc::connect_failed);
    CHECK(diag.client_message().rfind("Failed to deliver endpoint notification to " + url, 0) == 0);

    deliver_event_response ev;
    CHECK(replies::read_deliver_event(url, {}, reply(405, R"({"message":"Method not allowed"})"), ev, diag) ==
          make_http_error(405));
    CHECK(!replies::read_deliver_event(url, {}, reply(200, R"({"deliveredAt":"2024-01-01T00:00:00.000Z"})"), ev, diag));
    CHECK(ev.delivered_at == "2024-01-01T00:00:00.000Z");
}

TEST_CASE("HTTP endpoint responses that do not parse", "[unit][client]") {
    http_endpoint_response_result out;
    diagnostics diag;
    CHECK(replies::read_http_endpoint(url, {}, reply(200, R"({"status":"x"})"), out, diag) == errc::invalid_response);
    CHECK(diag.client_message() == "Could not parse response from client");
    CHECK(!replies::read_http_endpoint(url, {}, reply(200, R"({"status":201,"body":"hi"})"), out, diag));
    CHECK(out.response.status == 201);
}
