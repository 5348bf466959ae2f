// The routes that call the library's services: create (Trigger.dev's POST /api/v1/endpoints),
// delete, API-sourced index and the indexing hook.
#include "router.hpp"

#include <kongflow/endpoints/client/schemas.hpp>
#include <kongflow/endpoints/client/zod.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <array>
#include <memory>

namespace kongflow::endpointsd {

namespace json = boost::json;

namespace {

http_response error_response(unsigned status, std::string_view message) {
    return json_response(status, json::object{{"error", message}});
}

/// A service failure as Trigger.dev's routes answer it.
http_response service_failure(const request_context& ctx, const kfe::service_error& err, std::string_view op) {
    if (err.code == kfe::errc::endpoint_not_found)
        return error_response(404, err.message.empty() ? "Endpoint not found" : err.message);
    if (err.code == kfe::errc::invalid_request) {
        // zod's issue format, joined as Trigger.dev's route does. A bad URL reads exactly as
        // zod's url() check ("Invalid url"); our other rules (lengths, slug characters) say why.
        std::string msg;
        for (const auto& [field, problem] : err.details) {
            if (!msg.empty()) msg += " | ";
            std::string text = problem.is_string() ? std::string(problem.get_string()) : json::serialize(problem);
            if (field == "url" && text != "is required" && text != "is longer than the limit")
                msg += "Code: invalid_string ~ Path: url ~ Message: Invalid url";
            else
                msg += "Code: custom ~ Path: " + std::string(field) + " ~ Message: " + std::string(field) + " " + text;
        }
        if (msg.empty()) msg = err.message;
        return error_response(400, "Invalid request body: " + msg);
    }
    if (err.code == kfe::errc::failed_ping || err.code == kfe::errc::failed_upsert ||
        err.code == kfe::errc::failed_index)
        return error_response(400, err.message);
    ctx.deps.log.log(kfe::log_level::error, "service call failed",
                     {{"operation", std::string(op)},
                      {"error", err.message.empty() ? err.code.message() : err.message},
                      {"cause", log_text(kfe::error(err.cause, err.diag))}});
    return error_response(500, "Something went wrong");
}

/// `{url, id}` or `{url, name}` (older SDKs), read by the library as Trigger.dev's route reads it;
/// the issues joined as its route prints them (zod-error's "Code: … ~ Path: … ~ Message: …"). The
/// URL itself is checked by the service (invalid_request below).
std::optional<kfe::create_endpoint_body> parse_create_body(std::string_view text, std::string& error) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) {
        // Trigger.dev's request.json() throws here (a 500); a 400 that says why is more useful.
        error = "Invalid request body: Code: invalid_type ~ Path:  ~ Message: Expected object, received " +
                std::string(text.empty() ? "undefined" : "invalid JSON");
        return std::nullopt;
    }
    auto body = kfe::parse_create_endpoint_body(v);
    if (!body) {
        error = "Invalid request body: " + kfe::generate_error_message(body.issues());
        return std::nullopt;
    }
    return std::move(body).value();
}

asio::awaitable<http_response> create_endpoint(request_context& ctx) {
    std::string problem;
    auto body = parse_create_body(ctx.req.body(), problem);
    if (!body) co_return error_response(400, problem);
    kfe::service_error err;
    kfe::create_endpoint_request req{*ctx.env, std::move(body->url), std::move(body->id)};
    // Build the operation first, co_await it after: no by-value temporaries in the co_await
    // expression (GCC 12, see offload()).
    auto op = ctx.deps.endpoints->async_create(std::move(req), err, asio::deferred);
    auto [ec, created] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return service_failure(ctx, err.code ? err : kfe::service_error{ec, ec.message(), {}, {}, {}}, "create");
    auto o = json::value_from(created.value).as_object();
    o["environment"] = environment_json(created.env);
    o["endpointIndex"] = json::value_from(created.index);
    co_return json_response(200, o);
}

asio::awaitable<http_response> delete_endpoint(request_context& ctx) {
    kfe::service_error err;
    auto op = ctx.deps.endpoints->async_delete(ctx.env->id, ctx.params.at(0), err, asio::deferred);
    auto [ec, ep] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return service_failure(ctx, err.code ? err : kfe::service_error{ec, ec.message(), {}, {}, {}}, "delete");
    co_return json_response(200, json::value_from(ep));
}

asio::awaitable<http_response> index_endpoint(request_context& ctx) {
    // As Trigger.dev: the endpoint first (404), then the body {reason?: string, data?: any}; empty = {}.
    auto find = [repo = ctx.deps.repo, env_id = ctx.env->id, slug = ctx.params.at(0)] {
        return repo->find_endpoint_by_slug(env_id, slug);
    };
    auto ep = co_await offload(ctx.deps.blocking, find);
    if (!ep) {
        if (ep.error() == kfe::errc::not_found) co_return error_response(404, "Endpoint not found");
        co_return error_response(500, "Something went wrong");
    }
    std::optional<std::string> reason;
    json::value data;
    if (!ctx.req.body().empty()) {
        boost::system::error_code ec;
        auto v = json::parse(ctx.req.body(), ec);
        if (ec || !v.is_object()) co_return error_response(400, "Invalid body");
        auto& o = v.as_object();
        if (auto* r = o.if_contains("reason")) { // z.string().optional(): null is invalid
            if (!r->is_string()) co_return error_response(400, "Invalid body");
            reason = std::string(r->get_string());
        }
        if (auto* d = o.if_contains("data")) data = *d;
    }
    kfe::index_request req;
    req.endpoint_id = ep->id;
    req.source = kfe::index_source::api;
    req.reason = std::move(reason);
    req.source_data = std::move(data);
    req.perform_now = true; // Trigger.dev runs the index inline for API requests (§C.3)
    kfe::service_error err;
    auto op = ctx.deps.indexer->async_index(std::move(req), err, asio::deferred);
    auto [ec, index] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return service_failure(ctx, err.code ? err : kfe::service_error{ec, ec.message(), {}, {}, {}}, "index");
    auto o = json::value_from(index).as_object();
    o.erase("data"); // as Trigger.dev: the index without its data
    co_return json_response(200, o);
}

/// Trigger.dev's hook route exports a loader (GET, HEAD) and an action (POST, PUT, PATCH, DELETE):
/// both call the service, only the action reads the body (text; empty = none; JSON.parse, and
/// null when that throws).
asio::awaitable<http_response> hook_index(request_context& ctx) {
    kfe::hook_index_request req;
    req.environment_id = ctx.params.at(0);
    req.endpoint_slug = ctx.params.at(1);
    req.hook_identifier = ctx.params.at(2);
    auto method = ctx.req.method();
    bool action = method != http::verb::get && method != http::verb::head;
    if (action && !ctx.req.body().empty()) {
        boost::system::error_code ec;
        auto v = json::parse(ctx.req.body(), ec);
        req.body = ec ? json::value(nullptr) : std::move(v); // the service refuses null (§C.5)
    }
    kfe::service_error err;
    auto op = ctx.deps.indexer->async_hook_index(std::move(req), err, asio::deferred);
    auto [ec, index] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    (void)index;
    if (ec) {
        if (err.code == kfe::errc::endpoint_not_found || ec == kfe::errc::endpoint_not_found ||
            ec == kfe::errc::not_found)
            co_return error_response(404, err.message.empty() ? "Endpoint not found" : err.message);
        // A null body: Trigger.dev's index create throws there (Prisma refuses null for sourceData)
        // and Remix answers its last-resort 500. Nothing is written either way; we say why, as the
        // API index route does for a body it cannot read (docs/compatibility.md).
        if (err.code == kfe::errc::invalid_request) co_return error_response(400, "Invalid body");
        co_return service_failure(ctx, err.code ? err : kfe::service_error{ec, ec.message(), {}, {}, {}}, "hook");
    }
    co_return json_response(200, json::object{{"ok", true}});
}

} // namespace

void add_service_routes(router& r) {
    using http::verb;
    r.add(verb::post, "/api/v1/endpoints", true, create_endpoint);
    r.add(verb::delete_, "/api/v1/endpoints/:slug", true, delete_endpoint);
    r.add(verb::post, "/api/v1/endpoints/:slug/index", true, index_endpoint);
    // Every method Remix hands to a route with a loader and an action (HEAD goes with GET).
    for (auto v : {verb::get, verb::post, verb::put, verb::patch, verb::delete_})
        r.add(v, "/api/v1/endpoints/:environmentId/:slug/index/:hookIdentifier", false, hook_index);
}

} // namespace kongflow::endpointsd
