#ifndef KONGFLOW_ENDPOINTS_SERVICES_IMPL_INDEX_ENDPOINT_SERVICE_IPP
#define KONGFLOW_ENDPOINTS_SERVICES_IMPL_INDEX_ENDPOINT_SERVICE_IPP

#include <kongflow/endpoints/queue/cron.hpp>
#include <kongflow/endpoints/queue/periodic.hpp>
#include <kongflow/endpoints/services/detail/task.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <chrono>
#include <set>

namespace kongflow::endpoints {
namespace detail {

/// Compares secrets without an early exit, so timing does not reveal how much matched.
inline bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

inline const boost::json::value* path(const boost::json::value& v, std::initializer_list<std::string_view> keys) {
    const boost::json::value* cur = &v;
    for (auto k : keys) {
        auto* o = cur->if_object();
        if (!o) return nullptr;
        cur = o->if_contains(k);
        if (!cur) return nullptr;
    }
    return cur;
}

inline bool all_strings(const boost::json::value& v, std::initializer_list<std::string_view> keys) {
    for (auto k : keys) {
        auto* f = path(v, {k});
        if (!f || !f->is_string()) return false;
    }
    return true;
}

/// The counts perform-index records (IndexEndpointStats), as JSON.
struct index_stats {
    std::int64_t jobs = 0, sources = 0, webhooks = 0, dynamic_triggers = 0, dynamic_schedules = 0, disabled_jobs = 0,
                 http_endpoints = 0;
    boost::json::value to_json() const {
        return {{"jobs", jobs},
                {"sources", sources},
                {"webhooks", webhooks},
                {"dynamicTriggers", dynamic_triggers},
                {"dynamicSchedules", dynamic_schedules},
                {"disabledJobs", disabled_jobs},
                {"httpEndpoints", http_endpoints}};
    }
};

inline boost::json::value index_error_json(const endpoint_index_error& e) {
    boost::json::object o{{"message", e.message}};
    if (e.raw) o["raw"] = *e.raw;
    return o;
}

/// What perform-index works on: the index and its endpoint and environment.
struct index_subject {
    endpoint_index index;
    endpoint ep;
    environment env;
};

inline int attempts_for(environment_type t, int dev, int other) {
    return t == environment_type::development ? dev : other;
}

} // namespace detail

KONGFLOW_ENDPOINTS_DECL std::optional<std::string> index_endpoint_service::hook_reason(const boost::json::value& body) {
    // Only a Vercel deployment webhook that matches Trigger.dev's schema in full gives a reason.
    using detail::all_strings;
    using detail::path;
    if (!all_strings(body, {"id"}) || !path(body, {"createdAt"}) || !path(body, {"createdAt"})->is_number())
        return std::nullopt;
    auto* type = path(body, {"type"});
    static constexpr std::string_view types[] = {"deployment.succeeded", "deployment.failed", "deployment.ready",
                                                 "deployment.created",   "deployment.error",  "deployment.canceled"};
    if (!type || !type->is_string() ||
        std::find(std::begin(types), std::end(types), std::string_view(type->get_string())) == std::end(types))
        return std::nullopt;
    auto* payload = path(body, {"payload"});
    if (!payload || !payload->is_object()) return std::nullopt;
    if (!all_strings(*payload, {"name", "plan", "target", "type", "url"})) return std::nullopt;
    for (auto k : {"user", "team", "project"})
        if (!path(*payload, {k}) || !all_strings(*path(*payload, {k}), {"id"})) return std::nullopt;
    auto* links = path(*payload, {"links"});
    if (!links || !all_strings(*links, {"deployment", "project"})) return std::nullopt;
    auto* regions = path(*payload, {"regions"});
    if (!regions || !regions->is_array()) return std::nullopt;
    for (auto& r : regions->get_array())
        if (!r.is_string()) return std::nullopt;
    auto* deployment = path(*payload, {"deployment"});
    if (!deployment || !all_strings(*deployment, {"id", "name", "url", "inspectorUrl"})) return std::nullopt;
    auto* meta = path(*deployment, {"meta"});
    if (!meta || !meta->is_object()) return std::nullopt;

    if (type->get_string() != "deployment.succeeded") return std::nullopt;
    std::string name(path(*deployment, {"name"})->get_string());
    if (!all_strings(*meta, {"githubCommitAuthorName", "githubCommitMessage", "githubCommitOrg", "githubCommitRef",
                             "githubCommitRepo", "githubCommitSha", "githubDeployment", "githubOrg", "githubRepo",
                             "githubRepoOwnerType", "githubCommitRepoId", "githubRepoId", "githubRepoVisibility",
                             "githubCommitAuthorLogin", "branchAlias"}))
        return "Vercel project " + name + " was deployed to " + std::string(path(*deployment, {"url"})->get_string());
    std::string sha(path(*meta, {"githubCommitSha"})->get_string());
    return "\"" + std::string(path(*meta, {"githubCommitMessage"})->get_string()) + "\" was deployed from " +
           std::string(path(*meta, {"githubCommitRef"})->get_string()) + " (" + sha.substr(0, 7) + ") to " + name;
}

KONGFLOW_ENDPOINTS_DECL void
index_endpoint_service::index_impl(index_request req, service_error& err,
                                   boost::asio::any_completion_handler<void(error_code, endpoint_index)> h) {
    err.clear();
    auto run = [](index_endpoint_service* self, index_request req, service_error& err) -> detail::task<endpoint_index> {
        auto blocking = self->params_.blocking_executor.value_or(self->ex_);
        error_code not_found;
        auto created = co_await detail::on_blocking(blocking, [&]() -> result<endpoint_index> {
            auto uow = self->store_.begin();
            if (!uow) return uow.error();
            auto& repo = (*uow)->repo();
            auto ep = repo.find_endpoint(req.endpoint_id);
            if (!ep) {
                not_found = ep.error();
                return ep.error();
            }
            auto env = repo.find_environment(ep->environment_id);
            if (!env) return env.error();
            create_index_params ip;
            ip.endpoint_id = ep->id;
            ip.source = req.source;
            ip.reason = req.reason;
            ip.source_data = req.source_data;
            ip.status = index_status::pending;
            auto index = repo.create_index(ip);
            if (!index) return index.error();
            enqueue_options o;
            o.max_attempts = detail::attempts_for(env->type, self->params_.index_attempts_development,
                                                  self->params_.index_attempts_other);
            // Performed now: the job only recovers an index whose process died mid-way.
            if (req.perform_now) o.run_at = now_ms() + self->params_.inline_recovery_delay;
            if (auto r = (*uow)->enqueue(make_job_request(std::string(perform_index_job_kind), {{"id", index->id}}, o));
                !r)
                return r.error();
            if (auto r = (*uow)->commit(); !r) return r.error();
            return std::move(*index);
        });
        if (!created) {
            if (not_found == errc::not_found)
                co_return detail::fail<endpoint_index>(err, errc::endpoint_not_found, "Endpoint not found");
            co_return detail::fail<endpoint_index>(err, errc::failed_index, created.error().message(), created.error());
        }
        if (!req.perform_now) co_return std::pair{error_code{}, std::move(*created)};
        auto perform_op =
            self->async_perform_index(created->id, err, boost::asio::deferred); // no temporaries in co_await (GCC 12)
        auto [ec, done] = co_await std::move(perform_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return std::pair{ec, std::move(done)};
    };
    detail::spawn_task(ex_, run(this, std::move(req), err), err, std::move(h));
}

KONGFLOW_ENDPOINTS_DECL void
index_endpoint_service::perform_index_impl(std::string index_id, bool unfinished_only, service_error& err,
                                           boost::asio::any_completion_handler<void(error_code, endpoint_index)> h) {
    err.clear();
    auto run = [](index_endpoint_service* self, std::string index_id, bool unfinished_only,
                  service_error& err) -> detail::task<endpoint_index> {
        auto& log = self->params_.log;
        auto blocking = self->params_.blocking_executor.value_or(self->ex_);
        auto& repo = self->store_.repo();
        auto t0 = std::chrono::steady_clock::now();
        // A store failure: SQLite's own text reaches the log and the service error.
        auto store_failed = [&](error_code ec, const diagnostics& diag) {
            error failure(ec ? ec : make_error_code(errc::storage_failure), diag);
            std::string message = detail::store_message(failure);
            log.log(log_level::error, "index could not be processed",
                    {{"index", index_id}, {"error", message}, {"detail", std::string(diag.client_message())}});
            return detail::fail<endpoint_index>(err, errc::failed_index, std::move(message), failure);
        };

        // 1. STARTED; load the endpoint and its environment.
        // Store writes go through async_transact, so they share commits with concurrent ones.
        std::optional<detail::index_subject> start;
        std::optional<endpoint_index> finished_before; // unfinished_only: already SUCCESS or FAILURE
        diagnostics store_diag;
        auto start_op = self->store_.async_transact(
            blocking,
            [&](unit_of_work& uow) -> result<void> {
                auto& repo = uow.repo();
                if (unfinished_only) {
                    // A job run again after its process died past the index's end (or the
                    // recovery job of an index performed inline): nothing left to do.
                    auto current = repo.find_index(index_id);
                    if (!current) return current.error();
                    if (current->status == index_status::success || current->status == index_status::failure) {
                        finished_before = std::move(*current);
                        return {};
                    }
                }
                update_index_params up;
                up.id = index_id;
                up.status = index_status::started;
                auto index = repo.update_index(up);
                if (!index) return index.error();
                auto ep = repo.find_endpoint(index->endpoint_id);
                if (!ep) return ep.error();
                auto env = repo.find_environment(ep->environment_id);
                if (!env) return env.error();
                start.emplace(detail::index_subject{std::move(*index), std::move(*ep), std::move(*env)});
                return {};
            },
            store_diag, boost::asio::deferred);
        auto [start_ec, start_jobs] = co_await std::move(start_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (!start_ec && finished_before) co_return std::pair{error_code{}, std::move(*finished_before)};
        if (start_ec || !start) {
            if (start_ec == errc::not_found)
                co_return detail::fail<endpoint_index>(err, errc::endpoint_not_found, "EndpointIndex not found");
            co_return store_failed(start_ec, store_diag);
        }
        // Named members, not a structured binding: the lambdas below capture them, which clang
        // accepts only from version 16 (tests/fuzz builds with clang 14).
        auto& ep = start->ep;
        auto& env = start->env;

        // Ends the index in FAILURE (and maybe auto-disables the endpoint).
        // Takes an lvalue: a by-value argument of a coroutine is a temporary GCC 12 mishandles.
        auto finish_failure = [&](endpoint_index_error& e,
                                  bool check_disable) -> boost::asio::awaitable<std::pair<error_code, endpoint_index>> {
            log.log(log_level::warn, "index failed", {{"index", index_id}, {"endpoint", ep.id}, {"error", e.message}});
            std::optional<endpoint_index> failed;
            diagnostics fail_diag;
            auto fail_op = self->store_.async_transact(
                blocking,
                [&](unit_of_work& uow) -> result<void> {
                    auto& repo = uow.repo();
                    update_index_params up;
                    up.id = index_id;
                    up.status = index_status::failure;
                    up.error = detail::index_error_json(e);
                    auto updated = repo.update_index(up);
                    if (!updated) return updated.error();
                    std::size_t n = self->params_.auto_disable_after_failures;
                    if (check_disable && n > 0 && env.type != environment_type::development) {
                        // N consecutive failures: this one and the N-1 newest before it.
                        last_indexes_params lp{ep.id, n - 1, index_id};
                        auto previous = repo.last_indexes(lp);
                        if (previous && previous->size() == n - 1 &&
                            std::all_of(previous->begin(), previous->end(),
                                        [](const endpoint_index& i) { return i.status == index_status::failure; })) {
                            // Disabling is the soft delete: url = null, the row and history stay.
                            if (repo.delete_endpoint(ep.id))
                                log.log(log_level::warn, "endpoint disabled after consecutive index failures",
                                        {{"endpoint", ep.id}, {"failures", std::to_string(n)}});
                        }
                    }
                    failed = std::move(*updated);
                    return {};
                },
                fail_diag, boost::asio::deferred);
            auto [fail_ec, fail_jobs] = co_await std::move(fail_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (self->params_.metrics.index_finished)
                self->params_.metrics.index_finished("failure", detail::since(t0));
            if (fail_ec || !failed) co_return store_failed(fail_ec, fail_diag);
            co_return std::pair{error_code{}, std::move(*failed)};
        };

        // 2. No URL: deleted or auto-disabled.
        if (!ep.url) {
            endpoint_index_error e{"Endpoint URL is not set", std::nullopt};
            co_return co_await finish_failure(e, false);
        }

        // 3–7. INDEX_ENDPOINT, following redirects as Trigger.dev does (storing each new URL).
        index_result reply;
        for (int redirects = 0;; ++redirects) {
            diagnostics diag;
            endpoint_target target{*ep.url, env.api_key, std::nullopt};
            auto index_op = self->client_.async_index_endpoint(target, diag, boost::asio::deferred);
            auto [ec, r] = co_await std::move(index_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (r.kind != index_result::outcome::redirect) {
                reply = std::move(r);
                break;
            }
            if (redirects > self->params_.max_redirects) // Trigger.dev: redirectCount > 5
            {
                endpoint_index_error e{"Endpoint " + *ep.url + " is redirecting too many times", std::nullopt};
                co_return co_await finish_failure(e, true);
            }
            // A relative Location ("/api/trigger/", as frameworks send) is resolved: Trigger.dev
            // stores it verbatim, a URL no request can reach.
            std::string next_url = replies::index_redirect_url(*ep.url, r.location);
            auto moved = co_await detail::on_blocking(blocking, [&] {
                update_endpoint_params up;
                up.id = ep.id;
                up.url = next_url;
                return repo.update_endpoint(up);
            });
            if (!moved) co_return store_failed(moved.error(), moved.error().diag());
            log.log(log_level::info, "endpoint redirected", {{"endpoint", ep.id}, {"url", next_url}});
            ep = std::move(*moved);
        }
        if (reply.kind == index_result::outcome::failure) co_return co_await finish_failure(reply.error, true);

        // 8–14. Versions, registrations, SUCCESS.
        // One unit of work: the registrations, the version columns and SUCCESS commit together
        // (and with one fsync instead of one per registered item).
        std::optional<endpoint_index> done;
        auto done_op = self->store_.async_transact(
            blocking,
            [&](unit_of_work& uow) -> result<void> {
                auto& repo = uow.repo();
                // Trigger.dev: `(v && v !== endpoint.version) || (s && s !== endpoint.sdkVersion)`, an
                // empty header being falsy; then it writes both as received (absent = unchanged).
                auto changed = [](const std::optional<std::string>& v, const std::string& stored) {
                    return v && !v->empty() && *v != stored;
                };
                if (changed(reply.trigger_version, ep.version) || changed(reply.trigger_sdk_version, ep.sdk_version)) {
                    update_endpoint_params up;
                    up.id = ep.id;
                    up.version = reply.trigger_version;
                    up.sdk_version = reply.trigger_sdk_version;
                    auto updated = repo.update_endpoint(up);
                    if (!updated) return updated.error();
                    ep = std::move(*updated);
                }

                auto& reg = self->registrar_;
                auto note = [&](std::string_view what, std::string_view key, error_code ec) {
                    log.log(log_level::warn, "registration failed",
                            {{"endpoint", ep.id},
                             {"what", std::string(what)},
                             {"key", std::string(key)},
                             {"error", ec.message()}});
                };
                detail::index_stats stats;
                const auto& body = reply.response;
                boost::json::object data;

                // Jobs: register enabled ones, disable disabled ones, then the ones that disappeared.
                boost::json::array jobs_json;
                std::set<std::string, std::less<>> seen;
                auto existing = reg.enabled_jobs(repo, ep);
                if (!existing) note("jobs", "", existing.error());
                for (const auto& job : body.jobs) {
                    boost::json::value json = boost::json::value_from(job);
                    seen.insert(job.id);
                    if (!job.enabled) {
                        auto disabled = reg.disable_job(repo, ep, job.id, job.version, &json);
                        if (!disabled)
                            note("job", job.id, disabled.error());
                        else if (*disabled)
                            ++stats.disabled_jobs;
                    } else if (auto r = reg.register_job(repo, ep, {job, json}); !r) {
                        note("job", job.id, r.error());
                    } else if (!job.internal) {
                        ++stats.jobs;
                    }
                    jobs_json.push_back(std::move(json));
                }
                if (existing) {
                    for (const auto& old : *existing) {
                        if (seen.count(old.slug)) continue;
                        auto disabled = reg.disable_job(repo, ep, old.slug, old.version, nullptr);
                        if (!disabled)
                            note("missing job", old.slug, disabled.error());
                        else if (*disabled)
                            ++stats.disabled_jobs;
                    }
                }
                data["jobs"] = std::move(jobs_json);

                // `data` keeps Trigger.dev's key order and, as there, omits the optional lists the
                // reply left out; registration runs in Trigger.dev's order (a webhook refers to an
                // HTTP endpoint registered before it).
                data["sources"] = nullptr;
                if (body.webhooks) data["webhooks"] = nullptr;
                data["dynamicTriggers"] = nullptr;
                data["dynamicSchedules"] = nullptr;
                if (body.http_endpoints) data["httpEndpoints"] = nullptr;
                auto each = [&](const char* key, const auto& items, auto register_one, std::int64_t& counter) {
                    boost::json::array arr;
                    for (const auto& item : items) {
                        boost::json::value json = boost::json::value_from(item);
                        if (auto r = register_one(item, json); !r)
                            note(key, "", r.error());
                        else
                            ++counter;
                        arr.push_back(std::move(json));
                    }
                    data[key] = std::move(arr);
                };
                each(
                    "sources", body.sources,
                    [&](const source_metadata& s, const boost::json::value& j) {
                        return reg.register_source(repo, ep, {s, j});
                    },
                    stats.sources);
                each(
                    "dynamicTriggers", body.dynamic_triggers,
                    [&](const dynamic_trigger_endpoint_metadata& t, const boost::json::value& j) {
                        return reg.register_dynamic_trigger(repo, ep, {t, j});
                    },
                    stats.dynamic_triggers);
                each(
                    "dynamicSchedules", body.dynamic_schedules,
                    [&](const register_dynamic_schedule_payload& s, const boost::json::value& j) {
                        return reg.register_dynamic_schedule(repo, ep, {s, j});
                    },
                    stats.dynamic_schedules);
                if (body.http_endpoints)
                    each(
                        "httpEndpoints", *body.http_endpoints,
                        [&](const http_endpoint_metadata& e, const boost::json::value& j) {
                            return reg.register_http_endpoint(repo, ep, {e, j});
                        },
                        stats.http_endpoints);
                if (body.webhooks)
                    each(
                        "webhooks", *body.webhooks,
                        [&](const webhook_metadata& w, const boost::json::value& j) {
                            return reg.register_webhook(repo, ep, {w, j});
                        },
                        stats.webhooks);

                update_index_params up;
                up.id = index_id;
                up.status = index_status::success;
                up.stats = stats.to_json();
                up.data = boost::json::value(std::move(data));
                up.error = boost::json::value(nullptr);
                auto finished = repo.update_index(up);
                if (!finished) return finished.error();
                done = std::move(*finished);
                return {};
            },
            store_diag, boost::asio::deferred);
        auto [done_ec, done_jobs] = co_await std::move(done_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (done_ec || !done) co_return store_failed(done_ec, store_diag);
        if (self->params_.metrics.index_finished) self->params_.metrics.index_finished("success", detail::since(t0));
        log.log(log_level::info, "index succeeded", {{"index", index_id}, {"endpoint", ep.id}});
        co_return std::pair{error_code{}, std::move(*done)};
    };
    detail::spawn_task(ex_, run(this, std::move(index_id), unfinished_only, err), err, std::move(h));
}

KONGFLOW_ENDPOINTS_DECL void
index_endpoint_service::hook_index_impl(hook_index_request req, service_error& err,
                                        boost::asio::any_completion_handler<void(error_code, endpoint_index)> h) {
    err.clear();
    auto run = [](index_endpoint_service* self, hook_index_request req,
                  service_error& err) -> detail::task<endpoint_index> {
        std::string refusal;
        errc refusal_code = errc::endpoint_not_found;
        auto created = co_await detail::on_blocking(self->blocking_executor(), [&]() -> result<endpoint_index> {
            auto uow = self->store_.begin();
            if (!uow) return uow.error();
            auto& repo = (*uow)->repo();
            auto ep = repo.find_endpoint_by_slug(req.environment_id, req.endpoint_slug);
            if (!ep || !ep->url) {
                refusal = "Endpoint not found";
                return make_error_code(errc::endpoint_not_found);
            }
            if (!ep->indexing_hook_identifier ||
                !detail::constant_time_equals(*ep->indexing_hook_identifier, req.hook_identifier)) {
                refusal = "Index hook identifier is invalid";
                return make_error_code(errc::endpoint_not_found);
            }
            // Trigger.dev passes a null body (invalid JSON, or a literal null) to Prisma as
            // sourceData, which Prisma refuses for a Json? column (null needs Prisma.JsonNull or
            // DbNull): the create throws, nothing is written, the route answers 500 (§C.5).
            if (req.body && req.body->is_null()) {
                refusal = "The hook body is not JSON, or is null: Trigger.dev cannot record it";
                refusal_code = errc::invalid_request;
                return make_error_code(errc::invalid_request);
            }
            auto env = repo.find_environment(ep->environment_id);
            if (!env) return env.error();
            create_index_params ip;
            ip.endpoint_id = ep->id;
            ip.source = index_source::hook;
            ip.source_data = req.body.value_or(boost::json::value(nullptr));
            if (req.body) ip.reason = hook_reason(*req.body);
            ip.status = index_status::pending;
            auto index = repo.create_index(ip);
            if (!index) return index.error();
            enqueue_options o;
            o.max_attempts = detail::attempts_for(env->type, self->params_.index_attempts_development,
                                                  self->params_.index_attempts_other);
            o.run_at = now_ms() + self->params_.hook_delay;
            if (auto r = (*uow)->enqueue(make_job_request(std::string(perform_index_job_kind), {{"id", index->id}}, o));
                !r)
                return r.error();
            if (auto r = (*uow)->commit(); !r) return r.error();
            return std::move(*index);
        });
        if (!created) {
            if (!refusal.empty()) co_return detail::fail<endpoint_index>(err, refusal_code, refusal);
            co_return detail::fail<endpoint_index>(err, errc::failed_index, created.error().message(), created.error());
        }
        co_return std::pair{error_code{}, std::move(*created)};
    };
    detail::spawn_task(ex_, run(this, std::move(req), err), err, std::move(h));
}

KONGFLOW_ENDPOINTS_DECL void
index_endpoint_service::recurring_impl(service_error& err,
                                       boost::asio::any_completion_handler<void(error_code, std::size_t)> h) {
    err.clear();
    auto run = [](index_endpoint_service* self, service_error& err) -> detail::task<std::size_t> {
        auto count = co_await detail::on_blocking(self->blocking_executor(), [&]() -> result<std::size_t> {
            auto& repo = self->store_.repo();
            recurring_index_params p;
            p.types = self->params_.recurring_environments;
            p.since = now_ms() - self->params_.recurring_quiet_period;
            auto due = repo.find_endpoints_for_recurring_index(p);
            if (!due) return due.error();
            std::size_t n = 0;
            for (const auto& ep : *due) {
                // One unit per endpoint: a failure skips that endpoint, not the rest.
                auto uow = self->store_.begin();
                if (!uow) return uow.error();
                auto env = (*uow)->repo().find_environment(ep.environment_id);
                if (!env) continue;
                create_index_params ip;
                ip.endpoint_id = ep.id;
                ip.source = index_source::internal;
                auto index = (*uow)->repo().create_index(ip);
                if (!index) continue;
                enqueue_options o;
                o.max_attempts = detail::attempts_for(env->type, self->params_.index_attempts_development,
                                                      self->params_.index_attempts_other);
                if (!(*uow)->enqueue(make_job_request(std::string(perform_index_job_kind), {{"id", index->id}}, o)))
                    continue;
                if ((*uow)->commit()) ++n;
            }
            return n;
        });
        if (!count)
            co_return detail::fail<std::size_t>(err, errc::failed_index, count.error().message(), count.error());
        co_return std::pair{error_code{}, *count};
    };
    detail::spawn_task(ex_, run(this, err), err, std::move(h));
}

KONGFLOW_ENDPOINTS_DECL void
index_endpoint_service::purge_impl(service_error& err,
                                   boost::asio::any_completion_handler<void(error_code, std::size_t)> h) {
    err.clear();
    auto run = [](index_endpoint_service* self, service_error& err) -> detail::task<std::size_t> {
        auto n = co_await detail::on_blocking(self->blocking_executor(), [&] {
            return self->store_.repo().purge_indexes_older_than(now_ms() - self->params_.purge_older_than);
        });
        if (!n) co_return detail::fail<std::size_t>(err, errc::failed_index, n.error().message(), n.error());
        co_return std::pair{error_code{}, *n};
    };
    detail::spawn_task(ex_, run(this, err), err, std::move(h));
}

KONGFLOW_ENDPOINTS_DECL void index_endpoint_service::register_jobs(worker& w) {
    // perform-index: an index that ends in FAILURE is a finished job; only "could not process"
    // errors (store failures) are retried.
    w.register_handler(std::string(perform_index_job_kind), [this](job_context ctx) -> boost::asio::awaitable<void> {
        auto* id = ctx.payload().if_contains("id");
        if (!id || !id->is_string())
            throw boost::system::system_error(make_error_code(errc::job_discard), "payload has no index id");
        service_error err;
        // Only an unfinished index is performed: the job may run again after its process died
        // past the end, and an index performed inline has a recovery job (inline_recovery_delay).
        auto perform_op = boost::asio::async_initiate<const boost::asio::deferred_t&, void(error_code, endpoint_index)>(
            initiation{this}, boost::asio::deferred,
            [this, index_id = std::string(id->get_string()), e = &err](auto h) mutable {
                perform_index_impl(std::move(index_id), true, *e, std::move(h));
            }); // named, no temporaries in co_await (GCC 12): see create
        auto [ec, index] = co_await std::move(perform_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == errc::endpoint_not_found)
            throw boost::system::system_error(make_error_code(errc::job_discard), err.message);
        if (!ec) co_return;
        // The store failed. With attempts left, the queue runs the job again after its backoff.
        if (ctx.attempt() < ctx.job().max_attempts) throw boost::system::system_error(ec, err.message);
        // The last attempt (the only one in DEVELOPMENT): the index must not stay PENDING or
        // STARTED for ever, so it ends in FAILURE with the reason. While the store cannot record
        // even that (a full disk), wait and try again; a shutdown cancels the wait and gives the
        // job back to the queue without charging an attempt.
        const std::string index_id(id->get_string());
        const std::string reason =
            "The index could not be processed: " + (err.message.empty() ? ec.message() : err.message);
        boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
        for (std::chrono::milliseconds delay{250};; delay = std::min(delay * 2, std::chrono::milliseconds(30'000))) {
            auto failed = co_await detail::on_blocking(blocking_executor(), [&] {
                update_index_params up;
                up.id = index_id;
                up.status = index_status::failure;
                up.error = boost::json::object{{"message", reason}};
                return store_.repo().update_index(up);
            });
            if (failed) {
                params_.log.log(log_level::warn, "index failed", {{"index", index_id}, {"error", reason}});
                co_return;
            }
            if (failed.error() == errc::not_found)
                throw boost::system::system_error(make_error_code(errc::job_discard), "EndpointIndex not found");
            pause.expires_after(delay);
            co_await pause.async_wait(boost::asio::use_awaitable);
        }
    });
    if (params_.index_retry) w.set_retry_policy(std::string(perform_index_job_kind), params_.index_retry);
    w.register_handler(std::string(recurring_index_job_kind), [this](job_context) -> boost::asio::awaitable<void> {
        service_error err;
        auto [ec, n] = co_await async_recurring_index(err, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) throw boost::system::system_error(ec, err.message);
        params_.log.log(log_level::info, "recurring index", {{"indexes", std::to_string(n)}});
    });
    w.register_handler(std::string(purge_indexes_job_kind), [this](job_context) -> boost::asio::awaitable<void> {
        service_error err;
        auto [ec, n] = co_await async_purge_indexes(err, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) throw boost::system::system_error(ec, err.message);
        params_.log.log(log_level::info, "purged old indexes", {{"deleted", std::to_string(n)}});
    });
    auto periodic = [&](std::string_view name, const std::string& cron, std::string_view kind) {
        auto schedule = cron_schedule::parse(cron);
        if (!schedule) throw boost::system::system_error(schedule.error(), "invalid cron expression: " + cron);
        enqueue_options o;
        o.max_attempts = 1;
        w.add_periodic(
            periodic_job{std::string(name), std::move(*schedule), make_job_request(std::string(kind), {}, o)});
    };
    periodic("recurring-endpoint-index", params_.recurring_cron, recurring_index_job_kind);
    periodic("purge-old-indexings", params_.purge_cron, purge_indexes_job_kind);
}

} // namespace kongflow::endpoints

#endif
