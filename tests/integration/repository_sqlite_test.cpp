// The repository conformance suite on sqlite::repository, one temporary file per check.
#include "catch.hpp"
#include "temp_dir.hpp"

#include <kongflow/endpoints/sqlite/repository.hpp>
#include <kongflow/endpoints/testing/repository_conformance.hpp>

namespace kf = kongflow::endpoints;

TEST_CASE("sqlite::repository passes the repository conformance suite", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    int n = 0;
    auto factory = [&]() -> std::unique_ptr<kf::repository> {
        auto r = kf::sqlite::repository::open(dir.file("conformance-" + std::to_string(n++) + ".db"));
        if (!r) throw std::runtime_error("open failed: " + r.error().message());
        return std::make_unique<kf::sqlite::repository>(std::move(*r));
    };
    for (const auto& check : kf::testing::repository_conformance_checks()) {
        DYNAMIC_SECTION(check.name) {
            auto r = kf::testing::run_conformance_check(check, factory);
            INFO(r.message);
            CHECK(r.passed);
        }
    }
}
