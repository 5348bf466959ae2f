// The routes that need only the repository: health, readiness, metrics, whoami, and reads; and
// the queue introspection routes, which need only the queue.
#include "router.hpp"

#include <kongflow/endpoints/queue/queue.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

namespace kongflow::endpointsd {

namespace json = boost::json;

namespace {

http_response error_response(unsigned status, std::string_view message) {
    return json_response(status, json::object{{"error", message}});
}

http_response store_failure(const request_context& ctx, std::string_view what, const kfe::error& ec) {
    ctx.deps.log.log(kfe::log_level::error, "store call failed",
                     {{"operation", std::string(what)}, {"error", log_text(ec)}});
    return error_response(500, "Something went wrong");
}

/// GetEndpointIndexResponse (protocol.md §B, §C.9).
json::object index_status_json(const kfe::endpoint_index& ix, unsigned& status) {
    json::object o;
    status = 200;
    o["status"] = kfe::to_string(ix.status);
    switch (ix.status) {
    case kfe::index_status::success:
        if (!ix.stats.is_object()) {
            status = 500;
            o["status"] = "FAILURE";
            o["error"] = json::object{{"message", "Invalid endpoint index"}};
        } else {
            o["stats"] = ix.stats;
        }
        break;
    case kfe::index_status::failure:
        if (!ix.error.is_object() || !ix.error.as_object().contains("message")) {
            status = 500;
            o["error"] = json::object{{"message", "Invalid endpoint index"}};
        } else {
            o["error"] = ix.error;
        }
        break;
    default: break;
    }
    o["updatedAt"] = kfe::format_timestamp(ix.updated_at);
    return o;
}

asio::awaitable<http_response> healthz(request_context&) {
    co_return json_response(200, json::object{{"status", "ok"}});
}

asio::awaitable<http_response> readyz(request_context& ctx) {
    std::optional<std::string> problem;
    auto check = [f = ctx.deps.not_ready] { return f(); };
    if (ctx.deps.not_ready) problem = co_await offload(ctx.deps.blocking, check);
    if (problem) co_return json_response(503, json::object{{"status", "unavailable"}, {"error", *problem}});
    co_return json_response(200, json::object{{"status", "ready"}});
}

asio::awaitable<http_response> metrics(request_context& ctx) {
    // Gauges read the queue (a store call): render off the I/O threads.
    auto render = [m = ctx.deps.metrics] { return m ? m->render() : std::string(); };
    auto text = co_await offload(ctx.deps.blocking, render);
    http_response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = std::move(text);
    co_return res;
}

asio::awaitable<http_response> whoami(request_context& ctx) {
    const auto& env = *ctx.env;
    auto find_project = [repo = ctx.deps.repo, id = env.project_id] { return repo->find_project(id); };
    auto project = co_await offload(ctx.deps.blocking, find_project);
    if (!project) co_return store_failure(ctx, "find_project", project.error());
    auto find_org = [repo = ctx.deps.repo, id = env.organization_id] { return repo->find_organization(id); };
    auto org = co_await offload(ctx.deps.blocking, find_org);
    if (!org) co_return store_failure(ctx, "find_organization", org.error());
    json::object o;
    o["id"] = env.id;
    o["slug"] = env.slug;
    o["type"] = kfe::to_string(env.type);
    o["createdAt"] = kfe::format_timestamp(env.created_at);
    o["updatedAt"] = kfe::format_timestamp(env.updated_at);
    o["organizationId"] = env.organization_id;
    o["projectId"] = env.project_id;
    o["pkApiKey"] = public_api_key(env);
    o["project"] = json::value_from(*project);
    o["organization"] = json::value_from(*org);
    co_return json_response(200, o);
}

asio::awaitable<http_response> get_endpoint_index(request_context& ctx) {
    auto id = ctx.params.at(0);
    auto env_id = ctx.env->id;
    // Scoped to the environment: an index of another environment is "not found".
    auto find = [repo = ctx.deps.repo, id, env_id]() -> kfe::result<kfe::endpoint_index> {
        auto ix = repo->find_index(id);
        if (!ix) return ix.error();
        auto ep = repo->find_endpoint(ix->endpoint_id);
        if (!ep) return ep.error();
        if (ep->environment_id != env_id) return make_error_code(kfe::errc::not_found);
        return ix;
    };
    auto ix = co_await offload(ctx.deps.blocking, find);
    if (!ix) {
        if (ix.error() == kfe::errc::not_found) co_return error_response(404, "EndpointIndex not found");
        co_return store_failure(ctx, "find_index", ix.error());
    }
    unsigned status = 200;
    auto body = index_status_json(*ix, status);
    co_return json_response(status, body);
}

asio::awaitable<http_response> list_endpoints(request_context& ctx) {
    auto list = [repo = ctx.deps.repo, env_id = ctx.env->id] { return repo->list_endpoints(env_id); };
    auto eps = co_await offload(ctx.deps.blocking, list);
    if (!eps) co_return store_failure(ctx, "list_endpoints", eps.error());
    json::array arr;
    for (const auto& e : *eps) arr.push_back(json::value_from(e));
    co_return json_response(200, json::object{{"endpoints", std::move(arr)}});
}

asio::awaitable<http_response> get_endpoint(request_context& ctx) {
    auto find = [repo = ctx.deps.repo, env_id = ctx.env->id, slug = ctx.params.at(0)] {
        return repo->find_endpoint_by_slug(env_id, slug);
    };
    auto ep = co_await offload(ctx.deps.blocking, find);
    if (!ep) {
        if (ep.error() == kfe::errc::not_found) co_return error_response(404, "Endpoint not found");
        co_return store_failure(ctx, "find_endpoint_by_slug", ep.error());
    }
    co_return json_response(200, json::value_from(*ep));
}

/// A decimal query parameter in [min, max]; `bad` when present but not such a number.
std::size_t count_param(const request_context& ctx, std::string_view name, std::size_t def, std::size_t min,
                        std::size_t max, bool& bad) {
    bad = false;
    auto v = query_param(ctx.query, name);
    if (!v) return def;
    std::size_t n = 0;
    if (v->empty() || v->size() > 6) {
        bad = true;
        return def;
    }
    for (char c : *v) {
        if (c < '0' || c > '9') {
            bad = true;
            return def;
        }
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (n < min || n > max) bad = true;
    return n;
}

asio::awaitable<http_response> list_indexes(request_context& ctx) {
    bool bad = false;
    auto limit = count_param(ctx, "limit", 20, 1, 100, bad);
    if (bad) co_return error_response(400, "limit must be a number from 1 to 100");
    auto list = [repo = ctx.deps.repo, env_id = ctx.env->id, slug = ctx.params.at(0),
                 limit]() -> kfe::result<std::vector<kfe::endpoint_index>> {
        auto ep = repo->find_endpoint_by_slug(env_id, slug);
        if (!ep) return ep.error();
        return repo->list_indexes(ep->id, limit);
    };
    auto r = co_await offload(ctx.deps.blocking, list);
    if (!r) {
        if (r.error() == kfe::errc::not_found) co_return error_response(404, "Endpoint not found");
        co_return store_failure(ctx, "list_indexes", r.error());
    }
    json::array arr;
    for (const auto& ix : *r) arr.push_back(json::value_from(ix));
    co_return json_response(200, json::object{{"indexes", std::move(arr)}});
}

asio::awaitable<http_response> list_jobs(request_context& ctx) {
    auto list = [repo = ctx.deps.repo, env_id = ctx.env->id,
                 slug = ctx.params.at(0)]() -> kfe::result<std::vector<kfe::registered_job>> {
        auto ep = repo->find_endpoint_by_slug(env_id, slug);
        if (!ep) return ep.error();
        return repo->list_jobs(ep->id);
    };
    auto r = co_await offload(ctx.deps.blocking, list);
    if (!r) {
        if (r.error() == kfe::errc::not_found) co_return error_response(404, "Endpoint not found");
        co_return store_failure(ctx, "list_jobs", r.error());
    }
    json::array arr;
    for (const auto& j : *r) arr.push_back(json::value_from(j));
    co_return json_response(200, json::object{{"jobs", std::move(arr)}});
}

// -- Queue introspection ---------------------------------------------------------------------------
// For the whole store, not per environment: jobs carry no environment (the worker's jobs are the
// daemon's own, e.g. indexing), so any valid API key sees them all. Payloads are left out for
// that reason: they are handler input, not something one environment's key should read.

json::object counts_json(const kfe::queue_counts& c) {
    json::object o;
    for (int i = 0; i < kfe::job_state_count; ++i) o[kfe::to_string(static_cast<kfe::job_state>(i))] = c.by_state[i];
    return o;
}

json::value optional_time(const std::optional<kfe::timestamp>& t) {
    if (!t) return nullptr;
    return json::value(kfe::format_timestamp(*t));
}

json::object job_json(const kfe::job_row& j) {
    json::array errors;
    for (const auto& e : j.errors)
        errors.push_back(json::object{{"at", kfe::format_timestamp(e.at)}, {"attempt", e.attempt}, {"error", e.error}});
    return json::object{{"id", j.id},
                        {"kind", j.kind},
                        {"queue", j.queue},
                        {"state", kfe::to_string(j.state)},
                        {"priority", j.priority},
                        {"attempt", j.attempt},
                        {"maxAttempts", j.max_attempts},
                        {"runAt", kfe::format_timestamp(j.run_at)},
                        {"createdAt", kfe::format_timestamp(j.created_at)},
                        {"attemptedAt", optional_time(j.attempted_at)},
                        {"finalizedAt", optional_time(j.finalized_at)},
                        {"errors", std::move(errors)}};
}

struct queue_overview {
    kfe::queue_stats stats;
    std::vector<kfe::job_row> failed;
};

/// "Failed" = discarded (failed for good) and retryable (failed, will run again): both carry the
/// errors an operator wants to see, newest first.
asio::awaitable<http_response> queue_overview_route(request_context& ctx) {
    bool bad = false;
    auto failed = count_param(ctx, "failed", 20, 0, 100, bad);
    if (bad) co_return error_response(400, "failed must be a number from 0 to 100");
    auto read = [q = ctx.deps.jobs, failed]() -> kfe::result<queue_overview> {
        auto now = kfe::now_ms();
        auto stats = q->stats(now);
        if (!stats) return stats.error();
        auto rows = q->list_jobs({{kfe::job_state::discarded, kfe::job_state::retryable}, std::nullopt, failed});
        if (!rows) return rows.error();
        return queue_overview{std::move(*stats), std::move(*rows)};
    };
    auto r = co_await offload(ctx.deps.blocking, read);
    if (!r) co_return store_failure(ctx, "queue_stats", r.error());
    json::object queues;
    for (const auto& [name, counts] : r->stats.queues) queues[name] = counts_json(counts);
    json::array failed_jobs;
    for (const auto& j : r->failed) failed_jobs.push_back(job_json(j));
    json::object o;
    o["totals"] = counts_json(r->stats.totals);
    o["queues"] = std::move(queues);
    o["oldestAvailableAt"] = optional_time(r->stats.oldest_available_run_at);
    o["oldestAvailableAgeMs"] = r->stats.oldest_available_age.count();
    o["failed"] = std::move(failed_jobs);
    co_return json_response(200, o);
}

std::optional<kfe::job_id> parse_job_id(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    kfe::job_id v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

/// Retry: a failed (discarded, retryable), cancelled or pending job runs now. A completed job is
/// refused (409): running a job that succeeded again is a new request, not a retry. The check and
/// the retry are two calls, so a job that completes between them runs once more, which the
/// at-least-once contract of handlers already allows.
/// Cancel: a pending or running job becomes cancelled; a final one is refused (409).
asio::awaitable<http_response> queue_job_action(request_context& ctx, bool retry) {
    auto id = parse_job_id(ctx.params.at(0));
    if (!id) co_return error_response(400, "id must be a job id (a positive integer)");
    auto act = [q = ctx.deps.jobs, id = *id, retry]() -> kfe::result<kfe::job_row> {
        if (retry) {
            auto j = q->get(id);
            if (!j) return j.error();
            if (j->state == kfe::job_state::completed) return make_error_code(kfe::errc::conflict);
            if (auto r = q->retry(id); !r) return r.error();
        } else {
            if (auto r = q->cancel(id); !r) return r.error();
        }
        return q->get(id);
    };
    auto r = co_await offload(ctx.deps.blocking, act);
    if (!r) {
        if (r.error() == kfe::errc::not_found) co_return error_response(404, "Job not found");
        if (r.error() == kfe::errc::conflict)
            co_return error_response(409, "Only a failed, cancelled or pending job can be retried");
        if (r.error() == kfe::errc::job_not_cancellable)
            co_return error_response(409, "Only a pending or running job can be cancelled");
        co_return store_failure(ctx, retry ? "retry_job" : "cancel_job", r.error());
    }
    co_return json_response(200, job_json(*r));
}

asio::awaitable<http_response> retry_job(request_context& ctx) { return queue_job_action(ctx, true); }
asio::awaitable<http_response> cancel_job(request_context& ctx) { return queue_job_action(ctx, false); }

} // namespace

void add_queue_routes(router& r) {
    using http::verb;
    r.add(verb::get, "/api/v1/queue", true, queue_overview_route);
    r.add(verb::post, "/api/v1/queue/jobs/:id/retry", true, retry_job);
    r.add(verb::post, "/api/v1/queue/jobs/:id/cancel", true, cancel_job);
}

void add_api_routes(router& r) {
    using http::verb;
    r.add(verb::get, "/healthz", false, healthz);
    r.add(verb::get, "/readyz", false, readyz);
    r.add(verb::get, "/metrics", false, metrics);
    r.add(verb::get, "/api/v1/whoami", true, whoami);
    r.add(verb::get, "/api/v1/endpointindex/:indexId", true, get_endpoint_index);
    r.add(verb::get, "/api/v1/endpoints", true, list_endpoints);
    r.add(verb::get, "/api/v1/endpoints/:slug", true, get_endpoint);
    r.add(verb::get, "/api/v1/endpoints/:slug/indexes", true, list_indexes);
    r.add(verb::get, "/api/v1/endpoints/:slug/jobs", true, list_jobs);
}

} // namespace kongflow::endpointsd
