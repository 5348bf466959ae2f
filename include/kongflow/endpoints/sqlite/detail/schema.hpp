// The repository's SQLite schema as migration steps; `sqlite::repository` applies the
// missing ones at open. A step, once released, never changes: a new step alters what came before.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_DETAIL_SCHEMA_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_DETAIL_SCHEMA_HPP

#include <kongflow/endpoints/sqlite/detail/connection.hpp>

#include <array>
#include <string_view>

namespace kongflow::endpoints::sqlite::detail {

inline constexpr std::string_view storage_v1 = R"sql(
CREATE TABLE kf_organizations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE kf_projects (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES kf_organizations(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (organization_id, slug)
);
CREATE TABLE kf_environments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES kf_organizations(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES kf_projects(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('DEVELOPMENT', 'PRODUCTION', 'STAGING', 'PREVIEW')),
    api_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (project_id, slug)
);
CREATE TABLE kf_endpoints (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL,
    url TEXT,
    environment_id TEXT NOT NULL REFERENCES kf_environments(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES kf_organizations(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES kf_projects(id) ON DELETE CASCADE,
    indexing_hook_identifier TEXT,
    version TEXT NOT NULL DEFAULT 'unknown',
    sdk_version TEXT NOT NULL DEFAULT 'unknown',
    run_chunk_execution_limit INTEGER NOT NULL DEFAULT 60000,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (environment_id, slug)
);
CREATE TABLE kf_endpoint_indexes (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    endpoint_id TEXT NOT NULL REFERENCES kf_endpoints(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('MANUAL', 'API', 'INTERNAL', 'HOOK')),
    source_data TEXT,
    reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'STARTED', 'SUCCESS', 'FAILURE')),
    stats TEXT,
    data TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX kf_endpoint_indexes_by_endpoint ON kf_endpoint_indexes (endpoint_id, created_at, seq);
CREATE INDEX kf_endpoint_indexes_by_created ON kf_endpoint_indexes (created_at);
CREATE TABLE kf_registered_jobs (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES kf_endpoints(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    version TEXT NOT NULL,
    definition TEXT,
    enabled INTEGER NOT NULL,
    internal INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (endpoint_id, slug)
);
CREATE TABLE kf_registrations (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES kf_endpoints(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    definition TEXT,
    enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (endpoint_id, kind, key)
);
)sql";

// v2: the index table's CHECKs as comparisons. SQLite evaluates `x IN ('A', 'B', ...)` in a
// CHECK by building a temporary b-tree of the list on every INSERT and UPDATE, which made each
// index write several times dearer than the row itself. Same rules, same rows; the table is
// rebuilt (SQLite cannot alter a CHECK), which only kf_endpoint_indexes needs: no other table
// points at it.
inline constexpr std::string_view storage_v2 = R"sql(
CREATE TABLE kf_endpoint_indexes_v2 (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    endpoint_id TEXT NOT NULL REFERENCES kf_endpoints(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source = 'MANUAL' OR source = 'API' OR source = 'INTERNAL' OR source = 'HOOK'),
    source_data TEXT,
    reason TEXT,
    status TEXT NOT NULL
        CHECK (status = 'PENDING' OR status = 'STARTED' OR status = 'SUCCESS' OR status = 'FAILURE'),
    stats TEXT,
    data TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO kf_endpoint_indexes_v2(seq, id, endpoint_id, source, source_data, reason, status, stats, data, error,
                                   created_at, updated_at)
    SELECT seq, id, endpoint_id, source, source_data, reason, status, stats, data, error, created_at, updated_at
    FROM kf_endpoint_indexes;
DROP TABLE kf_endpoint_indexes;
ALTER TABLE kf_endpoint_indexes_v2 RENAME TO kf_endpoint_indexes;
CREATE INDEX kf_endpoint_indexes_by_endpoint ON kf_endpoint_indexes (endpoint_id, created_at, seq);
CREATE INDEX kf_endpoint_indexes_by_created ON kf_endpoint_indexes (created_at);
)sql";

inline constexpr std::array<migration, 2> storage_migrations{{{1, storage_v1}, {2, storage_v2}}};

} // namespace kongflow::endpoints::sqlite::detail

#endif
