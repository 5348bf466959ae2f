// The repository, queue and store conformance suites, unchanged, on PostgreSQL: a fresh schema
// per check.
#include "catch.hpp"
#include "pg_test_util.hpp"

#include <kongflow/endpoints/postgres.hpp>
#include <kongflow/endpoints/testing/queue_conformance.hpp>
#include <kongflow/endpoints/testing/repository_conformance.hpp>
#include <kongflow/endpoints/testing/store_conformance.hpp>

#include <list>
#include <memory>

namespace kf = kongflow::endpoints;

TEST_CASE("postgres::repository passes the repository conformance suite", "[postgres][storage]") {
    std::list<kf_pg::schema> schemas;
    auto factory = [&]() -> std::unique_ptr<kf::repository> {
        auto r = kf::postgres::repository::open(schemas.emplace_back().params());
        if (!r) throw std::runtime_error("open failed: " + std::string(r.error().what()));
        return std::make_unique<kf::postgres::repository>(std::move(*r));
    };
    for (const auto& check : kf::testing::repository_conformance_checks()) {
        DYNAMIC_SECTION(check.name) {
            auto r = kf::testing::run_conformance_check(check, factory);
            INFO(r.message);
            CHECK(r.passed);
        }
    }
}

TEST_CASE("postgres::queue passes the queue conformance suite", "[postgres][queue]") {
    for (bool durable : {false, true}) {
        for (const auto& c : kf::testing::queue_conformance_cases()) {
            kf_pg::schema s;
            kf::postgres::queue_params qp;
            qp.durable_leases = durable;
            auto q = kf::postgres::queue::open(s.params(), qp);
            REQUIRE(q);
            int checks = 0;
            for (const auto& f : kf::testing::run_queue_conformance_case(c, **q, &checks))
                FAIL_CHECK(f.test << ": " << f.check << " (queue_conformance.hpp:" << f.line << ")");
            INFO(c.name);
            CHECK(checks >= 3);
        }
    }
}

TEST_CASE("postgres::store passes the store conformance suite", "[postgres][storage]") {
    std::list<kf_pg::schema> schemas;
    auto factory = [&]() -> std::unique_ptr<kf::store> {
        kf::postgres::store_params p;
        p.connection = schemas.emplace_back().params();
        auto s = kf::postgres::store::open(p);
        if (!s) throw std::runtime_error("open failed: " + std::string(s.error().what()));
        return std::move(*s);
    };
    for (const auto& check : kf::testing::store_conformance_checks()) {
        DYNAMIC_SECTION(check.name) {
            auto r = kf::testing::run_store_conformance_check(check, factory);
            INFO(r.message);
            CHECK(r.passed);
        }
    }
}
