// fuzz_cron: five-field cron expressions (cron_schedule::parse) and next_after on any timestamp
// (input: "<t in ms>\n<expression>").
// Oracles: a refused expression says why ("cron: ..."); an accepted one keeps its text, and its
// next fire time r after t is a whole minute, strictly after t, within the 8-year horizon, and
// consistent: next_after(r - 1 ms) == r, next_after(m) == r for a point m between t and r (no
// fire time was skipped), next_after(r) > r; parsing is deterministic.
#include "fuzz_check.hpp"

#include <kongflow/endpoints/queue/cron.hpp>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace kfe = kongflow::endpoints;
using namespace std::chrono;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Text: a first line with t in ms since the epoch (any int64; not a number = 2024-01-01),
    // then the expression.
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto nl = text.find('\n');
    auto first = text.substr(0, nl);
    std::int64_t ms = 1704067200000;
    std::from_chars(first.data(), first.data() + first.size(), ms);
    auto t = kfe::timestamp(milliseconds(ms));
    std::string expr(nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1));

    kfe::diagnostics diag;
    auto s = kfe::cron_schedule::parse(expr, diag);
    if (!s) {
        KF_FUZZ_CHECK(s.error() == kfe::errc::invalid_argument, "unexpected error " + s.error().message());
        KF_FUZZ_CHECK(diag.client_message().starts_with("cron: "),
                      "refusal without a reason: " + kf_fuzz::show(diag.client_message()));
        return 0;
    }
    KF_FUZZ_CHECK(s->expression() == expr, "the expression text changed");

    auto r = s->next_after(t);
    auto again = kfe::cron_schedule::parse(expr);
    KF_FUZZ_CHECK(again && again->next_after(t) == r, "parse is not deterministic");
    if (!r) return 0;
    auto what = kf_fuzz::show(expr) + " after " + std::to_string(t.time_since_epoch().count()) + " ms gave " +
                std::to_string(r->time_since_epoch().count());
    KF_FUZZ_CHECK(*r > t, "not after t: " + what);
    KF_FUZZ_CHECK(r->time_since_epoch().count() % 60000 == 0, "not a whole minute: " + what);
    KF_FUZZ_CHECK(*r - t <= days(366 * 8 + 3), "beyond the horizon: " + what);
    KF_FUZZ_CHECK(s->next_after(*r - milliseconds(1)) == r, "r - 1 ms does not lead to r: " + what);
    auto mid = t + (*r - t) / 2;
    KF_FUZZ_CHECK(s->next_after(mid) == r, "a fire time between t and r: " + what);
    auto after = s->next_after(*r);
    KF_FUZZ_CHECK(!after || *after > *r, "next_after(r) is not after r: " + what);
    return 0;
}
