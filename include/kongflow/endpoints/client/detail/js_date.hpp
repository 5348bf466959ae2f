// What `new Date(x)` accepts, for z.coerce.date(). Numbers, booleans and null always give a date
// (within ±8.64e15 ms); strings are read in the ECMA-262 date-time string format (YYYY[-MM[-DD]]
// [THH:mm[:ss[.sss]]][Z|±HH:mm], also with a space instead of T), always as UTC. V8 also has a
// lenient fallback parser for other spellings ("Tue Nov 24 2026"); we reject those: documented.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_DETAIL_JS_DATE_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_DETAIL_JS_DATE_HPP

#include <boost/json/value.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kongflow::endpoints::detail {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Milliseconds since the epoch of an ISO-8601 date-time string, or nothing.
inline std::optional<double> parse_iso_date_ms(std::string_view s) {
    std::size_t i = 0;
    auto digits = [&](std::size_t n, int& out) {
        if (i + n > s.size()) return false;
        out = 0;
        for (std::size_t k = 0; k < n; ++k) {
            char c = s[i + k];
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        i += n;
        return true;
    };
    int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
    double millis = 0;
    int sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        sign = s[i] == '-' ? -1 : 1;
        ++i;
        if (!digits(6, year)) return std::nullopt;
    } else if (!digits(4, year)) {
        return std::nullopt;
    }
    year *= sign;
    if (i < s.size() && s[i] == '-') {
        ++i;
        if (!digits(2, month)) return std::nullopt;
        if (i < s.size() && s[i] == '-') {
            ++i;
            if (!digits(2, day)) return std::nullopt;
        }
    }
    int offset_minutes = 0;
    if (i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        ++i;
        if (!digits(2, hour) || i >= s.size() || s[i] != ':') return std::nullopt;
        ++i;
        if (!digits(2, minute)) return std::nullopt;
        if (i < s.size() && s[i] == ':') {
            ++i;
            if (!digits(2, second)) return std::nullopt;
            if (i < s.size() && s[i] == '.') {
                ++i;
                std::size_t start = i;
                double scale = 100;
                while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                    millis += (s[i] - '0') * scale;
                    scale /= 10;
                    ++i;
                }
                if (i == start) return std::nullopt;
                millis = std::floor(millis);
            }
        }
        if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
            ++i;
        } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            int osign = s[i] == '-' ? -1 : 1;
            ++i;
            int oh = 0, om = 0;
            if (!digits(2, oh)) return std::nullopt;
            if (i < s.size() && s[i] == ':') ++i;
            if (!digits(2, om)) return std::nullopt;
            if (oh > 23 || om > 59) return std::nullopt;
            offset_minutes = osign * (oh * 60 + om);
        }
    }
    if (i != s.size()) return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 59) return std::nullopt;
    if (hour == 24 && (minute || second || millis)) return std::nullopt;
    const double days =
        static_cast<double>(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
    const double ms =
        days * 86400000.0 + hour * 3600000.0 + minute * 60000.0 + second * 1000.0 + millis - offset_minutes * 60000.0;
    if (std::fabs(ms) > 8.64e15) return std::nullopt;
    return ms;
}

/// `new Date(v)` as milliseconds since the epoch when valid; a missing value is `new Date(undefined)`.
inline std::optional<double> js_date_from_value(const boost::json::value* v) {
    if (!v) return std::nullopt;
    switch (v->kind()) {
    case boost::json::kind::null: return 0.0;
    case boost::json::kind::bool_: return v->get_bool() ? 1.0 : 0.0;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: {
        double d = v->is_double()  ? v->get_double()
                   : v->is_int64() ? static_cast<double>(v->get_int64())
                                   : static_cast<double>(v->get_uint64());
        if (!std::isfinite(d) || std::fabs(d) > 8.64e15) return std::nullopt;
        return std::trunc(d);
    }
    case boost::json::kind::string: return parse_iso_date_ms(v->get_string());
    case boost::json::kind::array: {
        // new Date([x]) parses String([x]); only the one-element case can be a date we read.
        const auto& a = v->get_array();
        if (a.size() == 1 && a[0].is_string()) return parse_iso_date_ms(a[0].get_string());
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

} // namespace kongflow::endpoints::detail

#endif
