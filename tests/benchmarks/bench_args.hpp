// Command-line numbers for the benchmark programs: a bad one stops the program with a message
// instead of running with 0 (atoi) or dying on an exception (stoi).
#pragma once

#include <charconv>
#include <cstdio>
#include <optional>
#include <string_view>
#include <system_error>

namespace kongflow::bench {

/// `text` as a whole number in [lo, hi]; otherwise prints what `flag` expects and gives nullopt.
inline std::optional<int> parse_count(std::string_view flag, const char* text, int lo, int hi) {
    int v = 0;
    std::string_view t(text ? text : "");
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < lo || v > hi) {
        std::fprintf(stderr, "%.*s must be a whole number from %d to %d, got '%.*s'\n", static_cast<int>(flag.size()),
                     flag.data(), lo, hi, static_cast<int>(t.size()), t.data());
        return std::nullopt;
    }
    return v;
}

} // namespace kongflow::bench
