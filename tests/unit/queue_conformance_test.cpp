#include "catch.hpp"

#include <kongflow/endpoints/memory/queue.hpp>
#include <kongflow/endpoints/testing/queue_conformance.hpp>

using namespace kongflow::endpoints;

TEST_CASE("memory::queue passes the queue conformance suite", "[unit][queue]") {
    for (const auto& c : testing::queue_conformance_cases()) {
        memory::queue q;
        int checks = 0;
        for (const auto& f : testing::run_queue_conformance_case(c, q, &checks))
            FAIL_CHECK(f.test << ": " << f.check << " (queue_conformance.hpp:" << f.line << ")");
        INFO(c.name);
        CHECK(checks >= 3);
    }
}
