// Reading and writing the fields of protocol shapes (client/impl/json_*.ipp): values were
// validated by the zod trees first, so a reader may use .as_* (which throws on anything else).
#ifndef KONGFLOW_ENDPOINTS_CLIENT_DETAIL_JSON_FIELDS_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_DETAIL_JSON_FIELDS_HPP

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace kongflow::endpoints::detail {

// The shapes of client/schemas.hpp's string_or_strings and json_record<T>, spelt out so that this
// header does not include the one whose .ipp files include it.
using json_string_or_strings = std::variant<std::string, std::vector<std::string>>;
template <class T>
using json_pairs = std::vector<std::pair<std::string, T>>;

// ---- reading (values already validated; .as_* throws on anything else) ----
inline const boost::json::object& obj(const boost::json::value& v) { return v.as_object(); }

inline std::string str_at(const boost::json::object& o, boost::json::string_view k) {
    return std::string(o.at(k).as_string());
}

inline std::optional<std::string> opt_str(const boost::json::object& o, boost::json::string_view k) {
    if (const auto* p = o.if_contains(k)) return std::string(p->as_string());
    return std::nullopt;
}

// Copies into the default memory resource: a typed value never refers to the input's storage, so
// the input may live in a short-lived json::monotonic_resource.
inline std::optional<boost::json::value> opt_val(const boost::json::object& o, boost::json::string_view k) {
    if (const auto* p = o.if_contains(k)) return boost::json::value(*p, boost::json::storage_ptr());
    return std::nullopt;
}

inline double num(const boost::json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return v.as_double();
}

inline bool get_bool(const boost::json::object& o, boost::json::string_view k, bool def = false) {
    if (const auto* p = o.if_contains(k)) return p->as_bool();
    return def;
}

inline json_string_or_strings to_sos(const boost::json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    return boost::json::value_to<std::vector<std::string>>(v);
}

template <class T>
std::optional<T> opt_to(const boost::json::object& o, boost::json::string_view k) {
    if (const auto* p = o.if_contains(k)) return boost::json::value_to<T>(*p);
    return std::nullopt;
}

template <class T>
json_pairs<T> to_record(const boost::json::value& v) {
    json_pairs<T> out;
    const auto& o = v.as_object();
    out.reserve(o.size());
    for (const auto& kv : o) out.emplace_back(std::string(kv.key()), boost::json::value_to<T>(kv.value()));
    return out;
}

// ---- writing ----
/// A JS number as JSON: integral values as integers (JS prints 3, not 3.0).
inline boost::json::value js_number(double d) {
    if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0) return static_cast<std::int64_t>(d);
    return d;
}

inline void put_opt(boost::json::object& o, boost::json::string_view k, const std::optional<std::string>& v) {
    if (v) o[k] = *v;
}

inline void put_opt(boost::json::object& o, boost::json::string_view k, const std::optional<boost::json::value>& v) {
    if (v) o[k] = *v;
}

template <class T>
void put_opt(boost::json::object& o, boost::json::string_view k, const std::optional<T>& v) {
    if (v) o[k] = boost::json::value_from(*v);
}

inline boost::json::value from_sos(const json_string_or_strings& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return boost::json::value(*s);
    return boost::json::value_from(std::get<std::vector<std::string>>(v));
}

template <class T>
boost::json::value from_record(const json_pairs<T>& r) {
    boost::json::object o;
    o.reserve(r.size());
    for (const auto& [k, v] : r) o[k] = boost::json::value_from(v);
    return o;
}

} // namespace kongflow::endpoints::detail

#endif
