// The PostgreSQL schema as migration steps per component ("storage": the repository's tables,
// "queue": the jobs), applied at open in one transaction under an advisory lock, so that several
// processes starting at once on an empty database are safe. A released step never changes.
//
// Times are milliseconds since the Unix epoch (bigint), given by the caller's clock as in SQLite;
// JSON the repository stores is kept as text, byte for byte as it was written.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_SCHEMA_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_SCHEMA_HPP

#include <kongflow/endpoints/postgres/detail/connection.hpp>

#include <span>
#include <string>
#include <string_view>

namespace kongflow::endpoints::postgres::detail {

struct migration {
    int version;
    std::string_view sql;
};

inline constexpr std::string_view storage_v1 = R"sql(
CREATE TABLE organizations (
    id text PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    title text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);
CREATE TABLE projects (
    id text PRIMARY KEY,
    organization_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    slug text NOT NULL,
    name text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (organization_id, slug)
);
CREATE TABLE environments (
    id text PRIMARY KEY,
    organization_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    slug text NOT NULL,
    type text NOT NULL CHECK (type IN ('DEVELOPMENT', 'PRODUCTION', 'STAGING', 'PREVIEW')),
    api_key text NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (project_id, slug)
);
CREATE TABLE endpoints (
    id text PRIMARY KEY,
    slug text NOT NULL,
    url text,
    environment_id text NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    organization_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    indexing_hook_identifier text,
    version text NOT NULL DEFAULT 'unknown',
    sdk_version text NOT NULL DEFAULT 'unknown',
    run_chunk_execution_limit bigint NOT NULL DEFAULT 60000,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (environment_id, slug)
);
CREATE TABLE endpoint_indexes (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    endpoint_id text NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    source text NOT NULL CHECK (source IN ('MANUAL', 'API', 'INTERNAL', 'HOOK')),
    source_data text,
    reason bytea, -- free text from API callers: may hold NUL bytes, which text cannot
    status text NOT NULL CHECK (status IN ('PENDING', 'STARTED', 'SUCCESS', 'FAILURE')),
    stats text,
    data text,
    error text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);
CREATE INDEX endpoint_indexes_by_endpoint ON endpoint_indexes (endpoint_id, created_at, seq);
CREATE INDEX endpoint_indexes_by_created ON endpoint_indexes (created_at);
CREATE TABLE registered_jobs (
    id text PRIMARY KEY,
    endpoint_id text NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    slug text NOT NULL,
    version text NOT NULL,
    definition text,
    enabled boolean NOT NULL,
    internal boolean NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (endpoint_id, slug)
);
CREATE TABLE registrations (
    id text PRIMARY KEY,
    endpoint_id text NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    kind text NOT NULL,
    key text NOT NULL,
    definition text,
    enabled boolean NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (endpoint_id, kind, key)
);
)sql";

inline constexpr migration storage_migrations[] = {{1, storage_v1}};

// States are job_state values, so that partial indexes say "state <= 2" (pending), "state = 3"
// (running), "state >= 4" (final); queries repeat those terms for the planner. lease_expires_at
// is in no index and the table keeps free space (fillfactor), so that heartbeats are HOT updates.
inline constexpr std::string_view queue_v1 = R"sql(
CREATE TABLE queue_jobs (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    payload text NOT NULL,
    queue text NOT NULL,
    priority integer NOT NULL,
    state smallint NOT NULL,
    attempt integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    rescue_count integer NOT NULL DEFAULT 0,
    run_at bigint NOT NULL,
    created_at bigint NOT NULL,
    attempted_at bigint,
    finalized_at bigint,
    errors jsonb NOT NULL DEFAULT '[]',
    job_key text,
    lease_owner text,
    lease_expires_at bigint
) WITH (fillfactor = 80);
CREATE INDEX queue_jobs_ready ON queue_jobs (queue, priority, run_at, id) WHERE state <= 2;
CREATE INDEX queue_jobs_leased ON queue_jobs (lease_owner) WHERE state = 3;
CREATE INDEX queue_jobs_final ON queue_jobs (state, finalized_at) WHERE state >= 4;
CREATE UNIQUE INDEX queue_jobs_key ON queue_jobs (job_key) WHERE job_key IS NOT NULL;
)sql";

inline constexpr migration queue_migrations[] = {{1, queue_v1}};

inline constexpr int storage_schema_version = 1;
inline constexpr int queue_schema_version = 1;

/// Brings the schema's components up to date in one transaction, serialised across processes by
/// an advisory lock on the schema's name. A component newer than this library is refused
/// (errc::schema_too_new) and nothing is written.
inline result<void> migrate(connection& c, const std::string& schema) {
    if (auto b = c.exec("BEGIN", "starting the migration"); !b) return b.error();
    auto fail = [&](error e) {
        (void)c.exec("ROLLBACK");
        return e;
    };
    if (auto l = c.query("SELECT pg_advisory_xact_lock(hashtext('kongflow-endpoints migrate ' || $1::text))", schema);
        !l)
        return fail(l.error());
    auto exists = c.query("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = "
                          "'schema_versions')",
                          schema);
    if (!exists) return fail(exists.error());
    if (!exists->boolean(0, 0)) {
        auto create = c.exec("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema) + "; CREATE TABLE " +
                                 quote_identifier(schema) +
                                 ".schema_versions (component text PRIMARY KEY, version integer NOT NULL)",
                             "creating the schema " + schema);
        if (!create) return fail(create.error());
    }
    struct component {
        const char* name;
        std::span<const migration> steps;
    };
    const component components[] = {{"storage", storage_migrations}, {"queue", queue_migrations}};
    for (const auto& comp : components) {
        auto v = c.query("SELECT version FROM schema_versions WHERE component = $1", std::string(comp.name));
        if (!v) return fail(v.error());
        const int current = v->empty() ? 0 : static_cast<int>(v->integer(0, 0));
        const int latest = comp.steps.back().version;
        if (current > latest)
            return fail(pg_failure(errc::schema_too_new, "the PostgreSQL schema " + schema + " has " + comp.name +
                                                             " schema version " + std::to_string(current) +
                                                             "; this library supports up to " + std::to_string(latest) +
                                                             ": upgrade the library or use another schema"));
        for (const auto& step : comp.steps) {
            if (step.version <= current) continue;
            if (auto r = c.exec(std::string(step.sql),
                                std::string("migrating ") + comp.name + " to version " + std::to_string(step.version));
                !r)
                return fail(r.error());
        }
        if (current != latest) {
            auto w = c.query("INSERT INTO schema_versions(component, version) VALUES($1, $2) ON CONFLICT (component) "
                             "DO UPDATE SET version = excluded.version",
                             std::string(comp.name), latest);
            if (!w) return fail(w.error());
        }
    }
    if (auto cm = c.exec("COMMIT", "committing the migration"); !cm) return fail(cm.error());
    return {};
}

} // namespace kongflow::endpoints::postgres::detail

#endif
