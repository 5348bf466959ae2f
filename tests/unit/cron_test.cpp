#include "catch.hpp"

#include <kongflow/endpoints/queue/cron.hpp>

#include <chrono>

using namespace kongflow::endpoints;
using namespace std::chrono;

namespace {
timestamp utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
    return time_point_cast<milliseconds>(sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s));
}
timestamp next(std::string_view expr, timestamp t) {
    auto c = cron_schedule::parse(expr);
    REQUIRE(c.has_value());
    auto n = c->next_after(t);
    REQUIRE(n);
    return *n;
}
} // namespace

TEST_CASE("cron: steps, ranges and lists", "[unit][cron]") {
    CHECK(next("*/30 * * * *", utc(2024, 1, 1, 10, 0, 0)) == utc(2024, 1, 1, 10, 30));
    CHECK(next("*/30 * * * *", utc(2024, 1, 1, 10, 29, 59)) == utc(2024, 1, 1, 10, 30));
    CHECK(next("*/30 * * * *", utc(2024, 1, 1, 10, 30, 0)) == utc(2024, 1, 1, 11, 0));
    CHECK(next("* * * * *", utc(2024, 1, 1, 23, 59, 30)) == utc(2024, 1, 2, 0, 0));
    CHECK(next("5,10,15 9-17 * * *", utc(2024, 1, 1, 17, 15)) == utc(2024, 1, 2, 9, 5));
    CHECK(next("10-50/20 * * * *", utc(2024, 1, 1, 0, 31)) == utc(2024, 1, 1, 0, 50));
    CHECK(next("5/20 * * * *", utc(2024, 1, 1, 0, 6)) == utc(2024, 1, 1, 0, 25));
    CHECK(next("0 0 1 1 *", utc(2024, 6, 1)) == utc(2025, 1, 1));
    CHECK(next("0 0 29 2 *", utc(2024, 3, 1)) == utc(2028, 2, 29)); // leap years only
}

TEST_CASE("cron: names, Sunday as 0 or 7, and the day-field OR rule", "[unit][cron]") {
    // 2024-01-01 is a Monday.
    CHECK(next("0 12 * * sun", utc(2024, 1, 1)) == utc(2024, 1, 7, 12));
    CHECK(next("0 12 * * 7", utc(2024, 1, 1)) == utc(2024, 1, 7, 12));
    CHECK(next("0 12 * * 0", utc(2024, 1, 1)) == utc(2024, 1, 7, 12));
    CHECK(next("0 0 * FEB Mon-Fri", utc(2024, 1, 1)) == utc(2024, 2, 1));
    // Both day fields restricted: the 15th OR any Friday (the first Friday is the 5th).
    CHECK(next("0 0 15 * fri", utc(2024, 1, 1)) == utc(2024, 1, 5));
    CHECK(next("@hourly", utc(2024, 1, 1, 3, 15)) == utc(2024, 1, 1, 4));
    CHECK(next("@daily", utc(2024, 1, 1, 3, 15)) == utc(2024, 1, 2));
    CHECK(next("@weekly", utc(2024, 1, 1)) == utc(2024, 1, 7));
}

TEST_CASE("cron: bad expressions give a clear error", "[unit][cron]") {
    for (auto bad : {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *",
                     "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "* * * foo *", "1,,2 * * * *", "@often",
                     "*/x * * * *", "-1 * * * *"}) {
        diagnostics d;
        auto r = cron_schedule::parse(bad, d);
        INFO(bad);
        CHECK(!r.has_value());
        if (!r) CHECK(r.error() == errc::invalid_argument);
        CHECK(d.client_message().find("cron:") == 0);
    }
    diagnostics d;
    (void)cron_schedule::parse("0 25 * * *", d);
    CHECK(d.client_message().find("hour") != std::string_view::npos);
}

TEST_CASE("cron: an expression that never fires", "[unit][cron]") {
    auto c = cron_schedule::parse("0 0 30 2 *");
    REQUIRE(c.has_value());
    CHECK(!c->next_after(utc(2024, 1, 1)));
}

// tests/fuzz/corpus/cron/regression-extreme-time: "@daily" after the largest timestamp overflowed
// the calendar arithmetic (UBSan: signed integer overflow in chrono).
TEST_CASE("cron: times outside the years 1-9999 never fire", "[unit][cron]") {
    auto c = cron_schedule::parse("@daily");
    REQUIRE(c.has_value());
    CHECK(!c->next_after(timestamp::max()));
    CHECK(!c->next_after(timestamp::min()));
    CHECK(!c->next_after(utc(10000, 1, 1)));
    CHECK(!c->next_after(utc(0, 12, 31)));
    CHECK(next("@daily", utc(9999, 12, 30)) == utc(9999, 12, 31));
    CHECK(next("@daily", utc(1, 1, 1)) == utc(1, 1, 2));
    CHECK(!cron_schedule::parse("0 0 29 2 *")->next_after(utc(9999, 12, 31, 23, 59, 59)));
}
