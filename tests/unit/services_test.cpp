// EndpointService and IndexEndpointService on the in-memory store with a scripted client:
// every branch of protocol.md §C and the cases of §E (except the HTTP routes).
#include "async_test_support.hpp"
#include "catch.hpp"
#include "text_file.hpp"

#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/testing/fake_api_client.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <regex>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace kongflow::endpoints;
using kongflow_test::run_to_completion;

namespace {

std::string fixture(const std::string& name) {
    return kf_test::read_text_file(std::string(KONGFLOW_TEST_FIXTURES_DIR) + "/sdk-2.3.19/" + name);
}

const std::vector<http_header> sdk_headers = {{"trigger-version", "2023-09-29"}, {"trigger-sdk-version", "2.3.19"}};

struct services_fixture {
    asio::io_context ctx;
    memory::store st;
    testing::fake_api_client client{ctx.get_executor()};
    repository_registrar reg;
    endpoint_service endpoints{ctx.get_executor(), st, client};
    index_endpoint_service indexes{ctx.get_executor(), st, client, reg};
    environment env;
    service_error err;
    const std::string url = "http://127.0.0.1:3000/api/trigger";

    explicit services_fixture(environment_type type = environment_type::development) {
        auto org = st.repo().create_organization({"acme", "Acme", std::nullopt});
        auto proj = st.repo().create_project({org->id, "app", "App", std::nullopt});
        auto e = st.repo().create_environment({org->id, proj->id, "dev", type, "tr_dev_secret", std::nullopt});
        env = *e;
        client.reply(endpoint_action::ping, 200, R"({"ok":true})", sdk_headers);
        client.reply(endpoint_action::index_endpoint, 200, fixture("index-ok.body.json"), sdk_headers);
    }

    created_endpoint create(std::string slug = "my-app", std::string u = {}) {
        auto [ec, created] =
            run_to_completion(ctx, endpoints.async_create({env, u.empty() ? url : u, std::move(slug)}, err));
        INFO(err.message);
        REQUIRE(!ec);
        return created;
    }

    endpoint_index perform(const std::string& index_id) {
        auto [ec, index] = run_to_completion(ctx, indexes.async_perform_index(index_id, err));
        INFO(err.message);
        REQUIRE(!ec);
        return index;
    }

    std::vector<job_row> pending_jobs() {
        claim_params p;
        p.max_jobs = 1000;
        p.owner = "test";
        p.now = now_ms() + std::chrono::hours(1);
        p.lease_expires_at = p.now + std::chrono::minutes(1);
        auto jobs = st.jobs().claim(p);
        REQUIRE(jobs.has_value());
        return *jobs;
    }
};

struct production_fixture : services_fixture {
    production_fixture() : services_fixture(environment_type::production) {}
};

} // namespace

TEST_CASE_METHOD(services_fixture, "create: PING, upsert, PENDING index and its job in one unit (§C.1)",
                 "[unit][services]") {
    auto created = create();
    CHECK(created.value.slug == "my-app");
    CHECK(created.value.url == url);
    CHECK(created.value.version == "2023-09-29");
    CHECK(created.value.sdk_version == "unknown"); // create never sets sdkVersion (§E.5)
    CHECK(created.env.id == env.id);
    CHECK(created.index.status == index_status::pending);
    CHECK(created.index.source == index_source::internal);
    REQUIRE(created.value.indexing_hook_identifier);
    CHECK(std::regex_match(*created.value.indexing_hook_identifier, std::regex("^[0-9a-vx-z]{10}$")));

    auto requests = client.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].headers[0] == http_header{"x-trigger-api-key", "tr_dev_secret"});
    CHECK(requests[0].headers[1] == http_header{"x-trigger-endpoint-id", "my-app"});

    auto jobs = pending_jobs();
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0].kind == perform_index_job_kind);
    CHECK(jobs[0].payload.at("id").as_string() == created.index.id);
    CHECK(jobs[0].max_attempts == 1); // DEVELOPMENT
}

TEST_CASE_METHOD(production_fixture, "create outside DEVELOPMENT: 7 attempts", "[unit][services]") {
    create();
    auto jobs = pending_jobs();
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0].max_attempts == 7);
}

TEST_CASE("perform-index retries on Trigger.dev's schedule by default", "[unit][services]") {
    // graphile-worker's exp(min(attempt, 10)) s, which register_jobs sets for performEndpointIndexing.
    index_endpoint_service_params p;
    CHECK(p.index_attempts_development == 1);
    CHECK(p.index_attempts_other == 7);
    auto* graphile = dynamic_cast<graphile_backoff*>(p.index_retry.get());
    REQUIRE(graphile != nullptr);
    CHECK(graphile->delay(1) == std::chrono::milliseconds(2718));
    CHECK(graphile->delay(6) == std::chrono::milliseconds(403429));
}

TEST_CASE_METHOD(services_fixture, "create: FAILED_PING writes nothing (§E.1-E.4)", "[unit][services]") {
    client.reply(endpoint_action::ping, 200, fixture("ping-wrong-endpoint-id.body.json"), sdk_headers);
    auto [ec, created] = run_to_completion(ctx, endpoints.async_create({env, url, "my-app"}, err));
    CHECK(ec == errc::failed_ping);
    CHECK(err.code == errc::failed_ping);
    CHECK(err.message == "Endpoint ID mismatch error. Expected my-app, got other-app");
    CHECK(err.cause == errc::endpoint_error);
    CHECK(
        json::serialize(json::value_from(err)) ==
        R"({"code":"FAILED_PING","message":"Endpoint ID mismatch error. Expected my-app, got other-app","details":{}})");
    CHECK(st.repo().list_endpoints(env.id)->empty());
    CHECK(pending_jobs().empty());

    client.fail(endpoint_action::ping, errc::connect_failed);
    run_to_completion(ctx, endpoints.async_create({env, url, "my-app"}, err));
    CHECK(err.message == "Could not connect to endpoint " + url);

    client.reply(endpoint_action::ping, 401, fixture("ping-bad-key.body.json"));
    run_to_completion(ctx, endpoints.async_create({env, url, "my-app"}, err));
    CHECK(err.message ==
          "Forbidden: client apiKey mismatch: Make sure you are using the correct API Key for your environment");
}

TEST_CASE_METHOD(services_fixture, "create: INVALID_REQUEST per field, before any PING", "[unit][services]") {
    struct bad {
        std::string url, slug, field;
    };
    for (const auto& b : std::vector<bad>{{"not a url", "ok", "url"},
                                          {"ftp://host/x", "ok", "url"},
                                          {"http:///nohost", "ok", "url"},
                                          {"http://user:pw@host/x", "ok", "url"},
                                          {"http://host/" + std::string(3000, 'a'), "ok", "url"},
                                          {url, "", "id"},
                                          {url, std::string(101, 'x'), "id"},
                                          {url, "a/b", "id"},
                                          {url, "a\nb", "id"}}) {
        auto [ec, created] = run_to_completion(ctx, endpoints.async_create({env, b.url, b.slug}, err));
        INFO(b.url << " " << b.slug);
        CHECK(ec == errc::invalid_request);
        CHECK(err.details.contains(b.field));
    }
    CHECK(client.requests().empty());
}

TEST_CASE_METHOD(services_fixture, "create twice: same row and hook identifier, new url, two indexes (§E.6)",
                 "[unit][services]") {
    auto first = create("my-app", "http://127.0.0.1:3000/api/trigger");
    auto second = create("my-app", "http://127.0.0.1:4000/api/trigger");
    CHECK(second.value.id == first.value.id);
    CHECK(second.value.indexing_hook_identifier == first.value.indexing_hook_identifier);
    CHECK(second.value.url == "http://127.0.0.1:4000/api/trigger");
    CHECK(second.index.id != first.index.id);
    CHECK(st.repo().list_indexes(first.value.id, 10)->size() == 2);
}

TEST_CASE_METHOD(services_fixture, "hook: a null body is refused after the checks, nothing written (§C.5)",
                 "[unit][services]") {
    auto created = create();
    auto hook = *created.value.indexing_hook_identifier;
    auto hook_index = [&](std::string id, std::optional<json::value> body) {
        return run_to_completion(ctx,
                                 indexes.async_hook_index({env.id, "my-app", std::move(id), std::move(body)}, err));
    };
    // Trigger.dev hands null to Prisma as sourceData: the create throws, the transaction rolls back.
    auto [ec, index] = hook_index(hook, json::value(nullptr));
    CHECK(ec == errc::invalid_request);
    CHECK(err.code == errc::invalid_request);
    CHECK(st.repo().list_indexes(created.value.id, 10)->size() == 1);
    // The endpoint and identifier come first: a wrong identifier is still endpoint_not_found.
    auto [ec2, index2] = hook_index("wrongwrong", json::value(nullptr));
    CHECK(ec2 == errc::endpoint_not_found);
    CHECK(err.message == "Index hook identifier is invalid");
    // Absent (GET, empty body) and any other JSON value are recorded.
    auto [ec3, index3] = hook_index(hook, std::nullopt);
    CHECK(!ec3);
    CHECK(index3.source_data.is_null());
    auto [ec4, index4] = hook_index(hook, json::value(false));
    CHECK(!ec4);
    CHECK(index4.source_data == json::value(false));
    CHECK(st.repo().list_indexes(created.value.id, 10)->size() == 3);
}

TEST_CASE_METHOD(services_fixture, "delete is soft; create revives the row (§C.7, §E.7)", "[unit][services]") {
    auto first = create();
    auto [ec, deleted] = run_to_completion(ctx, endpoints.async_delete(env.id, "my-app", err));
    REQUIRE(!ec);
    CHECK(!deleted.url);
    auto [gec, got] = run_to_completion(ctx, endpoints.async_get(env.id, "my-app", err));
    CHECK(!gec);
    CHECK(!got.url);
    auto revived = create();
    CHECK(revived.value.id == first.value.id);
    CHECK(revived.value.url == url);
    auto [nec, none] = run_to_completion(ctx, endpoints.async_delete(env.id, "nope", err));
    CHECK(nec == errc::endpoint_not_found);
    auto [lec, list] = run_to_completion(ctx, endpoints.async_list(env.id, err));
    CHECK(list.size() == 1);
}

TEST_CASE_METHOD(services_fixture, "validate-create takes the slug from VALIDATE (§C.2)", "[unit][services]") {
    client.reply(endpoint_action::validate, 200, R"({"ok":true,"endpointId":"from-reply"})", sdk_headers);
    auto [ec, created] = run_to_completion(ctx, endpoints.async_validate_create({env, url}, err));
    REQUIRE(!ec);
    CHECK(created.value.slug == "from-reply");
    client.reply(endpoint_action::validate, 200, R"({"ok":false,"error":"nope"})");
    auto [ec2, c2] = run_to_completion(ctx, endpoints.async_validate_create({env, url}, err));
    CHECK(ec2 == errc::failed_ping);
    CHECK(err.message == "nope");
}

TEST_CASE("localhost rewrite is off by default and exact when on", "[unit][services]") {
    asio::io_context ctx;
    memory::store st;
    testing::fake_api_client client(ctx.get_executor());
    endpoint_service off(ctx.get_executor(), st, client);
    CHECK(off.effective_url("http://localhost:3000/api") == "http://localhost:3000/api");
    endpoint_service_params p;
    p.rewrite_localhost_to = "host.docker.internal";
    endpoint_service on(ctx.get_executor(), st, client, p);
    CHECK(on.effective_url("http://localhost:3000/api") == "http://host.docker.internal:3000/api");
    CHECK(on.effective_url("http://localhost:3000") == "http://host.docker.internal:3000/");
    CHECK(on.effective_url("http://127.0.0.1:3000/api") == "http://127.0.0.1:3000/api");
}

TEST_CASE("hook identifiers: Trigger.dev's alphabet, unbiased, distinct", "[unit][services]") {
    std::set<std::string> seen;
    std::array<int, 36> counts{};
    for (int i = 0; i < 2000; ++i) {
        auto id = new_indexing_hook_identifier();
        REQUIRE(std::regex_match(id, std::regex("^[0-9a-vx-z]{10}$")));
        seen.insert(id);
        for (char c : id) ++counts[std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10];
    }
    CHECK(seen.size() == 2000);
    CHECK(counts['w' - 'a' + 10] == 0);
    // 20,000 symbols over 35 letters: each near 571; a biased generator would skew the tail.
    for (int i = 0; i < 36; ++i)
        if (i != 'w' - 'a' + 10) CHECK(counts[i] > 400);
}

TEST_CASE_METHOD(services_fixture, "perform-index: SUCCESS with stats and data from the real SDK's reply (§C.4)",
                 "[unit][services]") {
    auto created = create();
    auto index = perform(created.index.id);
    CHECK(index.status == index_status::success);
    CHECK(
        json::serialize(index.stats) ==
        R"({"jobs":2,"sources":0,"webhooks":0,"dynamicTriggers":0,"dynamicSchedules":0,"disabledJobs":0,"httpEndpoints":0})");
    REQUIRE(index.data.is_object());
    CHECK(index.data.at("jobs").as_array().size() == 3);
    CHECK(index.error.is_null());
    auto ep = st.repo().find_endpoint(created.value.id);
    CHECK(ep->sdk_version == "2.3.19"); // versions from the INDEX headers (§E.5)
    auto jobs = st.repo().list_jobs(created.value.id);
    REQUIRE(jobs->size() == 3);
    CHECK(st.repo().find_job(created.value.id, "disabled-job")->enabled == false);
    CHECK(st.repo().find_job(created.value.id, "cron-job")->enabled == true);
}

TEST_CASE_METHOD(services_fixture,
                 "empty trigger-version / trigger-sdk-version headers are ignored as Trigger.dev does",
                 "[unit][services]") {
    // PING: only a non-empty trigger-version header overrides the body (`headers.data[...] &&`).
    client.reply(endpoint_action::ping, 200, R"({"ok":true})", {{"trigger-version", ""}, {"trigger-sdk-version", ""}});
    auto created = create();
    CHECK(created.value.version == "unknown");
    client.reply(endpoint_action::ping, 200, R"({"ok":true})", sdk_headers);
    CHECK(create().value.version == "2023-09-29");
    client.reply(endpoint_action::ping, 200, R"({"ok":true})", {{"trigger-version", ""}});
    CHECK(create().value.version == "2023-09-29"); // kept

    auto index_with = [&](std::vector<http_header> headers) {
        client.reply(endpoint_action::index_endpoint, 200, fixture("index-ok.body.json"), std::move(headers));
        CHECK(perform(create().index.id).status == index_status::success);
        return *st.repo().find_endpoint(created.value.id);
    };
    auto ep = index_with(sdk_headers);
    CHECK(ep.version == "2023-09-29");
    CHECK(ep.sdk_version == "2.3.19");
    // INDEX: an empty value is falsy, so it changes nothing by itself.
    ep = index_with({{"trigger-version", ""}, {"trigger-sdk-version", ""}});
    CHECK(ep.version == "2023-09-29");
    CHECK(ep.sdk_version == "2.3.19");
    // An absent header is left unchanged when the other one changes...
    ep = index_with({{"trigger-sdk-version", "2.3.20"}});
    CHECK(ep.version == "2023-09-29");
    CHECK(ep.sdk_version == "2.3.20");
    // ...but Trigger.dev writes both values as received, so an empty one goes in with a change.
    ep = index_with({{"trigger-version", ""}, {"trigger-sdk-version", "2.3.21"}});
    CHECK(ep.version == "");
    CHECK(ep.sdk_version == "2.3.21");
}

TEST_CASE_METHOD(services_fixture, "perform-index: jobs that disappeared from this endpoint are disabled",
                 "[unit][services]") {
    auto created = create();
    perform(created.index.id);
    auto body = json::parse(fixture("index-ok.body.json"));
    auto& jobs = body.as_object()["jobs"].as_array();
    jobs.erase(jobs.begin() + 1); // cron-job disappears
    client.reply(endpoint_action::index_endpoint, 200, json::serialize(body), sdk_headers);
    auto again = create();
    auto index = perform(again.index.id);
    CHECK(index.stats.at("disabledJobs").as_int64() == 1);
    CHECK(index.stats.at("jobs").as_int64() == 1);
    CHECK(st.repo().find_job(created.value.id, "cron-job")->enabled == false);
    // Disabling an already disabled job is not counted again (§E.15).
    auto third = create();
    CHECK(perform(third.index.id).stats.at("disabledJobs").as_int64() == 0);

    // Another endpoint of the same environment keeps its jobs.
    client.reply(endpoint_action::index_endpoint, 200, fixture("index-ok.body.json"), sdk_headers);
    auto other = create("other-app");
    perform(other.index.id);
    client.reply(endpoint_action::index_endpoint, 200,
                 R"({"jobs":[],"sources":[],"dynamicTriggers":[],"dynamicSchedules":[]})", sdk_headers);
    auto emptied = create("my-app");
    CHECK(perform(emptied.index.id).stats.at("disabledJobs").as_int64() == 1); // example-job only
    CHECK(st.repo().find_job(other.value.id, "example-job")->enabled == true);
}

TEST_CASE_METHOD(services_fixture, "perform-index counts webhooks and the other registrations", "[unit][services]") {
    auto body = json::parse(fixture("index-ok.body.json"));
    auto& o = body.as_object();
    json::value webhook = {
        {"key", "wh1"},
        {"params", json::object{}},
        {"config", json::object{}},
        {"integration",
         {{"id", "github"}, {"metadata", {{"id", "github"}, {"name", "GitHub"}}}, {"authSource", "HOSTED"}}},
        {"httpEndpoint", {{"id", "ep1"}}}};
    json::value webhook2 = webhook;
    webhook2.as_object()["key"] = "wh2";
    o["webhooks"] = json::array{webhook, webhook2};
    o["dynamicSchedules"] =
        json::array{{{"id", "ds"}, {"jobs", json::array{{{"id", "example-job"}, {"version", "0.0.1"}}}}}};
    client.reply(endpoint_action::index_endpoint, 200, json::serialize(body), sdk_headers);
    auto created = create();
    auto index = perform(created.index.id);
    INFO(json::serialize(index.error));
    REQUIRE(index.status == index_status::success);
    CHECK(index.stats.at("webhooks").as_int64() == 2); // Trigger.dev's counter stays 0: we count (§E.15)
    CHECK(index.stats.at("dynamicSchedules").as_int64() == 1);
    CHECK(st.repo().list_registrations(created.value.id, registration_kind::webhook)->size() == 2);
}

namespace {
/// The default registrar, recording the order of its calls.
struct order_registrar final : registrar {
    repository_registrar inner;
    std::vector<std::string> calls;
    result<std::vector<registered_job>> enabled_jobs(repository& r, const endpoint& e) override {
        return inner.enabled_jobs(r, e);
    }
    result<void> register_job(repository& r, const endpoint& e, indexed_item<job_metadata> j) override {
        return inner.register_job(r, e, std::move(j));
    }
    result<bool> disable_job(repository& r, const endpoint& e, const std::string& slug, const std::string& version,
                             const boost::json::value* definition) override {
        return inner.disable_job(r, e, slug, version, definition);
    }
    result<void> register_source(repository& r, const endpoint& e, indexed_item<source_metadata> s) override {
        calls.push_back("source");
        return inner.register_source(r, e, std::move(s));
    }
    result<void> register_dynamic_trigger(repository& r, const endpoint& e,
                                          indexed_item<dynamic_trigger_endpoint_metadata> t) override {
        calls.push_back("dynamicTrigger");
        return inner.register_dynamic_trigger(r, e, std::move(t));
    }
    result<void> register_dynamic_schedule(repository& r, const endpoint& e,
                                           indexed_item<register_dynamic_schedule_payload> s) override {
        calls.push_back("dynamicSchedule");
        return inner.register_dynamic_schedule(r, e, std::move(s));
    }
    result<void> register_webhook(repository& r, const endpoint& e, indexed_item<webhook_metadata> w) override {
        calls.push_back("webhook");
        return inner.register_webhook(r, e, std::move(w));
    }
    result<void> register_http_endpoint(repository& r, const endpoint& e,
                                        indexed_item<http_endpoint_metadata> h) override {
        calls.push_back("httpEndpoint");
        return inner.register_http_endpoint(r, e, std::move(h));
    }
};
} // namespace

TEST_CASE_METHOD(services_fixture, "perform-index registers in Trigger.dev's order; data keeps its keys",
                 "[unit][services]") {
    order_registrar rec;
    index_endpoint_service svc{ctx.get_executor(), st, client, rec};
    auto body = json::parse(fixture("index-ok.body.json"));
    auto& o = body.as_object();
    o["webhooks"] = json::array{
        {{"key", "wh1"},
         {"params", json::object{}},
         {"config", json::object{}},
         {"integration",
          {{"id", "github"}, {"metadata", {{"id", "github"}, {"name", "GitHub"}}}, {"authSource", "HOSTED"}}},
         {"httpEndpoint", {{"id", "ep1"}}}}};
    o["httpEndpoints"] = json::array{{{"id", "ep1"},
                                      {"version", "1"},
                                      {"enabled", true},
                                      {"event", {{"name", "e"}, {"title", "E"}, {"source", "s"}, {"icon", "i"}}},
                                      {"source", "example.com"}}};
    o["dynamicSchedules"] = json::array{{{"id", "ds"}, {"jobs", json::array{}}}};
    o["dynamicTriggers"] = json::array{{{"id", "dt"}, {"jobs", json::array{}}}};
    o["sources"] = json::array{
        {{"version", "2"},
         {"channel", "HTTP"},
         {"key", "src"},
         {"params", json::object{}},
         {"options", json::object{}},
         {"integration",
          {{"id", "github"}, {"metadata", {{"id", "github"}, {"name", "GitHub"}}}, {"authSource", "HOSTED"}}}}};
    client.reply(endpoint_action::index_endpoint, 200, json::serialize(body), sdk_headers);
    auto created = create();
    auto [ec, index] = run_to_completion(ctx, svc.async_perform_index(created.index.id, err));
    INFO(err.message << json::serialize(index.error));
    REQUIRE(!ec);
    REQUIRE(index.status == index_status::success);
    // A webhook refers to an HTTP endpoint: Trigger.dev registers endpoints before webhooks.
    CHECK(rec.calls ==
          std::vector<std::string>{"source", "dynamicTrigger", "dynamicSchedule", "httpEndpoint", "webhook"});
    std::vector<std::string> keys;
    for (const auto& kv : index.data.as_object()) keys.emplace_back(kv.key());
    CHECK(keys == std::vector<std::string>{"jobs", "sources", "webhooks", "dynamicTriggers", "dynamicSchedules",
                                           "httpEndpoints"});
    CHECK(index.stats.at("httpEndpoints").as_int64() == 1);
    CHECK(index.stats.at("sources").as_int64() == 1);

    SECTION("a reply without the optional lists leaves them out of data, as Trigger.dev stores it") {
        client.reply(endpoint_action::index_endpoint, 200,
                     R"({"jobs":[],"sources":[],"dynamicTriggers":[],"dynamicSchedules":[]})", sdk_headers);
        auto again = create();
        auto bare = perform(again.index.id);
        std::vector<std::string> bare_keys;
        for (const auto& kv : bare.data.as_object()) bare_keys.emplace_back(kv.key());
        CHECK(bare_keys == std::vector<std::string>{"jobs", "sources", "dynamicTriggers", "dynamicSchedules"});
    }
}

TEST_CASE_METHOD(services_fixture, "perform-index failures are stored, never left STARTED (§E.9-E.13)",
                 "[unit][services]") {
    auto created = create();
    auto expect_failure = [&](const std::string& message) {
        auto again = create();
        auto index = perform(again.index.id);
        CHECK(index.status == index_status::failure);
        CHECK(index.error.at("message").as_string() == message);
        CHECK(index.stats.is_null());
        CHECK(index.data.is_null());
        return index;
    };
    client.reply(endpoint_action::index_endpoint, 200, R"({"jobs":[]})", sdk_headers);
    auto i1 = expect_failure("There's an issue with the format of your Jobs: Required at \"sources\"; Required at "
                             "\"dynamicTriggers\"; Required at \"dynamicSchedules\"");
    CHECK(i1.error.at("raw").as_string().rfind("Validation error: Required at \"sources\"", 0) == 0);
    client.reply(endpoint_action::index_endpoint, 200, "{}", sdk_headers);
    auto i2 = create();
    CHECK(perform(i2.index.id).status == index_status::failure);
    client.reply(endpoint_action::index_endpoint, 200, "<html>", sdk_headers);
    auto i3 = create();
    CHECK(perform(i3.index.id).status == index_status::failure);
    client.fail(endpoint_action::index_endpoint, errc::timeout);
    expect_failure("Could not connect to endpoint " + url);
    client.reply(endpoint_action::index_endpoint, 401, "");
    expect_failure("Trigger API key is invalid");
    client.reply(endpoint_action::index_endpoint, 500, "");
    expect_failure("Could not connect to endpoint " + url + ". Status code: 500");
}

TEST_CASE_METHOD(services_fixture, "perform-index follows redirects and stores the new URL (§E.12)",
                 "[unit][services]") {
    auto created = create();
    client.reply(endpoint_action::index_endpoint, 302, "", {});
    auto no_location = perform(create().index.id);
    CHECK(no_location.error.at("message").as_string() ==
          "Endpoint " + url + " is redirecting but no location header is present");
    // An empty Location is falsy for Trigger.dev too: the same failure, nothing followed or stored.
    for (std::string empty : {"", " \t"}) {
        client.reply(endpoint_action::index_endpoint, 307, "", {{"location", empty}});
        auto again = create();
        auto before = client.requests().size();
        auto empty_location = perform(again.index.id);
        CHECK(client.requests().size() == before + 1); // one INDEX, no hop
        CHECK(empty_location.status == index_status::failure);
        CHECK(empty_location.error.at("message").as_string() ==
              "Endpoint " + url + " is redirecting but no location header is present");
        CHECK(st.repo().find_endpoint(created.value.id)->url == url);
    }

    int hops = 0;
    client.on(endpoint_action::index_endpoint, [&](const action_request&) -> testing::fake_api_client::outcome {
        http_response r;
        r.status = 307;
        r.headers = {{"location", "http://127.0.0.1:3000/hop" + std::to_string(++hops)}};
        return r;
    });
    auto looping = perform(create().index.id);
    CHECK(hops == 7);
    CHECK(looping.error.at("message").as_string() ==
          "Endpoint http://127.0.0.1:3000/hop6 is redirecting too many times");

    client.on(endpoint_action::index_endpoint, [&](const action_request& req) -> testing::fake_api_client::outcome {
        http_response r;
        if (req.url == "http://127.0.0.1:3000/final") {
            r.status = 200;
            r.body = fixture("index-ok.body.json");
        } else {
            r.status = 301;
            r.headers = {{"Location", "http://127.0.0.1:3000/final"}};
        }
        return r;
    });
    auto moved = perform(create().index.id);
    CHECK(moved.status == index_status::success);
    CHECK(st.repo().find_endpoint(created.value.id)->url == "http://127.0.0.1:3000/final");

    // A relative Location (what frameworks send for a trailing slash) is stored resolved against
    // the URL that redirected; Trigger.dev stores it verbatim and then cannot reach it.
    client.on(endpoint_action::index_endpoint, [&](const action_request& req) -> testing::fake_api_client::outcome {
        http_response r;
        if (req.url == "http://127.0.0.1:3000/api/trigger/") {
            r.status = 200;
            r.body = fixture("index-ok.body.json");
        } else {
            r.status = 308;
            r.headers = {
                {"location", req.url == "http://127.0.0.1:3000/final" ? "../api/trigger/#frag" : "/api/trigger/"}};
        }
        return r;
    });
    auto relative = perform(create().index.id);
    CHECK(relative.status == index_status::success);
    CHECK(st.repo().find_endpoint(created.value.id)->url == "http://127.0.0.1:3000/api/trigger/");

    // Anything that does not resolve to an http(s) URL stays verbatim, and fails as Trigger.dev's would.
    client.on(endpoint_action::index_endpoint, [&](const action_request& req) -> testing::fake_api_client::outcome {
        if (req.url == "ftp://files.test/x") return error_code(errc::invalid_url); // as http_api_client
        http_response r;
        r.status = 302;
        r.headers = {{"location", "ftp://files.test/x"}};
        return r;
    });
    auto odd = perform(create().index.id);
    CHECK(odd.status == index_status::failure);
    CHECK(st.repo().find_endpoint(created.value.id)->url == "ftp://files.test/x");
    CHECK(odd.error.at("message").as_string() == "Could not connect to endpoint ftp://files.test/x");
}

TEST_CASE_METHOD(services_fixture, "perform-index of a deleted endpoint: URL is not set", "[unit][services]") {
    auto created = create();
    run_to_completion(ctx, endpoints.async_delete(env.id, "my-app", err));
    auto index = perform(created.index.id);
    CHECK(index.error.at("message").as_string() == "Endpoint URL is not set");
    auto [ec, none] = run_to_completion(ctx, indexes.async_perform_index("no-such-index", err));
    CHECK(ec == errc::endpoint_not_found);
}

TEST_CASE_METHOD(production_fixture, "auto-disable after N consecutive failures outside DEVELOPMENT (§E.14)",
                 "[unit][services]") {
    auto created = create(); // its index (SUCCESS below) is the oldest of the history
    const std::size_t n = indexes.params().auto_disable_after_failures;
    st.repo().update_index(
        {created.index.id, index_status::success, json::object{}, json::object{}, nullptr, std::nullopt});
    const auto base = now_ms() + std::chrono::seconds(1);
    std::size_t dated = 0;
    auto add_failures = [&](std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            create_index_params p;
            p.endpoint_id = created.value.id;
            p.status = index_status::failure;
            p.now = base + std::chrono::milliseconds(dated++);
            st.repo().create_index(p);
        }
    };
    auto fail_once = [&] {
        create_index_params p;
        p.endpoint_id = created.value.id;
        p.now = base + std::chrono::milliseconds(dated++);
        auto index = st.repo().create_index(p);
        return perform(index->id);
    };
    client.reply(endpoint_action::index_endpoint, 500, "");

    add_failures(n - 3);
    CHECK(fail_once().status == index_status::failure); // N-2 failures in a row: fewer than N-1 priors
    CHECK(st.repo().find_endpoint(created.value.id)->url);
    CHECK(fail_once().status == index_status::failure); // N-1 in a row: the SUCCESS is among the N-1 priors
    CHECK(st.repo().find_endpoint(created.value.id)->url);
    CHECK(fail_once().status == index_status::failure); // the Nth consecutive failure disables
    CHECK(!st.repo().find_endpoint(created.value.id)->url);
}

TEST_CASE_METHOD(services_fixture, "DEVELOPMENT endpoints are never auto-disabled", "[unit][services]") {
    auto created = create();
    client.reply(endpoint_action::index_endpoint, 500, "");
    for (std::size_t i = 0; i < indexes.params().auto_disable_after_failures + 1; ++i) {
        create_index_params p;
        p.endpoint_id = created.value.id;
        p.status = index_status::failure;
        st.repo().create_index(p);
    }
    perform(created.index.id);
    CHECK(st.repo().find_endpoint(created.value.id)->url);
}

TEST_CASE_METHOD(services_fixture, "hook index: PENDING HOOK +5 s, or NOT_FOUND with nothing written (§C.5, §E.16)",
                 "[unit][services]") {
    auto created = create();
    pending_jobs(); // drain the create's job
    auto hook = *created.value.indexing_hook_identifier;
    auto before = st.repo().list_indexes(created.value.id, 100)->size();

    auto [bad, none] =
        run_to_completion(ctx, indexes.async_hook_index({env.id, "my-app", "0000000000", std::nullopt}, err));
    CHECK(bad == errc::endpoint_not_found);
    CHECK(err.message == "Index hook identifier is invalid");
    auto [missing, none2] = run_to_completion(ctx, indexes.async_hook_index({env.id, "nope", hook, std::nullopt}, err));
    CHECK(missing == errc::endpoint_not_found);
    CHECK(err.message == "Endpoint not found");
    CHECK(st.repo().list_indexes(created.value.id, 100)->size() == before);

    auto t0 = now_ms();
    auto [ec, index] = run_to_completion(ctx, indexes.async_hook_index({env.id, "my-app", hook, std::nullopt}, err));
    REQUIRE(!ec);
    CHECK(index.source == index_source::hook);
    CHECK(index.status == index_status::pending);
    CHECK(!index.reason);
    CHECK(index.source_data.is_null());
    auto jobs = pending_jobs();
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0].run_at >= t0 + std::chrono::milliseconds(4900));
    CHECK(jobs[0].max_attempts == 1);

    run_to_completion(ctx, endpoints.async_delete(env.id, "my-app", err));
    auto [gone, none3] = run_to_completion(ctx, indexes.async_hook_index({env.id, "my-app", hook, std::nullopt}, err));
    CHECK(gone == errc::endpoint_not_found);
}

TEST_CASE("the Vercel reason rule", "[unit][services]") {
    json::value body = json::parse(R"({
      "id": "evt", "createdAt": 1700000000000, "type": "deployment.succeeded",
      "payload": {
        "user": {"id": "u"}, "team": {"id": "t"}, "project": {"id": "p"},
        "deployment": {"id": "d", "meta": {}, "name": "my-app", "url": "my-app.vercel.app", "inspectorUrl": "x"},
        "links": {"deployment": "l", "project": "l"}, "name": "my-app", "plan": "hobby",
        "regions": ["iad1"], "target": "production", "type": "LAMBDAS", "url": "u"
      }})");
    CHECK(index_endpoint_service::hook_reason(body) == "Vercel project my-app was deployed to my-app.vercel.app");
    auto& meta = body.at_pointer("/payload/deployment/meta").as_object();
    for (auto k : {"githubCommitAuthorName", "githubCommitOrg", "githubCommitRepo", "githubDeployment", "githubOrg",
                   "githubRepo", "githubRepoOwnerType", "githubCommitRepoId", "githubRepoId", "githubRepoVisibility",
                   "githubCommitAuthorLogin", "branchAlias"})
        meta[k] = "x";
    meta["githubCommitMessage"] = "Fix it";
    meta["githubCommitRef"] = "main";
    meta["githubCommitSha"] = "0123456789abcdef";
    CHECK(index_endpoint_service::hook_reason(body) == "\"Fix it\" was deployed from main (0123456) to my-app");
    body.as_object()["type"] = "deployment.created";
    CHECK(!index_endpoint_service::hook_reason(body));
    CHECK(!index_endpoint_service::hook_reason(json::value(nullptr)));
}

TEST_CASE_METHOD(production_fixture, "recurring index: endpoints quiet for 60 minutes (§E.17)", "[unit][services]") {
    create("recent");
    create("quiet");
    pending_jobs();
    // Both were just indexed: nothing to do.
    auto [ec0, n0] = run_to_completion(ctx, indexes.async_recurring_index(err));
    CHECK(!ec0);
    CHECK(n0 == 0);

    // A fresh store where the history is dated explicitly.
    memory::store st2;
    testing::fake_api_client client2(ctx.get_executor());
    repository_registrar reg2;
    index_endpoint_service svc(ctx.get_executor(), st2, client2, reg2);
    auto org = st2.repo().create_organization({"o", "O", std::nullopt});
    auto proj = st2.repo().create_project({org->id, "p", "P", std::nullopt});
    auto prod = st2.repo().create_environment(
        {org->id, proj->id, "prod", environment_type::production, "tr_prod_k", std::nullopt});
    auto dev = st2.repo().create_environment(
        {org->id, proj->id, "dev", environment_type::development, "tr_dev_k", std::nullopt});
    auto make = [&](const environment& e, std::string slug, std::chrono::minutes last) {
        auto ep = st2.repo().upsert_endpoint(
            {e.id, e.organization_id, e.project_id, slug, url, std::nullopt, "abcdefghij", std::nullopt});
        create_index_params p;
        p.endpoint_id = ep->value.id;
        p.now = now_ms() - last;
        st2.repo().create_index(p);
        return ep->value;
    };
    make(*prod, "t59", std::chrono::minutes(59));
    auto due = make(*prod, "t61", std::chrono::minutes(61));
    make(*dev, "dev61", std::chrono::minutes(61));
    auto deleted = make(*prod, "gone", std::chrono::minutes(61));
    st2.repo().delete_endpoint(deleted.id);
    auto [ec, n] = run_to_completion(ctx, svc.async_recurring_index(err));
    REQUIRE(!ec);
    CHECK(n == 1);
    auto latest = st2.repo().list_indexes(due.id, 1);
    CHECK(latest->at(0).source == index_source::internal);
    CHECK(latest->at(0).status == index_status::pending);
}

TEST_CASE_METHOD(services_fixture, "index: API source queued, or performed now (§C.3)", "[unit][services]") {
    auto created = create();
    pending_jobs();
    auto [ec, queued] = run_to_completion(
        ctx, indexes.async_index({created.value.id, index_source::api, "deploy", json::value{{"a", 1}}, false}, err));
    REQUIRE(!ec);
    CHECK(queued.status == index_status::pending);
    CHECK(queued.reason == "deploy");
    CHECK(pending_jobs().size() == 1);
    const auto before = now_ms();
    auto [ec2, now] =
        run_to_completion(ctx, indexes.async_index({created.value.id, index_source::manual, {}, nullptr, true}, err));
    REQUIRE(!ec2);
    CHECK(now.status == index_status::success);
    // Performed now, and queued for later in case the process dies first (a no-op for a finished
    // index: see the worker test below).
    auto recovery = pending_jobs();
    REQUIRE(recovery.size() == 1);
    CHECK(recovery[0].kind == perform_index_job_kind);
    CHECK(recovery[0].payload.at("id").as_string() == now.id);
    CHECK(recovery[0].run_at >= before + index_endpoint_service_params{}.inline_recovery_delay);
    auto [ec3, none] =
        run_to_completion(ctx, indexes.async_index({"nope", index_source::api, {}, nullptr, false}, err));
    CHECK(ec3 == errc::endpoint_not_found);
}

TEST_CASE_METHOD(services_fixture, "50 concurrent creates of one slug: one row, one hook identifier",
                 "[unit][services]") {
    std::vector<service_error> errs(50);
    std::set<std::string> ids, hooks;
    int done = 0;
    for (auto& e : errs)
        endpoints.async_create({env, url, "same"}, e, [&](error_code ec, created_endpoint c) {
            ++done;
            if (!ec) {
                ids.insert(c.value.id);
                hooks.insert(*c.value.indexing_hook_identifier);
            }
        });
    for (int i = 0; i < 500 && done < 50; ++i) ctx.run_for(std::chrono::milliseconds(10));
    CHECK(done == 50);
    CHECK(ids.size() == 1);
    CHECK(hooks.size() == 1);
    CHECK(st.repo().list_endpoints(env.id)->size() == 1);
}

TEST_CASE_METHOD(services_fixture, "observability: logs without secrets, metrics by outcome", "[unit][services]") {
    std::vector<std::string> lines;
    int pings = 0, indexes_done = 0;
    endpoint_service_params p;
    p.log.level = log_level::debug;
    p.log.sink = [&](log_level, std::string_view m, const std::vector<log_field>& f) {
        std::string line(m);
        for (auto& x : f) line += " " + x.key + "=" + x.value;
        lines.push_back(line);
    };
    p.metrics.ping_finished = [&](std::string_view, std::chrono::microseconds) { ++pings; };
    std::vector<bool> upserts;
    p.metrics.endpoint_upserted = [&](bool created) { upserts.push_back(created); };
    endpoint_service observed(ctx.get_executor(), st, client, p);
    index_endpoint_service_params ip;
    ip.log = p.log;
    ip.metrics.index_finished = [&](std::string_view, std::chrono::microseconds) { ++indexes_done; };
    index_endpoint_service observed_index(ctx.get_executor(), st, client, reg, ip);
    auto [ec, created] = run_to_completion(ctx, observed.async_create({env, url, "my-app"}, err));
    REQUIRE(!ec);
    run_to_completion(ctx, observed_index.async_perform_index(created.index.id, err));
    CHECK(pings == 1);
    CHECK(indexes_done == 1);
    // A second create of the same slug updates the row: reported as not created.
    auto [ec2, again] = run_to_completion(ctx, observed.async_create({env, url, "my-app"}, err));
    REQUIRE(!ec2);
    CHECK(upserts == std::vector<bool>{true, false});
    REQUIRE(!lines.empty());
    for (const auto& l : lines) {
        CHECK(l.find("tr_dev_secret") == std::string::npos);
        CHECK(l.find(*created.value.indexing_hook_identifier) == std::string::npos);
    }
}

TEST_CASE_METHOD(services_fixture, "perform-index job: a finished index is left as it is", "[unit][services]") {
    // A job run again after its process died past the index's end, or the recovery job of an index
    // performed now: no second INDEX_ENDPOINT, no change.
    auto created = create();
    auto done = perform(created.index.id);
    REQUIRE(done.status == index_status::success);
    pending_jobs(); // drops create's own job
    const auto requests_before = client.requests().size();

    worker_params wp;
    wp.queues = {{"default", 4}};
    wp.poll_interval = std::chrono::milliseconds(20);
    worker w(ctx.get_executor(), st.jobs(), wp);
    indexes.register_jobs(w);
    auto job = st.jobs().enqueue(std::string(perform_index_job_kind), json::value{{"id", done.id}});
    REQUIRE(job.has_value());
    REQUIRE(w.start().has_value());
    auto work = asio::make_work_guard(ctx);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (st.jobs().get(*job).value().state != job_state::completed && std::chrono::steady_clock::now() < deadline)
        ctx.run_for(std::chrono::milliseconds(5));
    CHECK(st.jobs().get(*job).value().state == job_state::completed);
    CHECK(client.requests().size() == requests_before);
    auto after = st.repo().find_index(done.id).value();
    CHECK(after.status == index_status::success);
    CHECK(after.updated_at == done.updated_at);
    bool stopped = false;
    w.async_shutdown(std::chrono::seconds(1), [&](error_code) { stopped = true; });
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!stopped && std::chrono::steady_clock::now() < deadline) ctx.run_for(std::chrono::milliseconds(5));
    CHECK(stopped);
}
