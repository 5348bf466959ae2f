// fuzz_daemon_request: raw bytes as HTTP/1.1 requests (pipelined, up to 16) through the daemon's
// own parser limits and read decisions (apply_request_limits, read_rejection,
// declared_length_rejection), its router and every route, and the server's response shaping
// (finish_response), with no socket: an in-memory store, a fake endpoint (fake_api_client) and
// one io_context run until idle, a fresh world per input.
//
// The store holds one environment (API key "tr_dev_fuzz_key_0000000001"), its endpoint "my-app"
// (hook identifier "fuzzhook") and one index. Their random ids are not guessable, so the input
// may write "@ENV@" and "@IDX@" for the environment and index ids. The fake endpoint answers by
// URL: "ping-fail", "status500", "notjson", "redirect", "index-bad" in the URL pick a failure.
//
// Oracles: every request gets an answer (a handler that never completes is a hang); no 500 (with
// this store and endpoint nothing may fail inside); what goes on the wire parses back as one
// HTTP/1.1 response with the same status and body, JSON bodies are JSON; every log line is a JSON
// object, and the API key never reaches the logs unless the request carried it elsewhere than in
// Authorization.
#include "bootstrap.hpp"
#include "fuzz_check.hpp"
#include "http_server.hpp"
#include "logging.hpp"
#include "metrics.hpp"
#include "router.hpp"

#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/services/registrar.hpp>
#include <kongflow/endpoints/testing/fake_api_client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>

namespace kfd = kongflow::endpointsd;
namespace kfe = kongflow::endpoints;
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

const std::string api_key = "tr_dev_fuzz_key_0000000001";
const std::string endpoint_url = "http://127.0.0.1:1/api/trigger";

constexpr std::string_view pong_body = R"({"ok":true,"triggerVersion":"2023-09-29","triggerSdkVersion":"2.3.19"})";
// The SDK fixture index-ok (tests/fixtures/sdk-2.3.19), shortened to one job.
constexpr std::string_view index_body =
    R"({"jobs":[{"id":"example-job","name":"Example Job","version":"0.0.1","event":{"name":"example.event",)"
    R"("title":"Event","source":"trigger.dev","icon":"custom-event"},"trigger":{"type":"static","title":)"
    R"("example.event","rule":{"event":"example.event","source":"trigger.dev","payload":{}}},"integrations":{},)"
    R"("startPosition":"latest","enabled":true,"preprocessRuns":false}],"sources":[],"webhooks":[],)"
    R"("dynamicTriggers":[],"dynamicSchedules":[],"httpEndpoints":[]})";

kfe::http_response reply(unsigned status, std::string_view body, std::vector<kfe::http_header> extra = {}) {
    kfe::http_response r;
    r.status = status;
    r.body = std::string(body);
    r.headers = {
        {"content-type", "application/json"}, {"trigger-version", "2023-09-29"}, {"trigger-sdk-version", "2.3.19"}};
    for (auto& h : extra) r.headers.push_back(std::move(h));
    return r;
}

/// The fake endpoint: a failure chosen by the URL, else the SDK's answers.
kfe::testing::fake_api_client::outcome answer(const kfe::action_request& req, std::string_view ok_body) {
    const auto& u = req.url;
    auto has = [&](std::string_view s) { return u.find(s) != std::string::npos; };
    if (has("status500")) return reply(500, R"({"message":"boom"})");
    if (has("notjson")) return reply(200, "<html>");
    if (has("ping-fail")) return reply(200, R"({"ok":false,"error":"nope"})");
    if (has("index-bad")) return reply(200, R"({"jobs":[1]})");
    if (has("redirect") && !has("/next")) return reply(307, "", {{"location", "/next"}});
    if (has("unreachable")) return kfe::error_code(kfe::errc::connect_failed);
    return reply(200, ok_body);
}

struct world {
    asio::io_context ioc{1};
    kfe::memory::store store;
    kfe::testing::fake_api_client client{ioc.get_executor()};
    kfe::repository_registrar registrar;
    kfd::metrics_registry metrics;
    std::vector<std::string> log_lines;
    std::unique_ptr<kfe::endpoint_service> endpoints;
    std::unique_ptr<kfe::index_endpoint_service> indexer;
    std::unique_ptr<kfd::router> routes;
    kfe::environment env;
    std::string index_id;

    world() {
        kfe::diagnostics diag;
        auto boot = kfd::bootstrap_if_empty(store.repo(), {"acme", "web", api_key}, diag);
        if (!boot || !*boot) std::abort();
        env = **boot;
        kfe::upsert_endpoint_params up;
        up.environment_id = env.id;
        up.organization_id = env.organization_id;
        up.project_id = env.project_id;
        up.slug = "my-app";
        up.url = endpoint_url;
        up.version = "2.3.19";
        up.indexing_hook_identifier = "fuzzhook";
        auto ep = store.repo().upsert_endpoint(up);
        if (!ep) std::abort();
        kfe::create_index_params ip;
        ip.endpoint_id = ep->value.id;
        auto ix = store.repo().create_index(ip);
        if (!ix) std::abort();
        index_id = ix->id;

        client.on(kfe::endpoint_action::ping, [](const kfe::action_request& r) { return answer(r, pong_body); });
        client.on(kfe::endpoint_action::validate,
                  [](const kfe::action_request& r) { return answer(r, R"({"ok":true,"endpointId":"my-app"})"); });
        client.on(kfe::endpoint_action::index_endpoint,
                  [](const kfe::action_request& r) { return answer(r, index_body); });

        kfe::logger log;
        log.level = kfe::log_level::debug;
        log.sink = [this](kfe::log_level l, std::string_view m, const std::vector<kfe::log_field>& f) {
            log_lines.push_back(kfd::format_log_line(l, m, f));
        };
        metrics.declare_standard();
        auto ex = ioc.get_executor();
        kfe::endpoint_service_params ep_params;
        ep_params.log = log;
        ep_params.metrics = metrics.sink();
        endpoints = std::make_unique<kfe::endpoint_service>(ex, store, client, std::move(ep_params));
        kfe::index_endpoint_service_params ix_params;
        ix_params.log = log;
        ix_params.metrics = metrics.sink();
        indexer = std::make_unique<kfe::index_endpoint_service>(ex, store, client, registrar, std::move(ix_params));

        kfd::api_deps deps;
        deps.repo = &store.repo();
        deps.jobs = &store.jobs();
        deps.blocking = ex;
        deps.metrics = &metrics;
        deps.log = log;
        deps.endpoints = endpoints.get();
        deps.indexer = indexer.get();
        deps.not_ready = [] { return std::optional<std::string>(); };
        routes = std::make_unique<kfd::router>(std::move(deps));
        kfd::add_api_routes(*routes);
        kfd::add_queue_routes(*routes);
        kfd::add_service_routes(*routes);
    }
};

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

/// True when the request carries `secret` anywhere but its Authorization header, also once
/// percent-decoded (the target) or JSON-decoded (the body): a route may log what it decoded.
bool carries_elsewhere(const kfd::http_request& req, std::string_view secret) {
    auto has = [&](std::string_view s) { return s.find(secret) != std::string_view::npos; };
    std::string_view target(req.target().data(), req.target().size());
    if (has(target) || has(req.body())) return true;
    std::string decoded;
    for (std::size_t i = 0; i < target.size(); ++i) {
        auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
        if (target[i] == '%' && i + 2 < target.size() && hex(target[i + 1]) && hex(target[i + 2])) {
            decoded += static_cast<char>(std::stoi(std::string(target.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            decoded += target[i];
        }
    }
    if (has(decoded)) return true;
    boost::system::error_code ec;
    auto body = json::parse(req.body(), ec);
    if (!ec && has(json::serialize(body))) return true;
    for (const auto& f : req)
        if (f.name() != http::field::authorization && (has(f.value()) || has(f.name_string()))) return true;
    return false;
}

/// What the server writes parses back as one response with the same status and body.
void check_wire(const kfd::http_response& res, bool head, std::string_view context) {
    std::ostringstream os;
    os << res;
    auto wire = os.str();
    http::response_parser<http::string_body> p;
    p.skip(head);
    p.eager(true);
    boost::system::error_code ec;
    auto used = p.put(asio::buffer(wire), ec);
    if (!ec && !p.is_done()) p.put_eof(ec);
    KF_FUZZ_CHECK(!ec && p.is_done(), "the response does not parse back (" + ec.message() +
                                          "): " + kf_fuzz::show(wire) + std::string(context));
    KF_FUZZ_CHECK(used == wire.size(), "bytes left after the response: " + kf_fuzz::show(wire));
    const auto& m = p.get();
    KF_FUZZ_CHECK(m.result_int() == res.result_int(), "status changed on the wire");
    KF_FUZZ_CHECK(m.body() == res.body(), "body changed on the wire: " + kf_fuzz::show(wire));
    auto type = res[http::field::content_type];
    if (!head && std::string_view(type.data(), type.size()).starts_with("application/json")) {
        auto v = json::parse(res.body(), ec);
        KF_FUZZ_CHECK(!ec, "a JSON response that is not JSON: " + kf_fuzz::show(res.body()));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    world w;
    const kfd::http_server_params params; // the daemon's defaults: 1 MiB body, 16 KiB header
    std::string input(reinterpret_cast<const char*>(data), size);
    input = replace_all(std::move(input), "@ENV@", w.env.id);
    input = replace_all(std::move(input), "@IDX@", w.index_id);
    std::string_view rest = input;

    for (int n = 0; n < 16 && !rest.empty(); ++n) {
        http::request_parser<http::string_body> parser;
        kfd::apply_request_limits(parser, params);
        boost::system::error_code ec;
        std::size_t used = 0;
        // The header: all the input is there at once; "need more" means the peer stopped.
        while (!ec && !parser.is_header_done()) {
            used += parser.put(asio::buffer(rest.data() + used, rest.size() - used), ec);
            if (ec == http::error::need_more) {
                ec = {};
                parser.put_eof(ec);
                if (!ec) break;
            }
        }
        std::optional<kfd::http_rejection> rejected;
        if (ec) {
            rejected = kfd::read_rejection(ec, false, params);
        } else if (!(rejected = kfd::declared_length_rejection(parser, params))) {
            while (!ec && !parser.is_done()) {
                auto got = parser.put(asio::buffer(rest.data() + used, rest.size() - used), ec);
                used += got;
                if (ec == http::error::need_more || (!ec && got == 0)) {
                    ec = {};
                    parser.put_eof(ec);
                    if (!ec && !parser.is_done()) ec = http::error::partial_message;
                }
            }
            if (ec) rejected = kfd::read_rejection(ec, true, params);
        }
        if (ec) {
            // The server answers the rejection (or closes) and stops reading the connection.
            if (rejected) {
                auto res = kfd::json_error(rejected->status, rejected->message, 11, false);
                res.set(http::field::server, params.server_header);
                check_wire(res, false, " (a rejection)");
            }
            break;
        }
        rest.remove_prefix(used);

        kfd::http_request req = parser.release();
        std::optional<kfd::http_response> res;
        w.log_lines.clear();
        w.ioc.restart(); // running out of work stopped it after the previous request
        asio::co_spawn(w.ioc, w.routes->handle(req), [&](std::exception_ptr e, kfd::http_response r) {
            // As http_server::serve: an exception out of the handler is a 500.
            res = e ? kfd::json_error(500, "Something went wrong", req.version()) : std::move(r);
        });
        for (int i = 0; i < 100000 && w.ioc.poll_one(); ++i) {}
        std::string context = " for " + kf_fuzz::show(std::string_view(req.target().data(), req.target().size()));
        KF_FUZZ_CHECK(res.has_value(), "the request never got an answer" + context);
        KF_FUZZ_CHECK(res->result_int() != 500, "a 500: " + kf_fuzz::show(res->body()) + context);
        bool keep_alive = kfd::finish_response(req, *res, params, false);
        check_wire(*res, req.method() == http::verb::head, context);

        bool secret_in_request = carries_elsewhere(req, api_key);
        for (const auto& line : w.log_lines) {
            auto v = json::parse(line, ec);
            KF_FUZZ_CHECK(!ec && v.is_object(), "a log line that is not a JSON object: " + kf_fuzz::show(line));
            if (!secret_in_request)
                KF_FUZZ_CHECK(line.find(api_key) == std::string::npos, "the API key in a log line: " + line);
        }
        if (!keep_alive) break;
    }
    return 0;
}
