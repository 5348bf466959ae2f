// The daemon's settings and command line. Every setting has a flag, a KONGFLOW_* environment
// variable and a JSON config-file key; precedence is flag > environment > file > default.
#ifndef KONGFLOW_ENDPOINTSD_CONFIG_HPP
#define KONGFLOW_ENDPOINTSD_CONFIG_HPP

#include <kongflow/endpoints/client/address_policy.hpp>
#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/services/observability.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpointsd {

namespace kfe = kongflow::endpoints;

struct daemon_config {
    /// A SQLite file, or a postgresql:// or postgres:// URI (several daemons on one database).
    std::string db = "./kongflow-endpoints.db";
    std::string db_schema = "kongflow";  ///< PostgreSQL: the schema of every table
    std::size_t db_max_connections = 16; ///< PostgreSQL: this daemon's connection pool
    /// SQLite durability of every commit: "FULL" or "EXTRA" (survives power loss) or "NORMAL"
    /// (survives a crash of the daemon, not of the machine). Always upper case here.
    std::string synchronous = "FULL";
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 3030;
    kfe::log_level log_level = kfe::log_level::info;
    unsigned io_threads = 2;         ///< threads running the io_context (HTTP, services)
    unsigned blocking_threads = 4;   ///< threads running store calls (SQLite)
    unsigned worker_concurrency = 4; ///< jobs run at once by the queue worker
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::milliseconds read_timeout{30'000};
    /// HTTP client connections open at once (see http_server_params::max_connections); lowered
    /// at start to what the open-file limit allows.
    std::size_t max_client_connections = 10'000;
    std::chrono::milliseconds shutdown_timeout{10'000};
    /// Queue leases: a killed daemon's jobs run again within job_lease + job_rescue_interval
    /// (the heartbeat is a quarter of the lease).
    std::chrono::milliseconds job_lease{20'000};
    std::chrono::milliseconds job_rescue_interval{5'000};
    /// An index requested through the API runs inline; should the daemon die meanwhile, a queued
    /// job performs it after this delay (a finished index makes that job a no-op).
    std::chrono::milliseconds inline_index_recovery{600'000};
    std::chrono::milliseconds auth_cache{1'000}; ///< how long an accepted API key is remembered (0 = never)
    std::optional<std::string> rewrite_localhost_to;
    /// Which addresses endpoint URLs may reach: deny_private_endpoints and allow_endpoint_cidrs.
    kfe::address_policy endpoint_addresses;
    bool bootstrap = true; ///< create org/project/DEVELOPMENT environment in an empty database
    std::string bootstrap_org = "default";
    std::string bootstrap_project = "default";
    std::optional<std::string> bootstrap_api_key; ///< the first environment's key (else generated)
};

enum class command_kind { serve, environments_create, environments_list, help, version };

struct command_line {
    command_kind kind = command_kind::serve;
    daemon_config config;
    // environments create
    kfe::environment_type env_type = kfe::environment_type::development;
    std::optional<std::string> api_key;
    std::optional<std::string> org;
    std::optional<std::string> project;
};

/// Reads an environment variable; injectable for tests.
using env_lookup = std::function<std::optional<std::string>(const char* name)>;
env_lookup process_environment();

/// Parses argv (without argv[0]) with env and the config file. On error returns a message
/// meant for the user (no usage text).
struct parse_result {
    std::optional<command_line> value;
    std::string error;
};
parse_result parse_command_line(const std::vector<std::string>& args, const env_lookup& env);

/// Applies a config file's text (a JSON object of settings) to `cfg`; `path` names the file in
/// messages. Returns an error message, or empty. What --config and KONGFLOW_CONFIG read, without
/// the file (tests/fuzz/fuzz_config.cpp).
std::string apply_config_text(daemon_config& cfg, std::string_view text, const std::string& path);

/// The SQLite store's parameters for `cfg` (serve and the environments commands alike).
kfe::sqlite::store_params store_params(const daemon_config& cfg);

/// True for a postgresql:// or postgres:// URI: the database is PostgreSQL, not a SQLite file.
bool is_postgres_uri(std::string_view db) noexcept;

/// Opens the store `cfg.db` names: a SQLite file, or a PostgreSQL database (its schema migrated).
kfe::result<std::unique_ptr<kfe::store>> open_store(const daemon_config& cfg);

/// `cfg.db` as it may appear in logs and errors: a URI's password is masked.
std::string db_display_name(const daemon_config& cfg);

/// `--help`: commands, flags, environment variables and config keys with their defaults.
std::string help_text();

/// "host:port" → host, port. IPv6 as "[::1]:3030".
bool parse_listen(std::string_view s, std::string& host, std::uint16_t& port);

} // namespace kongflow::endpointsd

#endif
