// Units of work on the in-memory store: the store conformance suite plus memory specifics.
#include "catch.hpp"

#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/testing/store_conformance.hpp>

#include <atomic>
#include <chrono>
#include <thread>

namespace kf = kongflow::endpoints;

TEST_CASE("memory::store passes the store conformance suite", "[unit][storage]") {
    auto factory = [] { return std::make_unique<kf::memory::store>(); };
    for (const auto& check : kf::testing::store_conformance_checks()) {
        DYNAMIC_SECTION(check.name) {
            auto r = kf::testing::run_store_conformance_check(check, factory);
            INFO(r.message);
            CHECK(r.passed);
        }
    }
}

TEST_CASE("memory::store: the owning thread gets conflict, not a deadlock", "[unit][storage]") {
    kf::memory::store s;
    auto uow = s.begin().value();
    auto direct = s.repo().find_organization("x");
    REQUIRE_FALSE(direct.has_value());
    CHECK(direct.error() == kf::errc::conflict);
    auto nested = s.begin();
    REQUIRE_FALSE(nested.has_value());
    CHECK(nested.error() == kf::errc::conflict);
    uow->rollback();
    CHECK(s.repo().find_organization("x").error() == kf::errc::not_found);
}

TEST_CASE("memory::store: other threads wait for the unit and then see all of it", "[unit][storage]") {
    kf::memory::store s;
    auto org = s.repo().create_organization({"o", "O", std::nullopt}).value();
    auto uow = s.begin().value();
    std::atomic<bool> reader_done{false};
    std::size_t seen = 99;
    std::thread reader([&] {
        // Blocks while the unit is open; must then see both projects, never one.
        seen = s.repo().list_projects(org.id).value().size();
        reader_done = true;
    });
    (void)uow->repo().create_project({org.id, "a", "A", std::nullopt}).value();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(reader_done.load());
    (void)uow->repo().create_project({org.id, "b", "B", std::nullopt}).value();
    REQUIRE(uow->commit().has_value());
    reader.join();
    CHECK(seen == 2);
}

TEST_CASE("docs/storage.md: the unit of work snippet compiles and works", "[unit][storage]") {
    using namespace kongflow::endpoints;
    memory::store store;
    auto org = store.repo().create_organization({"o", "O", std::nullopt}).value();
    auto proj = store.repo().create_project({org.id, "p", "P", std::nullopt}).value();
    auto env = store.repo()
                   .create_environment({org.id, proj.id, "prod", environment_type::production, "k", std::nullopt})
                   .value();
    upsert_endpoint_params params;
    params.environment_id = env.id;
    params.organization_id = org.id;
    params.project_id = proj.id;
    params.slug = "my-app";
    params.url = "http://127.0.0.1:3000/api/trigger";

    auto run = [&]() -> result<std::vector<job_id>> {
        auto uow = store.begin(); // result<std::unique_ptr<unit_of_work>>
        if (!uow) return uow.error();
        auto& repo = (*uow)->repo();            // bound to the unit
        auto ep = repo.upsert_endpoint(params); // ...
        if (!ep) return ep.error();
        auto ix = repo.create_index({ep->value.id, index_source::internal});
        if (!ix) return ix.error();
        if (auto r = (*uow)->enqueue(make_job_request("performEndpointIndexing", {{"id", ix->id}})); !r)
            return r.error();
        return (*uow)->commit(); // rows and job together, or neither
    };
    auto ids = run();
    REQUIRE(ids.has_value());
    CHECK(ids->size() == 1);
    auto ep = store.repo().find_endpoint_by_slug(env.id, "my-app").value();
    auto newest = store.repo().list_indexes(ep.id, 1).value();
    REQUIRE(newest.size() == 1);
    CHECK(store.jobs().get(ids->front()).value().payload.at("id") == boost::json::value(newest[0].id));
}
