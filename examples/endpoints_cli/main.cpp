// kongflow-endpoints: talk to a Trigger.dev v2 endpoint from the command line.
//
//   kongflow-endpoints ping URL --api-key KEY --endpoint-id ID
//   kongflow-endpoints validate URL --api-key KEY
//   kongflow-endpoints index URL --api-key KEY
//
// Prints one JSON object on stdout. Exit status: 0 ok, 1 the endpoint failed, 2 usage error.
#include <kongflow/endpoints/client/http_api_client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace kf = kongflow::endpoints;

namespace {

constexpr int exit_ok = 0, exit_failed = 1, exit_usage = 2;

const char* usage_text = "usage:\n"
                         "  kongflow-endpoints ping URL --api-key KEY --endpoint-id ID\n"
                         "  kongflow-endpoints validate URL --api-key KEY\n"
                         "  kongflow-endpoints index URL --api-key KEY\n"
                         "options:\n"
                         "  --timeout MS     total timeout per request (default: 30000; index: 5000, as Trigger.dev)\n"
                         "  --ca-file PATH   trust these certificates for https (default: the system's)\n"
                         "  --user-agent UA  user-agent header (default: kongflow-endpoints/<version>)\n";

struct options {
    std::string command;
    std::string url;
    std::map<std::string, std::string> flags;
};

std::optional<options> parse_args(int argc, char** argv, std::string& error) {
    options o;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            error = "help";
            return std::nullopt;
        }
        if (a.rfind("--", 0) == 0) {
            if (i + 1 >= argc) {
                error = "missing value for " + a;
                return std::nullopt;
            }
            static const std::vector<std::string> known = {"--api-key", "--endpoint-id", "--timeout", "--ca-file",
                                                           "--user-agent"};
            if (std::find(known.begin(), known.end(), a) == known.end()) {
                error = "unknown option " + a;
                return std::nullopt;
            }
            o.flags[a.substr(2)] = argv[++i];
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() != 2) {
        error = positional.empty() ? "missing command" : "expected a command and one URL";
        return std::nullopt;
    }
    o.command = positional[0];
    o.url = positional[1];
    if (o.command != "ping" && o.command != "validate" && o.command != "index") {
        error = "unknown command " + o.command;
        return std::nullopt;
    }
    if (!o.flags.count("api-key")) {
        error = "--api-key is required";
        return std::nullopt;
    }
    if (o.command == "ping" && !o.flags.count("endpoint-id")) {
        error = "--endpoint-id is required for ping";
        return std::nullopt;
    }
    if (o.flags.count("timeout")) {
        const auto& t = o.flags["timeout"];
        if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9) {
            error = "--timeout takes a whole number of milliseconds";
            return std::nullopt;
        }
    }
    return o;
}

void print(const json::value& v) { std::cout << json::serialize(v) << std::endl; }

json::object failure(std::string_view message, std::optional<json::value> raw = std::nullopt) {
    json::object err{{"message", message}};
    if (raw) err["raw"] = *raw;
    return {{"ok", false}, {"error", std::move(err)}};
}

/// The stats an index of this body would record if every registration succeeds (§C.4).
json::object preview_stats(const kf::index_endpoint_response& r) {
    std::int64_t jobs = 0;
    for (const auto& j : r.jobs)
        if (j.enabled && !j.internal) ++jobs;
    auto size = [](const auto& opt) -> std::int64_t {
        if constexpr (requires { opt.has_value(); })
            return opt ? static_cast<std::int64_t>(opt->size()) : 0;
        else
            return static_cast<std::int64_t>(opt.size());
    };
    return {{"jobs", jobs},
            {"sources", size(r.sources)},
            {"webhooks", size(r.webhooks)},
            {"dynamicTriggers", size(r.dynamic_triggers)},
            {"dynamicSchedules", size(r.dynamic_schedules)},
            {"httpEndpoints", size(r.http_endpoints)}};
}

asio::awaitable<int> run(kf::api_client& client, options o) {
    kf::endpoint_target target{o.url, o.flags["api-key"], std::nullopt};
    if (o.flags.count("timeout")) target.timeout = std::chrono::milliseconds(std::stoll(o.flags["timeout"]));
    kf::diagnostics diag;
    auto tok = asio::as_tuple(asio::use_awaitable);

    if (o.command == "ping") {
        auto [ec, pong] = co_await client.async_ping(target, o.flags["endpoint-id"], diag, tok);
        if (ec) {
            print(json::object{{"ok", false}, {"error", pong.error}});
            co_return exit_failed;
        }
        json::object out{{"ok", true}};
        if (pong.trigger_version) out["triggerVersion"] = *pong.trigger_version;
        if (pong.trigger_sdk_version) out["triggerSdkVersion"] = *pong.trigger_sdk_version;
        print(out);
        co_return exit_ok;
    }
    if (o.command == "validate") {
        auto [ec, v] = co_await client.async_validate(target, diag, tok);
        if (ec) {
            print(json::object{{"ok", false}, {"error", v.error}});
            co_return exit_failed;
        }
        json::object out{{"ok", true}, {"endpointId", v.endpoint_id}};
        if (v.trigger_version) out["triggerVersion"] = *v.trigger_version;
        print(out);
        co_return exit_ok;
    }

    // index: follow redirects as PerformEndpointIndexService does (redirectCount > 5 gives up).
    for (int redirects = 0;; ++redirects) {
        auto [ec, r] = co_await client.async_index_endpoint(target, diag, tok);
        if (r.kind == kf::index_result::outcome::redirect) {
            if (redirects > 5) {
                print(failure("Endpoint " + target.url + " is redirecting too many times"));
                co_return exit_failed;
            }
            target.url = kf::replies::index_redirect_url(target.url, r.location);
            continue;
        }
        if (r.kind == kf::index_result::outcome::failure) {
            print(failure(r.error.message, r.error.raw));
            co_return exit_failed;
        }
        json::object out{{"ok", true}, {"stats", preview_stats(r.response)}};
        json::value full = json::value_from(r.response);
        json::object data;
        for (const char* key : {"jobs", "sources", "webhooks", "dynamicTriggers", "dynamicSchedules", "httpEndpoints"})
            if (auto* v = full.as_object().if_contains(key)) data[key] = *v;
        out["data"] = std::move(data);
        if (r.trigger_version) out["triggerVersion"] = *r.trigger_version;
        if (r.trigger_sdk_version) out["triggerSdkVersion"] = *r.trigger_sdk_version;
        print(out);
        co_return exit_ok;
    }
}

} // namespace

int main(int argc, char** argv) {
    std::string error;
    auto opts = parse_args(argc, argv, error);
    if (!opts) {
        if (error == "help") {
            std::cout << usage_text;
            return exit_ok;
        }
        std::cerr << "kongflow-endpoints: " << error << "\n" << usage_text;
        print(json::object{{"ok", false}, {"error", {{"message", error}}}});
        return exit_usage;
    }

    try {
        asio::io_context ctx;
        asio::ssl::context tls(asio::ssl::context::tls_client);
        if (opts->flags.count("ca-file"))
            tls.load_verify_file(opts->flags["ca-file"]);
        else
            tls.set_default_verify_paths();
        kf::http_api_client_params params;
        if (opts->flags.count("user-agent")) params.identity.user_agent = opts->flags["user-agent"];
        kf::http_api_client client(ctx.get_executor(), tls, params);

        int status = exit_failed;
        asio::co_spawn(ctx, run(client, *opts), [&](std::exception_ptr e, int rc) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    print(failure(std::string("internal error: ") + ex.what()));
                }
                status = exit_failed;
            } else {
                status = rc;
            }
            client.transport().close();
        });
        ctx.run();
        return status;
    } catch (const std::exception& e) {
        print(failure(e.what()));
        return exit_usage;
    }
}
