#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_ZOD_SCHEMA_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_ZOD_SCHEMA_IPP

#include <kongflow/endpoints/client/detail/js_date.hpp>
#include <kongflow/endpoints/client/detail/zod_schema.hpp>

#include <boost/config.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace kongflow::endpoints::detail::zs {

// ---------------------------------------------------------------------------------------------
// builder
// ---------------------------------------------------------------------------------------------
KONGFLOW_ENDPOINTS_DECL node* builder::make(kind k) {
    nodes_.emplace_back();
    nodes_.back().k = k;
    return &nodes_.back();
}
KONGFLOW_ENDPOINTS_DECL const node* builder::string() { return make(kind::string); }
KONGFLOW_ENDPOINTS_DECL const node* builder::datetime() {
    auto* n = make(kind::string);
    n->datetime = true;
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::number(std::initializer_list<number_check> checks) {
    auto* n = make(kind::number);
    n->checks.assign(checks.begin(), checks.end());
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::boolean() { return make(kind::boolean); }
KONGFLOW_ENDPOINTS_DECL const node* builder::null() { return make(kind::null); }
KONGFLOW_ENDPOINTS_DECL const node* builder::any() { return make(kind::any); }
KONGFLOW_ENDPOINTS_DECL const node* builder::literal(boost::json::value v) {
    auto* n = make(kind::literal);
    n->literal = std::move(v);
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::enumeration(std::initializer_list<const char*> values) {
    auto* n = make(kind::enumeration);
    for (const char* v : values) n->values.emplace_back(v);
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::array(const node* element) {
    auto* n = make(kind::array);
    n->inner = element;
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::object(std::initializer_list<std::pair<const char*, const node*>> shape) {
    auto* n = make(kind::object);
    for (const auto& [k, v] : shape) n->shape.emplace_back(k, v);
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::extend(const node* base,
                                                    std::initializer_list<std::pair<const char*, const node*>> shape) {
    auto* n = make(kind::object);
    n->shape = base->shape;
    for (const auto& field : shape) {
        // Not a structured binding: the lambda captures the key (clang < 16 cannot).
        const auto& [k, v] = field;
        auto it = std::find_if(n->shape.begin(), n->shape.end(), [&](const auto& p) { return p.first == field.first; });
        if (it != n->shape.end())
            it->second = v; // zod's extend keeps the key's position when it overrides it
        else
            n->shape.emplace_back(k, v);
    }
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::pick(const node* base, std::initializer_list<const char*> keys) {
    auto* n = make(kind::object);
    // zod's pick iterates the mask's keys in the order given.
    for (const char* k : keys)
        for (const auto& p : base->shape)
            if (p.first == k) n->shape.push_back(p);
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::record(const node* value) {
    auto* n = make(kind::record);
    n->inner = value;
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::tuple(std::initializer_list<const node*> items) {
    auto* n = make(kind::tuple);
    n->items.assign(items.begin(), items.end());
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::union_(std::initializer_list<const node*> options) {
    auto* n = make(kind::union_);
    n->items.assign(options.begin(), options.end());
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::discriminated_union(const char* key,
                                                                 std::initializer_list<const node*> options) {
    auto* n = make(kind::discriminated_union);
    n->discriminator = key;
    n->items.assign(options.begin(), options.end());
    for (const node* option : options)
        for (const auto& [k, v] : option->shape)
            if (k == key && v->k == kind::literal) n->disc_map.emplace_back(v->literal, option);
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::optional(const node* inner) {
    auto* n = make(kind::optional);
    n->inner = inner;
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::nullable(const node* inner) {
    auto* n = make(kind::nullable);
    n->inner = inner;
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::default_(const node* inner, boost::json::value v) {
    auto* n = make(kind::default_);
    n->inner = inner;
    n->literal = std::move(v);
    return n;
}
KONGFLOW_ENDPOINTS_DECL node* builder::lazy() { return make(kind::lazy); }
KONGFLOW_ENDPOINTS_DECL const node* builder::add_missing_version(const node* inner) {
    auto* n = make(kind::add_missing_version);
    n->inner = inner;
    return n;
}
KONGFLOW_ENDPOINTS_DECL const node* builder::coerce_date() { return make(kind::coerce_date); }
KONGFLOW_ENDPOINTS_DECL const node* builder::coerce_number() { return make(kind::coerce_number); }
KONGFLOW_ENDPOINTS_DECL const node* builder::parse_json_string(const node* inner) {
    auto* n = make(kind::parse_json_string);
    n->inner = inner;
    return n;
}

// ---------------------------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------------------------
// Internal to the engine; named (not anonymous) so that header-only builds keep one definition.
namespace engine {

enum class status : unsigned char { valid, dirty, aborted };

struct path_seg {
    std::string_view key;
    std::size_t index = 0;
    bool is_index = false;
};

// One issue scope (zod's `ctx.common.issues`): the root, or one union option. A scope without an
// issue vector is a dry run: it only counts issues (the count is all zod's logic ever looks at),
// which is how union options are tried without building issues for the options that fail.
struct scope {
    std::vector<zod_issue>* issues;
    std::vector<path_seg>& path;
    std::size_t count = 0;
};

// True in a dry run, after counting the issue: the caller then skips building it.
inline bool count_only(scope& s) {
    if (s.issues) return false;
    ++s.count;
    return true;
}

struct path_guard {
    std::vector<path_seg>& path;
    path_guard(std::vector<path_seg>& p, std::string_view key) : path(p) { path.push_back({key, 0, false}); }
    path_guard(std::vector<path_seg>& p, std::size_t index) : path(p) { path.push_back({{}, index, true}); }
    ~path_guard() { path.pop_back(); }
    path_guard(const path_guard&) = delete;
    path_guard& operator=(const path_guard&) = delete;
};

inline const char* parsed_type(const boost::json::value* v) {
    if (!v) return "undefined";
    switch (v->kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "number";
    case boost::json::kind::string: return "string";
    case boost::json::kind::array: return "array";
    case boost::json::kind::object: return "object";
    }
    return "unknown";
}

inline double as_number(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::int64: return static_cast<double>(v.get_int64());
    case boost::json::kind::uint64: return static_cast<double>(v.get_uint64());
    default: return v.get_double();
    }
}

// zod's util.joinValues: strings in single quotes, other values as JS prints them.
inline std::string join_values(const std::vector<boost::json::value>& values) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += " | ";
        const auto& v = values[i];
        if (v.is_string()) {
            out += '\'';
            out += std::string_view(v.get_string());
            out += '\'';
        } else {
            out += js_json_stringify(v);
        }
    }
    return out;
}

inline void add_issue(scope& s, zod_issue issue) {
    std::vector<zod_path_element> full;
    full.reserve(s.path.size() + issue.path.size());
    for (const auto& seg : s.path) {
        if (seg.is_index)
            full.emplace_back(seg.index);
        else
            full.emplace_back(std::string(seg.key));
    }
    for (auto& e : issue.path) full.push_back(std::move(e));
    issue.path = std::move(full);
    s.issues->push_back(std::move(issue));
    ++s.count;
}

BOOST_NOINLINE inline status invalid_type(scope& s, const char* expected, const boost::json::value* v) {
    if (count_only(s)) return status::aborted;
    zod_issue i;
    i.code = "invalid_type";
    i.expected = expected;
    const char* received = parsed_type(v);
    i.received = received;
    i.message = v ? std::string("Expected ") + expected + ", received " + received : std::string("Required");
    add_issue(s, std::move(i));
    return status::aborted;
}

// ECMA-262 strict equality between JSON values (numbers compare as doubles).
inline bool strictly_equal(const boost::json::value& a, const boost::json::value& b) {
    const bool an = a.is_number(), bn = b.is_number();
    if (an || bn) return an && bn && as_number(a) == as_number(b);
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
    case boost::json::kind::null: return true;
    case boost::json::kind::bool_: return a.get_bool() == b.get_bool();
    case boost::json::kind::string: return a.get_string() == b.get_string();
    default: return false; // objects/arrays: distinct identities in JS
    }
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// zod's datetime regex without offset/precision: ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$
inline bool matches_zod_datetime(std::string_view s) {
    static constexpr std::string_view pattern = "dddd-dd-ddTdd:dd:dd";
    if (s.size() < pattern.size() + 1) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == 'd' ? !is_digit(s[i]) : s[i] != pattern[i]) return false;
    }
    std::size_t i = pattern.size();
    if (s[i] == '.') {
        ++i;
        std::size_t start = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i == start) return false;
    }
    return i + 1 == s.size() && s[i] == 'Z';
}

// JS for-in order: array-index keys ascending, then the other keys in insertion order.
inline bool is_array_index(std::string_view k) {
    if (k.empty() || k.size() > 10) return false;
    if (k.size() > 1 && k[0] == '0') return false;
    std::uint64_t n = 0;
    for (char c : k) {
        if (!is_digit(c)) return false;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n < 4294967295ULL;
}

// JS Number(v) for JSON values (StringToNumber: trimmed decimal, 0x/0o/0b, Infinity, "" = 0).
inline double js_string_to_number(std::string_view s) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    if (s.empty()) return 0;
    const double nan = std::nan("");
    if (s.size() > 2 && s[0] == '0' &&
        (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B')) {
        const int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
        double r = 0;
        for (char c : s.substr(2)) {
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : 99;
            if (d >= base) return nan;
            r = r * base + d;
        }
        return r;
    }
    std::string_view body = s;
    if (body[0] == '+' || body[0] == '-') body.remove_prefix(1);
    if (body == "Infinity") return s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    // Only the StrDecimalLiteral alphabet; strtod would also take "inf", "nan" and hex floats.
    bool digit = false;
    for (char c : body) {
        if (is_digit(c))
            digit = true;
        else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-')
            return nan;
    }
    if (!digit) return nan;
    std::string copy(s);
    char* end = nullptr;
    double r = std::strtod(copy.c_str(), &end);
    return end == copy.c_str() + copy.size() ? r : nan;
}

inline double js_number_from_value(const boost::json::value* v) {
    if (!v) return std::nan("");
    switch (v->kind()) {
    case boost::json::kind::null: return 0;
    case boost::json::kind::bool_: return v->get_bool() ? 1 : 0;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return as_number(*v);
    case boost::json::kind::string: return js_string_to_number(v->get_string());
    case boost::json::kind::array: {
        // Number([]) = 0, Number([x]) = Number(String(x)), longer arrays join with "," → NaN.
        const auto& a = v->get_array();
        if (a.empty()) return 0;
        if (a.size() > 1) return std::nan("");
        if (a[0].is_null()) return 0;
        if (a[0].is_bool() || a[0].is_object()) return std::nan(""); // "true", "[object Object]"
        if (a[0].is_array()) return js_number_from_value(&a[0]);     // [[5]] is "5"
        return js_number_from_value(&a[0]);
    }
    default: return std::nan("");
    }
}

inline status merge(status acc, status s) {
    if (s == status::aborted || acc == status::aborted) return status::aborted;
    if (s == status::dirty) return status::dirty;
    return acc;
}

inline status parse(const node& n, const boost::json::value* v, scope& s, std::size_t depth);

// The invalid_union issue with every option's issues (only when all options failed and the caller
// collects issues). Out of line: its issue lives in this frame, not in parse_union's.
BOOST_NOINLINE inline status collect_union_failure(const node& n, const boost::json::value* v, scope& s,
                                                   std::size_t depth) {
    zod_issue i;
    i.code = "invalid_union";
    i.message = "Invalid input";
    for (const node* option : n.items) {
        std::vector<zod_issue> option_issues;
        scope child{&option_issues, s.path};
        parse(*option, v, child, depth);
        if (!option_issues.empty()) i.union_errors.push_back(std::move(option_issues));
    }
    add_issue(s, std::move(i));
    return status::aborted;
}

inline status parse_union(const node& n, const boost::json::value* v, scope& s, std::size_t depth) {
    // Each option runs in its own issue scope, as zod gives each a fresh `common.issues`. First a
    // dry run of every option: on success (the common case) no issue is ever built.
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t first_dirty = none;
    std::size_t dirty_count = 0;
    for (std::size_t k = 0; k < n.items.size(); ++k) {
        scope child{nullptr, s.path};
        status st = parse(*n.items[k], v, child, depth);
        if (st == status::valid) return status::valid;
        if (st == status::dirty && first_dirty == none) {
            first_dirty = k;
            dirty_count = child.count;
        }
    }
    if (!s.issues) {
        s.count += first_dirty != none ? dirty_count : 1;
        return first_dirty != none ? status::dirty : status::aborted;
    }
    // The parent wants the issues: run again, collecting (only the options zod reports).
    if (first_dirty != none) {
        scope child{s.issues, s.path};
        parse(*n.items[first_dirty], v, child, depth);
        s.count += child.count;
        return status::dirty;
    }
    return collect_union_failure(n, v, s, depth);
}

// Leaf schemas: the only places that build most issues. Kept out of line so that the frames of the
// recursive `parse` stay small (deep filters recurse through it several times per JSON level).
BOOST_NOINLINE inline status parse_leaf(const node& n, const boost::json::value* v, scope& s) {
    switch (n.k) {
    case kind::string: {
        if (!v || !v->is_string()) return invalid_type(s, "string", v);
        if (n.datetime && !matches_zod_datetime(v->get_string())) {
            if (count_only(s)) return status::dirty;
            zod_issue i;
            i.code = "invalid_string";
            i.validation = "datetime";
            i.message = "Invalid datetime";
            i.layout = zod_issue_layout::message_first;
            add_issue(s, std::move(i));
            return status::dirty;
        }
        return status::valid;
    }
    case kind::number: {
        if (!v || !v->is_number()) return invalid_type(s, "number", v);
        const double d = as_number(*v);
        status st = status::valid;
        for (const auto& c : n.checks) {
            zod_issue i;
            i.layout = zod_issue_layout::message_first;
            if (c.k == number_check::what::integer) {
                if (std::isfinite(d) && std::floor(d) == d) continue;
                st = status::dirty;
                if (count_only(s)) continue;
                i.code = "invalid_type";
                i.expected = "integer";
                i.received = "float";
                i.message = "Expected integer, received float";
            } else if (c.k == number_check::what::min) {
                if (c.inclusive ? !(d < c.value) : !(d <= c.value)) continue;
                st = status::dirty;
                if (count_only(s)) continue;
                i.code = "too_small";
                i.minimum = c.value;
                i.type = "number";
                i.inclusive = c.inclusive;
                i.exact = false;
                i.message = std::string("Number must be ") +
                            (c.inclusive ? "greater than or equal to " : "greater than ") +
                            js_number_to_string(c.value);
            } else {
                if (c.inclusive ? !(d > c.value) : !(d >= c.value)) continue;
                st = status::dirty;
                if (count_only(s)) continue;
                i.code = "too_big";
                i.maximum = c.value;
                i.type = "number";
                i.inclusive = c.inclusive;
                i.exact = false;
                i.message = std::string("Number must be ") + (c.inclusive ? "less than or equal to " : "less than ") +
                            js_number_to_string(c.value);
            }
            add_issue(s, std::move(i));
            st = status::dirty;
        }
        return st;
    }
    case kind::boolean: return v && v->is_bool() ? status::valid : invalid_type(s, "boolean", v);
    case kind::null: return v && v->is_null() ? status::valid : invalid_type(s, "null", v);
    case kind::any: return status::valid;
    case kind::literal: {
        if (v && strictly_equal(*v, n.literal)) return status::valid;
        if (count_only(s)) return status::aborted;
        zod_issue i;
        i.layout = zod_issue_layout::received_first;
        if (v) i.received = *v; // JSON.stringify drops an undefined `received`
        i.code = "invalid_literal";
        i.expected = n.literal;
        i.message = "Invalid literal value, expected " + js_json_stringify(n.literal);
        add_issue(s, std::move(i));
        return status::aborted;
    }
    case kind::enumeration: {
        std::vector<boost::json::value> opts;
        auto options = [&] {
            for (const auto& o : n.values) opts.emplace_back(boost::json::string_view(o));
        };
        if (!v || !v->is_string()) {
            if (count_only(s)) return status::aborted;
            options();
            zod_issue i;
            i.layout = zod_issue_layout::enum_type;
            std::string expected = join_values(opts);
            const char* received = parsed_type(v);
            i.expected = boost::json::string_view(expected);
            i.received = received;
            i.code = "invalid_type";
            i.message = v ? "Expected " + expected + ", received " + received : std::string("Required");
            add_issue(s, std::move(i));
            return status::aborted;
        }
        const auto str = std::string_view(v->get_string());
        if (std::find(n.values.begin(), n.values.end(), str) != n.values.end()) return status::valid;
        if (count_only(s)) return status::aborted;
        options();
        zod_issue i;
        i.layout = zod_issue_layout::received_first;
        i.received = *v;
        i.code = "invalid_enum_value";
        i.options = boost::json::array(opts.begin(), opts.end());
        i.message = "Invalid enum value. Expected " + join_values(opts) + ", received '" + std::string(str) + "'";
        add_issue(s, std::move(i));
        return status::aborted;
    }
    case kind::coerce_number: {
        const double d = js_number_from_value(v);
        if (!std::isnan(d)) return status::valid;
        if (count_only(s)) return status::aborted;
        zod_issue i;
        i.code = "invalid_type";
        i.expected = "number";
        i.received = "nan";
        i.message = "Expected number, received nan";
        add_issue(s, std::move(i));
        return status::aborted;
    }
    case kind::coerce_date: {
        if (js_date_from_value(v)) return status::valid;
        if (count_only(s)) return status::aborted;
        zod_issue i;
        i.code = "invalid_date";
        i.message = "Invalid date";
        add_issue(s, std::move(i));
        return status::aborted;
    }
    default: return status::aborted;
    }
}

BOOST_NOINLINE inline status report_custom(scope& s, const char* message) {
    if (count_only(s)) return status::aborted;
    zod_issue i;
    i.code = "custom";
    i.message = message;
    add_issue(s, std::move(i));
    return status::aborted;
}

BOOST_NOINLINE inline status report_tuple_size(scope& s, std::size_t expected, bool too_small) {
    if (count_only(s)) return too_small ? status::aborted : status::dirty;
    const double count = static_cast<double>(expected);
    zod_issue i;
    i.layout = zod_issue_layout::tuple_size;
    i.inclusive = true;
    i.exact = false;
    i.type = "array";
    if (too_small) {
        i.code = "too_small";
        i.minimum = count;
        i.message = "Array must contain at least " + js_number_to_string(count) + " element(s)";
    } else {
        i.code = "too_big";
        i.maximum = count;
        i.message = "Array must contain at most " + js_number_to_string(count) + " element(s)";
    }
    add_issue(s, std::move(i));
    return too_small ? status::aborted : status::dirty;
}

BOOST_NOINLINE inline status report_discriminator(scope& s, const node& n) {
    if (count_only(s)) return status::aborted;
    zod_issue i;
    i.code = "invalid_union_discriminator";
    std::vector<boost::json::value> opts;
    for (const auto& p : n.disc_map) opts.push_back(p.first);
    i.options = boost::json::array(opts.begin(), opts.end());
    i.path.emplace_back(n.discriminator);
    i.message = "Invalid discriminator value. Expected " + join_values(opts);
    add_issue(s, std::move(i));
    return status::aborted;
}

inline status parse(const node& n, const boost::json::value* v, scope& s, std::size_t depth) {
    if (depth > max_depth) return report_custom(s, "Input is nested too deeply");
    switch (n.k) {
    case kind::string:
    case kind::number:
    case kind::boolean:
    case kind::null:
    case kind::any:
    case kind::literal:
    case kind::enumeration:
    case kind::coerce_number:
    case kind::coerce_date: return parse_leaf(n, v, s);
    case kind::array: {
        if (!v || !v->is_array()) return invalid_type(s, "array", v);
        status st = status::valid;
        const auto& a = v->get_array();
        for (std::size_t idx = 0; idx < a.size(); ++idx) {
            path_guard g(s.path, idx);
            st = merge(st, parse(*n.inner, &a[idx], s, depth + 1));
        }
        return st;
    }
    case kind::object: {
        if (!v || !v->is_object()) return invalid_type(s, "object", v);
        const auto& o = v->get_object();
        status st = status::valid;
        for (const auto& [key, child] : n.shape) {
            path_guard g(s.path, std::string_view(key));
            st = merge(st, parse(*child, o.if_contains(key), s, depth + 1));
        }
        return st;
    }
    case kind::record: {
        if (!v || !v->is_object()) return invalid_type(s, "object", v);
        const auto& o = v->get_object();
        status st = status::valid;
        bool has_index_keys = false;
        for (const auto& kv : o)
            if (is_array_index(kv.key())) {
                has_index_keys = true;
                break;
            }
        if (!has_index_keys) {
            for (const auto& kv : o) {
                path_guard g(s.path, std::string_view(kv.key()));
                st = merge(st, parse(*n.inner, &kv.value(), s, depth + 1));
            }
            return st;
        }
        std::vector<const boost::json::key_value_pair*> order;
        for (const auto& kv : o)
            if (is_array_index(kv.key())) order.push_back(&kv);
        std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
            return std::stoull(std::string(a->key())) < std::stoull(std::string(b->key()));
        });
        for (const auto& kv : o)
            if (!is_array_index(kv.key())) order.push_back(&kv);
        for (const auto* kv : order) {
            path_guard g(s.path, std::string_view(kv->key()));
            st = merge(st, parse(*n.inner, &kv->value(), s, depth + 1));
        }
        return st;
    }
    case kind::tuple: {
        if (!v || !v->is_array()) return invalid_type(s, "array", v);
        const auto& a = v->get_array();
        if (a.size() < n.items.size()) return report_tuple_size(s, n.items.size(), true);
        status st = status::valid;
        if (a.size() > n.items.size()) st = report_tuple_size(s, n.items.size(), false);
        for (std::size_t idx = 0; idx < n.items.size(); ++idx) {
            path_guard g(s.path, idx);
            st = merge(st, parse(*n.items[idx], &a[idx], s, depth + 1));
        }
        return st;
    }
    case kind::union_: return parse_union(n, v, s, depth);
    case kind::discriminated_union: {
        if (!v || !v->is_object()) return invalid_type(s, "object", v);
        const auto* d = v->get_object().if_contains(n.discriminator);
        if (d) {
            for (const auto& [value, option] : n.disc_map)
                if (strictly_equal(*d, value)) return parse(*option, v, s, depth);
        }
        return report_discriminator(s, n);
    }
    case kind::optional: return v ? parse(*n.inner, v, s, depth) : status::valid;
    case kind::nullable: return v && v->is_null() ? status::valid : parse(*n.inner, v, s, depth);
    case kind::default_: return parse(*n.inner, v ? v : &n.literal, s, depth);
    case kind::lazy: return parse(*n.inner, v, s, depth);
    case kind::add_missing_version: {
        // zod 3.22 returns "dirty" from a preprocess without running the inner schema whenever the
        // current issue scope already holds an issue (it checks ctx.common.issues.length). So a
        // source after any earlier problem in the same scope is never checked; we do the same.
        if (s.count > 0) return status::dirty;
        if (v && v->is_object() && !v->get_object().contains("version")) {
            boost::json::value copy = *v;
            copy.get_object()["version"] = "1";
            return parse(*n.inner, &copy, s, depth);
        }
        if (v && v->is_array()) {
            // `{...array, version: "1"}` turns an array into an object keyed "0", "1", ...
            boost::json::object copy;
            const auto& a = v->get_array();
            for (std::size_t i = 0; i < a.size(); ++i) copy[std::to_string(i)] = a[i];
            copy["version"] = "1";
            boost::json::value cv(std::move(copy));
            return parse(*n.inner, &cv, s, depth);
        }
        return parse(*n.inner, v, s, depth);
    }
    case kind::parse_json_string: {
        // `typeof v === "string" && JSON.parse(v)`: anything but a string becomes `false`. JSON.parse
        // throws on bad text (zod lets it escape safeParse); we report a `custom` issue instead.
        boost::json::value parsed(false);
        if (v && v->is_string()) {
            boost::system::error_code ec;
            parsed = boost::json::parse(v->get_string(), ec);
            if (ec) return report_custom(s, "Invalid JSON");
        }
        if (s.count > 0) return status::dirty; // the same preprocess quirk as add_missing_version
        return parse(*n.inner, &parsed, s, depth);
    }
    }
    return status::aborted;
}

} // namespace engine

KONGFLOW_ENDPOINTS_DECL std::vector<zod_issue> validate(const node& root, const boost::json::value& value) {
    std::vector<zod_issue> issues;
    std::vector<engine::path_seg> path;
    path.reserve(16);
    engine::scope s{&issues, path};
    engine::status st = engine::parse(root, &value, s, 0);
    if (st != engine::status::valid && issues.empty()) {
        // zod throws "Validation failed but no issues detected." here; our schemas cannot reach it.
        zod_issue i;
        i.code = "custom";
        i.message = "Validation failed but no issues detected.";
        issues.push_back(std::move(i));
    }
    return issues;
}

} // namespace kongflow::endpoints::detail::zs

#endif
