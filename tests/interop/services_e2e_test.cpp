// The services end to end: the real Trigger.dev SDK app (2.3.19, then 2.3.3) on loopback, the
// SQLite store, a worker running perform-index. What Trigger.dev's server would record, we record.
#include "async_test_support.hpp"
#include "catch.hpp"
#include "sdk_app.hpp"

#include <kongflow/endpoints/client/http_api_client.hpp>
#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace kongflow::endpoints;
using kongflow_test::run_to_completion;
using kongflow_test::sdk_app;

namespace {

struct e2e {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("kongflow-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    asio::io_context ctx;
    asio::thread_pool blocking{2};
    std::unique_ptr<sqlite::store> st;
    http_api_client client{ctx.get_executor()};
    std::unique_ptr<repository_registrar> reg;
    std::unique_ptr<endpoint_service> endpoints;
    std::unique_ptr<index_endpoint_service> indexes;
    std::unique_ptr<worker> w;
    environment env;
    service_error err;
    std::string sdk_url = kongflow_test::fixture_app_url();

    e2e() {
        std::filesystem::create_directories(dir);
        auto opened = sqlite::store::open((dir / "kongflow.db").string());
        REQUIRE(opened.has_value());
        st = std::move(*opened);
        reg = std::make_unique<repository_registrar>();
        endpoint_service_params ep;
        ep.blocking_executor = blocking.get_executor();
        endpoints = std::make_unique<endpoint_service>(ctx.get_executor(), *st, client, ep);
        index_endpoint_service_params ip;
        ip.blocking_executor = blocking.get_executor();
        ip.hook_delay = std::chrono::milliseconds(200);
        indexes = std::make_unique<index_endpoint_service>(ctx.get_executor(), *st, client, *reg, ip);
        worker_params wp;
        wp.poll_interval = std::chrono::milliseconds(100);
        w = std::make_unique<worker>(ctx.get_executor(), st->jobs(), wp);
        indexes->register_jobs(*w);
        REQUIRE(w->start().has_value());

        auto org = st->repo().create_organization({"acme", "Acme", std::nullopt});
        auto proj = st->repo().create_project({org->id, "app", "App", std::nullopt});
        env = *st->repo().create_environment(
            {org->id, proj->id, "dev", environment_type::development, "tr_dev_secret123", std::nullopt});
    }

    ~e2e() {
        bool done = false;
        w->async_shutdown(std::chrono::seconds(5), [&](error_code) { done = true; });
        for (int i = 0; i < 500 && !done; ++i) ctx.run_for(std::chrono::milliseconds(10));
        w.reset();
        client.transport().close();
        blocking.join();
        st.reset();
        std::filesystem::remove_all(dir);
    }

    /// Waits (bounded) for the worker to finish the index.
    endpoint_index wait_for(const std::string& index_id) {
        for (int i = 0; i < 600; ++i) {
            ctx.run_for(std::chrono::milliseconds(25));
            auto index = st->repo().find_index(index_id);
            REQUIRE(index.has_value());
            if (index->status == index_status::success || index->status == index_status::failure) return *index;
        }
        FAIL("the index did not finish");
        return {};
    }

    created_endpoint create(const std::string& url, const std::string& slug = "my-app") {
        auto [ec, created] = run_to_completion(ctx, endpoints->async_create({env, url, slug}, err));
        INFO(err.message);
        REQUIRE(!ec);
        return created;
    }
};

} // namespace

TEST_CASE_METHOD(e2e, "create → the worker indexes the real app → SUCCESS with Trigger.dev's stats",
                 "[interop][services]") {
    auto created = create(sdk_url);
    CHECK(created.value.version == "2023-09-29");
    auto index = wait_for(created.index.id);
    INFO(json::serialize(index.error));
    REQUIRE(index.status == index_status::success);
    CHECK(
        json::serialize(index.stats) ==
        R"({"jobs":6,"sources":0,"webhooks":0,"dynamicTriggers":0,"dynamicSchedules":1,"disabledJobs":0,"httpEndpoints":1})");
    auto ep = st->repo().find_endpoint(created.value.id);
    CHECK(ep->sdk_version == kongflow_test::expected_sdk_version());
    CHECK(st->repo().list_jobs(created.value.id)->size() == 7);
    CHECK(st->repo().list_registrations(created.value.id, registration_kind::http_endpoint)->size() == 1);
    CHECK(st->repo().list_registrations(created.value.id, registration_kind::dynamic_schedule)->size() == 1);

    SECTION("the app restarts with fewer jobs: disappeared and disabled jobs are disabled") {
        sdk_app reduced("reduced");
        auto again = create(reduced.url());
        CHECK(again.value.id == created.value.id);
        auto second = wait_for(again.index.id);
        REQUIRE(second.status == index_status::success);
        // cron-job, invoke-job and http-job disappeared; interval-job is now disabled.
        CHECK(second.stats.at("disabledJobs").as_int64() == 4);
        CHECK(second.stats.at("jobs").as_int64() == 2);
        for (auto slug : {"cron-job", "invoke-job", "http-job", "interval-job", "disabled-job"})
            CHECK(st->repo().find_job(created.value.id, slug)->enabled == false);
        CHECK(st->repo().find_job(created.value.id, "example-job")->enabled == true);
    }

    SECTION("a hook-triggered index") {
        auto [ec, hooked] = run_to_completion(
            ctx,
            indexes->async_hook_index({env.id, "my-app", *created.value.indexing_hook_identifier, std::nullopt}, err));
        REQUIRE(!ec);
        CHECK(hooked.source == index_source::hook);
        CHECK(wait_for(hooked.id).status == index_status::success);
    }
}

TEST_CASE_METHOD(e2e, "an integration's triggers from the real SDK: source, dynamic trigger, webhook",
                 "[interop][services]") {
    sdk_app app("sources", "integrations-app");
    auto created = create(app.url(), "integrations-app");
    auto index = wait_for(created.index.id);
    INFO(json::serialize(index.error));
    REQUIRE(index.status == index_status::success);
    // What the SDK lists: 9 jobs; the external source; the dynamic trigger on it; the webhook and
    // the HTTP endpoint it adds next to "caller". Internal jobs (the registration jobs of the source,
    // the dynamic trigger and the webhook) are registered but not counted.
    CHECK(
        json::serialize(index.stats) ==
        R"({"jobs":9,"sources":1,"webhooks":1,"dynamicTriggers":1,"dynamicSchedules":1,"disabledJobs":0,"httpEndpoints":2})");
    auto& data = index.data.as_object();
    auto count = [&](registration_kind kind) { return st->repo().list_registrations(created.value.id, kind)->size(); };
    CHECK(count(registration_kind::source) == data.at("sources").as_array().size());
    CHECK(count(registration_kind::dynamic_trigger) == 1);
    CHECK(count(registration_kind::webhook) == 1);
    CHECK(count(registration_kind::http_endpoint) == data.at("httpEndpoints").as_array().size());
    auto jobs = *st->repo().list_jobs(created.value.id);
    std::size_t counted = 0, internal = 0;
    for (const auto& j : jobs) {
        counted += j.enabled && !j.internal ? 1 : 0;
        internal += j.internal ? 1 : 0;
    }
    CHECK(counted == 9);
    CHECK(internal == 3); // the source's, the dynamic trigger's and the webhook's registration jobs
    auto dynamic = st->repo().list_registrations(created.value.id, registration_kind::dynamic_trigger)->front();
    CHECK(dynamic.key == "dynamic-push");

    SECTION("indexed again: the same rows, updated, and the same stats") {
        auto [ec, again] =
            run_to_completion(ctx, indexes->async_index({created.value.id, index_source::api, {}, nullptr, true}, err));
        INFO(err.message);
        REQUIRE(!ec);
        CHECK(again.status == index_status::success);
        CHECK(again.stats == index.stats);
        CHECK(count(registration_kind::source) == 1);
        CHECK(count(registration_kind::dynamic_trigger) == 1);
        CHECK(count(registration_kind::webhook) == 1);
        CHECK(count(registration_kind::http_endpoint) == 2);
        CHECK(st->repo().list_jobs(created.value.id)->size() == jobs.size());
    }
}

TEST_CASE_METHOD(e2e, "an app behind a permanent redirect: PING follows it, the index stores the new URL",
                 "[interop][services]") {
    // As Trigger.dev: fetch follows the PING's 308, the endpoint keeps the URL it was given, and the
    // index (redirect: "manual") stores the new URL and indexes there.
    const std::string app_path = sdk_url.substr(sdk_url.find('/', sdk_url.find("//") + 2));
    const std::string origin = sdk_url.substr(0, sdk_url.size() - app_path.size());
    const std::string moved = origin + "/redirect/308" + app_path;
    auto created = create(moved);
    CHECK(created.value.url == moved);
    auto index = wait_for(created.index.id);
    INFO(json::serialize(index.error));
    REQUIRE(index.status == index_status::success);
    CHECK(index.stats.at("jobs").as_int64() == 6);
    // The Location ("/api/trigger") resolved against the URL that redirected (Trigger.dev stores it
    // verbatim, relative, and then cannot reach it).
    CHECK(st->repo().find_endpoint(created.value.id)->url == sdk_url);

    // A 301 turns fetch's POST into a GET, which the SDK refuses.
    auto [ec, ignored] =
        run_to_completion(ctx, endpoints->async_create({env, origin + "/redirect/301" + app_path, "gone"}, err));
    CHECK(ec == errc::failed_ping);
    CHECK(err.message == "Could not connect to endpoint " + origin + "/redirect/301" + app_path + ". Status code: 405");
    CHECK_FALSE(st->repo().find_endpoint_by_slug(env.id, "gone").has_value());
}

TEST_CASE_METHOD(e2e, "an endpoint that went away: FAILURE, Could not connect", "[interop][services]") {
    {
        sdk_app temporary("full", "short-lived");
        auto created = create(temporary.url(), "short-lived");
        CHECK(wait_for(created.index.id).status == index_status::success);
    } // the app stops here; index it again

    auto ep = st->repo().find_endpoint_by_slug(env.id, "short-lived");
    auto [ec, index] =
        run_to_completion(ctx, indexes->async_index({ep->id, index_source::api, {}, nullptr, false}, err));
    REQUIRE(!ec);
    auto failed = wait_for(index.id);
    CHECK(failed.status == index_status::failure);
    CHECK(failed.error.at("message").as_string() == "Could not connect to endpoint " + *ep->url);
}

TEST_CASE_METHOD(e2e, "a wrong API key: FAILED_PING with the SDK's message, nothing written", "[interop][services]") {
    env = *st->repo().create_environment(
        {env.organization_id, env.project_id, "prod", environment_type::production, "tr_prod_wrong", std::nullopt});
    auto [ec, created] = run_to_completion(ctx, endpoints->async_create({env, sdk_url, "my-app"}, err));
    CHECK(ec == errc::failed_ping);
    CHECK(err.message ==
          "Forbidden: client apiKey mismatch: Make sure you are using the correct API Key for your environment");
    CHECK(st->repo().list_endpoints(env.id)->empty());
}

TEST_CASE_METHOD(e2e, "concurrent index requests for one endpoint all finish", "[interop][services]") {
    auto created = create(sdk_url);
    wait_for(created.index.id);
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) {
        auto [ec, index] = run_to_completion(
            ctx, indexes->async_index({created.value.id, index_source::api, {}, nullptr, false}, err));
        REQUIRE(!ec);
        ids.push_back(index.id);
    }
    for (auto& id : ids) {
        auto done = wait_for(id);
        CHECK((done.status == index_status::success || done.status == index_status::failure));
    }
}
