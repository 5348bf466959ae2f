// JSON text as JavaScript's JSON.stringify writes it, for everything we store or send.
#ifndef KONGFLOW_ENDPOINTS_JSON_TEXT_HPP
#define KONGFLOW_ENDPOINTS_JSON_TEXT_HPP

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace kongflow::endpoints {

/// Calls `f` on every number of `root` that is not finite (what JSON.parse, and Boost.JSON, make
/// of 1e400); `Value` is boost::json::value or its const. Returns whether there was one.
template <class Value, class F>
bool each_non_finite(Value& root, F f) {
    bool found = false;
    std::vector<Value*> todo{&root}; // no recursion: the depth is the input's
    while (!todo.empty()) {
        Value* v = todo.back();
        todo.pop_back();
        if (v->is_double() && !std::isfinite(v->get_double())) {
            found = true;
            f(*v);
        } else if (v->is_array()) {
            for (auto& e : v->get_array()) todo.push_back(&e);
        } else if (v->is_object()) {
            for (auto& kv : v->get_object()) todo.push_back(&kv.value());
        }
    }
    return found;
}

/// `v` as JSON text, with numbers that are not finite written as null, as JSON.stringify does
/// (Trigger.dev's webapp stores and sends them so). Boost.JSON writes "Infinity", which no JSON
/// parser reads back, ours included: a reply with 1e400 in it made unreadable rows and invalid
/// response bodies (found by tests/fuzz).
inline std::string json_text(const boost::json::value& v) {
    if (!each_non_finite(v, [](const boost::json::value&) {})) return boost::json::serialize(v);
    boost::json::value copy = v;
    each_non_finite(copy, [](boost::json::value& n) { n = nullptr; });
    return boost::json::serialize(copy);
}

} // namespace kongflow::endpoints

#endif
