// The daemon's configuration (flag > env > file > default), logging and metrics formats.
#include "catch.hpp"
#include "config.hpp"
#include "logging.hpp"
#include "metrics.hpp"
#include "sqlite_pragma.hpp"
#include "temp_dir.hpp"

#include <kongflow/endpoints/sqlite/detail/access.hpp>

#include <boost/json/parse.hpp>

#include <fstream>
#include <map>

namespace kfd = kongflow::endpointsd;
namespace kfe = kongflow::endpoints;

namespace {
kfd::env_lookup env_of(std::map<std::string, std::string> m) {
    return [m](const char* n) -> std::optional<std::string> {
        auto it = m.find(n);
        if (it == m.end()) return std::nullopt;
        return it->second;
    };
}
} // namespace

TEST_CASE("config precedence: flag > env > file > default", "[integration][daemon]") {
    kf_test::temp_dir dir;
    auto file = dir.file("c.json");
    std::ofstream(file)
        << R"({"db": "/from/file.db", "listen": "127.0.0.1:4000", "log_level": "debug", "io_threads": 3})";

    auto d = kfd::parse_command_line({}, env_of({}));
    REQUIRE(d.value);
    CHECK(d.value->kind == kfd::command_kind::serve);
    CHECK(d.value->config.db == "./kongflow-endpoints.db");
    CHECK(d.value->config.listen_port == 3030);
    CHECK(d.value->config.listen_host == "127.0.0.1");

    auto f = kfd::parse_command_line({"serve", "--config", file}, env_of({}));
    REQUIRE(f.value);
    CHECK(f.value->config.db == "/from/file.db");
    CHECK(f.value->config.listen_port == 4000);
    CHECK(f.value->config.log_level == kfe::log_level::debug);
    CHECK(f.value->config.io_threads == 3);

    auto e = kfd::parse_command_line({"--config", file}, env_of({{"KONGFLOW_DB", "/from/env.db"}}));
    REQUIRE(e.value);
    CHECK(e.value->config.db == "/from/env.db");
    CHECK(e.value->config.listen_port == 4000);

    auto fl = kfd::parse_command_line({"--db=/from/flag.db", "--config", file},
                                      env_of({{"KONGFLOW_DB", "/from/env.db"}, {"KONGFLOW_LISTEN", "[::1]:5000"}}));
    REQUIRE(fl.value);
    CHECK(fl.value->config.db == "/from/flag.db");
    CHECK(fl.value->config.listen_host == "::1");
    CHECK(fl.value->config.listen_port == 5000);

    CHECK(d.value->config.auth_cache == std::chrono::milliseconds(1000));
    auto no_cache = kfd::parse_command_line({"--auth-cache-ms", "0"}, env_of({}));
    REQUIRE(no_cache.value);
    CHECK(no_cache.value->config.auth_cache == std::chrono::milliseconds(0));

    CHECK(d.value->config.synchronous == "FULL");
    auto sync_flag = kfd::parse_command_line({"--synchronous", "normal"}, env_of({{"KONGFLOW_SYNCHRONOUS", "EXTRA"}}));
    REQUIRE(sync_flag.value);
    CHECK(sync_flag.value->config.synchronous == "NORMAL");
    auto sync_env = kfd::parse_command_line({}, env_of({{"KONGFLOW_SYNCHRONOUS", "Extra"}}));
    REQUIRE(sync_env.value);
    CHECK(sync_env.value->config.synchronous == "EXTRA");

    auto envcfg = kfd::parse_command_line({}, env_of({{"KONGFLOW_CONFIG", file}}));
    REQUIRE(envcfg.value);
    CHECK(envcfg.value->config.db == "/from/file.db");
}

TEST_CASE("the synchronous setting reaches the database connections", "[integration][daemon]") {
    kf_test::temp_dir dir;
    int n = 0;
    for (auto [setting, level] : {std::pair{"NORMAL", 1}, std::pair{"FULL", 2}, std::pair{"EXTRA", 3}}) {
        INFO(setting);
        auto cl = kfd::parse_command_line({"--synchronous", setting}, env_of({}));
        REQUIRE(cl.value);
        auto st =
            kfe::sqlite::store::open(dir.file("s" + std::to_string(n++) + ".db"), kfd::store_params(cl.value->config));
        REQUIRE(st.has_value());
        using kfe::sqlite::detail::access;
        CHECK(access::with_connection((*st)->jobs(), kf_test::synchronous_level_of) == level);
        kfe::diagnostics d2;
        auto lease = access::pool_of((*st)->repo())->acquire(d2);
        REQUIRE(lease.has_value());
        CHECK(kf_test::synchronous_level_of(**lease) == level);
    }
}

TEST_CASE("config errors are clear", "[integration][daemon]") {
    kf_test::temp_dir dir;
    auto bad_json = dir.file("bad.json");
    std::ofstream(bad_json) << "{not json";
    auto unknown_key = dir.file("unknown.json");
    std::ofstream(unknown_key) << R"({"dbb": "x"})";
    struct c {
        std::vector<std::string> args;
        std::map<std::string, std::string> env;
        std::string expect;
    } cases[] = {
        {{"--listen", "nope"}, {}, "listen must be HOST:PORT"},
        {{"--listen", "127.0.0.1:70000"}, {}, "listen must be HOST:PORT"},
        // tests/fuzz/corpus/config/regression-listen-brackets: accepted, then unreadable once written back.
        {{"--listen", "1[]27.0.0.1:4:0"}, {}, "listen must be HOST:PORT"},
        {{"--listen", "[a]b]:80"}, {}, "listen must be HOST:PORT"},
        {{"--io-threads", "0"}, {}, "io_threads must be 1..256"},
        {{"--auth-cache-ms", "-1"}, {}, "auth_cache_ms must be a number of milliseconds between 0 and 3600000"},
        {{"--auth-cache-ms", "3600001"}, {}, "auth_cache_ms must be"},
        {{"--synchronous", "off"}, {}, "synchronous must be FULL, EXTRA or NORMAL, got 'off'"},
        {{}, {{"KONGFLOW_SYNCHRONOUS", "FUL"}}, "KONGFLOW_SYNCHRONOUS: synchronous must be FULL, EXTRA or NORMAL"},
        {{"--bogus", "1"}, {}, "unknown option --bogus"},
        {{"--db"}, {}, "--db needs a value"},
        {{"frobnicate"}, {}, "unknown command 'frobnicate'"},
        {{}, {{"KONGFLOW_LOG_LEVEL", "loud"}}, "KONGFLOW_LOG_LEVEL: log_level must be"},
        {{"--config", bad_json}, {}, "is not valid JSON"},
        {{"--config", unknown_key}, {}, "unknown key 'dbb'"},
        {{"--config", dir.file("missing.json")}, {}, "cannot read the config file"},
        {{"environments"}, {}, "environments needs a subcommand"},
        {{"environments", "create"}, {}, "needs --type"},
        {{"environments", "create", "--type", "qa"}, {}, "--type must be development"},
    };
    for (auto& x : cases) {
        auto r = kfd::parse_command_line(x.args, env_of(x.env));
        INFO(x.expect);
        CHECK(!r.value);
        CHECK(r.error.find(x.expect) != std::string::npos);
    }
    auto ok = kfd::parse_command_line(
        {"environments", "create", "--type", "production", "--api-key", "k1", "--org", "o"}, env_of({}));
    REQUIRE(ok.value);
    CHECK(ok.value->kind == kfd::command_kind::environments_create);
    CHECK(ok.value->env_type == kfe::environment_type::production);
    CHECK(ok.value->api_key == "k1");
    CHECK(ok.value->org == "o");
    auto help = kfd::help_text();
    for (auto s :
         {"KONGFLOW_DB", "KONGFLOW_LISTEN", "KONGFLOW_LOG_LEVEL", "--shutdown-timeout-ms", "environments create"})
        CHECK(help.find(s) != std::string::npos);
}

TEST_CASE("config: the endpoint address policy", "[integration][daemon]") {
    kf_test::temp_dir dir;
    auto cidrs = [](const kfd::daemon_config& c) {
        std::vector<std::string> out;
        for (const auto& b : c.endpoint_addresses.allow) out.push_back(b.to_string());
        return out;
    };
    using strings = std::vector<std::string>;

    auto d = kfd::parse_command_line({}, env_of({}));
    REQUIRE(d.value);
    CHECK_FALSE(d.value->config.endpoint_addresses.deny_private); // off by default: local development
    CHECK(d.value->config.endpoint_addresses.allow.empty());

    SECTION("flags: a bare switch is true; --allow-endpoint-cidr adds up") {
        auto f = kfd::parse_command_line({"serve", "--deny-private-endpoints", "--allow-endpoint-cidr", "127.0.0.1/32",
                                          "--allow-endpoint-cidr=10.1.0.0/16", "--listen", "127.0.0.1:1"},
                                         env_of({}));
        REQUIRE(f.value);
        CHECK(f.value->config.endpoint_addresses.deny_private);
        CHECK(cidrs(f.value->config) == strings{"127.0.0.1/32", "10.1.0.0/16"});
        CHECK(f.value->config.listen_port == 1);
        auto last = kfd::parse_command_line({"--deny-private-endpoints"}, env_of({}));
        REQUIRE(last.value);
        CHECK(last.value->config.endpoint_addresses.deny_private);
        auto off = kfd::parse_command_line({"--deny-private-endpoints", "false"},
                                           env_of({{"KONGFLOW_DENY_PRIVATE_ENDPOINTS", "true"}}));
        REQUIRE(off.value);
        CHECK_FALSE(off.value->config.endpoint_addresses.deny_private);
        // The same rule for the other boolean.
        auto boot = kfd::parse_command_line({"--bootstrap", "--bootstrap-org", "o"}, env_of({}));
        REQUIRE(boot.value);
        CHECK(boot.value->config.bootstrap);
        CHECK(boot.value->config.bootstrap_org == "o");
    }
    SECTION("environment, file, and precedence (each source replaces the whole list)") {
        auto file = dir.file("c.json");
        std::ofstream(file)
            << R"({"deny_private_endpoints": true, "allow_endpoint_cidrs": ["10.0.0.0/8", "fd00::/8"]})";
        auto f = kfd::parse_command_line({"--config", file}, env_of({}));
        REQUIRE(f.value);
        CHECK(f.value->config.endpoint_addresses.deny_private);
        CHECK(cidrs(f.value->config) == strings{"10.0.0.0/8", "fd00::/8"});

        auto text = dir.file("t.json");
        std::ofstream(text) << R"({"allow_endpoint_cidrs": "10.0.0.0/8, 192.168.1.0/24"})";
        auto t = kfd::parse_command_line({"--config", text}, env_of({}));
        REQUIRE(t.value);
        CHECK(cidrs(t.value->config) == strings{"10.0.0.0/8", "192.168.1.0/24"});

        auto e = kfd::parse_command_line({"--config", file},
                                         env_of({{"KONGFLOW_ALLOW_ENDPOINT_CIDRS", "127.0.0.1/32,::1/128"},
                                                 {"KONGFLOW_DENY_PRIVATE_ENDPOINTS", "false"}}));
        REQUIRE(e.value);
        CHECK_FALSE(e.value->config.endpoint_addresses.deny_private);
        CHECK(cidrs(e.value->config) == strings{"127.0.0.1/32", "::1/128"});

        auto fl = kfd::parse_command_line({"--config", file, "--allow-endpoint-cidr", "100.64.0.0/10"},
                                          env_of({{"KONGFLOW_ALLOW_ENDPOINT_CIDRS", "127.0.0.1/32"}}));
        REQUIRE(fl.value);
        CHECK(cidrs(fl.value->config) == strings{"100.64.0.0/10"});

        auto cleared = kfd::parse_command_line({"--config", file}, env_of({{"KONGFLOW_ALLOW_ENDPOINT_CIDRS", ""}}));
        REQUIRE(cleared.value);
        CHECK(cleared.value->config.endpoint_addresses.allow.empty());
    }
    SECTION("bad values stop the program with a clear message") {
        auto bad_file = dir.file("bad.json");
        std::ofstream(bad_file) << R"({"allow_endpoint_cidrs": ["10.0.0.0/8", 5]})";
        auto bad_text = dir.file("bad_text.json");
        std::ofstream(bad_text) << R"({"allow_endpoint_cidrs": "10.0.0.5/8"})";
        struct c {
            std::vector<std::string> args;
            std::map<std::string, std::string> env;
            std::string expect;
        } cases[] = {
            {{"--allow-endpoint-cidr", "10.0.0.0/33"},
             {},
             "--allow-endpoint-cidr: allow_endpoint_cidrs has an invalid CIDR block '10.0.0.0/33': the prefix length "
             "must be 0..32 for IPv4"},
            {{"--allow-endpoint-cidr", "10.0.0.0/8", "--allow-endpoint-cidr", "::/129"},
             {},
             "--allow-endpoint-cidr: allow_endpoint_cidrs has an invalid CIDR block '::/129'"},
            {{"--allow-endpoint-cidr"}, {}, "--allow-endpoint-cidr needs a value"},
            {{"--allow-endpoint-cidr", ""}, {}, "--allow-endpoint-cidr needs a value"},
            {{"--allow-endpoint-cidrs", "10.0.0.0/8"}, {}, "unknown option --allow-endpoint-cidrs"},
            {{},
             {{"KONGFLOW_ALLOW_ENDPOINT_CIDRS", "1.2.3"}},
             "KONGFLOW_ALLOW_ENDPOINT_CIDRS: allow_endpoint_cidrs has an invalid CIDR block '1.2.3': not an IPv4 or "
             "IPv6 address"},
            {{},
             {{"KONGFLOW_ALLOW_ENDPOINT_CIDRS", "10.0.0.0/8,,fd00::/8"}},
             "KONGFLOW_ALLOW_ENDPOINT_CIDRS: allow_endpoint_cidrs has an invalid CIDR block '': empty"},
            {{},
             {{"KONGFLOW_DENY_PRIVATE_ENDPOINTS", "maybe"}},
             "KONGFLOW_DENY_PRIVATE_ENDPOINTS: deny_private_endpoints must be true or false"},
            {{"--config", bad_file}, {}, "'allow_endpoint_cidrs' must hold non-empty strings"},
            {{"--config", bad_text},
             {},
             "allow_endpoint_cidrs has an invalid CIDR block '10.0.0.5/8': 10.0.0.5 has bits set past the prefix "
             "length 8"},
        };
        for (auto& x : cases) {
            auto r = kfd::parse_command_line(x.args, env_of(x.env));
            INFO(x.expect);
            CHECK(!r.value);
            CHECK(r.error.find(x.expect) != std::string::npos);
        }
    }
    auto help = kfd::help_text();
    for (auto s : {"--deny-private-endpoints (KONGFLOW_DENY_PRIVATE_ENDPOINTS",
                   "--allow-endpoint-cidr (repeatable) (KONGFLOW_ALLOW_ENDPOINT_CIDRS, key \"allow_endpoint_cidrs\""}) {
        INFO(s);
        CHECK(help.find(s) != std::string::npos);
    }
}

TEST_CASE("log lines are JSON with secrets redacted", "[integration][daemon]") {
    auto line = kfd::format_log_line(
        kfe::log_level::warn, "hello \"x\"",
        {{"apiKey", "tr_dev_0123456789abcdef"}, {"hookIdentifier", "abcdefghij"}, {"slug", "my-app"}});
    auto v = boost::json::parse(line);
    CHECK(v.at("level") == "warn");
    CHECK(v.at("message") == "hello \"x\"");
    CHECK(v.at("timestamp").as_string().size() == 24);
    CHECK(v.at("fields").at("slug") == "my-app");
    CHECK(line.find("0123456789abcdef") == std::string::npos);
    CHECK(line.find("abcdefghij") == std::string::npos);
    CHECK(kfd::parse_log_level("WARN") == kfe::log_level::warn);
    CHECK(!kfd::parse_log_level("loud"));
}

TEST_CASE("metrics exposition format", "[integration][daemon]") {
    kfd::metrics_registry m;
    m.declare_standard();
    auto sink = m.sink();
    sink.endpoint_upserted(true);
    sink.endpoint_upserted(true);
    sink.ping_finished("ok", std::chrono::microseconds(1500));
    sink.index_finished("failure", std::chrono::seconds(20));
    m.declare_gauge("kongflow_test_gauge", "A gauge.", [] {
        return std::vector<std::pair<kfd::labels, double>>{{{{"q", "a\"b"}}, 3}};
    });
    auto text = m.render();
    CHECK(text.find("kongflow_endpoints_upserted_total{created=\"true\"} 2\n") != std::string::npos);
    CHECK(text.find("kongflow_ping_duration_seconds_bucket{outcome=\"ok\",le=\"0.001\"} 0\n") != std::string::npos);
    CHECK(text.find("kongflow_ping_duration_seconds_bucket{outcome=\"ok\",le=\"0.0025\"} 1\n") != std::string::npos);
    CHECK(text.find("kongflow_ping_duration_seconds_count{outcome=\"ok\"} 1\n") != std::string::npos);
    CHECK(text.find("kongflow_index_duration_seconds_bucket{outcome=\"failure\",le=\"10\"} 0\n") != std::string::npos);
    CHECK(text.find("kongflow_index_duration_seconds_bucket{outcome=\"failure\",le=\"+Inf\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("kongflow_test_gauge{q=\"a\\\"b\"} 3\n") != std::string::npos);
    CHECK(text.find("# TYPE kongflow_test_gauge gauge\n") != std::string::npos);
}

TEST_CASE("config: client connection limit, job leases and the inline index recovery", "[integration][daemon]") {
    kf_test::temp_dir dir;
    auto d = kfd::parse_command_line({}, env_of({}));
    REQUIRE(d.value);
    CHECK(d.value->config.max_client_connections == 10'000);
    CHECK(d.value->config.job_lease == std::chrono::milliseconds(20'000));
    CHECK(d.value->config.job_rescue_interval == std::chrono::milliseconds(5'000));
    CHECK(d.value->config.inline_index_recovery == std::chrono::minutes(10));

    auto file = dir.file("c.json");
    std::ofstream(file) << R"({"max_client_connections": 500, "job_lease_ms": 4000})";
    auto r = kfd::parse_command_line(
        {"--config", file, "--job-rescue-interval-ms", "250"},
        env_of({{"KONGFLOW_MAX_CLIENT_CONNECTIONS", "2000"}, {"KONGFLOW_INLINE_INDEX_RECOVERY_MS", "30000"}}));
    REQUIRE(r.value);
    CHECK(r.value->config.max_client_connections == 2000); // the environment over the file
    CHECK(r.value->config.job_lease == std::chrono::milliseconds(4000));
    CHECK(r.value->config.job_rescue_interval == std::chrono::milliseconds(250));
    CHECK(r.value->config.inline_index_recovery == std::chrono::milliseconds(30'000));

    struct bad {
        std::vector<std::string> args;
        const char* expect;
    };
    for (const auto& x : {bad{{"--max-client-connections", "15"}, "max_client_connections must be 16..1000000"},
                          bad{{"--max-client-connections", "x"}, "max_client_connections must be 16..1000000"},
                          bad{{"--job-lease-ms", "99"}, "job_lease_ms must be a number of milliseconds"},
                          bad{{"--job-rescue-interval-ms", "0"}, "job_rescue_interval_ms must be"},
                          bad{{"--inline-index-recovery-ms", "999"}, "inline_index_recovery_ms must be"}}) {
        auto e = kfd::parse_command_line(x.args, env_of({}));
        INFO(x.expect);
        CHECK(!e.value);
        CHECK(e.error.find(x.expect) != std::string::npos);
    }
    auto help = kfd::help_text();
    for (auto s : {"--max-client-connections (KONGFLOW_MAX_CLIENT_CONNECTIONS, key \"max_client_connections\", "
                   "default 10000)",
                   "--job-lease-ms (KONGFLOW_JOB_LEASE_MS", "--job-rescue-interval-ms (KONGFLOW_JOB_RESCUE_INTERVAL_MS",
                   "--inline-index-recovery-ms (KONGFLOW_INLINE_INDEX_RECOVERY_MS"}) {
        INFO(s);
        CHECK(help.find(s) != std::string::npos);
    }
}
