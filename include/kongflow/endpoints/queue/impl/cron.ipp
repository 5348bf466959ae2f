#ifndef KONGFLOW_ENDPOINTS_QUEUE_IMPL_CRON_IPP
#define KONGFLOW_ENDPOINTS_QUEUE_IMPL_CRON_IPP

#include <kongflow/endpoints/queue/cron.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <vector>

namespace kongflow::endpoints {
namespace detail::cron {

struct field_spec {
    const char* name;
    int lo, hi;
    const char* const* names; // lowercase 3-letter names for lo.., or nullptr
};

inline constexpr const char* month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};
inline constexpr const char* weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

inline constexpr field_spec fields[] = {
    {"minute", 0, 59, nullptr},           {"hour", 0, 23, nullptr},
    {"day of month", 1, 31, nullptr},     {"month", 1, 12, month_names},
    {"day of week", 0, 7, weekday_names}, // 7 is Sunday too
};

inline bool parse_value(std::string_view s, const field_spec& f, int& out) {
    if (s.empty()) return false;
    if (f.names && std::isalpha(static_cast<unsigned char>(s[0]))) {
        if (s.size() != 3) return false;
        std::string lower;
        for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        int n = f.hi - f.lo + 1 - (f.lo == 0 ? 1 : 0); // weekdays: 7 names for 0..6
        for (int i = 0; i < n; ++i)
            if (lower == f.names[i]) {
                out = f.lo + i;
                return true;
            }
        return false;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// Parses one field into a bit set; returns an explanation on failure.
inline std::string parse_field(std::string_view text, const field_spec& f, std::uint64_t& bits, bool& restricted) {
    bits = 0;
    restricted = text != "*";
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (item.empty()) return "empty list item";
        int step = 1;
        if (auto slash = item.find('/'); slash != std::string_view::npos) {
            if (!parse_value(item.substr(slash + 1), field_spec{f.name, 1, 1000, nullptr}, step) || step < 1)
                return "bad step '" + std::string(item.substr(slash + 1)) + "'";
            item = item.substr(0, slash);
        }
        int lo, hi;
        if (item == "*") {
            lo = f.lo;
            hi = f.hi == 7 ? 6 : f.hi;
        } else if (auto dash = item.find('-'); dash != std::string_view::npos) {
            if (!parse_value(item.substr(0, dash), f, lo) || !parse_value(item.substr(dash + 1), f, hi))
                return "bad range '" + std::string(item) + "'";
            if (lo > hi) return "range '" + std::string(item) + "' runs backwards";
        } else {
            if (!parse_value(item, f, lo)) return "bad value '" + std::string(item) + "'";
            // "5/10" means 5, 15, 25 ... up to the field's end.
            hi = step > 1 ? f.hi : lo;
        }
        if (lo < f.lo || hi > f.hi)
            return "value out of range " + std::to_string(f.lo) + "-" + std::to_string(f.hi) + " in '" +
                   std::string(item) + "'";
        for (int v = lo; v <= hi; v += step) bits |= std::uint64_t(1) << (f.hi == 7 && v == 7 ? 0 : v);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return {};
}

} // namespace detail::cron

KONGFLOW_ENDPOINTS_DECL result<cron_schedule> cron_schedule::parse(std::string_view expr, diagnostics& diag) {
    namespace dc = detail::cron;
    cron_schedule s;
    s.expr_ = std::string(expr);
    std::string_view e = expr;
    while (!e.empty() && std::isspace(static_cast<unsigned char>(e.front()))) e.remove_prefix(1);
    while (!e.empty() && std::isspace(static_cast<unsigned char>(e.back()))) e.remove_suffix(1);
    static constexpr std::pair<std::string_view, std::string_view> macros[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
        {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"}};
    if (!e.empty() && e.front() == '@') {
        bool found = false;
        for (auto [m, v] : macros)
            if (e == m) {
                e = v;
                found = true;
            }
        if (!found) {
            diag = diagnostics("cron: unknown macro '" + std::string(e) + "'");
            return make_error_code(errc::invalid_argument);
        }
    }
    std::vector<std::string_view> parts;
    for (std::size_t i = 0; i < e.size();) {
        while (i < e.size() && std::isspace(static_cast<unsigned char>(e[i]))) ++i;
        auto j = i;
        while (j < e.size() && !std::isspace(static_cast<unsigned char>(e[j]))) ++j;
        if (j > i) parts.push_back(e.substr(i, j - i));
        i = j;
    }
    if (parts.size() != 5) {
        diag = diagnostics("cron: expected 5 fields (minute hour day-of-month month day-of-week), got " +
                           std::to_string(parts.size()) + " in '" + std::string(expr) + "'");
        return make_error_code(errc::invalid_argument);
    }
    std::uint64_t bits[5];
    bool restricted[5];
    for (int i = 0; i < 5; ++i) {
        auto why = dc::parse_field(parts[i], dc::fields[i], bits[i], restricted[i]);
        if (!why.empty()) {
            diag = diagnostics("cron: " + std::string(dc::fields[i].name) + " field '" + std::string(parts[i]) +
                               "': " + why);
            return make_error_code(errc::invalid_argument);
        }
    }
    s.minutes_ = bits[0];
    s.hours_ = static_cast<std::uint32_t>(bits[1]);
    s.days_ = static_cast<std::uint32_t>(bits[2]);
    s.months_ = static_cast<std::uint16_t>(bits[3]);
    s.weekdays_ = static_cast<std::uint8_t>(bits[4]);
    s.days_restricted_ = restricted[2];
    s.weekdays_restricted_ = restricted[4];
    return s;
}

KONGFLOW_ENDPOINTS_DECL std::optional<timestamp> cron_schedule::next_after(timestamp t) const {
    using namespace std::chrono;
    // Years 1 to 9999 only, for `t` and the result: near the ends of the millisecond range the
    // calendar arithmetic below overflows (found by tests/fuzz), and no schedule needs more.
    constexpr auto first = sys_days(year(1) / January / 1), last = sys_days(year(10000) / January / 1);
    if (t < first || t >= last) return std::nullopt;
    auto start = floor<minutes>(t) + minutes(1);
    auto day = floor<days>(start);
    auto limit = std::min(day + days(366 * 8 + 2), last); // fire times stay within the years too
    int first_minute_of_day = static_cast<int>(duration_cast<minutes>(start - day).count());
    for (; day < limit; day += days(1), first_minute_of_day = 0) {
        year_month_day ymd(day);
        unsigned m = static_cast<unsigned>(ymd.month());
        if (!(months_ >> m & 1)) continue;
        unsigned d = static_cast<unsigned>(ymd.day());
        unsigned wd = weekday(day).c_encoding();
        bool dom = days_ >> d & 1, dow = weekdays_ >> wd & 1;
        bool day_ok = (days_restricted_ && weekdays_restricted_) ? (dom || dow) : (dom && dow);
        if (!day_ok) continue;
        for (int h = first_minute_of_day / 60; h < 24; ++h) {
            if (!(hours_ >> h & 1)) continue;
            int m0 = h == first_minute_of_day / 60 ? first_minute_of_day % 60 : 0;
            for (int mi = m0; mi < 60; ++mi)
                if (minutes_ >> mi & 1)
                    return time_point_cast<milliseconds>(sys_time<minutes>(day) + hours(h) + minutes(mi));
        }
    }
    return std::nullopt;
}

} // namespace kongflow::endpoints

#endif
