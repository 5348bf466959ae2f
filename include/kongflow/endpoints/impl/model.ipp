#ifndef KONGFLOW_ENDPOINTS_IMPL_MODEL_IPP
#define KONGFLOW_ENDPOINTS_IMPL_MODEL_IPP

#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/model.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <array>
#include <cstdio>

namespace kongflow::endpoints {

KONGFLOW_ENDPOINTS_DECL std::string format_timestamp(timestamp t) {
    using namespace std::chrono;
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<milliseconds> hms{t - day};
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                          static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

namespace detail {
// Reads exactly `width` decimal digits at s[pos]; false when any is not a digit.
inline bool read_digits(std::string_view s, std::size_t pos, std::size_t width, int& out) noexcept {
    if (pos + width > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}
} // namespace detail

KONGFLOW_ENDPOINTS_DECL result<timestamp> parse_timestamp(std::string_view s) {
    using namespace std::chrono;
    const error_code bad = make_error_code(errc::invalid_argument);
    int y, mo, d, h, mi, se;
    if (!detail::read_digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !detail::read_digits(s, 5, 2, mo) ||
        s[7] != '-' || !detail::read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !detail::read_digits(s, 11, 2, h) || s[13] != ':' || !detail::read_digits(s, 14, 2, mi) || s[16] != ':' ||
        !detail::read_digits(s, 17, 2, se))
        return bad;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return bad;
    std::size_t pos = 19;
    int ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 3) ms = ms * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0) return bad;
        for (; digits < 3; ++digits) ms *= 10;
    }
    minutes offset{0};
    if (pos >= s.size()) return bad;
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (!detail::read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !detail::read_digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
            return bad;
        offset = hours{oh} + minutes{om};
        if (s[pos] == '-') offset = -offset;
        pos += 6;
    } else {
        return bad;
    }
    if (pos != s.size()) return bad;
    timestamp t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + milliseconds{ms};
    return t - offset;
}

namespace detail {
template <class E, std::size_t N>
result<E> parse_enum(std::string_view s, const std::array<std::string_view, N>& names) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return make_error_code(errc::invalid_argument);
}
inline constexpr std::array<std::string_view, 4> environment_type_names{"DEVELOPMENT", "PRODUCTION", "STAGING",
                                                                        "PREVIEW"};
inline constexpr std::array<std::string_view, 4> index_source_names{"MANUAL", "API", "INTERNAL", "HOOK"};
inline constexpr std::array<std::string_view, 4> index_status_names{"PENDING", "STARTED", "SUCCESS", "FAILURE"};
inline constexpr std::array<std::string_view, 5> registration_kind_names{
    "SOURCE", "DYNAMIC_TRIGGER", "DYNAMIC_SCHEDULE", "WEBHOOK", "HTTP_ENDPOINT"};
template <std::size_t N>
std::string_view enum_name(const std::array<std::string_view, N>& names, int v) noexcept {
    return v >= 0 && static_cast<std::size_t>(v) < N ? names[static_cast<std::size_t>(v)] : std::string_view("?");
}
} // namespace detail

KONGFLOW_ENDPOINTS_DECL std::string_view to_string(environment_type v) noexcept {
    return detail::enum_name(detail::environment_type_names, static_cast<int>(v));
}
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(index_source v) noexcept {
    return detail::enum_name(detail::index_source_names, static_cast<int>(v));
}
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(index_status v) noexcept {
    return detail::enum_name(detail::index_status_names, static_cast<int>(v));
}
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(registration_kind v) noexcept {
    return detail::enum_name(detail::registration_kind_names, static_cast<int>(v));
}
KONGFLOW_ENDPOINTS_DECL result<environment_type> parse_environment_type(std::string_view s) noexcept {
    return detail::parse_enum<environment_type>(s, detail::environment_type_names);
}
KONGFLOW_ENDPOINTS_DECL result<index_source> parse_index_source(std::string_view s) noexcept {
    return detail::parse_enum<index_source>(s, detail::index_source_names);
}
KONGFLOW_ENDPOINTS_DECL result<index_status> parse_index_status(std::string_view s) noexcept {
    return detail::parse_enum<index_status>(s, detail::index_status_names);
}
KONGFLOW_ENDPOINTS_DECL result<registration_kind> parse_registration_kind(std::string_view s) noexcept {
    return detail::parse_enum<registration_kind>(s, detail::registration_kind_names);
}

namespace detail {

// Small reader over a JSON object: each get_* records the first failure so the caller checks once.
class json_reader {
public:
    explicit json_reader(const boost::json::value& jv) : obj_(jv.if_object()) {
        if (!obj_) ec_ = make_error_code(errc::invalid_argument);
    }
    bool ok() const noexcept { return !ec_; }
    error_code error() const noexcept { return ec_; }

    const boost::json::value* find(std::string_view key) const {
        if (!obj_) return nullptr;
        auto it = obj_->find(key);
        return it == obj_->end() ? nullptr : &it->value();
    }
    void get(std::string_view key, std::string& out) {
        auto v = find(key);
        if (v && v->is_string())
            out = std::string(v->get_string());
        else
            fail();
    }
    void get(std::string_view key, std::optional<std::string>& out) {
        auto v = find(key);
        if (!v || v->is_null())
            out.reset();
        else if (v->is_string())
            out = std::string(v->get_string());
        else
            fail();
    }
    void get(std::string_view key, boost::json::value& out) {
        auto v = find(key);
        out = v ? *v : boost::json::value();
    }
    void get(std::string_view key, bool& out) {
        auto v = find(key);
        if (v && v->is_bool())
            out = v->get_bool();
        else
            fail();
    }
    void get(std::string_view key, std::int64_t& out) {
        auto v = find(key);
        if (!v) return fail();
        auto r = v->to_number<std::int64_t>(ec_);
        if (!ec_) out = r;
    }
    void get(std::string_view key, timestamp& out) {
        auto v = find(key);
        if (!v || !v->is_string()) return fail();
        auto t = parse_timestamp(v->get_string());
        if (t)
            out = *t;
        else
            fail();
    }
    template <class E, class Parse>
    void get_enum(std::string_view key, E& out, Parse parse) {
        auto v = find(key);
        if (!v || !v->is_string()) return fail();
        auto e = parse(v->get_string());
        if (e)
            out = *e;
        else
            fail();
    }

private:
    void fail() {
        if (!ec_) ec_ = make_error_code(errc::invalid_argument);
    }
    const boost::json::object* obj_;
    error_code ec_;
};

inline boost::json::value optional_string(const std::optional<std::string>& s) {
    return s ? boost::json::value(*s) : boost::json::value();
}

} // namespace detail

KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const organization& v) {
    jv = {{"id", v.id},
          {"slug", v.slug},
          {"title", v.title},
          {"createdAt", format_timestamp(v.created_at)},
          {"updatedAt", format_timestamp(v.updated_at)}};
}
KONGFLOW_ENDPOINTS_DECL boost::system::result<organization> tag_invoke(boost::json::try_value_to_tag<organization>,
                                                                       const boost::json::value& jv) {
    organization v;
    detail::json_reader r(jv);
    r.get("id", v.id);
    r.get("slug", v.slug);
    r.get("title", v.title);
    r.get("createdAt", v.created_at);
    r.get("updatedAt", v.updated_at);
    if (!r.ok()) return r.error();
    return v;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const project& v) {
    jv = {{"id", v.id},
          {"slug", v.slug},
          {"name", v.name},
          {"organizationId", v.organization_id},
          {"createdAt", format_timestamp(v.created_at)},
          {"updatedAt", format_timestamp(v.updated_at)}};
}
KONGFLOW_ENDPOINTS_DECL boost::system::result<project> tag_invoke(boost::json::try_value_to_tag<project>,
                                                                  const boost::json::value& jv) {
    project v;
    detail::json_reader r(jv);
    r.get("id", v.id);
    r.get("slug", v.slug);
    r.get("name", v.name);
    r.get("organizationId", v.organization_id);
    r.get("createdAt", v.created_at);
    r.get("updatedAt", v.updated_at);
    if (!r.ok()) return r.error();
    return v;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const environment& v) {
    jv = {{"id", v.id},
          {"slug", v.slug},
          {"apiKey", v.api_key},
          {"type", to_string(v.type)},
          {"organizationId", v.organization_id},
          {"projectId", v.project_id},
          {"createdAt", format_timestamp(v.created_at)},
          {"updatedAt", format_timestamp(v.updated_at)}};
}
KONGFLOW_ENDPOINTS_DECL boost::system::result<environment> tag_invoke(boost::json::try_value_to_tag<environment>,
                                                                      const boost::json::value& jv) {
    environment v;
    detail::json_reader r(jv);
    r.get("id", v.id);
    r.get("slug", v.slug);
    r.get("apiKey", v.api_key);
    r.get_enum("type", v.type, parse_environment_type);
    r.get("organizationId", v.organization_id);
    r.get("projectId", v.project_id);
    r.get("createdAt", v.created_at);
    r.get("updatedAt", v.updated_at);
    if (!r.ok()) return r.error();
    return v;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const endpoint& v) {
    jv = {{"id", v.id},
          {"slug", v.slug},
          {"url", detail::optional_string(v.url)},
          {"environmentId", v.environment_id},
          {"organizationId", v.organization_id},
          {"projectId", v.project_id},
          {"createdAt", format_timestamp(v.created_at)},
          {"updatedAt", format_timestamp(v.updated_at)},
          {"indexingHookIdentifier", detail::optional_string(v.indexing_hook_identifier)},
          {"version", v.version},
          {"sdkVersion", v.sdk_version},
          {"runChunkExecutionLimit", v.run_chunk_execution_limit}};
}
KONGFLOW_ENDPOINTS_DECL boost::system::result<endpoint> tag_invoke(boost::json::try_value_to_tag<endpoint>,
                                                                   const boost::json::value& jv) {
    endpoint v;
    detail::json_reader r(jv);
    r.get("id", v.id);
    r.get("slug", v.slug);
    r.get("url", v.url);
    r.get("environmentId", v.environment_id);
    r.get("organizationId", v.organization_id);
    r.get("projectId", v.project_id);
    r.get("createdAt", v.created_at);
    r.get("updatedAt", v.updated_at);
    r.get("indexingHookIdentifier", v.indexing_hook_identifier);
    r.get("version", v.version);
    r.get("sdkVersion", v.sdk_version);
    if (r.find("runChunkExecutionLimit")) r.get("runChunkExecutionLimit", v.run_chunk_execution_limit);
    if (!r.ok()) return r.error();
    return v;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const endpoint_index& v) {
    jv = {{"id", v.id},
          {"endpointId", v.endpoint_id},
          {"createdAt", format_timestamp(v.created_at)},
          {"updatedAt", format_timestamp(v.updated_at)},
          {"source", to_string(v.source)},
          {"sourceData", v.source_data},
          {"reason", detail::optional_string(v.reason)},
          {"status", to_string(v.status)},
          {"data", v.data},
          {"stats", v.stats},
          {"error", v.error}};
}
KONGFLOW_ENDPOINTS_DECL boost::system::result<endpoint_index> tag_invoke(boost::json::try_value_to_tag<endpoint_index>,
                                                                         const boost::json::value& jv) {
    endpoint_index v;
    detail::json_reader r(jv);
    r.get("id", v.id);
    r.get("endpointId", v.endpoint_id);
    r.get("createdAt", v.created_at);
    r.get("updatedAt", v.updated_at);
    r.get_enum("source", v.source, parse_index_source);
    r.get("sourceData", v.source_data);
    r.get("reason", v.reason);
    r.get_enum("status", v.status, parse_index_status);
    r.get("data", v.data);
    r.get("stats", v.stats);
    r.get("error", v.error);
    if (!r.ok()) return r.error();
    return v;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const registered_job& v) {
    jv = {{"id", v.id},
          {"endpointId", v.endpoint_id},
          {"slug", v.slug},
          {"version", v.version},
          {"definition", v.definition},
          {"enabled", v.enabled},
          {"internal", v.internal},
          {"createdAt", format_timestamp(v.created_at)},
          {"updatedAt", format_timestamp(v.updated_at)}};
}
KONGFLOW_ENDPOINTS_DECL boost::system::result<registered_job> tag_invoke(boost::json::try_value_to_tag<registered_job>,
                                                                         const boost::json::value& jv) {
    registered_job v;
    detail::json_reader r(jv);
    r.get("id", v.id);
    r.get("endpointId", v.endpoint_id);
    r.get("slug", v.slug);
    r.get("version", v.version);
    r.get("definition", v.definition);
    r.get("enabled", v.enabled);
    r.get("internal", v.internal);
    r.get("createdAt", v.created_at);
    r.get("updatedAt", v.updated_at);
    if (!r.ok()) return r.error();
    return v;
}

KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const registration& v) {
    jv = {{"id", v.id},
          {"endpointId", v.endpoint_id},
          {"kind", to_string(v.kind)},
          {"key", v.key},
          {"definition", v.definition},
          {"enabled", v.enabled},
          {"createdAt", format_timestamp(v.created_at)},
          {"updatedAt", format_timestamp(v.updated_at)}};
}
KONGFLOW_ENDPOINTS_DECL boost::system::result<registration> tag_invoke(boost::json::try_value_to_tag<registration>,
                                                                       const boost::json::value& jv) {
    registration v;
    detail::json_reader r(jv);
    r.get("id", v.id);
    r.get("endpointId", v.endpoint_id);
    r.get_enum("kind", v.kind, parse_registration_kind);
    r.get("key", v.key);
    r.get("definition", v.definition);
    r.get("enabled", v.enabled);
    r.get("createdAt", v.created_at);
    r.get("updatedAt", v.updated_at);
    if (!r.ok()) return r.error();
    return v;
}

KONGFLOW_ENDPOINTS_DECL result<std::string> new_api_key(environment_type type) {
    static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string_view prefix = "tr_dev_";
    switch (type) {
    case environment_type::development: prefix = "tr_dev_"; break;
    case environment_type::production: prefix = "tr_prod_"; break;
    case environment_type::staging: prefix = "tr_stg_"; break;
    case environment_type::preview: prefix = "tr_prev_"; break;
    }
    auto r = detail::random_string(alphabet, 24);
    if (!r) return r.error();
    return std::string(prefix) + *r;
}

} // namespace kongflow::endpoints

#endif
