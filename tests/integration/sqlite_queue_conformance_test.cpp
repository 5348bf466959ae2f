#include <kongflow/endpoints/queue/sqlite_queue.hpp>
#include <kongflow/endpoints/testing/queue_conformance.hpp>

#include "catch.hpp"
#include "queue_test_util.hpp"

using namespace kongflow::endpoints;

TEST_CASE("sqlite_queue passes the queue conformance suite", "[integration][queue]") {
    kongflow_test::temp_dir dir;
    int n = 0;
    for (const auto& c : testing::queue_conformance_cases()) {
        auto q = sqlite_queue::open(dir.file("q" + std::to_string(n++) + ".db"));
        REQUIRE(q);
        int checks = 0;
        for (const auto& f : testing::run_queue_conformance_case(c, **q, &checks))
            FAIL_CHECK(f.test << ": " << f.check << " (queue_conformance.hpp:" << f.line << ")");
        INFO(c.name);
        CHECK(checks >= 3);
    }
}
