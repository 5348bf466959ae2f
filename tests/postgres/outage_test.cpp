// A database that goes away mid-run and comes back: calls fail with a clear error while it is
// gone, and the same objects work again afterwards (no reopen, no restart); nothing that was
// acknowledged before the outage is lost.
#include "catch.hpp"
#include "pg_test_util.hpp"

#include <kongflow/endpoints/postgres.hpp>

#include <chrono>
#include <thread>

namespace kf = kongflow::endpoints;
using namespace std::chrono_literals;

TEST_CASE("postgres: the server stops and starts again and the store recovers without a reopen", "[postgres][outage]") {
    // Needs the fixture's own cluster, which it may stop: run it through ctest.
    REQUIRE(std::getenv("KONGFLOW_TEST_POSTGRES_FILE") != nullptr);
    kf_pg::schema s;
    kf::postgres::store_params p;
    p.connection = s.params();
    p.connection.connect_timeout = 2s;
    auto st = kf::postgres::store::open(p);
    REQUIRE(st.has_value());
    auto& repo = (*st)->repo();
    auto org = repo.create_organization({"acme", "Acme", std::nullopt});
    REQUIRE(org.has_value());
    std::vector<kf::job_id> acked;
    for (int i = 0; i < 50; ++i) acked.push_back((*st)->jobs().enqueue("k", boost::json::object{{"i", i}}).value());
    // Every connection of the pool is in use at least once, so that all of them go stale.
    {
        std::vector<std::thread> ts;
        for (int i = 0; i < 4; ++i) ts.emplace_back([&] { (void)repo.list_organizations(); });
        for (auto& t : ts) t.join();
    }
    REQUIRE((*st)->jobs().listen_connects() >= 1);

    REQUIRE(kf_pg::cluster("pause"));
    auto down = repo.find_organization(org->id);
    REQUIRE(!down);
    CHECK(down.error() == kf::errc::storage_failure);
    INFO(down.error().what());
    CHECK(!std::string(down.error().diag().client_message()).empty());
    auto qdown = (*st)->jobs().stats(kf::now_ms());
    CHECK(!qdown);
    auto udown = (*st)->begin();
    CHECK(!udown);

    REQUIRE(kf_pg::cluster("resume"));
    // The first calls after the restart may each meet one stale connection; within a few calls
    // and a second at most, everything works again.
    bool back = false;
    for (int i = 0; i < 50 && !back; ++i) {
        back = repo.find_organization(org->id).has_value();
        if (!back) std::this_thread::sleep_for(100ms);
    }
    REQUIRE(back);
    CHECK(repo.list_organizations().has_value());
    auto stats = (*st)->jobs().stats(kf::now_ms());
    REQUIRE(stats.has_value());
    CHECK(stats->totals.total() == 50); // nothing acknowledged was lost
    auto unit = (*st)->begin();
    REQUIRE(unit.has_value());
    REQUIRE((*unit)->enqueue(kf::make_job_request("k", {{"after", true}})).has_value());
    REQUIRE((*unit)->commit().has_value());
    // The listener reconnects by itself (backoff up to 5 s).
    for (int i = 0; i < 100 && (*st)->jobs().listen_connects() < 2; ++i) std::this_thread::sleep_for(100ms);
    CHECK((*st)->jobs().listen_connects() >= 2);
}
