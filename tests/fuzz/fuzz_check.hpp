// What every fuzz target shares: an oracle check that stops the run with a readable reason (the
// input is then saved as a crash artifact), and small input helpers.
#ifndef KONGFLOW_TESTS_FUZZ_FUZZ_CHECK_HPP
#define KONGFLOW_TESTS_FUZZ_FUZZ_CHECK_HPP

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace kf_fuzz {

[[noreturn]] inline void oracle_failed(const char* condition, const char* file, int line, std::string_view detail) {
    std::fprintf(stderr, "\n==kf-fuzz== oracle failed: %s\n  at %s:%d\n  %.*s\n", condition, file, line,
                 static_cast<int>(detail.size() > 2000 ? 2000 : detail.size()), detail.data());
    // abort(): libFuzzer reports a deadly signal and writes the input out as crash-<sha1>.
    std::abort();
}

/// Printable, one line, capped: for putting untrusted text in a failure message.
inline std::string show(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 400)) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    if (s.size() > 400) out += "...";
    return out;
}

} // namespace kf_fuzz

/// An oracle: when `cond` is false the run stops with `detail` (a std::string or string_view).
#define KF_FUZZ_CHECK(cond, detail)                                                                                    \
    do {                                                                                                               \
        if (!(cond)) ::kf_fuzz::oracle_failed(#cond, __FILE__, __LINE__, (detail));                                    \
    } while (0)

#endif
