// A small schema engine that decides exactly as zod 3.22.3 does (verdicts, issues, issue order) for
// the subset of zod the Trigger.dev v2 protocol uses. Schemas are trees of `node`s built once (see
// impl/schemas.ipp); `validate` walks a Boost.JSON value the way zod's `_parse` methods walk a JS
// value: every key of an object in shape order, every element of an array, union options in order
// with their own issue scope, and zod's status lattice (valid < dirty < aborted).
#ifndef KONGFLOW_ENDPOINTS_CLIENT_DETAIL_ZOD_SCHEMA_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_DETAIL_ZOD_SCHEMA_HPP

#include <kongflow/endpoints/client/zod.hpp>
#include <kongflow/endpoints/detail/config.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kongflow::endpoints::detail::zs {

enum class kind : unsigned char {
    string, // z.string() (optionally .datetime())
    number, // z.number() with int/min/max checks
    boolean,
    null,
    any,         // z.any(): accepts everything, even a missing key
    literal,     // z.literal(x)
    enumeration, // z.enum([...])
    array,
    object, // z.object({...}) (unknown keys stripped)
    record, // z.record(value)
    tuple,
    union_,              // z.union([...]) / a.or(b)
    discriminated_union, // z.discriminatedUnion(key, [...])
    optional,
    nullable,
    default_,            // .default(v)
    lazy,                // z.lazy(() => ...), for recursion
    add_missing_version, // core's z.preprocess(addMissingVersionField, ...)
    coerce_date,         // z.coerce.date()
    coerce_number,       // z.coerce.number()
    parse_json_string,   // z.preprocess((v) => typeof v === "string" && JSON.parse(v), ...)
};

struct number_check {
    enum class what : unsigned char { integer, min, max } k;
    double value = 0;
    bool inclusive = true;
};

struct node {
    kind k = kind::any;
    std::vector<number_check> checks; // number
    bool datetime = false;            // string().datetime()
    boost::json::value literal;       // literal value, default value
    std::vector<std::string> values;  // enum values
    const node* inner = nullptr;      // array/record element, optional/nullable/default/lazy/preprocess target
    std::vector<std::pair<std::string, const node*>> shape; // object keys in declaration order
    std::vector<const node*> items;                         // tuple items, union options, discriminated union options
    std::string discriminator;
    std::vector<std::pair<boost::json::value, const node*>> disc_map; // discriminator value → option
};

/// Owns the nodes of a family of schemas; pointers stay valid (deque) for its whole life.
class builder {
public:
    const node* string();
    const node* datetime();
    const node* number(std::initializer_list<number_check> checks = {});
    const node* boolean();
    const node* null();
    const node* any();
    const node* literal(boost::json::value v);
    const node* enumeration(std::initializer_list<const char*> values);
    const node* array(const node* element);
    const node* object(std::initializer_list<std::pair<const char*, const node*>> shape);
    /// `base.extend({...})`, `base.pick(...)` helpers: shape copied, then keys replaced or appended.
    const node* extend(const node* base, std::initializer_list<std::pair<const char*, const node*>> shape);
    const node* pick(const node* base, std::initializer_list<const char*> keys);
    const node* record(const node* value);
    const node* tuple(std::initializer_list<const node*> items);
    const node* union_(std::initializer_list<const node*> options);
    const node* discriminated_union(const char* key, std::initializer_list<const node*> options);
    const node* optional(const node* inner);
    const node* nullable(const node* inner);
    const node* default_(const node* inner, boost::json::value v);
    node* lazy(); // set ->inner once the target exists
    const node* add_missing_version(const node* inner);
    const node* coerce_date();
    const node* coerce_number();
    const node* parse_json_string(const node* inner);

    static number_check integer() { return {number_check::what::integer, 0, true}; }
    static number_check positive() { return {number_check::what::min, 0, false}; }
    static number_check min(double v) { return {number_check::what::min, v, true}; }
    static number_check max(double v) { return {number_check::what::max, v, true}; }

private:
    node* make(kind k);
    std::deque<node> nodes_;
};

/// Validates `value` against `root`; returns zod's issues (empty when zod would accept it).
KONGFLOW_ENDPOINTS_DECL std::vector<zod_issue> validate(const node& root, const boost::json::value& value);

/// zod's own nesting has no limit (JS would overflow its stack); we stop at this many nested JSON
/// arrays/objects with a `custom` issue "Input is nested too deeply". (Boost.JSON's parser stops at
/// 32 levels unless told otherwise, so real input does not get here.)
inline constexpr std::size_t max_depth = 256;

} // namespace kongflow::endpoints::detail::zs

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/client/impl/zod_schema.ipp>
#endif

#endif
