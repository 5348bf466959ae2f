#include "daemon.hpp"

#include "bootstrap.hpp"
#include "http_server.hpp"
#include "router.hpp"

#include <kongflow/endpoints/client/http_api_client.hpp>
#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/services/registrar.hpp>
#include <kongflow/endpoints/storage/store.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace kongflow::endpointsd {

namespace {

/// max_client_connections, lowered to what the open-file limit leaves after the database, the
/// endpoint connections and the rest (each client connection is a descriptor).
std::size_t client_connection_limit(const daemon_config& cfg, const kfe::logger& log) {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return cfg.max_client_connections;
    const std::size_t reserve = 256 + cfg.db_max_connections;
    const std::size_t fit = lim.rlim_cur > reserve + 16 ? static_cast<std::size_t>(lim.rlim_cur) - reserve : 16;
    if (fit >= cfg.max_client_connections) return cfg.max_client_connections;
    log.log(kfe::log_level::warn, "max_client_connections lowered to fit the open-file limit",
            {{"max_client_connections", std::to_string(fit)}, {"open_file_limit", std::to_string(lim.rlim_cur)}});
    return fit;
}

} // namespace

struct daemon_app::impl {
    daemon_config cfg;
    std::shared_ptr<json_log_sink> sink;
    kfe::logger log;
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    asio::thread_pool blocking;
    metrics_registry metrics;
    std::unique_ptr<kfe::store> store;
    std::unique_ptr<kfe::http_api_client> client;
    std::unique_ptr<kfe::repository_registrar> registrar;
    std::unique_ptr<kfe::endpoint_service> endpoints;
    std::unique_ptr<kfe::index_endpoint_service> indexer;
    std::unique_ptr<kfe::worker> worker;
    std::unique_ptr<router> routes;
    std::unique_ptr<http_server> server;
    tcp::endpoint local;
    std::optional<kfe::environment> boot;
    std::vector<std::thread> threads;
    asio::signal_set signals{ioc};
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> worker_running{false};
    std::mutex mu;
    std::condition_variable cv;
    bool stopped = false;

    impl(daemon_config c, std::shared_ptr<json_log_sink> s)
            : cfg(std::move(c)), sink(std::move(s)), log(make_logger(sink, cfg.log_level)),
              ioc(static_cast<int>(cfg.io_threads)), blocking(cfg.blocking_threads) {}

    asio::awaitable<void> shutdown();
};

daemon_app::daemon_app(daemon_config cfg, std::shared_ptr<json_log_sink> sink)
        : impl_(std::make_unique<impl>(std::move(cfg), std::move(sink))) {}

daemon_app::~daemon_app() {
    if (!impl_) return;
    if (!impl_->threads.empty()) {
        request_stop();
        wait();
    }
}

kfe::result<void> daemon_app::open(kfe::diagnostics& diag) {
    auto& d = *impl_;
    auto st = open_store(d.cfg);
    if (!st) {
        diag = st.error().diag();
        return st.error();
    }
    d.store = std::move(*st);

    if (d.cfg.bootstrap) {
        auto boot =
            bootstrap_if_empty(*d.store, {d.cfg.bootstrap_org, d.cfg.bootstrap_project, d.cfg.bootstrap_api_key}, diag);
        if (!boot) return boot.error();
        d.boot = std::move(*boot);
    }

    d.metrics.declare_standard();
    d.metrics.declare_gauge(metric_queue_jobs, "Jobs in the queue, by queue and state.", [s = d.store.get()] {
        std::vector<std::pair<labels, double>> out;
        auto stats = s->jobs().stats(kfe::now_ms());
        if (!stats) return out;
        for (const auto& [name, counts] : stats->queues)
            for (int i = 0; i < kfe::job_state_count; ++i)
                out.push_back(
                    {{{"queue", name}, {"state", std::string(kfe::to_string(static_cast<kfe::job_state>(i)))}},
                     static_cast<double>(counts.by_state[i])});
        return out;
    });
    d.metrics.declare_gauge(
        metric_queue_oldest_age, "Age of the oldest job waiting to run (pickup latency of the next job).",
        [s = d.store.get()] {
            std::vector<std::pair<labels, double>> out;
            auto stats = s->jobs().stats(kfe::now_ms());
            if (stats) out.push_back({{}, std::chrono::duration<double>(stats->oldest_available_age).count()});
            return out;
        });

    // One strand for the services and the endpoint client: they coordinate there, and their
    // store calls run on the blocking pool.
    auto services_ex = asio::any_io_executor(asio::make_strand(d.ioc));
    kfe::http_api_client_params cp;
    cp.transport.addresses = d.cfg.endpoint_addresses;
    cp.transport.on_address_refused = [m = &d.metrics, log = d.log](const asio::ip::address& a,
                                                                    kfe::address_scope why) {
        m->inc(metric_addresses_refused, {{"scope", std::string(kfe::to_string(why))}});
        log.log(kfe::log_level::warn, "endpoint address refused",
                {{"address", a.to_string()}, {"scope", std::string(kfe::to_string(why))}});
    };
    d.client = std::make_unique<kfe::http_api_client>(services_ex, std::move(cp));
    d.registrar = std::make_unique<kfe::repository_registrar>();

    kfe::endpoint_service_params ep;
    ep.blocking_executor = asio::any_io_executor(d.blocking.get_executor());
    ep.rewrite_localhost_to = d.cfg.rewrite_localhost_to;
    ep.log = d.log;
    ep.metrics = d.metrics.sink();
    d.endpoints = std::make_unique<kfe::endpoint_service>(services_ex, *d.store, *d.client, std::move(ep));

    kfe::index_endpoint_service_params ip;
    ip.blocking_executor = asio::any_io_executor(d.blocking.get_executor());
    ip.inline_recovery_delay = d.cfg.inline_index_recovery;
    ip.log = d.log;
    ip.metrics = d.metrics.sink();
    d.indexer =
        std::make_unique<kfe::index_endpoint_service>(services_ex, *d.store, *d.client, *d.registrar, std::move(ip));

    kfe::worker_params wp;
    wp.queues = {kfe::queue_config{"default", d.cfg.worker_concurrency}};
    wp.lease_duration = d.cfg.job_lease;
    wp.heartbeat_interval = d.cfg.job_lease / 4; // as the defaults (20 s, 5 s): three heartbeats may fail
    wp.rescue_interval = d.cfg.job_rescue_interval;
    wp.on_error = [log = d.log](const kfe::error& ec, std::string_view what) {
        log.log(kfe::log_level::warn, "queue call failed", {{"operation", std::string(what)}, {"error", log_text(ec)}});
    };
    d.worker =
        std::make_unique<kfe::worker>(asio::any_io_executor(d.ioc.get_executor()), d.store->jobs(), std::move(wp));
    d.indexer->register_jobs(*d.worker);

    api_deps deps;
    deps.repo = &d.store->repo();
    deps.jobs = &d.store->jobs();
    deps.blocking = d.blocking.get_executor();
    deps.metrics = &d.metrics;
    deps.log = d.log;
    deps.endpoints = d.endpoints.get();
    deps.indexer = d.indexer.get();
    if (d.cfg.auth_cache.count() > 0) deps.keys = std::make_shared<api_key_cache>(d.cfg.auth_cache, 4096);
    deps.not_ready = [&d]() -> std::optional<std::string> {
        if (d.stop_requested) return std::string("shutting down");
        if (!d.worker_running) return std::string("the job worker is not running");
        auto probe = d.store->repo().list_organizations();
        if (!probe) return "the database does not answer: " + log_text(probe.error());
        return std::nullopt;
    };
    d.routes = std::make_unique<router>(std::move(deps));
    add_api_routes(*d.routes);
    add_queue_routes(*d.routes);
    add_service_routes(*d.routes);

    http_server_params sp;
    sp.host = d.cfg.listen_host;
    sp.port = d.cfg.listen_port;
    sp.max_body_bytes = d.cfg.max_body_bytes;
    sp.max_header_bytes = d.cfg.max_header_bytes;
    sp.read_timeout = d.cfg.read_timeout;
    sp.max_connections = client_connection_limit(d.cfg, d.log);
    auto* rt = d.routes.get();
    auto* m = &d.metrics;
    d.server = std::make_unique<http_server>(
        d.ioc, sp, [rt](http_request& req) { return rt->handle(req); },
        [m](unsigned status) {
            m->inc(metric_http_requests,
                   {{"route", "rejected"}, {"method", "UNKNOWN"}, {"status", std::to_string(status)}});
        },
        [m](bool waiting) {
            m->inc(metric_http_connections_shed, {{"reason", waiting ? "replaced" : "refused"}});
        });
    d.metrics.declare_gauge(metric_http_connections, "HTTP client connections open.", [srv = d.server.get()] {
        return std::vector<std::pair<labels, double>>{{{}, static_cast<double>(srv->open_connections())}};
    });
    d.metrics.declare_counter(metric_http_connections_shed,
                              "Client connections closed at max_client_connections: replaced (it waited for a "
                              "request and a new connection took its place) or refused (a new one, all busy).");
    auto ep_bound = d.server->listen();
    if (!ep_bound) {
        diag = kfe::diagnostics("cannot listen on " + d.cfg.listen_host + ":" + std::to_string(d.cfg.listen_port) +
                                ": " + ep_bound.error().message());
        return ep_bound.error();
    }
    d.local = *ep_bound;
    return {};
}

kfe::result<void> daemon_app::start() {
    auto& d = *impl_;
    if (auto r = d.worker->start(); !r) return r.error();
    d.worker_running = true;
    d.server->start();
    for (unsigned i = 0; i < d.cfg.io_threads; ++i) d.threads.emplace_back([&d] { d.ioc.run(); });
    d.log.log(kfe::log_level::info, "listening",
              {{"address", d.local.address().to_string()},
               {"port", std::to_string(d.local.port())},
               {"db", db_display_name(d.cfg)},
               {"deny_private_endpoints", d.cfg.endpoint_addresses.deny_private ? "true" : "false"}});
    return {};
}

asio::awaitable<void> daemon_app::impl::shutdown() {
    log.log(kfe::log_level::info, "shutting down", {{"deadline_ms", std::to_string(cfg.shutdown_timeout.count())}});
    auto deadline = std::chrono::steady_clock::now() + cfg.shutdown_timeout;
    server->stop();
    // The worker finishes running jobs (up to the deadline) and gives back the leases of the rest:
    // they run again at the next start.
    if (worker_running) {
        auto [ec] = co_await worker->async_shutdown(cfg.shutdown_timeout, asio::as_tuple(asio::use_awaitable));
        worker_running = false;
        if (ec) log.log(kfe::log_level::warn, "worker shutdown", {{"error", ec.message()}});
    }
    // Requests in flight finish; then whatever is left is closed.
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (server->open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
        t.expires_after(std::chrono::milliseconds(20));
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    server->abort_all();
    // The transport belongs to the services' strand: close its pooled connections there.
    asio::post(client->get_executor(), [c = client.get()] { c->transport().close(); });
    signals.cancel();
    work.reset();
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    ioc.stop();
}

void daemon_app::request_stop() {
    auto& d = *impl_;
    if (d.stop_requested.exchange(true)) return;
    if (d.threads.empty()) {
        std::lock_guard lk(d.mu);
        d.stopped = true;
        d.cv.notify_all();
        return;
    }
    asio::co_spawn(d.ioc, d.shutdown(), [&d](std::exception_ptr) {
        std::lock_guard lk(d.mu);
        d.stopped = true;
        d.cv.notify_all();
    });
}

void daemon_app::wait() {
    auto& d = *impl_;
    for (auto& t : d.threads)
        if (t.joinable()) t.join();
    d.threads.clear();
    d.blocking.join();
    d.log.log(kfe::log_level::info, "stopped");
}

void daemon_app::handle_signals() {
    auto& d = *impl_;
    d.signals.add(SIGINT);
    d.signals.add(SIGTERM);
    d.signals.async_wait([this](const kfe::error_code& ec, int sig) {
        if (ec) return;
        impl_->log.log(kfe::log_level::info, "signal received", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
        request_stop();
    });
}

tcp::endpoint daemon_app::local_endpoint() const { return impl_->local; }
const std::optional<kfe::environment>& daemon_app::bootstrapped() const noexcept { return impl_->boot; }
metrics_registry& daemon_app::metrics() noexcept { return impl_->metrics; }

} // namespace kongflow::endpointsd
