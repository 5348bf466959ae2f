// kongflow-sample-endpoint: the Trigger.dev endpoint protocol seen from the other side. A tiny
// HTTP server answering what an @trigger.dev/sdk 2.3 app answers on /api/trigger — PING,
// VALIDATE and INDEX_ENDPOINT with three jobs — with the SDK's checks and messages
// (docs: /work/shared/protocol.md §A.13). It has no job runner: EXECUTE_JOB and the other actions
// get the SDK's answer for an action it does not handle.
//
// usage: kongflow-sample-endpoint [--listen HOST:PORT] [--id ID] [--api-key KEY] [--extra-jobs N]
//        (the key may also come from TRIGGER_API_KEY). Prints "LISTENING <port>" when ready.
//        --extra-jobs N adds N generated event jobs to the index: a heavy index for load tests.
#include "config.hpp"
#include "http_server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace kfd = kongflow::endpointsd;
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

struct settings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;
    std::string id = "sample-endpoint";
    std::string api_key;
    int extra_jobs = 0;
};

kfd::http_response reply(unsigned status, const json::value& body, bool standard_headers) {
    kfd::http_response res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    if (standard_headers) {
        // What the SDK adds to its regular replies; the server reads the versions from them.
        res.set("Trigger-Version", "2023-09-29");
        res.set("Trigger-SDK-Version", "kongflow-sample-0.1.0");
    }
    res.body() = json::serialize(body);
    return res;
}

json::value job(std::string id, std::string name, std::string version, json::value event, json::value trigger) {
    return json::object{{"id", std::move(id)},           {"name", std::move(name)},
                        {"version", std::move(version)}, {"event", std::move(event)},
                        {"trigger", std::move(trigger)}, {"integrations", json::object{}},
                        {"startPosition", "latest"},     {"enabled", true},
                        {"preprocessRuns", false}};
}

/// The index: an event-triggered job, an hourly cron job and an interval job, plus `extra`
/// generated event jobs.
json::value index_reply(int extra) {
    json::array jobs;
    for (int i = 0; i < extra; ++i) {
        std::string id = "generated-" + std::to_string(i);
        jobs.push_back(job(
            id, "Generated job " + std::to_string(i), "1.0." + std::to_string(i % 10),
            {{"name", id + ".requested"}, {"title", "Requested"}, {"source", "trigger.dev"}, {"icon", "custom-event"}},
            {{"type", "static"},
             {"title", id + ".requested"},
             {"rule", {{"event", id + ".requested"}, {"source", "trigger.dev"}, {"payload", json::object{}}}}}));
    }
    jobs.push_back(
        job("send-welcome-email", "Send welcome email", "1.0.0",
            {{"name", "user.created"}, {"title", "User created"}, {"source", "trigger.dev"}, {"icon", "custom-event"}},
            {{"type", "static"},
             {"title", "user.created"},
             {"rule", {{"event", "user.created"}, {"source", "trigger.dev"}, {"payload", json::object{}}}}}));
    jobs.push_back(
        job("hourly-report", "Hourly report", "1.2.0",
            {{"name", "trigger.scheduled"},
             {"title", "Cron Schedule"},
             {"source", "trigger.dev"},
             {"icon", "schedule-cron"},
             {"properties", json::array{{{"label", "cron"}, {"text", "0 * * * *"}}}}},
            {{"type", "scheduled"}, {"schedule", {{"type", "cron"}, {"options", {{"cron", "0 * * * *"}}}}}}));
    jobs.push_back(job("sync-inventory", "Sync inventory", "0.3.1",
                       {{"name", "trigger.scheduled"},
                        {"title", "Schedule"},
                        {"source", "trigger.dev"},
                        {"icon", "schedule-interval"},
                        {"properties", json::array{{{"label", "Interval"}, {"text", "300s"}}}}},
                       {{"type", "scheduled"}, {"schedule", {{"type", "interval"}, {"options", {{"seconds", 300}}}}}}));
    return json::object{{"jobs", std::move(jobs)},           {"sources", json::array{}},
                        {"webhooks", json::array{}},         {"dynamicTriggers", json::array{}},
                        {"dynamicSchedules", json::array{}}, {"httpEndpoints", json::array{}}};
}

kfd::http_response handle(const settings& s, const kfd::http_request& req) {
    auto header = [&](std::string_view name) { return std::string(req[name]); };
    // 1. The API key, before anything else (as TriggerClient.handleRequest).
    auto key = header("x-trigger-api-key");
    if (key.empty()) return reply(401, {{"message", "Unauthorized: missing x-trigger-api-key header"}}, false);
    if (key != s.api_key)
        return reply(
            401,
            {{"message",
              "Forbidden: client apiKey mismatch: Make sure you are using the correct API Key for your environment"}},
            false);
    // 2. Only POST.
    if (req.method() != http::verb::post)
        return reply(405, {{"message", "Method not allowed (only POST is allowed)"}}, false);
    // 3. The action.
    auto action = header("x-trigger-action");
    if (action.empty()) return reply(400, {{"message", "Missing x-trigger-action header"}}, false);
    if (action == "PING") {
        auto id = header("x-trigger-endpoint-id");
        if (id.empty()) return reply(200, {{"ok", false}, {"error", "Missing endpoint ID"}}, true);
        if (id != s.id)
            return reply(
                200, {{"ok", false}, {"error", "Endpoint ID mismatch error. Expected " + s.id + ", got " + id}}, true);
        return reply(200, {{"ok", true}}, true);
    }
    if (action == "VALIDATE") return reply(200, {{"ok", true}, {"endpointId", s.id}}, true);
    if (action == "INDEX_ENDPOINT") return reply(200, index_reply(s.extra_jobs), true);
    return reply(405, {{"message", "Method not allowed"}}, false);
}

} // namespace

int main(int argc, char** argv) {
    settings s;
    if (const char* k = std::getenv("TRIGGER_API_KEY")) s.api_key = k;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--listen") {
            if (!kfd::parse_listen(next(), s.host, s.port)) {
                std::fprintf(stderr, "--listen must be HOST:PORT\n");
                return 2;
            }
        } else if (a == "--id")
            s.id = next();
        else if (a == "--api-key")
            s.api_key = next();
        else if (a == "--extra-jobs") {
            auto v = next();
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || n < 0 || n > 100000) {
                std::fprintf(stderr, "--extra-jobs must be a number from 0 to 100000\n");
                return 2;
            }
            s.extra_jobs = static_cast<int>(n);
        } else {
            std::fprintf(
                stderr,
                "usage: kongflow-sample-endpoint [--listen HOST:PORT] [--id ID] [--api-key KEY] [--extra-jobs N]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    if (s.api_key.empty()) {
        std::fprintf(stderr,
                     "kongflow-sample-endpoint: give the environment's API key (--api-key or TRIGGER_API_KEY)\n");
        return 2;
    }
    asio::io_context ioc;
    kfd::http_server_params p;
    p.host = s.host;
    p.port = s.port;
    p.server_header = "kongflow-sample-endpoint";
    kfd::http_server server(
        ioc, p, [&s](kfd::http_request& req) -> asio::awaitable<kfd::http_response> { co_return handle(s, req); });
    auto ep = server.listen();
    if (!ep) {
        std::fprintf(stderr, "kongflow-sample-endpoint: cannot listen: %s\n", ep.error().message().c_str());
        return 1;
    }
    server.start();
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) {
        server.stop();
        server.abort_all();
        ioc.stop();
    });
    std::cout << "LISTENING " << ep->port() << "\n"
              << "Trigger.dev endpoint '" << s.id << "' at http://" << s.host << ":" << ep->port() << "/api/trigger\n"
              << std::flush;
    ioc.run();
    return 0;
}
