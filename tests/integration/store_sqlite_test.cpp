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
