// Units of work on the SQLite store: the store conformance suite on a temporary file per check.
#include <kongflow/endpoints/storage/sqlite_store.hpp>
#include <kongflow/endpoints/testing/store_conformance.hpp>

#include "catch.hpp"
#include "temp_dir.hpp"

namespace kf = kongflow::endpoints;

TEST_CASE("sqlite_store passes the store conformance suite", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    int n = 0;
    auto factory = [&]() -> std::unique_ptr<kf::store> {
        kf::diagnostics diag;
        auto s = kf::sqlite_store::open(dir.file("store-" + std::to_string(n++) + ".db"), {}, diag);
        if (!s) throw std::runtime_error("open failed: " + s.error().message() + " " + std::string(diag.client_message()));
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

TEST_CASE("sqlite_store group-commits concurrent async_transact units", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite_store::open(dir.file("group.db"));
    REQUIRE(s.has_value());
    auto& st = **s;
    auto& repo = st.repo();
    auto w = kf::testing::detail::make_world(repo);
    std::vector<kf::transact_work> works;
    for (int i = 0; i < 200; ++i)
        works.push_back(kf::testing::detail::create_endpoint_work(w.prod, "g" + std::to_string(i), i % 10 == 3));
    auto out = kf::testing::detail::transact_all(st, std::move(works), 8);
    int failed = 0;
    for (const auto& o : out) failed += o.ec ? 1 : 0;
    CHECK(failed == 20);
    auto stats = st.group_commits();
    CHECK(stats.units == 200);
    // Units posted at once wait while a group commits, then share the next transaction.
    CHECK(stats.transactions < stats.units);
    CHECK(stats.transactions >= 1);
    auto n = st.jobs().stats(kf::now_ms());
    REQUIRE(n.has_value());
    CHECK(n->totals.total() == 180);
}

TEST_CASE("sqlite_store async_transact: a failing unit reports the store's message", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite_store::open(dir.file("missing-env.db"));
    REQUIRE(s.has_value());
    kf::environment ghost;
    ghost.id = "no-such-environment";
    ghost.organization_id = "no-such-org";
    ghost.project_id = "no-such-project";
    std::vector<kf::transact_work> works;
    works.push_back(kf::testing::detail::create_endpoint_work(ghost, "x"));
    auto out = kf::testing::detail::transact_all(**s, std::move(works), 1);
    // An unknown environment is not_found, with the repository's explanation in the diagnostics.
    CHECK(out[0].ec == kf::make_error_code(kf::errc::not_found));
    INFO(out[0].diag.client_message());
    CHECK(out[0].diag.client_message().find("environment") != std::string_view::npos);
    CHECK((*s)->jobs().stats(kf::now_ms())->totals.total() == 0);
}
