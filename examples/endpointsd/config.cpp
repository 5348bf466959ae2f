#include "config.hpp"

#include "logging.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kongflow::endpointsd {

namespace {

struct setting {
    const char* key; ///< config-file key; the flag is --key with '_' → '-'
    const char* env;
    const char* default_text;
    const char* help;
    /// Applies a textual value; returns an error message or empty.
    std::string (*apply)(daemon_config&, std::string_view);
    /// A boolean: the flag alone means true (`--deny-private-endpoints`).
    bool is_switch = false;
    /// The flag when it is not --key (a list's flag names one item: --allow-endpoint-cidr).
    const char* flag = nullptr;
    /// A list: the flag may be repeated, its values add up (the environment and the file give
    /// the whole list, comma-separated).
    bool repeatable = false;
};

std::string flag_of(const setting& s) {
    if (s.flag) return s.flag;
    std::string f = "--";
    for (const char* p = s.key; *p; ++p) f += (*p == '_' ? '-' : *p);
    return f;
}

template <class T>
bool parse_uint(std::string_view s, T& out, T min, T max) {
    unsigned long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) return false;
    out = static_cast<T>(v);
    return true;
}

std::optional<bool> parse_bool(std::string_view s) {
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "0" || s == "false" || s == "no" || s == "off") return false;
    return std::nullopt;
}

std::string ms_setting(std::chrono::milliseconds& out, std::string_view v, const char* what, std::uint64_t min = 1,
                       std::uint64_t max = 24ull * 3600 * 1000) {
    std::uint64_t ms = 0;
    if (!parse_uint<std::uint64_t>(v, ms, min, max))
        return std::string(what) + " must be a number of milliseconds between " + std::to_string(min) + " and " +
               std::to_string(max);
    out = std::chrono::milliseconds(ms);
    return {};
}

const setting settings[] = {
    {"db", "KONGFLOW_DB", "./kongflow-endpoints.db",
     "SQLite database file (created if missing), or a postgresql:// URI shared by several daemons",
     [](daemon_config& c, std::string_view v) -> std::string {
         if (v.empty()) return "db must not be empty";
         c.db = std::string(v);
         return {};
     }},
    {"db_schema", "KONGFLOW_DB_SCHEMA", "kongflow", "PostgreSQL: the schema that holds every table",
     [](daemon_config& c, std::string_view v) -> std::string {
         auto ok = !v.empty() && v.size() <= 63 && !(v[0] >= '0' && v[0] <= '9');
         for (char ch : v)
             ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_');
         if (!ok) return "db_schema must be letters, digits and _, not starting with a digit, at most 63 characters";
         c.db_schema = std::string(v);
         return {};
     }},
    {"db_max_connections", "KONGFLOW_DB_MAX_CONNECTIONS", "16", "PostgreSQL: connections this daemon opens at most",
     [](daemon_config& c, std::string_view v) -> std::string {
         return parse_uint<std::size_t>(v, c.db_max_connections, 2, 1000) ? "" : "db_max_connections must be 2..1000";
     }},
    {"synchronous", "KONGFLOW_SYNCHRONOUS", "FULL",
     "SQLite durability: FULL or EXTRA (a commit survives power loss), NORMAL (only a crash of the daemon)",
     [](daemon_config& c, std::string_view v) -> std::string {
         std::string up(v);
         for (auto& ch : up) ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
         // No OFF: a power loss could then corrupt the file, not only lose the last commits.
         if (up != "FULL" && up != "EXTRA" && up != "NORMAL")
             return "synchronous must be FULL, EXTRA or NORMAL, got '" + std::string(v) + "'";
         c.synchronous = std::move(up);
         return {};
     }},
    {"listen", "KONGFLOW_LISTEN", "127.0.0.1:3030", "HOST:PORT the REST API listens on (port 0 = any free port)",
     [](daemon_config& c, std::string_view v) -> std::string {
         if (!parse_listen(v, c.listen_host, c.listen_port))
             return "listen must be HOST:PORT, got '" + std::string(v) + "'";
         return {};
     }},
    {"log_level", "KONGFLOW_LOG_LEVEL", "info", "debug, info, warn or error",
     [](daemon_config& c, std::string_view v) -> std::string {
         auto l = parse_log_level(v);
         if (!l) return "log_level must be debug, info, warn or error";
         c.log_level = *l;
         return {};
     }},
    {"io_threads", "KONGFLOW_IO_THREADS", "2", "threads running HTTP and the services",
     [](daemon_config& c, std::string_view v) -> std::string {
         return parse_uint<unsigned>(v, c.io_threads, 1, 256) ? "" : "io_threads must be 1..256";
     }},
    {"blocking_threads", "KONGFLOW_BLOCKING_THREADS", "4", "threads running database calls",
     [](daemon_config& c, std::string_view v) -> std::string {
         return parse_uint<unsigned>(v, c.blocking_threads, 1, 256) ? "" : "blocking_threads must be 1..256";
     }},
    {"worker_concurrency", "KONGFLOW_WORKER_CONCURRENCY", "4", "queued jobs (indexing...) run at once",
     [](daemon_config& c, std::string_view v) -> std::string {
         return parse_uint<unsigned>(v, c.worker_concurrency, 1, 1024) ? "" : "worker_concurrency must be 1..1024";
     }},
    {"max_body_bytes", "KONGFLOW_MAX_BODY_BYTES", "1048576", "largest request body accepted (larger: 413)",
     [](daemon_config& c, std::string_view v) -> std::string {
         return parse_uint<std::size_t>(v, c.max_body_bytes, 1, 1ull << 30) ? ""
                                                                            : "max_body_bytes must be 1..1073741824";
     }},
    {"max_header_bytes", "KONGFLOW_MAX_HEADER_BYTES", "16384", "largest request header block (larger: 431)",
     [](daemon_config& c, std::string_view v) -> std::string {
         return parse_uint<std::size_t>(v, c.max_header_bytes, 512, 1 << 20) ? ""
                                                                             : "max_header_bytes must be 512..1048576";
     }},
    {"read_timeout_ms", "KONGFLOW_READ_TIMEOUT_MS", "30000", "time allowed to receive a request; idle keep-alive limit",
     [](daemon_config& c, std::string_view v) { return ms_setting(c.read_timeout, v, "read_timeout_ms"); }},
    {"max_client_connections", "KONGFLOW_MAX_CLIENT_CONNECTIONS", "10000",
     "HTTP client connections open at once; at the limit a new one replaces the oldest waiting for a request",
     [](daemon_config& c, std::string_view v) -> std::string {
         return parse_uint<std::size_t>(v, c.max_client_connections, 16, 1'000'000)
                    ? ""
                    : "max_client_connections must be 16..1000000";
     }},
    {"shutdown_timeout_ms", "KONGFLOW_SHUTDOWN_TIMEOUT_MS", "10000",
     "on SIGINT/SIGTERM, how long running requests and jobs may take to finish",
     [](daemon_config& c, std::string_view v) { return ms_setting(c.shutdown_timeout, v, "shutdown_timeout_ms"); }},
    {"job_lease_ms", "KONGFLOW_JOB_LEASE_MS", "20000",
     "lease of a running job (heartbeat: a quarter of it); a killed daemon's jobs run again after it expires",
     [](daemon_config& c, std::string_view v) { return ms_setting(c.job_lease, v, "job_lease_ms", 100); }},
    {"job_rescue_interval_ms", "KONGFLOW_JOB_RESCUE_INTERVAL_MS", "5000",
     "how often expired job leases are looked for and their jobs made runnable again",
     [](daemon_config& c, std::string_view v) {
         return ms_setting(c.job_rescue_interval, v, "job_rescue_interval_ms", 10);
     }},
    {"inline_index_recovery_ms", "KONGFLOW_INLINE_INDEX_RECOVERY_MS", "600000",
     "an index requested through the API runs inline; if the daemon dies meanwhile, a job performs it after this",
     [](daemon_config& c, std::string_view v) {
         return ms_setting(c.inline_index_recovery, v, "inline_index_recovery_ms", 1000);
     }},
    {"auth_cache_ms", "KONGFLOW_AUTH_CACHE_MS", "1000",
     "how long an accepted API key is remembered without asking the database (0 = always ask)",
     [](daemon_config& c, std::string_view v) {
         return ms_setting(c.auth_cache, v, "auth_cache_ms", 0, 3600ull * 1000);
     }},
    {"rewrite_localhost_to", "KONGFLOW_REWRITE_LOCALHOST_TO", "(unset)",
     "rewrite endpoint URLs on host 'localhost' to this host (Trigger.dev's docker-compose rule)",
     [](daemon_config& c, std::string_view v) -> std::string {
         if (v.empty())
             c.rewrite_localhost_to.reset();
         else
             c.rewrite_localhost_to = std::string(v);
         return {};
     }},
    {"deny_private_endpoints", "KONGFLOW_DENY_PRIVATE_ENDPOINTS", "false",
     "refuse endpoint addresses that are loopback, private, link-local (169.254.169.254), CGNAT, unspecified, "
     "multicast or reserved, checked after DNS on every request and redirect (shared deployments)",
     [](daemon_config& c, std::string_view v) -> std::string {
         auto b = parse_bool(v);
         if (!b) return "deny_private_endpoints must be true or false";
         c.endpoint_addresses.deny_private = *b;
         return {};
     },
     true},
    {"allow_endpoint_cidrs", "KONGFLOW_ALLOW_ENDPOINT_CIDRS", "(none)",
     "CIDR blocks endpoints may reach despite deny_private_endpoints (10.1.0.0/16); one per flag, "
     "a comma-separated list in the variable and the key",
     [](daemon_config& c, std::string_view v) -> std::string {
         auto list = kfe::parse_cidr_list(v);
         if (!list) return "allow_endpoint_cidrs has an " + std::string(list.error().diag().client_message());
         c.endpoint_addresses.allow = std::move(*list);
         return {};
     },
     false, "--allow-endpoint-cidr", true},
    {"bootstrap", "KONGFLOW_BOOTSTRAP", "true",
     "on first start with an empty database, create an organization, a project and a DEVELOPMENT environment",
     [](daemon_config& c, std::string_view v) -> std::string {
         auto b = parse_bool(v);
         if (!b) return "bootstrap must be true or false";
         c.bootstrap = *b;
         return {};
     },
     true},
    {"bootstrap_org", "KONGFLOW_BOOTSTRAP_ORG", "default", "slug of the organization created on first start",
     [](daemon_config& c, std::string_view v) -> std::string {
         if (v.empty()) return "bootstrap_org must not be empty";
         c.bootstrap_org = std::string(v);
         return {};
     }},
    {"bootstrap_project", "KONGFLOW_BOOTSTRAP_PROJECT", "default", "slug of the project created on first start",
     [](daemon_config& c, std::string_view v) -> std::string {
         if (v.empty()) return "bootstrap_project must not be empty";
         c.bootstrap_project = std::string(v);
         return {};
     }},
    {"bootstrap_api_key", "KONGFLOW_BOOTSTRAP_API_KEY", "(generated: tr_dev_…)",
     "API key of the DEVELOPMENT environment created on first start",
     [](daemon_config& c, std::string_view v) -> std::string {
         if (v.empty()) return "bootstrap_api_key must not be empty";
         c.bootstrap_api_key = std::string(v);
         return {};
     }},
};

const setting* find_setting_by_flag(std::string_view flag) {
    for (const auto& s : settings)
        if (flag_of(s) == flag) return &s;
    return nullptr;
}

const setting* find_setting_by_key(std::string_view key) {
    for (const auto& s : settings)
        if (key == s.key) return &s;
    return nullptr;
}

std::string apply_file(daemon_config& c, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "cannot read the config file " + path;
    std::stringstream ss;
    ss << in.rdbuf();
    return apply_config_text(c, ss.str(), path);
}

} // namespace

std::string apply_config_text(daemon_config& c, std::string_view text, const std::string& path) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) return "config file " + path + " is not valid JSON: " + ec.message();
    if (!v.is_object()) return "config file " + path + " must hold a JSON object";
    for (const auto& [k, val] : v.get_object()) {
        const setting* s = find_setting_by_key(k);
        if (!s) return "config file " + path + ": unknown key '" + std::string(k) + "' (see --help)";
        std::string text;
        if (s->repeatable && val.is_array()) {
            // A list may also be a JSON array of strings.
            for (const auto& item : val.get_array()) {
                if (!item.is_string() || item.get_string().empty())
                    return "config file " + path + ": '" + std::string(k) + "' must hold non-empty strings";
                if (!text.empty()) text += ',';
                text += std::string(item.get_string());
            }
        } else if (val.is_string())
            text = std::string(val.get_string());
        else if (val.is_int64())
            text = std::to_string(val.get_int64());
        else if (val.is_uint64())
            text = std::to_string(val.get_uint64());
        else if (val.is_bool())
            text = val.get_bool() ? "true" : "false";
        else
            return "config file " + path + ": '" + std::string(k) + "' must be a string, number or boolean";
        if (auto e = s->apply(c, text); !e.empty()) return "config file " + path + ": " + e;
    }
    return {};
}

bool parse_listen(std::string_view s, std::string& host, std::uint16_t& port) {
    std::string_view h, p;
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
        h = s.substr(1, close - 1);
        p = s.substr(close + 2);
    } else {
        auto colon = s.rfind(':');
        if (colon == std::string_view::npos) return false;
        h = s.substr(0, colon);
        p = s.substr(colon + 1);
    }
    std::uint16_t v = 0;
    // Brackets only wrap an IPv6 address: "[::1]:3030", never inside the host (found by tests/fuzz).
    if (h.empty() || h.find_first_of("[]") != std::string_view::npos || !parse_uint<std::uint16_t>(p, v, 0, 65535))
        return false;
    host = std::string(h);
    port = v;
    return true;
}

env_lookup process_environment() {
    return [](const char* name) -> std::optional<std::string> {
        if (const char* v = std::getenv(name)) return std::string(v);
        return std::nullopt;
    };
}

kfe::sqlite::store_params store_params(const daemon_config& cfg) {
    kfe::sqlite::store_params p;
    p.file.synchronous = cfg.synchronous;
    return p;
}

parse_result parse_command_line(const std::vector<std::string>& args, const env_lookup& env) {
    command_line cl;
    std::size_t i = 0;
    auto positional = [&]() -> std::optional<std::string> {
        if (i < args.size() && (args[i].empty() || args[i][0] != '-')) return args[i++];
        return std::nullopt;
    };
    if (auto cmd = positional()) {
        if (*cmd == "serve")
            cl.kind = command_kind::serve;
        else if (*cmd == "environments") {
            auto sub = positional();
            if (!sub) return {std::nullopt, "environments needs a subcommand: create or list"};
            if (*sub == "create")
                cl.kind = command_kind::environments_create;
            else if (*sub == "list")
                cl.kind = command_kind::environments_list;
            else
                return {std::nullopt, "unknown environments subcommand '" + *sub + "' (create or list)"};
        } else if (*cmd == "help")
            cl.kind = command_kind::help;
        else if (*cmd == "version")
            cl.kind = command_kind::version;
        else
            return {std::nullopt, "unknown command '" + *cmd + "' (serve, environments, help, version)"};
    }

    // Flags: collect first, apply after the file and the environment.
    std::vector<std::pair<const setting*, std::string>> flags;
    std::optional<std::string> config_file;
    bool have_type = false;
    for (; i < args.size(); ++i) {
        std::string a = args[i];
        std::optional<std::string> value;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
        }
        auto take = [&]() -> std::optional<std::string> {
            if (value) return value;
            if (i + 1 < args.size()) return args[++i];
            return std::nullopt;
        };
        if (a == "--help" || a == "-h") {
            cl.kind = command_kind::help;
            return {cl, {}};
        }
        if (a == "--version") {
            cl.kind = command_kind::version;
            return {cl, {}};
        }
        const setting* named = find_setting_by_flag(a);
        // A switch takes a value only when one follows (`--bootstrap false`); alone it means true.
        if (named && named->is_switch && !value && (i + 1 >= args.size() || args[i + 1].rfind("-", 0) == 0))
            value = "true";
        auto v = take();
        if (!v) return {std::nullopt, a + " needs a value"};
        if (a == "--config")
            config_file = *v;
        else if (cl.kind == command_kind::environments_create && a == "--type") {
            std::string up;
            for (char c : *v) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            auto t = kfe::parse_environment_type(up);
            if (!t) return {std::nullopt, "--type must be development, production, staging or preview"};
            cl.env_type = *t;
            have_type = true;
        } else if (cl.kind == command_kind::environments_create && a == "--api-key") {
            if (v->empty()) return {std::nullopt, "--api-key must not be empty"};
            cl.api_key = *v;
        } else if (cl.kind == command_kind::environments_create && a == "--org")
            cl.org = *v;
        else if (cl.kind == command_kind::environments_create && a == "--project")
            cl.project = *v;
        else if (named) {
            if (named->repeatable && v->empty()) return {std::nullopt, a + " needs a value"};
            // Repeated list flags add up: one comma-separated value, applied once.
            auto same = std::find_if(flags.begin(), flags.end(), [&](const auto& f) { return f.first == named; });
            if (named->repeatable && same != flags.end())
                same->second += "," + *v;
            else
                flags.emplace_back(named, *v);
        } else
            return {std::nullopt, "unknown option " + a + " (see --help)"};
    }
    if (cl.kind == command_kind::environments_create && !have_type)
        return {std::nullopt, "environments create needs --type development|production|staging|preview"};

    if (!config_file) config_file = env("KONGFLOW_CONFIG");
    if (config_file)
        if (auto e = apply_file(cl.config, *config_file); !e.empty()) return {std::nullopt, e};
    for (const auto& s : settings)
        if (auto v = env(s.env))
            if (auto e = s.apply(cl.config, *v); !e.empty()) return {std::nullopt, std::string(s.env) + ": " + e};
    for (const auto& [s, v] : flags)
        if (auto e = s->apply(cl.config, v); !e.empty()) return {std::nullopt, flag_of(*s) + ": " + e};
    return {cl, {}};
}

std::string help_text() {
    std::string out = "kongflow-endpointsd: the Trigger.dev v2 Endpoints service as a daemon\n"
                      "\n"
                      "Usage:\n"
                      "  kongflow-endpointsd [serve] [options]\n"
                      "  kongflow-endpointsd environments create --type development|production|staging|preview\n"
                      "                      [--api-key KEY] [--org SLUG] [--project SLUG] [options]\n"
                      "  kongflow-endpointsd environments list [options]\n"
                      "  kongflow-endpointsd --help | --version\n"
                      "\n"
                      "Settings (precedence: flag > environment variable > config file > default):\n"
                      "  --config FILE  (KONGFLOW_CONFIG)  a JSON object whose keys are the names below\n";
    for (const auto& s : settings) {
        std::string flag = flag_of(s) + (s.repeatable ? " (repeatable)" : "");
        out += "  " + flag + " (" + s.env + ", key \"" + s.key + "\", default " + s.default_text + ")\n      " +
               s.help + "\n";
    }
    out += "\nSIGINT/SIGTERM stop accepting, let running requests and jobs finish (up to\n"
           "shutdown_timeout_ms), close the database and exit 0.\n";
    return out;
}

} // namespace kongflow::endpointsd
