#ifndef KONGFLOW_ENDPOINTS_POSTGRES_IMPL_REPOSITORY_IPP
#define KONGFLOW_ENDPOINTS_POSTGRES_IMPL_REPOSITORY_IPP

#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/postgres/detail/access.hpp>
#include <kongflow/endpoints/postgres/detail/connection.hpp>
#include <kongflow/endpoints/postgres/detail/rows.hpp>
#include <kongflow/endpoints/postgres/detail/schema.hpp>
#include <kongflow/endpoints/postgres/repository.hpp>

#include <algorithm>
#include <climits>
#include <tuple>

namespace kongflow::endpoints::postgres {
namespace detail {

KONGFLOW_ENDPOINTS_DECL result<std::shared_ptr<pool>> open_pool(const connection_params& p) {
    auto s = make_settings(p);
    if (!s) return s.error();
    auto pl = std::make_shared<pool>(std::move(*s), p.max_connections, p.acquire_timeout);
    auto c = pl->acquire();
    if (!c) return c.error();
    if (auto m = migrate(**c, p.schema); !m) return m.error();
    return pl;
}

inline std::string cols(std::string_view prefix, std::string_view columns, std::string_view rest) {
    std::string s(prefix);
    s += columns;
    s += rest;
    return s;
}

} // namespace detail

namespace pgd = detail;

KONGFLOW_ENDPOINTS_DECL int repository::schema_version() noexcept { return pgd::storage_schema_version; }

KONGFLOW_ENDPOINTS_DECL result<repository> repository::open(const connection_params& p) {
    auto pl = pgd::open_pool(p);
    if (!pl) return pl.error();
    repository r;
    r.pool_ = std::move(*pl);
    return r;
}

template <class F>
auto repository::run(bool read_only, F&& f) -> decltype(f(std::declval<detail::connection&>())) {
    using R = decltype(f(std::declval<detail::connection&>()));
    if (bound_) return f(*bound_);
    for (int attempt = 0;; ++attempt) {
        auto c = pool_->acquire();
        if (!c) return R(boost::system::in_place_error, c.error());
        auto r = f(**c);
        if (r || (*c)->ok()) return r;
        // The connection is gone, and with it (probably) every idle one: the server restarted.
        pool_->drop_idle();
        if (!read_only || attempt > 0) return r;
    }
}

// ---- organizations, projects, environments ----

KONGFLOW_ENDPOINTS_DECL result<organization> repository::create_organization(const create_organization_params& p) {
    if (p.slug.empty()) return pgd::pg_failure(errc::invalid_argument, "an organization needs a slug");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    organization o{*id, p.slug, p.title, p.now.value_or(now_ms()), {}};
    o.updated_at = o.created_at;
    return run(false, [&](pgd::connection& c) -> result<organization> {
        auto r = c.query("INSERT INTO organizations(id, slug, title, created_at, updated_at) VALUES($1, $2, $3, $4, "
                         "$4) ON CONFLICT DO NOTHING RETURNING id",
                         o.id, o.slug, o.title, pgd::to_db(o.created_at));
        if (!r) return r.error();
        if (r->empty()) return pgd::pg_failure(errc::already_exists, "organization slug already exists: " + o.slug);
        return o;
    });
}

KONGFLOW_ENDPOINTS_DECL result<organization> repository::find_organization(const std::string& id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::organization_columns, " FROM organizations WHERE id = $1");
    return run(true, [&](pgd::connection& c) -> result<organization> {
        auto r = c.query(sql, id);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_organization, "no organization " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<organization>> repository::list_organizations() {
    static const std::string sql =
        pgd::cols("SELECT ", pgd::organization_columns, " FROM organizations ORDER BY slug COLLATE \"C\"");
    return run(true, [&](pgd::connection& c) -> result<std::vector<organization>> {
        auto r = c.query(sql);
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_organization);
    });
}

KONGFLOW_ENDPOINTS_DECL result<project> repository::create_project(const create_project_params& p) {
    if (p.slug.empty()) return pgd::pg_failure(errc::invalid_argument, "a project needs a slug");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    project pr{*id, p.organization_id, p.slug, p.name, p.now.value_or(now_ms()), {}};
    pr.updated_at = pr.created_at;
    return run(false, [&](pgd::connection& c) -> result<project> {
        auto r = c.query("INSERT INTO projects(id, organization_id, slug, name, created_at, updated_at) SELECT $1, $2, "
                         "$3, $4, $5, $5 WHERE EXISTS (SELECT 1 FROM organizations WHERE id = $2) ON CONFLICT DO "
                         "NOTHING RETURNING id",
                         pr.id, pr.organization_id, pr.slug, pr.name, pgd::to_db(pr.created_at));
        if (!r) return r.error();
        if (!r->empty()) return pr;
        auto org = c.query("SELECT 1 FROM organizations WHERE id = $1", pr.organization_id);
        if (!org) return org.error();
        if (org->empty()) return pgd::pg_failure(errc::not_found, "no organization " + pr.organization_id);
        return pgd::pg_failure(errc::already_exists, "project slug already exists: " + pr.slug);
    });
}

KONGFLOW_ENDPOINTS_DECL result<project> repository::find_project(const std::string& id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::project_columns, " FROM projects WHERE id = $1");
    return run(true, [&](pgd::connection& c) -> result<project> {
        auto r = c.query(sql, id);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_project, "no project " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<project>> repository::list_projects(const std::string& organization_id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::project_columns,
                                             " FROM projects WHERE organization_id = $1 ORDER BY slug COLLATE \"C\"");
    return run(true, [&](pgd::connection& c) -> result<std::vector<project>> {
        auto r = c.query(sql, organization_id);
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_project);
    });
}

KONGFLOW_ENDPOINTS_DECL result<environment> repository::create_environment(const create_environment_params& p) {
    if (p.slug.empty()) return pgd::pg_failure(errc::invalid_argument, "an environment needs a slug");
    if (p.api_key.empty()) return pgd::pg_failure(errc::invalid_argument, "an environment needs an API key");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    environment e{*id, p.organization_id, p.project_id, p.slug, p.type, p.api_key, p.now.value_or(now_ms()), {}};
    e.updated_at = e.created_at;
    return run(false, [&](pgd::connection& c) -> result<environment> {
        auto r = c.query("INSERT INTO environments(id, organization_id, project_id, slug, type, api_key, created_at, "
                         "updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $7 WHERE EXISTS (SELECT 1 FROM organizations "
                         "WHERE id = $2) AND EXISTS (SELECT 1 FROM projects WHERE id = $3) ON CONFLICT DO NOTHING "
                         "RETURNING id",
                         e.id, e.organization_id, e.project_id, e.slug, to_string(e.type), e.api_key,
                         pgd::to_db(e.created_at));
        if (!r) return r.error();
        if (!r->empty()) return e;
        auto why = c.query("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1) AND EXISTS (SELECT 1 FROM "
                           "projects WHERE id = $2), EXISTS (SELECT 1 FROM environments WHERE api_key = $3)",
                           e.organization_id, e.project_id, e.api_key);
        if (!why) return why.error();
        if (!why->boolean(0, 0)) return pgd::pg_failure(errc::not_found, "no such organization or project");
        // Say which constraint, without echoing the key.
        if (why->boolean(0, 1)) return pgd::pg_failure(errc::already_exists, "the API key is already in use");
        return pgd::pg_failure(errc::already_exists, "environment slug already exists: " + e.slug);
    });
}

KONGFLOW_ENDPOINTS_DECL result<environment> repository::find_environment(const std::string& id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::environment_columns, " FROM environments WHERE id = $1");
    return run(true, [&](pgd::connection& c) -> result<environment> {
        auto r = c.query(sql, id);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_environment, "no environment " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<environment> repository::find_environment_by_api_key(const std::string& key) {
    static const std::string sql =
        pgd::cols("SELECT ", pgd::environment_columns, " FROM environments WHERE api_key = $1");
    return run(true, [&](pgd::connection& c) -> result<environment> {
        auto r = c.query(sql, key);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_environment, "no environment has this API key");
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<environment>> repository::list_environments(const std::string& project_id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::environment_columns,
                                             " FROM environments WHERE project_id = $1 ORDER BY slug COLLATE \"C\"");
    return run(true, [&](pgd::connection& c) -> result<std::vector<environment>> {
        auto r = c.query(sql, project_id);
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_environment);
    });
}

// ---- endpoints ----

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::find_endpoint(const std::string& id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::endpoint_columns, " FROM endpoints WHERE id = $1");
    return run(true, [&](pgd::connection& c) -> result<endpoint> {
        auto r = c.query(sql, id);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_endpoint, "no endpoint " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::find_endpoint_by_slug(const std::string& environment_id,
                                                                           const std::string& slug) {
    static const std::string sql =
        pgd::cols("SELECT ", pgd::endpoint_columns, " FROM endpoints WHERE environment_id = $1 AND slug = $2");
    return run(true, [&](pgd::connection& c) -> result<endpoint> {
        auto r = c.query(sql, environment_id, slug);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_endpoint, "no endpoint " + slug + " in this environment");
    });
}

KONGFLOW_ENDPOINTS_DECL result<upsert_endpoint_result> repository::upsert_endpoint(const upsert_endpoint_params& p) {
    if (p.slug.empty()) return pgd::pg_failure(errc::invalid_argument, "an endpoint needs a slug");
    if (p.url.empty()) return pgd::pg_failure(errc::invalid_argument, "an endpoint needs a url");
    const timestamp now = p.now.value_or(now_ms());
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    std::string hook = p.indexing_hook_identifier;
    if (hook.empty()) {
        auto h = endpoints::detail::new_hook_identifier();
        if (!h) return h.error();
        hook = std::move(*h);
    }
    // Insert, or on (environment, slug) update url and version (an absent version keeps the
    // stored one); the id and hook identifier of an existing row stay, so only an insert returns
    // the new id. A missing environment, organization or project inserts nothing (no error).
    static const std::string sql = pgd::cols(
        "INSERT INTO endpoints(id, slug, url, environment_id, organization_id, project_id, indexing_hook_identifier, "
        "version, created_at, updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, COALESCE($8, $10), $9, $9 WHERE EXISTS "
        "(SELECT 1 FROM environments WHERE id = $4) AND EXISTS (SELECT 1 FROM organizations WHERE id = $5) AND EXISTS "
        "(SELECT 1 FROM projects WHERE id = $6) ON CONFLICT (environment_id, slug) DO UPDATE SET url = excluded.url, "
        "version = COALESCE($8, endpoints.version), updated_at = excluded.updated_at RETURNING ",
        pgd::endpoint_columns, "");
    return run(false, [&](pgd::connection& c) -> result<upsert_endpoint_result> {
        auto r = c.query(sql, *id, p.slug, p.url, p.environment_id, p.organization_id, p.project_id, hook, p.version,
                         pgd::to_db(now), std::string(unknown_version));
        if (!r) return r.error();
        auto row = pgd::read_one(*r, &pgd::read_endpoint, "no such environment, organization or project");
        if (!row) return row.error();
        const bool created = row->id == *id;
        return upsert_endpoint_result{std::move(*row), created};
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::update_endpoint(const update_endpoint_params& p) {
    const timestamp now = p.now.value_or(now_ms());
    static const std::string sql = pgd::cols(
        "UPDATE endpoints SET url = COALESCE($2, url), version = COALESCE($3, version), sdk_version = COALESCE($4, "
        "sdk_version), run_chunk_execution_limit = COALESCE($5::bigint, run_chunk_execution_limit), updated_at = $6 "
        "WHERE id = $1 RETURNING ",
        pgd::endpoint_columns, "");
    return run(false, [&](pgd::connection& c) -> result<endpoint> {
        auto r = c.query(sql, p.id, p.url, p.version, p.sdk_version, p.run_chunk_execution_limit, pgd::to_db(now));
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_endpoint, "no endpoint " + p.id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint>> repository::list_endpoints(const std::string& environment_id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::endpoint_columns,
                                             " FROM endpoints WHERE environment_id = $1 ORDER BY slug COLLATE \"C\"");
    return run(true, [&](pgd::connection& c) -> result<std::vector<endpoint>> {
        auto r = c.query(sql, environment_id);
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_endpoint);
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::delete_endpoint(const std::string& id) {
    const timestamp now = now_ms();
    static const std::string sql = pgd::cols(
        "UPDATE endpoints SET url = NULL, updated_at = $2 WHERE id = $1 RETURNING ", pgd::endpoint_columns, "");
    return run(false, [&](pgd::connection& c) -> result<endpoint> {
        auto r = c.query(sql, id, pgd::to_db(now));
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_endpoint, "no endpoint " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint>>
repository::find_endpoints_for_recurring_index(const recurring_index_params& p) {
    auto has = [&](environment_type t) { return std::find(p.types.begin(), p.types.end(), t) != p.types.end(); };
    static const std::string sql =
        "SELECT e.id, e.slug, e.url, e.environment_id, e.organization_id, e.project_id, e.indexing_hook_identifier, "
        "e.version, e.sdk_version, e.run_chunk_execution_limit, e.created_at, e.updated_at FROM endpoints e JOIN "
        "environments v ON v.id = e.environment_id WHERE e.url IS NOT NULL AND ((v.type = 'DEVELOPMENT' AND $1) OR "
        "(v.type = 'PRODUCTION' AND $2) OR (v.type = 'STAGING' AND $3) OR (v.type = 'PREVIEW' AND $4)) AND NOT EXISTS "
        "(SELECT 1 FROM endpoint_indexes i WHERE i.endpoint_id = e.id AND i.created_at > $5) ORDER BY e.id COLLATE "
        "\"C\"";
    return run(true, [&](pgd::connection& c) -> result<std::vector<endpoint>> {
        auto r = c.query(sql, has(environment_type::development), has(environment_type::production),
                         has(environment_type::staging), has(environment_type::preview), pgd::to_db(p.since));
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_endpoint);
    });
}

// ---- indexes ----

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> repository::create_index(const create_index_params& p) {
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    endpoint_index ix;
    ix.id = std::move(*id);
    ix.endpoint_id = p.endpoint_id;
    ix.source = p.source;
    ix.source_data = p.source_data;
    ix.reason = p.reason;
    ix.status = p.status;
    ix.created_at = ix.updated_at = p.now.value_or(now_ms());
    std::optional<pgd::bytes> reason;
    if (ix.reason) reason.emplace(pgd::bytes{*ix.reason});
    return run(false, [&](pgd::connection& c) -> result<endpoint_index> {
        auto r = c.query("INSERT INTO endpoint_indexes(id, endpoint_id, source, source_data, reason, status, "
                         "created_at, updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $7 WHERE EXISTS (SELECT 1 FROM "
                         "endpoints WHERE id = $2) RETURNING seq",
                         ix.id, ix.endpoint_id, to_string(ix.source), pgd::json_to_db(ix.source_data), reason,
                         to_string(ix.status), pgd::to_db(ix.created_at));
        if (!r) return r.error();
        if (r->empty()) return pgd::pg_failure(errc::not_found, "no endpoint " + p.endpoint_id);
        return ix;
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> repository::update_index(const update_index_params& p) {
    const timestamp now = p.now.value_or(now_ms());
    auto json_or_null = [](const std::optional<boost::json::value>& v) {
        return v ? pgd::json_to_db(*v) : std::optional<std::string>();
    };
    std::optional<std::string> status;
    if (p.status) status = std::string(to_string(*p.status));
    static const std::string sql = pgd::cols(
        "UPDATE endpoint_indexes SET status = COALESCE($2, status), stats = CASE WHEN $3 THEN $4 ELSE stats END, data "
        "= CASE WHEN $5 THEN $6 ELSE data END, error = CASE WHEN $7 THEN $8 ELSE error END, updated_at = $9 WHERE id "
        "= $1 RETURNING ",
        pgd::index_columns, "");
    return run(false, [&](pgd::connection& c) -> result<endpoint_index> {
        auto r = c.query(sql, p.id, status, p.stats.has_value(), json_or_null(p.stats), p.data.has_value(),
                         json_or_null(p.data), p.error.has_value(), json_or_null(p.error), pgd::to_db(now));
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_index, "no endpoint index " + p.id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> repository::find_index(const std::string& id) {
    static const std::string sql = pgd::cols("SELECT ", pgd::index_columns, " FROM endpoint_indexes WHERE id = $1");
    return run(true, [&](pgd::connection& c) -> result<endpoint_index> {
        auto r = c.query(sql, id);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_index, "no endpoint index " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint_index>> repository::list_indexes(const std::string& endpoint_id,
                                                                                     std::size_t limit) {
    return last_indexes(last_indexes_params{endpoint_id, limit, std::nullopt});
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint_index>> repository::last_indexes(const last_indexes_params& p) {
    const auto limit = static_cast<std::int64_t>(std::min<std::size_t>(p.n, INT64_MAX));
    static const std::string sql =
        pgd::cols("SELECT ", pgd::index_columns,
                  " FROM endpoint_indexes WHERE endpoint_id = $1 AND ($2::text IS NULL OR id <> $2) ORDER BY "
                  "created_at DESC, seq DESC LIMIT $3");
    return run(true, [&](pgd::connection& c) -> result<std::vector<endpoint_index>> {
        auto r = c.query(sql, p.endpoint_id, p.excluding_index_id, limit);
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_index);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> repository::purge_indexes_older_than(timestamp cutoff) {
    return run(false, [&](pgd::connection& c) -> result<std::size_t> {
        auto r = c.query("DELETE FROM endpoint_indexes WHERE created_at < $1", pgd::to_db(cutoff));
        if (!r) return r.error();
        return r->affected();
    });
}

// ---- registrations ----

KONGFLOW_ENDPOINTS_DECL result<registered_job> repository::upsert_job(const upsert_job_params& p) {
    if (p.slug.empty()) return pgd::pg_failure(errc::invalid_argument, "a job needs a slug");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    const timestamp now = p.now.value_or(now_ms());
    return run(false, [&](pgd::connection& c) -> result<registered_job> {
        auto r = c.query(
            "INSERT INTO registered_jobs(id, endpoint_id, slug, version, definition, enabled, internal, created_at, "
            "updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $8 WHERE EXISTS (SELECT 1 FROM endpoints WHERE id = "
            "$2) ON CONFLICT (endpoint_id, slug) DO UPDATE SET version = excluded.version, definition = "
            "excluded.definition, enabled = excluded.enabled, internal = excluded.internal, updated_at = "
            "excluded.updated_at RETURNING id, created_at",
            *id, p.endpoint_id, p.slug, p.version, pgd::json_to_db(p.definition), p.enabled, p.internal,
            pgd::to_db(now));
        if (!r) return r.error();
        if (r->empty()) return pgd::pg_failure(errc::not_found, "no endpoint " + p.endpoint_id);
        return registered_job{std::string(r->text(0, 0)),
                              p.endpoint_id,
                              p.slug,
                              p.version,
                              p.definition,
                              p.enabled,
                              p.internal,
                              timestamp(std::chrono::milliseconds(r->integer(0, 1))),
                              now};
    });
}

KONGFLOW_ENDPOINTS_DECL result<bool> repository::disable_job(const disable_job_params& p) {
    const timestamp now = p.now.value_or(now_ms());
    return run(false, [&](pgd::connection& c) -> result<bool> {
        auto r = c.query("WITH j AS (SELECT id, enabled, version FROM registered_jobs WHERE endpoint_id = $1 AND slug "
                         "= $2 FOR UPDATE), u AS (UPDATE registered_jobs r SET enabled = false, updated_at = $4 FROM j "
                         "WHERE r.id = j.id AND j.enabled AND ($3::text IS NULL OR j.version = $3) RETURNING r.id) "
                         "SELECT (SELECT count(*) FROM j), (SELECT count(*) FROM u)",
                         p.endpoint_id, p.slug, p.version, pgd::to_db(now));
        if (!r) return {boost::system::in_place_error, r.error()};
        if (r->integer(0, 0) == 0)
            return {boost::system::in_place_error, pgd::pg_failure(errc::not_found, "no job " + p.slug)};
        return r->integer(0, 1) > 0;
    });
}

KONGFLOW_ENDPOINTS_DECL result<registered_job> repository::find_job(const std::string& endpoint_id,
                                                                    const std::string& slug) {
    static const std::string sql =
        pgd::cols("SELECT ", pgd::job_columns, " FROM registered_jobs WHERE endpoint_id = $1 AND slug = $2");
    return run(true, [&](pgd::connection& c) -> result<registered_job> {
        auto r = c.query(sql, endpoint_id, slug);
        if (!r) return r.error();
        return pgd::read_one(*r, &pgd::read_job, "no job " + slug);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<registered_job>> repository::list_jobs(const std::string& endpoint_id) {
    static const std::string sql = pgd::cols(
        "SELECT ", pgd::job_columns, " FROM registered_jobs WHERE endpoint_id = $1 ORDER BY slug COLLATE \"C\"");
    return run(true, [&](pgd::connection& c) -> result<std::vector<registered_job>> {
        auto r = c.query(sql, endpoint_id);
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_job);
    });
}

KONGFLOW_ENDPOINTS_DECL result<registration> repository::upsert_registration(const upsert_registration_params& p) {
    if (p.key.empty()) return pgd::pg_failure(errc::invalid_argument, "a registration needs a key");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    const timestamp now = p.now.value_or(now_ms());
    return run(false, [&](pgd::connection& c) -> result<registration> {
        auto r = c.query(
            "INSERT INTO registrations(id, endpoint_id, kind, key, definition, enabled, created_at, "
            "updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $7 WHERE EXISTS (SELECT 1 FROM endpoints WHERE "
            "id = $2) ON CONFLICT (endpoint_id, kind, key) DO UPDATE SET definition = excluded.definition, "
            "enabled = excluded.enabled, updated_at = excluded.updated_at RETURNING id, created_at",
            *id, p.endpoint_id, to_string(p.kind), p.key, pgd::json_to_db(p.definition), p.enabled, pgd::to_db(now));
        if (!r) return r.error();
        if (r->empty()) return pgd::pg_failure(errc::not_found, "no endpoint " + p.endpoint_id);
        return registration{std::string(r->text(0, 0)),
                            p.endpoint_id,
                            p.kind,
                            p.key,
                            p.definition,
                            p.enabled,
                            timestamp(std::chrono::milliseconds(r->integer(0, 1))),
                            now};
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<registration>>
repository::list_registrations(const std::string& endpoint_id, std::optional<registration_kind> kind) {
    std::optional<std::string> k;
    if (kind) k = std::string(to_string(*kind));
    static const std::string sql = pgd::cols("SELECT ", pgd::registration_columns,
                                             " FROM registrations WHERE endpoint_id = $1 AND ($2::text IS NULL OR "
                                             "kind = $2)");
    auto out = run(true, [&](pgd::connection& c) -> result<std::vector<registration>> {
        auto r = c.query(sql, endpoint_id, k);
        if (!r) return r.error();
        return pgd::read_all(*r, &pgd::read_registration);
    });
    if (out) // the kind order is the enum's, not the names' alphabetical order
        std::sort(out->begin(), out->end(), [](const registration& a, const registration& b) {
            return std::tie(a.kind, a.key) < std::tie(b.kind, b.key);
        });
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<void> repository::delete_registration(const std::string& endpoint_id,
                                                                     registration_kind kind, const std::string& key) {
    return run(false, [&](pgd::connection& c) -> result<void> {
        auto r = c.query("DELETE FROM registrations WHERE endpoint_id = $1 AND kind = $2 AND key = $3", endpoint_id,
                         to_string(kind), key);
        if (!r) return r.error();
        if (r->affected() == 0) return pgd::pg_failure(errc::not_found, "no registration " + key);
        return {};
    });
}

} // namespace kongflow::endpoints::postgres

#endif
