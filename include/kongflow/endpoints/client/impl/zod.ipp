#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_ZOD_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_ZOD_IPP

#include <kongflow/endpoints/client/detail/id_start_table.hpp>
#include <kongflow/endpoints/client/zod.hpp>

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace kongflow::endpoints {

namespace detail {

// Appends `s` as JSON.stringify writes a string (ECMA-262 QuoteJSONString): the short escapes,
// \u00XX (lowercase) for other controls, everything else verbatim.
inline void js_quote_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xF]);
            } else {
                out.push_back(ch);
            }
        }
    }
    out.push_back('"');
}

inline double json_number_as_double(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::int64: return static_cast<double>(v.get_int64());
    case boost::json::kind::uint64: return static_cast<double>(v.get_uint64());
    case boost::json::kind::double_: return v.get_double();
    default: return 0.0;
    }
}

inline void js_stringify_into(std::string& out, const boost::json::value& v, int indent, int depth) {
    auto newline = [&](int d) {
        out.push_back('\n');
        out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(d), ' ');
    };
    switch (v.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: {
        double d = json_number_as_double(v);
        out += std::isfinite(d) ? js_number_to_string(d) : std::string("null");
        break;
    }
    case boost::json::kind::string: js_quote_json_string(out, v.get_string()); break;
    case boost::json::kind::array: {
        const auto& a = v.get_array();
        if (a.empty()) {
            out += "[]";
            break;
        }
        out.push_back('[');
        bool first = true;
        for (const auto& e : a) {
            if (!first) out.push_back(',');
            first = false;
            if (indent > 0) newline(depth + 1);
            js_stringify_into(out, e, indent, depth + 1);
        }
        if (indent > 0) newline(depth);
        out.push_back(']');
        break;
    }
    case boost::json::kind::object: {
        const auto& o = v.get_object();
        if (o.empty()) {
            out += "{}";
            break;
        }
        out.push_back('{');
        bool first = true;
        for (const auto& kv : o) {
            if (!first) out.push_back(',');
            first = false;
            if (indent > 0) newline(depth + 1);
            js_quote_json_string(out, kv.key());
            out += indent > 0 ? ": " : ":";
            js_stringify_into(out, kv.value(), indent, depth + 1);
        }
        if (indent > 0) newline(depth);
        out.push_back('}');
        break;
    }
    }
}

// Decodes one UTF-8 code point (input is valid UTF-8: Boost.JSON checks it).
inline std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    int extra = 0;
    if (c >= 0xF0) {
        cp = c & 0x07;
        extra = 3;
    } else if (c >= 0xE0) {
        cp = c & 0x0F;
        extra = 2;
    } else if (c >= 0xC0) {
        cp = c & 0x1F;
        extra = 1;
    }
    ++i;
    for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    return cp;
}

inline bool is_id_start_or_dollar_underscore(std::uint32_t cp) {
    if (cp < 0x80) return cp == '$' || cp == '_' || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    const auto* first = std::begin(id_start_ranges);
    const auto* last = std::end(id_start_ranges);
    const auto* it =
        std::upper_bound(first, last, cp, [](std::uint32_t c, const code_point_range& r) { return c < r.first; });
    return it != first && cp <= (it - 1)->last;
}

// zod-validation-error's identifierRegex is not anchored: a key "counts" as an identifier as soon
// as one of its code points may start one.
inline bool looks_like_identifier(std::string_view key) {
    for (std::size_t i = 0; i < key.size();)
        if (is_id_start_or_dollar_underscore(next_code_point(key, i))) return true;
    return false;
}

inline std::string issue_message_for_zod_validation_error(const zod_issue& issue) {
    if (issue.code == "invalid_union") {
        std::vector<std::string> alternatives;
        for (const auto& branch : issue.union_errors) {
            std::string joined;
            for (std::size_t i = 0; i < branch.size(); ++i) {
                if (i) joined += "; ";
                joined += issue_message_for_zod_validation_error(branch[i]);
            }
            if (std::find(alternatives.begin(), alternatives.end(), joined) == alternatives.end())
                alternatives.push_back(std::move(joined));
        }
        std::string out;
        for (std::size_t i = 0; i < alternatives.size(); ++i) {
            if (i) out += ", or ";
            out += alternatives[i];
        }
        return out;
    }
    if (!issue.path.empty()) {
        if (issue.path.size() == 1 && std::holds_alternative<std::size_t>(issue.path[0]))
            return issue.message + " at index " + std::to_string(std::get<std::size_t>(issue.path[0]));
        return issue.message + " at \"" + zod_join_path(issue.path) + "\"";
    }
    return issue.message;
}

} // namespace detail

KONGFLOW_ENDPOINTS_DECL std::string js_number_to_string(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
    if (value == 0) return "0"; // also -0
    std::string out;
    if (value < 0) {
        out.push_back('-');
        value = -value;
    }
    // Shortest round-trip digits, then ECMA-262 Number::toString placement rules.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    auto epos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, epos))
        if (c != '.') digits.push_back(c);
    int exp10 = std::atoi(std::string(sci.substr(epos + 1)).c_str());
    int k = static_cast<int>(digits.size());
    int n = exp10 + 1;
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out += digits.substr(0, static_cast<std::size_t>(n));
        out.push_back('.');
        out += digits.substr(static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out += digits.substr(1);
        }
        out.push_back('e');
        out.push_back(n - 1 >= 0 ? '+' : '-');
        out += std::to_string(std::abs(n - 1));
    }
    return out;
}

KONGFLOW_ENDPOINTS_DECL std::string js_json_stringify(const boost::json::value& value, int indent) {
    std::string out;
    detail::js_stringify_into(out, value, indent, 0);
    return out;
}

KONGFLOW_ENDPOINTS_DECL boost::json::object zod_issue_to_json(const zod_issue& issue) {
    boost::json::object o;
    auto put_path = [&] {
        boost::json::array p;
        p.reserve(issue.path.size());
        for (const auto& e : issue.path) {
            if (const auto* s = std::get_if<std::string>(&e))
                p.emplace_back(boost::json::string_view(*s));
            else
                p.emplace_back(static_cast<std::uint64_t>(std::get<std::size_t>(e)));
        }
        o["path"] = std::move(p);
    };
    auto put_number = [&](const char* key, double d) {
        // Integral values print as integers in JS; keep them integers here too.
        if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0)
            o[key] = static_cast<std::int64_t>(d);
        else
            o[key] = d;
    };
    const bool tuple = issue.layout == zod_issue_layout::tuple_size;
    auto put_extras = [&](bool skip_received) {
        if (issue.expected) o["expected"] = *issue.expected;
        if (issue.received && !skip_received) o["received"] = *issue.received;
        if (issue.options) o["options"] = *issue.options;
        if (issue.minimum) put_number("minimum", *issue.minimum);
        if (issue.maximum) put_number("maximum", *issue.maximum);
        if (issue.type && !tuple) o["type"] = *issue.type;
        if (issue.inclusive) o["inclusive"] = *issue.inclusive;
        if (issue.exact) o["exact"] = *issue.exact;
        if (issue.type && tuple) o["type"] = *issue.type;
        if (issue.validation) o["validation"] = *issue.validation;
        if (issue.keys) {
            boost::json::array k;
            for (const auto& s : *issue.keys) k.emplace_back(boost::json::string_view(s));
            o["keys"] = std::move(k);
        }
        if (issue.code == "invalid_union") {
            boost::json::array errs;
            for (const auto& branch : issue.union_errors) {
                boost::json::object e;
                e["issues"] = zod_issues_to_json(branch);
                e["name"] = "ZodError";
                errs.emplace_back(std::move(e));
            }
            o["unionErrors"] = std::move(errs);
        }
    };
    switch (issue.layout) {
    case zod_issue_layout::standard:
    case zod_issue_layout::tuple_size:
        o["code"] = issue.code;
        put_extras(false);
        put_path();
        o["message"] = issue.message;
        break;
    case zod_issue_layout::message_first:
        o["code"] = issue.code;
        put_extras(false);
        o["message"] = issue.message;
        put_path();
        break;
    case zod_issue_layout::received_first:
        if (issue.received) o["received"] = *issue.received;
        o["code"] = issue.code;
        put_extras(true);
        put_path();
        o["message"] = issue.message;
        break;
    case zod_issue_layout::enum_type:
        if (issue.expected) o["expected"] = *issue.expected;
        if (issue.received) o["received"] = *issue.received;
        o["code"] = issue.code;
        put_path();
        o["message"] = issue.message;
        break;
    }
    return o;
}

KONGFLOW_ENDPOINTS_DECL boost::json::array zod_issues_to_json(const std::vector<zod_issue>& issues) {
    boost::json::array a;
    a.reserve(issues.size());
    for (const auto& i : issues) a.emplace_back(zod_issue_to_json(i));
    return a;
}

KONGFLOW_ENDPOINTS_DECL std::string zod_error_message(const std::vector<zod_issue>& issues) {
    return js_json_stringify(zod_issues_to_json(issues), 2);
}

KONGFLOW_ENDPOINTS_DECL std::string zod_join_path(const std::vector<zod_path_element>& path) {
    auto to_text = [](const zod_path_element& e) {
        if (const auto* s = std::get_if<std::string>(&e)) return *s;
        return std::to_string(std::get<std::size_t>(e));
    };
    if (path.size() == 1) return to_text(path[0]);
    std::string acc;
    for (const auto& e : path) {
        if (const auto* idx = std::get_if<std::size_t>(&e)) {
            acc += '[' + std::to_string(*idx) + ']';
            continue;
        }
        const auto& key = std::get<std::string>(e);
        if (key.find('"') != std::string::npos) {
            acc += "[\"";
            for (char c : key) {
                if (c == '"') acc += '\\';
                acc += c;
            }
            acc += "\"]";
        } else if (!detail::looks_like_identifier(key)) {
            acc += "[\"" + key + "\"]";
        } else {
            if (!acc.empty()) acc += '.';
            acc += key;
        }
    }
    return acc;
}

KONGFLOW_ENDPOINTS_DECL std::string generate_error_message(const std::vector<zod_issue>& issues) {
    std::string out;
    for (std::size_t i = 0; i < issues.size(); ++i) {
        if (i) out += " | ";
        // zod-error's getObjectNotation: "[n]" for indexes, "."-joined keys, empty keys dropped.
        std::string path;
        for (const auto& e : issues[i].path) {
            if (const auto* idx = std::get_if<std::size_t>(&e)) {
                path += '[' + std::to_string(*idx) + ']';
            } else {
                const auto& key = std::get<std::string>(e);
                if (key.empty()) continue;
                if (!path.empty()) path += '.';
                path += key;
            }
        }
        out += "Code: " + issues[i].code + " ~ Path: " + path + " ~ Message: " + issues[i].message;
    }
    return out;
}

KONGFLOW_ENDPOINTS_DECL std::string from_zod_error(const std::vector<zod_issue>& issues, std::string_view prefix) {
    constexpr std::size_t max_issues_in_message = 99;
    std::string reason;
    for (std::size_t i = 0; i < issues.size() && i < max_issues_in_message; ++i) {
        if (i) reason += "; ";
        reason += detail::issue_message_for_zod_validation_error(issues[i]);
    }
    std::string out(prefix);
    if (!reason.empty()) {
        out += ": ";
        out += reason;
    }
    return out;
}

} // namespace kongflow::endpoints

#endif
