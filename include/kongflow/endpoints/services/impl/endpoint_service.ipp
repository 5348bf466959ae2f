#ifndef KONGFLOW_ENDPOINTS_SERVICES_IMPL_ENDPOINT_SERVICE_IPP
#define KONGFLOW_ENDPOINTS_SERVICES_IMPL_ENDPOINT_SERVICE_IPP

#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/services/detail/task.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <chrono>

namespace kongflow::endpoints {

KONGFLOW_ENDPOINTS_DECL std::string new_indexing_hook_identifier() {
    auto id = detail::new_hook_identifier();
    // Without a working CSPRNG we refuse to mint guessable identifiers.
    if (!id) throw boost::system::system_error(id.error(), "no source of randomness for the hook identifier");
    return std::move(*id);
}

namespace detail {

inline std::string_view url_problem(std::string_view url, std::size_t max_length) {
    if (url.empty()) return "is required";
    if (url.size() > max_length) return "is longer than the limit";
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return "is not an absolute URL";
    auto scheme = parsed->scheme_id();
    if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return "must use http or https";
    if (!parsed->has_authority() || parsed->encoded_host().empty()) return "must have a host";
    if (parsed->has_userinfo()) return "must not contain user information";
    return {};
}

inline std::string_view slug_problem(std::string_view slug, std::size_t max_length) {
    if (slug.empty()) return "is required";
    if (slug.size() > max_length) return "is longer than the limit";
    for (unsigned char c : slug) {
        if (c < 0x20 || c == 0x7f) return "must not contain control characters";
        if (c == '/') return "must not contain '/'";
    }
    return {};
}

/// The unit of work of create and validate-create (protocol.md §C.1 step 3). Runs inside
/// store::async_transact, which commits it (grouped with concurrent creates on SQLite).
/// Repeatable: it touches nothing outside the unit but `out` and `inserted`, set on each run.
struct upsert_and_enqueue {
    const environment& env;
    const std::string& slug;
    const std::string& url;
    const std::optional<std::string>& version;
    int attempts;
    std::optional<created_endpoint>& out;
    bool& inserted; ///< a new row, not an update of an existing (or soft-deleted) one

    result<void> operator()(unit_of_work& uow) const {
        auto& repo = uow.repo();
        auto now = now_ms();
        upsert_endpoint_params up;
        up.environment_id = env.id;
        up.organization_id = env.organization_id;
        up.project_id = env.project_id;
        up.slug = slug;
        up.url = url;
        up.version = version;
        up.indexing_hook_identifier = new_indexing_hook_identifier();
        up.now = now;
        auto ep = repo.upsert_endpoint(up);
        if (!ep) return ep.error();

        create_index_params ip;
        ip.endpoint_id = ep->value.id;
        ip.source = index_source::internal;
        ip.status = index_status::pending;
        ip.now = now;
        auto index = repo.create_index(ip);
        if (!index) return index.error();

        enqueue_options opts;
        opts.max_attempts = attempts;
        if (auto r = uow.enqueue(make_job_request(std::string(perform_index_job_kind), {{"id", index->id}}, opts)); !r)
            return r.error();
        inserted = ep->created;
        out.emplace(created_endpoint{std::move(ep->value), env, std::move(*index)});
        return {};
    }
};

/// The store's message for a failed unit: its own text (SQLite's) first, then ours, then the code's.

} // namespace detail

KONGFLOW_ENDPOINTS_DECL bool endpoint_service::check_input(std::string_view url, std::string_view slug,
                                                           service_error& err) const {
    boost::json::object details;
    std::string message;
    auto add = [&](std::string_view field, std::string_view problem) {
        if (problem.empty()) return;
        details[field] = problem;
        if (!message.empty()) message += "; ";
        message += std::string(field) + " " + std::string(problem);
    };
    add("url", detail::url_problem(url, params_.max_url_length));
    add("id", detail::slug_problem(slug, params_.max_slug_length));
    if (details.empty()) return true;
    err.code = errc::invalid_request;
    err.message = "Invalid request: " + message;
    err.details = std::move(details);
    err.cause = {};
    return false;
}

KONGFLOW_ENDPOINTS_DECL std::string endpoint_service::effective_url(std::string_view url) const {
    if (!params_.rewrite_localhost_to) return std::string(url);
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->host() != "localhost") return std::string(url);
    boost::urls::url u(*parsed);
    u.set_host(*params_.rewrite_localhost_to);
    // Like `new URL(...).toString()` in Trigger.dev: an empty path becomes "/".
    if (u.encoded_path().empty()) u.set_path_absolute(true); // set_path("/") gives "/./" here
    return std::string(u.buffer());
}

KONGFLOW_ENDPOINTS_DECL void
endpoint_service::create_impl(create_endpoint_request req, service_error& err,
                              boost::asio::any_completion_handler<void(error_code, created_endpoint)> handler) {
    err.clear();
    auto run = [](endpoint_service* self, create_endpoint_request req,
                  service_error& err) -> detail::task<created_endpoint> {
        auto& log = self->params_.log;
        if (!self->check_input(req.url, req.id, err)) co_return std::pair{err.code, created_endpoint{}};
        std::string url = self->effective_url(req.url);

        diagnostics diag;
        auto t0 = std::chrono::steady_clock::now();
        // GCC 12 (Debian 12) keeps non-trivial temporaries of a co_await full-expression (here the
        // target and the by-value arguments) in storage that dies at the suspension, then destroys
        // them from garbage. So: build the operation with deferred, co_await it after.
        endpoint_target target{url, req.env.api_key, std::nullopt};
        auto ping_op = self->client_.async_ping(target, req.id, diag, boost::asio::deferred);
        auto [ping_ec, pong] = co_await std::move(ping_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (self->params_.metrics.ping_finished)
            self->params_.metrics.ping_finished(ping_ec ? std::string_view("failed") : std::string_view("ok"),
                                                detail::since(t0));
        if (ping_ec) {
            log.log(log_level::warn, "endpoint ping failed",
                    {{"slug", req.id}, {"url", url}, {"error", pong.error}, {"code", ping_ec.message()}});
            co_return detail::fail<created_endpoint>(err, errc::failed_ping, pong.error, ping_ec);
        }

        const bool dev = req.env.type == environment_type::development;
        int attempts = dev ? self->params_.index_attempts_development : self->params_.index_attempts_other;
        std::optional<created_endpoint> created;
        bool inserted = false;
        diagnostics store_diag;
        auto unit_op = self->store_.async_transact(
            self->blocking_executor(), transact_mode::repeatable,
            detail::upsert_and_enqueue{req.env, req.id, url, pong.trigger_version, attempts, created, inserted},
            store_diag,
            boost::asio::deferred); // see the PING above (GCC 12)
        auto [unit_ec, job_ids] = co_await std::move(unit_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (unit_ec || !created) {
            error failure(unit_ec ? unit_ec : make_error_code(errc::storage_failure), store_diag);
            std::string message = detail::store_message(failure);
            log.log(log_level::error, "endpoint upsert failed",
                    {{"slug", req.id}, {"error", message}, {"detail", std::string(store_diag.client_message())}});
            co_return detail::fail<created_endpoint>(err, errc::failed_upsert, message, failure);
        }
        if (self->params_.metrics.endpoint_upserted) self->params_.metrics.endpoint_upserted(inserted);
        log.log(log_level::info, "endpoint registered",
                {{"endpoint", created->value.id}, {"slug", req.id}, {"index", created->index.id}});
        co_return std::pair{error_code{}, std::move(*created)};
    };
    detail::spawn_task(ex_, run(this, std::move(req), err), err, std::move(handler));
}

KONGFLOW_ENDPOINTS_DECL void endpoint_service::validate_create_impl(
    validate_create_endpoint_request req, service_error& err,
    boost::asio::any_completion_handler<void(error_code, created_endpoint)> handler) {
    err.clear();
    auto run = [](endpoint_service* self, validate_create_endpoint_request req,
                  service_error& err) -> detail::task<created_endpoint> {
        if (auto problem = detail::url_problem(req.url, self->params_.max_url_length); !problem.empty())
            co_return detail::fail<created_endpoint>(
                err, errc::invalid_request, "Invalid request: url " + std::string(problem), {}, {{"url", problem}});
        std::string url = self->effective_url(req.url);
        diagnostics diag;
        auto t0 = std::chrono::steady_clock::now();
        endpoint_target target{url, req.env.api_key, std::nullopt};
        auto validate_op = self->client_.async_validate(target, diag, boost::asio::deferred); // see create (GCC 12)
        auto [ec, v] = co_await std::move(validate_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (self->params_.metrics.ping_finished)
            self->params_.metrics.ping_finished(ec ? std::string_view("failed") : std::string_view("ok"),
                                                detail::since(t0));
        if (ec) co_return detail::fail<created_endpoint>(err, errc::failed_ping, v.error, ec);
        // The slug comes from the endpoint: hold it to the same rules as a client-given one.
        if (!self->check_input(url, v.endpoint_id, err)) co_return std::pair{err.code, created_endpoint{}};

        const bool dev = req.env.type == environment_type::development;
        int attempts = dev ? self->params_.index_attempts_development : self->params_.index_attempts_other;
        std::optional<created_endpoint> created;
        bool inserted = false;
        diagnostics store_diag;
        auto unit_op = self->store_.async_transact(
            self->blocking_executor(), transact_mode::repeatable,
            detail::upsert_and_enqueue{req.env, v.endpoint_id, url, v.trigger_version, attempts, created, inserted},
            store_diag,
            boost::asio::deferred); // see create (GCC 12)
        auto [unit_ec, job_ids] = co_await std::move(unit_op)(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (unit_ec || !created) {
            error failure(unit_ec ? unit_ec : make_error_code(errc::storage_failure), store_diag);
            co_return detail::fail<created_endpoint>(err, errc::failed_upsert, detail::store_message(failure), failure);
        }
        if (self->params_.metrics.endpoint_upserted) self->params_.metrics.endpoint_upserted(inserted);
        co_return std::pair{error_code{}, std::move(*created)};
    };
    detail::spawn_task(ex_, run(this, std::move(req), err), err, std::move(handler));
}

KONGFLOW_ENDPOINTS_DECL void
endpoint_service::get_impl(std::string environment_id, std::string slug, service_error& err,
                           boost::asio::any_completion_handler<void(error_code, endpoint)> h) {
    err.clear();
    auto run = [](endpoint_service* self, std::string env_id, std::string slug,
                  service_error& err) -> detail::task<endpoint> {
        auto found = co_await detail::on_blocking(
            self->blocking_executor(), [&] { return self->store_.repo().find_endpoint_by_slug(env_id, slug); });
        if (!found) {
            if (found.error() == errc::not_found)
                co_return detail::fail<endpoint>(err, errc::endpoint_not_found, "Endpoint not found");
            co_return detail::fail<endpoint>(err, errc::storage_failure, found.error().what(), found.error());
        }
        co_return std::pair{error_code{}, std::move(*found)};
    };
    detail::spawn_task(ex_, run(this, std::move(environment_id), std::move(slug), err), err, std::move(h));
}

KONGFLOW_ENDPOINTS_DECL void
endpoint_service::list_impl(std::string environment_id, service_error& err,
                            boost::asio::any_completion_handler<void(error_code, std::vector<endpoint>)> h) {
    err.clear();
    auto run = [](endpoint_service* self, std::string env_id,
                  service_error& err) -> detail::task<std::vector<endpoint>> {
        auto list = co_await detail::on_blocking(self->blocking_executor(),
                                                 [&] { return self->store_.repo().list_endpoints(env_id); });
        if (!list)
            co_return detail::fail<std::vector<endpoint>>(err, errc::storage_failure, list.error().what(),
                                                          list.error());
        co_return std::pair{error_code{}, std::move(*list)};
    };
    detail::spawn_task(ex_, run(this, std::move(environment_id), err), err, std::move(h));
}

KONGFLOW_ENDPOINTS_DECL void
endpoint_service::delete_impl(std::string environment_id, std::string slug, service_error& err,
                              boost::asio::any_completion_handler<void(error_code, endpoint)> h) {
    err.clear();
    auto run = [](endpoint_service* self, std::string env_id, std::string slug,
                  service_error& err) -> detail::task<endpoint> {
        auto deleted = co_await detail::on_blocking(self->blocking_executor(), [&]() -> result<endpoint> {
            auto& repo = self->store_.repo();
            auto found = repo.find_endpoint_by_slug(env_id, slug);
            if (!found) return found.error();
            return repo.delete_endpoint(found->id);
        });
        if (!deleted) {
            if (deleted.error() == errc::not_found)
                co_return detail::fail<endpoint>(err, errc::endpoint_not_found, "Endpoint not found");
            co_return detail::fail<endpoint>(err, errc::storage_failure, deleted.error().what(), deleted.error());
        }
        self->params_.log.log(log_level::info, "endpoint deleted", {{"endpoint", deleted->id}, {"slug", slug}});
        co_return std::pair{error_code{}, std::move(*deleted)};
    };
    detail::spawn_task(ex_, run(this, std::move(environment_id), std::move(slug), err), err, std::move(h));
}

} // namespace kongflow::endpoints

#endif
