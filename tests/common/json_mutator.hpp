// Seeded random edits of JSON documents (and the random picks and bytes around them), for the
// robustness tests: what a broken or hostile endpoint could send in place of a valid reply.
#ifndef KONGFLOW_TESTS_COMMON_JSON_MUTATOR_HPP
#define KONGFLOW_TESTS_COMMON_JSON_MUTATOR_HPP

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>

namespace kf_test {

/// A uniform index in [0, n).
inline std::size_t pick(std::mt19937& rng, std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

/// Up to `most` arbitrary bytes.
inline std::string random_bytes(std::mt19937& rng, std::size_t most) {
    std::string s(pick(rng, most + 1), '\0');
    for (auto& c : s) c = static_cast<char>(pick(rng, 256));
    return s;
}

/// Random edits of a JSON document: dropped keys, values of the wrong type, repeated arrays.
class json_mutator {
public:
    explicit json_mutator(std::mt19937& rng) : rng_(rng) {}

    boost::json::value operator()(boost::json::value v) {
        if (chance(0.04)) return odd_value();
        if (auto* o = v.if_object()) {
            boost::json::object out;
            for (auto& [k, x] : *o) {
                if (chance(0.1)) continue;
                out[k] = chance(0.3) ? (*this)(x) : x;
            }
            if (chance(0.05))
                out[one_of({"id", "version", "trigger", "enabled", "internal", "__proto__"})] = odd_value();
            return out;
        }
        if (auto* a = v.if_array()) {
            boost::json::array out;
            for (auto& x : *a) out.push_back((*this)(x));
            if (!out.empty() && chance(0.05)) {
                auto copy = out;
                for (int i = 0; i < 20; ++i) out.insert(out.end(), copy.begin(), copy.end());
            }
            return out;
        }
        if (v.is_string() && chance(0.3)) {
            std::string s(v.as_string());
            return boost::json::value(one_of({s + "\xc3\xa9", s + s + s, std::string(s.substr(0, 1)),
                                              std::string("   "), std::string("\x7f") + s, std::string(3000, 'x')}));
        }
        return v;
    }

private:
    bool chance(double p) { return std::uniform_real_distribution<>(0, 1)(rng_) < p; }
    std::string one_of(std::initializer_list<std::string> xs) { return *(xs.begin() + pick(rng_, xs.size())); }
    boost::json::value odd_value() {
        switch (pick(rng_, 10)) {
        case 0: return nullptr;
        case 1: return true;
        case 2: return -1;
        case 3: return 1e308;
        case 4: return "";
        case 5: return boost::json::array{};
        case 6: return boost::json::object{};
        case 7: return std::uint64_t(18446744073709551615ull);
        case 8: return boost::json::string(std::string_view("\0nul", 4));
        default: return boost::json::string(5000, 'y');
        }
    }
    std::mt19937& rng_;
};

} // namespace kf_test

#endif
