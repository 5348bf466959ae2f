// Settings of the PostgreSQL backend: where the database is, and how this process uses it.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_PARAMS_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_PARAMS_HPP

#include <chrono>
#include <cstddef>
#include <string>

namespace kongflow::endpoints::postgres {

/// The database, and this process's connections to it (the repository, the queue and the units
/// of work of a store share one pool).
struct connection_params {
    /// Any libpq connection string: a `postgresql://` or `postgres://` URI, `key=value` pairs, or
    /// empty to take every setting from the `PG*` environment variables (PGHOST, PGSSLMODE ...).
    /// TLS is libpq's (`sslmode=verify-full` and friends).
    std::string conninfo{};
    /// The schema that holds every table of the backend; created by the migrations. Letters,
    /// digits and `_`, starting with a letter or `_`, at most 63 characters.
    std::string schema = "kongflow";
    /// Connections this process opens at most; callers beyond it wait up to acquire_timeout.
    std::size_t max_connections = 10;
    /// Used when the connection string sets no `connect_timeout` of its own.
    std::chrono::milliseconds connect_timeout{10000};
    /// How long a call waits for a free connection of the pool before failing.
    std::chrono::milliseconds acquire_timeout{30000};
    /// Shown in pg_stat_activity when the connection string sets no `application_name`.
    std::string application_name = "kongflow-endpoints";
};

/// The queue's own settings.
struct queue_params {
    /// A connection that LISTENs, so that enqueues in other processes wake this process's
    /// workers within milliseconds instead of at their next poll.
    bool listen = true;
    /// Claims, heartbeats, rescues and lease releases commit with `synchronous_commit = off`:
    /// losing one in a server crash only runs a job again, as a worker crash would. Enqueues,
    /// completions, cancels and retries always wait for the server's durability setting.
    /// true = every write waits.
    bool durable_leases = false;
};

/// The store: repository and queue in one schema, with units of work spanning both.
struct store_params {
    connection_params connection{};
    queue_params queue{};
};

} // namespace kongflow::endpoints::postgres

#endif
