// The repository's rows: values to and from columns, a row reader that turns undecodable data into
// a storage failure (never a crash), one reader per table, and the statement helpers.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_DETAIL_ROWS_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_DETAIL_ROWS_HPP

#include <kongflow/endpoints/json_text.hpp>
#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/sqlite/detail/connection.hpp>
#include <kongflow/endpoints/sqlite/detail/errors.hpp>
#include <kongflow/endpoints/storage/repository.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kongflow::endpoints::sqlite::detail {

// ---- values <-> columns ----

inline std::int64_t to_db(timestamp t) noexcept { return t.time_since_epoch().count(); }
inline timestamp from_db_time(std::int64_t v) noexcept { return timestamp(std::chrono::milliseconds(v)); }
inline std::optional<std::string> json_to_db(const boost::json::value& v) {
    if (v.is_null()) return std::nullopt;
    return endpoints::json_text(v); // readable back even with 1e400 in it
}

// Reads the current row into a value; a row we cannot decode means the file was changed by
// something else, which is a storage failure, not a crash.
class row_reader {
public:
    explicit row_reader(const detail::statement& st) : st_(st) {}
    std::string text(int col) const { return std::string(st_.get_text(col)); }
    std::optional<std::string> optional_text(int col) const { return st_.get_optional_text(col); }
    std::int64_t integer(int col) const { return st_.get_int64(col); }
    bool boolean(int col) const { return st_.get_int64(col) != 0; }
    timestamp time(int col) const { return from_db_time(st_.get_int64(col)); }
    boost::json::value json(int col) {
        if (st_.is_null(col)) return nullptr;
        boost::system::error_code ec;
        auto v = boost::json::parse(st_.get_text(col), ec);
        if (ec) bad("invalid JSON in column " + std::to_string(col));
        return v;
    }
    template <class E>
    E enumeration(int col, result<E> (*parse)(std::string_view) noexcept) {
        auto e = parse(st_.get_text(col));
        if (!e) {
            bad("unknown value " + std::string(st_.get_text(col)) + " in column " + std::to_string(col));
            return E{};
        }
        return *e;
    }
    const endpoints::error& error() const { return ec_; }

private:
    void bad(std::string what) {
        if (!ec_) ec_ = sqlite_set_failure(errc::storage_failure, "corrupt row in the SQLite database: " + what);
    }
    const detail::statement& st_;
    endpoints::error ec_;
};

inline result<organization> read_organization(const detail::statement& st) {
    row_reader r(st);
    organization v{r.text(0), r.text(1), r.text(2), r.time(3), r.time(4)};
    return v;
}
inline result<project> read_project(const detail::statement& st) {
    row_reader r(st);
    return project{r.text(0), r.text(1), r.text(2), r.text(3), r.time(4), r.time(5)};
}
inline result<environment> read_environment(const detail::statement& st) {
    row_reader r(st);
    environment v{r.text(0), r.text(1), r.text(2), r.text(3), r.enumeration(4, &parse_environment_type),
                  r.text(5), r.time(6), r.time(7)};
    if (r.error()) return r.error();
    return v;
}
inline result<endpoint> read_endpoint(const detail::statement& st) {
    row_reader r(st);
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
inline result<endpoint_index> read_index(const detail::statement& st) {
    row_reader r(st);
    endpoint_index v;
    v.id = r.text(0);
    v.endpoint_id = r.text(1);
    v.source = r.enumeration(2, &parse_index_source);
    v.source_data = r.json(3);
    v.reason = r.optional_text(4);
    v.status = r.enumeration(5, &parse_index_status);
    v.stats = r.json(6);
    v.data = r.json(7);
    v.error = r.json(8);
    v.created_at = r.time(9);
    v.updated_at = r.time(10);
    if (r.error()) return r.error();
    return v;
}
inline result<registered_job> read_job(const detail::statement& st) {
    row_reader r(st);
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
/// What an upsert reads back: the id the row keeps (an update keeps the old one) and
/// when it was first written.
struct upserted_row {
    std::string id;
    timestamp created_at;
};
inline result<upserted_row> read_upserted_row(const detail::statement& st) {
    row_reader r(st);
    upserted_row v{r.text(0), r.time(1)};
    if (r.error()) return r.error();
    return v;
}
inline result<registration> read_registration(const detail::statement& st) {
    row_reader r(st);
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

// ---- statement helpers ----

/// Runs a statement that returns no rows; returns the number of changed rows.
template <class... Args>
result<std::int64_t> sql_exec(detail::connection& c, std::string_view sql, const Args&... args) {
    auto st = c.cached(sql);
    if (!st) return sqlite_fail(c, st.error(), "preparing a statement");
    (*st)->bind_all(args...);
    if (auto r = (*st)->run(); !r) return sqlite_fail(c, r.error(), "writing to the database");
    return c.changes();
}

/// The first row, or nullopt.
template <class T, class... Args>
result<std::optional<T>> sql_one(detail::connection& c, result<T> (*read)(const detail::statement&),
                                 std::string_view sql, const Args&... args) {
    auto st = c.cached(sql);
    if (!st) return sqlite_fail(c, st.error(), "preparing a statement");
    (*st)->bind_all(args...);
    auto row = (*st)->step();
    if (!row) return sqlite_fail(c, row.error(), "reading from the database");
    if (!*row) return std::optional<T>();
    auto v = read(**st);
    if (!v) return v.error();
    return std::optional<T>(std::move(*v));
}

template <class T, class... Args>
result<std::vector<T>> sql_all(detail::connection& c, result<T> (*read)(const detail::statement&), std::string_view sql,
                               const Args&... args) {
    auto st = c.cached(sql);
    if (!st) return sqlite_fail(c, st.error(), "preparing a statement");
    (*st)->bind_all(args...);
    std::vector<T> out;
    for (;;) {
        auto row = (*st)->step();
        if (!row) return sqlite_fail(c, row.error(), "reading from the database");
        if (!*row) return out;
        auto v = read(**st);
        if (!v) return v.error();
        out.push_back(std::move(*v));
    }
}

/// `one` as a value, or not_found with `what` in the diagnostics.
template <class T>
result<T> required(result<std::optional<T>> one, std::string what) {
    if (!one) return one.error();
    if (!*one) return sqlite_set_failure(errc::not_found, std::move(what));
    return std::move(**one);
}

/// The second half of an upsert of something an endpoint owns (a job, a registration): a missing
/// endpoint becomes not_found, else `select_sql` reads back what the row keeps (its id and
/// creation time; the rest is what was just written, so nothing is parsed back).
template <class... Keys>
result<upserted_row> kept_after_upsert(detail::connection& c, const result<std::int64_t>& written,
                                       const std::string& endpoint_id, std::string_view what,
                                       std::string_view select_sql, const Keys&... keys) {
    if (!written) {
        if (written.error() == errc::not_found)
            return sqlite_set_failure(errc::not_found, "no endpoint " + endpoint_id);
        return written.error();
    }
    return required(sql_one(c, &read_upserted_row, select_sql, keys...),
                    "the " + std::string(what) + " upsert left no row");
}

inline result<int> storage_version(detail::connection& c) {
    auto st = c.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kongflow_schema'");
    if (!st) return sqlite_fail(c, st.error(), "reading the schema version");
    auto row = st->step();
    if (!row) return sqlite_fail(c, row.error(), "reading the schema version");
    if (st->get_int64(0) == 0) return 0;
    auto v = c.prepare("SELECT version FROM kongflow_schema WHERE component = 'storage'");
    if (!v) return sqlite_fail(c, v.error(), "reading the schema version");
    auto vr = v->step();
    if (!vr) return sqlite_fail(c, vr.error(), "reading the schema version");
    return *vr ? static_cast<int>(v->get_int64(0)) : 0;
}

/// The storage component's migrations: applies what is missing, or errc::schema_too_new. Writes

} // namespace kongflow::endpoints::sqlite::detail

#endif
