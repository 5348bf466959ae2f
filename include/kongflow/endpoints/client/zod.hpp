// A zod 3.22.3-compatible issue model and the two texts Trigger.dev builds from zod errors.
//
// Trigger.dev v2 validates every endpoint reply with zod and shows users text derived from the
// issues: `ZodError.message` (PING/VALIDATE: the issues as pretty-printed JSON) and
// zod-validation-error 1.5.0's `fromZodError` (INDEX_ENDPOINT). We reproduce both byte for byte, so
// an issue keeps every field zod prints, in zod's key order (zod builds issues with object spreads,
// so the order differs between issue kinds; `layout` records it).
#ifndef KONGFLOW_ENDPOINTS_CLIENT_ZOD_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_ZOD_HPP

#include <kongflow/endpoints/detail/config.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kongflow::endpoints {

/// One step of an issue path: an object key or an array index (zod's `(string | number)[]`).
using zod_path_element = std::variant<std::string, std::size_t>;

/// Key order of the JS issue object, which depends on where zod created the issue.
enum class zod_issue_layout : unsigned char {
    standard,       ///< code, `<extras>`, path, message (invalid_type, invalid_union, discriminator, ...)
    message_first,  ///< code, `<extras>`, message, path (checks with a `message` slot: int, min, max, datetime)
    received_first, ///< received, code, `<extras>`, path, message (invalid_literal, invalid_enum_value)
    enum_type,      ///< expected, received, code, path, message (z.enum given a non-string)
    tuple_size,     ///< code, minimum|maximum, inclusive, exact, type, path, message (z.tuple length)
};

/// A zod issue with every field zod may print. Unused optional fields are absent from the JSON.
struct zod_issue {
    std::string code; ///< "invalid_type", "too_small", "invalid_union", ...
    std::vector<zod_path_element> path;
    std::string message;

    std::optional<boost::json::value> expected; ///< invalid_type: type name; invalid_literal: the literal
    std::optional<boost::json::value> received; ///< absent for invalid_literal when the input was undefined
    std::optional<boost::json::array> options;  ///< invalid_enum_value, invalid_union_discriminator
    std::optional<double> minimum;              ///< too_small
    std::optional<double> maximum;              ///< too_big
    std::optional<std::string> type;            ///< too_small/too_big: "number", "array", "string"
    std::optional<bool> inclusive;
    std::optional<bool> exact;
    std::optional<std::string> validation;            ///< invalid_string: "datetime", "url", ...
    std::optional<std::vector<std::string>> keys;     ///< unrecognized_keys
    std::vector<std::vector<zod_issue>> union_errors; ///< invalid_union: the issues of each option

    zod_issue_layout layout = zod_issue_layout::standard;
};

/// The issue as the JS object zod builds (same keys, same order); unionErrors become
/// `{"issues": [...], "name": "ZodError"}` as JSON.stringify renders a ZodError.
KONGFLOW_ENDPOINTS_DECL boost::json::object zod_issue_to_json(const zod_issue& issue);

/// The issues as a JSON array of zod_issue_to_json objects.
KONGFLOW_ENDPOINTS_DECL boost::json::array zod_issues_to_json(const std::vector<zod_issue>& issues);

/// Exactly JS `ZodError.message`: `JSON.stringify(issues, replacer, 2)`.
KONGFLOW_ENDPOINTS_DECL std::string zod_error_message(const std::vector<zod_issue>& issues);

/// Exactly zod-validation-error 1.5.0 `fromZodError(err, {prefix}).message`: at most 99 issues,
/// `<message> at "<joined path>"` (or `at index N` for a lone index) joined by "; ", unions
/// flattened with ", or ", then `<prefix>: <reason>`.
KONGFLOW_ENDPOINTS_DECL std::string from_zod_error(const std::vector<zod_issue>& issues,
                                                   std::string_view prefix = "Validation error");

/// Exactly zod-error 1.5.0 `generateErrorMessage(issues)` with default options, which the webapp
/// stores when an EXECUTE_JOB or PREPROCESS_RUN reply fails its schema (protocol §A.5, §A.6):
/// `Code: <code> ~ Path: <a.b[0]> ~ Message: <message>` per issue, joined by " | ".
KONGFLOW_ENDPOINTS_DECL std::string generate_error_message(const std::vector<zod_issue>& issues);

/// zod-validation-error's `joinPath` (keys that are not identifiers are written `["key"]`).
KONGFLOW_ENDPOINTS_DECL std::string zod_join_path(const std::vector<zod_path_element>& path);

/// JS `String(number)` (shortest round trip, JS exponent rules): 20, 0.5, 1e+21, 1e-7, -0 → "0".
KONGFLOW_ENDPOINTS_DECL std::string js_number_to_string(double value);

/// JS `JSON.stringify(value, null, indent)` of a JSON value (numbers formatted as JS does;
/// indent 0 = compact).
KONGFLOW_ENDPOINTS_DECL std::string js_json_stringify(const boost::json::value& value, int indent = 0);

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/client/impl/zod.ipp>
#endif

#endif
