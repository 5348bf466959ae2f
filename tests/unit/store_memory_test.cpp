// Units of work on the in-memory store: the store conformance suite plus memory specifics.
#include <kongflow/endpoints/storage/memory_store.hpp>
#include <kongflow/endpoints/testing/store_conformance.hpp>

#include "catch.hpp"

#include <atomic>
#include <chrono>
#include <thread>

namespace kf = kongflow::endpoints;

TEST_CASE("memory_store passes the store conformance suite", "[unit][storage]") {
    auto factory = [] { return std::make_unique<kf::memory_store>(); };
    for (const auto& check : kf::testing::store_conformance_checks()) {
        DYNAMIC_SECTION(check.name) {
            auto r = kf::testing::run_store_conformance_check(check, factory);
            INFO(r.message);
            CHECK(r.passed);
        }
    }
}

TEST_CASE("memory_store: the owning thread gets conflict, not a deadlock", "[unit][storage]") {
    kf::memory_store s;
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

TEST_CASE("memory_store: other threads wait for the unit and then see all of it", "[unit][storage]") {
    kf::memory_store s;
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
