#ifndef KONGFLOW_ENDPOINTS_SQLITE_IMPL_REPOSITORY_IPP
#define KONGFLOW_ENDPOINTS_SQLITE_IMPL_REPOSITORY_IPP

#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/sqlite/detail/access.hpp>
#include <kongflow/endpoints/sqlite/detail/errors.hpp>
#include <kongflow/endpoints/sqlite/detail/pool.hpp>
#include <kongflow/endpoints/sqlite/detail/rows.hpp>
#include <kongflow/endpoints/sqlite/detail/schema.hpp>
#include <kongflow/endpoints/sqlite/repository.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <thread>

namespace kongflow::endpoints::sqlite {
namespace detail {

KONGFLOW_ENDPOINTS_DECL result<void> begin_immediate(detail::connection& c, std::chrono::milliseconds budget) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    c.yield_to_checkpoint();
    for (int attempt = 0;; ++attempt) {
        auto r = c.exec_cached("BEGIN IMMEDIATE");
        if (r || !sqlite_is_busy(r.error().value()) || std::chrono::steady_clock::now() >= deadline) return r;
        sqlite_backoff(attempt);
    }
}

KONGFLOW_ENDPOINTS_DECL result<void> commit(detail::connection& c, std::chrono::milliseconds budget) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    for (int attempt = 0;; ++attempt) {
        auto r = c.exec_cached("COMMIT");
        if (r) return r;
        if (!sqlite_is_busy(r.error().value()) || std::chrono::steady_clock::now() >= deadline) return r;
        sqlite_backoff(attempt);
    }
}

#define KF_ORG_COLS "id, slug, title, created_at, updated_at"
#define KF_PROJECT_COLS "id, organization_id, slug, name, created_at, updated_at"
#define KF_ENV_COLS "id, organization_id, project_id, slug, type, api_key, created_at, updated_at"
#define KF_ENDPOINT_COLS                                                                                               \
    "id, slug, url, environment_id, organization_id, project_id, indexing_hook_identifier, version, "                  \
    "sdk_version, run_chunk_execution_limit, created_at, updated_at"
#define KF_INDEX_COLS "id, endpoint_id, source, source_data, reason, status, stats, data, error, created_at, updated_at"
#define KF_JOB_COLS "id, endpoint_id, slug, version, definition, enabled, internal, created_at, updated_at"
#define KF_REG_COLS "id, endpoint_id, kind, key, definition, enabled, created_at, updated_at"

KONGFLOW_ENDPOINTS_DECL result<int> migrate_storage(connection& c) {
    auto current = storage_version(c);
    if (!current) return current;
    const int latest = storage_migrations.back().version;
    if (*current > latest)
        return sqlite_set_failure(errc::schema_too_new, "the database has storage schema version " +
                                                            std::to_string(*current) +
                                                            "; this library supports up to " + std::to_string(latest) +
                                                            ": upgrade the library or use another file");
    if (*current == latest) return latest; // nothing to write: read-only files open too
    auto r = migrate(c, "storage", storage_migrations);
    if (!r) {
        if (r.error() == errc::schema_too_new) // another process upgraded it meanwhile
            return sqlite_set_failure(errc::schema_too_new,
                                      "the database storage schema is newer than this library supports");
        // A read-only file lands here too: say what needed writing.
        return sqlite_fail(c, r.error(),
                           "upgrading the storage schema from version " + std::to_string(*current) + " to " +
                               std::to_string(latest));
    }
    return r;
}

} // namespace detail

// ---- open ----

KONGFLOW_ENDPOINTS_DECL int repository::schema_version() noexcept { return detail::storage_migrations.back().version; }

KONGFLOW_ENDPOINTS_DECL result<repository> repository::open(const std::string& path, const file_params& file,
                                                            const repository_params& p) {
    if (auto bad = detail::settings_error(file.synchronous, file.page_size); !bad.empty())
        return error(errc::invalid_argument, diagnostics(path + ": " + bad));
    repository repo;
    repo.pool_ = std::make_shared<detail::pool>(path, file, p.max_idle_connections);
    diagnostics diag;
    auto c = repo.pool_->acquire(diag);
    if (!c) return error(errc::storage_failure, diag);
    auto m = detail::migrate_storage(**c);
    if (!m) {
        diag = m.error().diag();
        diag.set_client_message(path + ": " + std::string(diag.client_message()));
        return error(m.error().code(), diag);
    }
    return repo;
}

template <class F>
auto repository::read(F&& f) -> decltype(f(std::declval<detail::connection&>())) {
    using R = decltype(f(std::declval<detail::connection&>()));
    if (bound_) return f(*bound_);
    diagnostics d;
    auto c = pool_->acquire(d);
    if (!c)
        return R(boost::system::in_place_error,
                 detail::sqlite_set_failure(errc::storage_failure, std::string(d.client_message()),
                                            std::string(d.server_message())));
    const auto deadline = std::chrono::steady_clock::now() + pool_->params().busy_timeout;
    for (int attempt = 0;; ++attempt) {
        (*c)->set_failure_rc(0);
        auto r = f(**c);
        if (r || !detail::sqlite_is_busy((*c)->failure_rc()) || std::chrono::steady_clock::now() >= deadline) return r;
        detail::sqlite_backoff(attempt);
    }
}

template <class F>
auto repository::write(F&& f) -> decltype(f(std::declval<detail::connection&>())) {
    using R = decltype(f(std::declval<detail::connection&>()));
    if (bound_) return f(*bound_);
    diagnostics d;
    auto c = pool_->acquire(d);
    if (!c)
        return R(boost::system::in_place_error,
                 detail::sqlite_set_failure(errc::storage_failure, std::string(d.client_message()),
                                            std::string(d.server_message())));
    const auto budget = pool_->params().busy_timeout;
    if (auto b = detail::begin_immediate(**c, budget); !b)
        return R(boost::system::in_place_error, detail::sqlite_fail(**c, b.error(), "starting a write transaction"));
    auto r = f(**c);
    if (!r) {
        if ((*c)->in_transaction()) (void)(*c)->exec("ROLLBACK");
        return r;
    }
    if (auto cm = detail::commit(**c, budget); !cm) {
        auto ec = detail::sqlite_fail(**c, cm.error(), "committing"); // before ROLLBACK replaces errmsg
        if ((*c)->in_transaction()) (void)(*c)->exec("ROLLBACK");
        return R(boost::system::in_place_error, ec);
    }
    return r;
}

// ---- organizations, projects, environments ----

KONGFLOW_ENDPOINTS_DECL result<organization> repository::create_organization(const create_organization_params& p) {
    if (p.slug.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "an organization needs a slug");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    organization o{*id, p.slug, p.title, p.now.value_or(now_ms()), {}};
    o.updated_at = o.created_at;
    return write([&](detail::connection& c) -> result<organization> {
        auto r = detail::sql_exec(c, "INSERT INTO kf_organizations(" KF_ORG_COLS ") VALUES(?1, ?2, ?3, ?4, ?5)", o.id,
                                  o.slug, o.title, detail::to_db(o.created_at), detail::to_db(o.updated_at));
        if (!r) return r.error();
        return o;
    });
}

KONGFLOW_ENDPOINTS_DECL result<organization> repository::find_organization(const std::string& id) {
    return read([&](detail::connection& c) {
        return detail::required(detail::sql_one(c, &detail::read_organization,
                                                "SELECT " KF_ORG_COLS " FROM kf_organizations WHERE id = ?1", id),
                                "no organization " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<organization>> repository::list_organizations() {
    return read([&](detail::connection& c) {
        return detail::sql_all(c, &detail::read_organization,
                               "SELECT " KF_ORG_COLS " FROM kf_organizations ORDER BY slug");
    });
}

KONGFLOW_ENDPOINTS_DECL result<project> repository::create_project(const create_project_params& p) {
    if (p.slug.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "a project needs a slug");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    project pr{*id, p.organization_id, p.slug, p.name, p.now.value_or(now_ms()), {}};
    pr.updated_at = pr.created_at;
    return write([&](detail::connection& c) -> result<project> {
        auto r = detail::sql_exec(c, "INSERT INTO kf_projects(" KF_PROJECT_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                                  pr.id, pr.organization_id, pr.slug, pr.name, detail::to_db(pr.created_at),
                                  detail::to_db(pr.updated_at));
        if (!r) return r.error();
        return pr;
    });
}

KONGFLOW_ENDPOINTS_DECL result<project> repository::find_project(const std::string& id) {
    return read([&](detail::connection& c) {
        return detail::required(
            detail::sql_one(c, &detail::read_project, "SELECT " KF_PROJECT_COLS " FROM kf_projects WHERE id = ?1", id),
            "no project " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<project>> repository::list_projects(const std::string& organization_id) {
    return read([&](detail::connection& c) {
        return detail::sql_all(c, &detail::read_project,
                               "SELECT " KF_PROJECT_COLS " FROM kf_projects WHERE organization_id = ?1 ORDER BY slug",
                               organization_id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<environment> repository::create_environment(const create_environment_params& p) {
    if (p.slug.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "an environment needs a slug");
    if (p.api_key.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "an environment needs an API key");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    environment e{*id, p.organization_id, p.project_id, p.slug, p.type, p.api_key, p.now.value_or(now_ms()), {}};
    e.updated_at = e.created_at;
    return write([&](detail::connection& c) -> result<environment> {
        auto r =
            detail::sql_exec(c, "INSERT INTO kf_environments(" KF_ENV_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                             e.id, e.organization_id, e.project_id, e.slug, to_string(e.type), e.api_key,
                             detail::to_db(e.created_at), detail::to_db(e.updated_at));
        if (!r) {
            if (r.error() == errc::already_exists) {
                // Say which constraint, without echoing the key.
                error failed = r.error();
                bool key = failed.diag().server_message().find("api_key") != std::string_view::npos;
                failed.diag().set_client_message(key ? "the API key is already in use"
                                                     : "environment slug already exists: " + e.slug);
                return failed;
            }
            if (r.error() == errc::not_found)
                return detail::sqlite_set_failure(errc::not_found, "no such organization or project");
            return r.error();
        }
        return e;
    });
}

KONGFLOW_ENDPOINTS_DECL result<environment> repository::find_environment(const std::string& id) {
    return read([&](detail::connection& c) {
        return detail::required(detail::sql_one(c, &detail::read_environment,
                                                "SELECT " KF_ENV_COLS " FROM kf_environments WHERE id = ?1", id),
                                "no environment " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<environment> repository::find_environment_by_api_key(const std::string& key) {
    return read([&](detail::connection& c) {
        return detail::required(detail::sql_one(c, &detail::read_environment,
                                                "SELECT " KF_ENV_COLS " FROM kf_environments WHERE api_key = ?1", key),
                                "no environment has this API key");
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<environment>> repository::list_environments(const std::string& project_id) {
    return read([&](detail::connection& c) {
        return detail::sql_all(c, &detail::read_environment,
                               "SELECT " KF_ENV_COLS " FROM kf_environments WHERE project_id = ?1 ORDER BY slug",
                               project_id);
    });
}

// ---- endpoints ----

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::find_endpoint(const std::string& id) {
    return read([&](detail::connection& c) {
        return detail::required(detail::sql_one(c, &detail::read_endpoint,
                                                "SELECT " KF_ENDPOINT_COLS " FROM kf_endpoints WHERE id = ?1", id),
                                "no endpoint " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::find_endpoint_by_slug(const std::string& environment_id,
                                                                           const std::string& slug) {
    return read([&](detail::connection& c) {
        return detail::required(detail::sql_one(c, &detail::read_endpoint,
                                                "SELECT " KF_ENDPOINT_COLS
                                                " FROM kf_endpoints WHERE environment_id = ?1 AND slug = ?2",
                                                environment_id, slug),
                                "no endpoint " + slug + " in this environment");
    });
}

KONGFLOW_ENDPOINTS_DECL result<upsert_endpoint_result> repository::upsert_endpoint(const upsert_endpoint_params& p) {
    if (p.slug.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "an endpoint needs a slug");
    if (p.url.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "an endpoint needs a url");
    const timestamp now = p.now.value_or(now_ms());
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    std::string hook = p.indexing_hook_identifier;
    if (hook.empty()) {
        auto h = endpoints::detail::new_hook_identifier();
        if (!h) return h.error();
        hook = std::move(*h);
    }
    return write([&](detail::connection& c) -> result<upsert_endpoint_result> {
        // Insert, or on (environment, slug) update url and version (an absent version keeps the
        // stored one); the id and hook identifier of an existing row stay. The row read back tells
        // which happened: only an insert takes the new id. Two statements rather than RETURNING,
        // which SQLite runs through a temporary b-tree: the read through the unique index costs less.
        auto w =
            detail::sql_exec(c,
                             "INSERT INTO kf_endpoints(id, slug, url, environment_id, organization_id, project_id, "
                             "indexing_hook_identifier, version, created_at, updated_at) "
                             "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, ?10), ?9, ?9) "
                             "ON CONFLICT(environment_id, slug) DO UPDATE SET url = excluded.url, "
                             "version = COALESCE(?8, version), updated_at = excluded.updated_at",
                             *id, p.slug, p.url, p.environment_id, p.organization_id, p.project_id, hook, p.version,
                             detail::to_db(now), unknown_version);
        if (!w) {
            if (w.error() == errc::not_found)
                return detail::sqlite_set_failure(errc::not_found, "no such environment, organization or project");
            return w.error();
        }
        auto row =
            detail::required(detail::sql_one(c, &detail::read_endpoint,
                                             "SELECT " KF_ENDPOINT_COLS " FROM kf_endpoints WHERE environment_id = ?1 "
                                             "AND slug = ?2",
                                             p.environment_id, p.slug),
                             "the endpoint upsert left no row");
        if (!row) return row.error();
        const bool created = row->id == *id;
        return upsert_endpoint_result{std::move(*row), created};
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::update_endpoint(const update_endpoint_params& p) {
    const timestamp now = p.now.value_or(now_ms());
    return write([&](detail::connection& c) -> result<endpoint> {
        auto r =
            detail::sql_exec(c,
                             "UPDATE kf_endpoints SET url = COALESCE(?2, url), version = COALESCE(?3, version), "
                             "sdk_version = COALESCE(?4, sdk_version), run_chunk_execution_limit = "
                             "COALESCE(?5, run_chunk_execution_limit), updated_at = ?6 WHERE id = ?1",
                             p.id, p.url, p.version, p.sdk_version, p.run_chunk_execution_limit, detail::to_db(now));
        if (!r) return r.error();
        if (*r == 0) return detail::sqlite_set_failure(errc::not_found, "no endpoint " + p.id);
        return detail::required(detail::sql_one(c, &detail::read_endpoint,
                                                "SELECT " KF_ENDPOINT_COLS " FROM kf_endpoints WHERE id = ?1", p.id),
                                "no endpoint " + p.id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint>> repository::list_endpoints(const std::string& environment_id) {
    return read([&](detail::connection& c) {
        return detail::sql_all(c, &detail::read_endpoint,
                               "SELECT " KF_ENDPOINT_COLS " FROM kf_endpoints WHERE environment_id = ?1 ORDER BY slug",
                               environment_id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> repository::delete_endpoint(const std::string& id) {
    const timestamp now = now_ms();
    return write([&](detail::connection& c) -> result<endpoint> {
        auto r = detail::sql_exec(c, "UPDATE kf_endpoints SET url = NULL, updated_at = ?2 WHERE id = ?1", id,
                                  detail::to_db(now));
        if (!r) return r.error();
        if (*r == 0) return detail::sqlite_set_failure(errc::not_found, "no endpoint " + id);
        return detail::required(detail::sql_one(c, &detail::read_endpoint,
                                                "SELECT " KF_ENDPOINT_COLS " FROM kf_endpoints WHERE id = ?1", id),
                                "no endpoint " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint>>
repository::find_endpoints_for_recurring_index(const recurring_index_params& p) {
    auto has = [&](environment_type t) { return std::find(p.types.begin(), p.types.end(), t) != p.types.end(); };
    return read([&](detail::connection& c) {
        return detail::sql_all(
            c, &detail::read_endpoint,
            "SELECT e.id, e.slug, e.url, e.environment_id, e.organization_id, e.project_id, "
            "e.indexing_hook_identifier, e.version, e.sdk_version, e.run_chunk_execution_limit, e.created_at, "
            "e.updated_at FROM kf_endpoints e JOIN kf_environments v ON v.id = e.environment_id "
            "WHERE e.url IS NOT NULL AND ((v.type = 'DEVELOPMENT' AND ?1) OR (v.type = 'PRODUCTION' AND ?2) OR "
            "(v.type = 'STAGING' AND ?3) OR (v.type = 'PREVIEW' AND ?4)) AND NOT EXISTS (SELECT 1 FROM "
            "kf_endpoint_indexes i WHERE i.endpoint_id = e.id AND i.created_at > ?5) ORDER BY e.id",
            has(environment_type::development), has(environment_type::production), has(environment_type::staging),
            has(environment_type::preview), detail::to_db(p.since));
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
    return write([&](detail::connection& c) -> result<endpoint_index> {
        auto r = detail::sql_exec(c,
                                  "INSERT INTO kf_endpoint_indexes(id, endpoint_id, source, source_data, reason, "
                                  "status, created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                                  ix.id, ix.endpoint_id, to_string(ix.source), detail::json_to_db(ix.source_data),
                                  ix.reason, to_string(ix.status), detail::to_db(ix.created_at));
        if (!r) {
            if (r.error() == errc::not_found)
                return detail::sqlite_set_failure(errc::not_found, "no endpoint " + p.endpoint_id);
            return r.error();
        }
        return ix;
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> repository::update_index(const update_index_params& p) {
    const timestamp now = p.now.value_or(now_ms());
    auto json_or_null = [](const std::optional<boost::json::value>& v) {
        return v ? detail::json_to_db(*v) : std::optional<std::string>();
    };
    std::optional<std::string> status;
    if (p.status) status = std::string(to_string(*p.status));
    return write([&](detail::connection& c) -> result<endpoint_index> {
        auto r = detail::sql_exec(c,
                                  "UPDATE kf_endpoint_indexes SET status = COALESCE(?2, status), "
                                  "stats = CASE WHEN ?3 THEN ?4 ELSE stats END, "
                                  "data = CASE WHEN ?5 THEN ?6 ELSE data END, "
                                  "error = CASE WHEN ?7 THEN ?8 ELSE error END, updated_at = ?9 WHERE id = ?1",
                                  p.id, status, p.stats.has_value(), json_or_null(p.stats), p.data.has_value(),
                                  json_or_null(p.data), p.error.has_value(), json_or_null(p.error), detail::to_db(now));
        if (!r) return r.error();
        if (*r == 0) return detail::sqlite_set_failure(errc::not_found, "no endpoint index " + p.id);
        return detail::required(detail::sql_one(c, &detail::read_index,
                                                "SELECT " KF_INDEX_COLS " FROM kf_endpoint_indexes WHERE id = ?1",
                                                p.id),
                                "no endpoint index " + p.id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> repository::find_index(const std::string& id) {
    return read([&](detail::connection& c) {
        return detail::required(detail::sql_one(c, &detail::read_index,
                                                "SELECT " KF_INDEX_COLS " FROM kf_endpoint_indexes WHERE id = ?1", id),
                                "no endpoint index " + id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint_index>> repository::list_indexes(const std::string& endpoint_id,
                                                                                     std::size_t limit) {
    return last_indexes(last_indexes_params{endpoint_id, limit, std::nullopt});
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint_index>> repository::last_indexes(const last_indexes_params& p) {
    // SQLite's LIMIT is signed; anything above INT64_MAX means "all".
    const auto limit = static_cast<std::int64_t>(std::min<std::size_t>(p.n, INT64_MAX));
    return read([&](detail::connection& c) {
        return detail::sql_all(c, &detail::read_index,
                               "SELECT " KF_INDEX_COLS " FROM kf_endpoint_indexes WHERE endpoint_id = ?1 AND "
                               "(?2 IS NULL OR id <> ?2) ORDER BY created_at DESC, seq DESC LIMIT ?3",
                               p.endpoint_id, p.excluding_index_id, limit);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> repository::purge_indexes_older_than(timestamp cutoff) {
    return write([&](detail::connection& c) -> result<std::size_t> {
        auto r = detail::sql_exec(c, "DELETE FROM kf_endpoint_indexes WHERE created_at < ?1", detail::to_db(cutoff));
        if (!r) return r.error();
        return static_cast<std::size_t>(*r);
    });
}

// ---- registrations ----

KONGFLOW_ENDPOINTS_DECL result<registered_job> repository::upsert_job(const upsert_job_params& p) {
    if (p.slug.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "a job needs a slug");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    const timestamp now = p.now.value_or(now_ms());
    return write([&](detail::connection& c) -> result<registered_job> {
        // Not RETURNING, as in upsert_endpoint; an index registers a thousand of these.
        auto w = detail::sql_exec(
            c,
            "INSERT INTO kf_registered_jobs(" KF_JOB_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
            "ON CONFLICT(endpoint_id, slug) DO UPDATE SET version = excluded.version, definition = "
            "excluded.definition, enabled = excluded.enabled, internal = excluded.internal, updated_at = "
            "excluded.updated_at",
            *id, p.endpoint_id, p.slug, p.version, detail::json_to_db(p.definition), p.enabled, p.internal,
            detail::to_db(now));
        auto written = detail::kept_after_upsert(
            c, w, p.endpoint_id, "job",
            "SELECT id, created_at FROM kf_registered_jobs WHERE endpoint_id = ?1 AND slug = ?2", p.endpoint_id,
            p.slug);
        if (!written) return written.error();
        return registered_job{std::move(written->id),
                              p.endpoint_id,
                              p.slug,
                              p.version,
                              p.definition,
                              p.enabled,
                              p.internal,
                              written->created_at,
                              now};
    });
}

KONGFLOW_ENDPOINTS_DECL result<bool> repository::disable_job(const disable_job_params& p) {
    const timestamp now = p.now.value_or(now_ms());
    return write([&](detail::connection& c) -> result<bool> {
        auto job = detail::sql_one(
            c, &detail::read_job, "SELECT " KF_JOB_COLS " FROM kf_registered_jobs WHERE endpoint_id = ?1 AND slug = ?2",
            p.endpoint_id, p.slug);
        if (!job) return {boost::system::in_place_error, job.error()};
        if (!*job)
            return {boost::system::in_place_error, detail::sqlite_set_failure(errc::not_found, "no job " + p.slug)};
        if (!(*job)->enabled || (p.version && *p.version != (*job)->version)) return false;
        auto r = detail::sql_exec(c, "UPDATE kf_registered_jobs SET enabled = 0, updated_at = ?2 WHERE id = ?1",
                                  (*job)->id, detail::to_db(now));
        if (!r) return {boost::system::in_place_error, r.error()};
        return true;
    });
}

KONGFLOW_ENDPOINTS_DECL result<registered_job> repository::find_job(const std::string& endpoint_id,
                                                                    const std::string& slug) {
    return read([&](detail::connection& c) {
        return detail::required(detail::sql_one(c, &detail::read_job,
                                                "SELECT " KF_JOB_COLS
                                                " FROM kf_registered_jobs WHERE endpoint_id = ?1 AND slug = ?2",
                                                endpoint_id, slug),
                                "no job " + slug);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<registered_job>> repository::list_jobs(const std::string& endpoint_id) {
    return read([&](detail::connection& c) {
        return detail::sql_all(c, &detail::read_job,
                               "SELECT " KF_JOB_COLS " FROM kf_registered_jobs WHERE endpoint_id = ?1 ORDER BY slug",
                               endpoint_id);
    });
}

KONGFLOW_ENDPOINTS_DECL result<registration> repository::upsert_registration(const upsert_registration_params& p) {
    if (p.key.empty()) return detail::sqlite_set_failure(errc::invalid_argument, "a registration needs a key");
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    const timestamp now = p.now.value_or(now_ms());
    return write([&](detail::connection& c) -> result<registration> {
        auto w = detail::sql_exec(
            c,
            "INSERT INTO kf_registrations(" KF_REG_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
            "ON CONFLICT(endpoint_id, kind, key) DO UPDATE SET definition = excluded.definition, enabled = "
            "excluded.enabled, updated_at = excluded.updated_at",
            *id, p.endpoint_id, to_string(p.kind), p.key, detail::json_to_db(p.definition), p.enabled,
            detail::to_db(now));
        auto written = detail::kept_after_upsert(c, w, p.endpoint_id, "registration",
                                                 "SELECT id, created_at FROM kf_registrations WHERE endpoint_id = ?1 "
                                                 "AND kind = ?2 AND key = ?3",
                                                 p.endpoint_id, to_string(p.kind), p.key);
        if (!written) return written.error();
        return registration{
            std::move(written->id), p.endpoint_id, p.kind, p.key, p.definition, p.enabled, written->created_at, now};
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<registration>>
repository::list_registrations(const std::string& endpoint_id, std::optional<registration_kind> kind) {
    std::optional<std::string> k;
    if (kind) k = std::string(to_string(*kind));
    auto r = read([&](detail::connection& c) {
        return detail::sql_all(c, &detail::read_registration,
                               "SELECT " KF_REG_COLS " FROM kf_registrations WHERE endpoint_id = ?1 AND "
                               "(?2 IS NULL OR kind = ?2)",
                               endpoint_id, k);
    });
    if (r) // the kind order is the enum's, not the names' alphabetical order
        std::sort(r->begin(), r->end(), [](const registration& a, const registration& b) {
            return std::tie(a.kind, a.key) < std::tie(b.kind, b.key);
        });
    return r;
}

KONGFLOW_ENDPOINTS_DECL result<void> repository::delete_registration(const std::string& endpoint_id,
                                                                     registration_kind kind, const std::string& key) {
    return write([&](detail::connection& c) -> result<void> {
        auto r = detail::sql_exec(c, "DELETE FROM kf_registrations WHERE endpoint_id = ?1 AND kind = ?2 AND key = ?3",
                                  endpoint_id, to_string(kind), key);
        if (!r) return r.error();
        if (*r == 0) return detail::sqlite_set_failure(errc::not_found, "no registration " + key);
        return {};
    });
}

#undef KF_ORG_COLS
#undef KF_PROJECT_COLS
#undef KF_ENV_COLS
#undef KF_ENDPOINT_COLS
#undef KF_INDEX_COLS
#undef KF_JOB_COLS
#undef KF_REG_COLS

} // namespace kongflow::endpoints::sqlite

#endif
