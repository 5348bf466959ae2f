// The repository's rows on PostgreSQL: one reader per table (columns in the order of the
// *_columns lists), undecodable data as a storage failure, never a crash.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_ROWS_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_ROWS_HPP

#include <kongflow/endpoints/json_text.hpp>
#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/postgres/detail/connection.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kongflow::endpoints::postgres::detail {

inline constexpr std::string_view organization_columns = "id, slug, title, created_at, updated_at";
inline constexpr std::string_view project_columns = "id, organization_id, slug, name, created_at, updated_at";
inline constexpr std::string_view environment_columns =
    "id, organization_id, project_id, slug, type, api_key, created_at, updated_at";
inline constexpr std::string_view endpoint_columns =
    "id, slug, url, environment_id, organization_id, project_id, indexing_hook_identifier, version, sdk_version, "
    "run_chunk_execution_limit, created_at, updated_at";
inline constexpr std::string_view index_columns =
    "id, endpoint_id, source, source_data, reason, status, stats, data, error, created_at, updated_at";
inline constexpr std::string_view job_columns =
    "id, endpoint_id, slug, version, definition, enabled, internal, created_at, updated_at";
inline constexpr std::string_view registration_columns =
    "id, endpoint_id, kind, key, definition, enabled, created_at, updated_at";

inline std::int64_t to_db(timestamp t) noexcept { return t.time_since_epoch().count(); }
inline std::optional<std::string> json_to_db(const boost::json::value& v) {
    if (v.is_null()) return std::nullopt;
    return endpoints::json_text(v); // JSON even with 1e400 in it (PostgreSQL refuses "Infinity")
}

class row_reader {
public:
    row_reader(const rows& r, int row) : r_(r), row_(row) {}
    std::string text(int col) const { return std::string(r_.text(row_, col)); }
    std::optional<std::string> optional_text(int col) const { return r_.optional_text(row_, col); }
    std::optional<std::string> optional_bytes(int col) const { return r_.optional_bytes(row_, col); }
    std::int64_t integer(int col) const { return r_.integer(row_, col); }
    bool boolean(int col) const { return r_.boolean(row_, col); }
    timestamp time(int col) const { return timestamp(std::chrono::milliseconds(r_.integer(row_, col))); }
    boost::json::value json(int col) {
        if (r_.is_null(row_, col)) return nullptr;
        boost::system::error_code ec;
        auto v = boost::json::parse(r_.text(row_, col), ec);
        if (ec) bad("invalid JSON in column " + std::to_string(col));
        return v;
    }
    template <class E>
    E enumeration(int col, result<E> (*parse)(std::string_view) noexcept) {
        auto e = parse(r_.text(row_, col));
        if (!e) {
            bad("unknown value " + std::string(r_.text(row_, col)) + " in column " + std::to_string(col));
            return E{};
        }
        return *e;
    }
    const endpoints::error& error() const { return ec_; }

private:
    void bad(std::string what) {
        if (!ec_) ec_ = pg_failure(errc::storage_failure, "corrupt row in the PostgreSQL database: " + what);
    }
    const rows& r_;
    int row_;
    endpoints::error ec_;
};

inline result<organization> read_organization(const rows& rs, int i) {
    row_reader r(rs, i);
    return organization{r.text(0), r.text(1), r.text(2), r.time(3), r.time(4)};
}
inline result<project> read_project(const rows& rs, int i) {
    row_reader r(rs, i);
    return project{r.text(0), r.text(1), r.text(2), r.text(3), r.time(4), r.time(5)};
}
inline result<environment> read_environment(const rows& rs, int i) {
    row_reader r(rs, i);
    environment v{r.text(0), r.text(1), r.text(2), r.text(3), r.enumeration(4, &parse_environment_type),
                  r.text(5), r.time(6), r.time(7)};
    if (r.error()) return r.error();
    return v;
}
inline result<endpoint> read_endpoint(const rows& rs, int i) {
    row_reader r(rs, i);
    endpoint v;
    v.id = r.text(0);
    v.slug = r.text(1);
    v.url = r.optional_text(2);
    v.environment_id = r.text(3);
    v.organization_id = r.text(4);
    v.project_id = r.text(5);
    v.indexing_hook_identifier = r.optional_text(6);
    v.version = r.text(7);
    v.sdk_version = r.text(8);
    v.run_chunk_execution_limit = r.integer(9);
    v.created_at = r.time(10);
    v.updated_at = r.time(11);
    return v;
}
inline result<endpoint_index> read_index(const rows& rs, int i) {
    row_reader r(rs, i);
    endpoint_index v;
    v.id = r.text(0);
    v.endpoint_id = r.text(1);
    v.source = r.enumeration(2, &parse_index_source);
    v.source_data = r.json(3);
    v.reason = r.optional_bytes(4);
    v.status = r.enumeration(5, &parse_index_status);
    v.stats = r.json(6);
    v.data = r.json(7);
    v.error = r.json(8);
    v.created_at = r.time(9);
    v.updated_at = r.time(10);
    if (r.error()) return r.error();
    return v;
}
inline result<registered_job> read_job(const rows& rs, int i) {
    row_reader r(rs, i);
    registered_job v;
    v.id = r.text(0);
    v.endpoint_id = r.text(1);
    v.slug = r.text(2);
    v.version = r.text(3);
    v.definition = r.json(4);
    v.enabled = r.boolean(5);
    v.internal = r.boolean(6);
    v.created_at = r.time(7);
    v.updated_at = r.time(8);
    if (r.error()) return r.error();
    return v;
}
inline result<registration> read_registration(const rows& rs, int i) {
    row_reader r(rs, i);
    registration v;
    v.id = r.text(0);
    v.endpoint_id = r.text(1);
    v.kind = r.enumeration(2, &parse_registration_kind);
    v.key = r.text(3);
    v.definition = r.json(4);
    v.enabled = r.boolean(5);
    v.created_at = r.time(6);
    v.updated_at = r.time(7);
    if (r.error()) return r.error();
    return v;
}

/// Every row of `rs` through `read`.
template <class T>
result<std::vector<T>> read_all(const rows& rs, result<T> (*read)(const rows&, int)) {
    std::vector<T> out;
    out.reserve(static_cast<std::size_t>(rs.size()));
    for (int i = 0; i < rs.size(); ++i) {
        auto v = read(rs, i);
        if (!v) return v.error();
        out.push_back(std::move(*v));
    }
    return out;
}

/// The first row through `read`, or not_found with `what`.
template <class T>
result<T> read_one(const rows& rs, result<T> (*read)(const rows&, int), std::string what) {
    if (rs.empty()) return pg_failure(errc::not_found, std::move(what));
    return read(rs, 0);
}

} // namespace kongflow::endpoints::postgres::detail

#endif
