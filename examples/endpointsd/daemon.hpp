// The daemon as a host application: one io_context run by a small thread pool (HTTP server,
// services, endpoint client, worker handlers), a separate thread pool for blocking store calls,
// the SQLite store, the services, the queue worker, and a graceful stop.
#ifndef KONGFLOW_ENDPOINTSD_DAEMON_HPP
#define KONGFLOW_ENDPOINTSD_DAEMON_HPP

#include "config.hpp"
#include "logging.hpp"
#include "metrics.hpp"

#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/model.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <optional>

namespace kongflow::endpointsd {

class daemon_app {
public:
    daemon_app(daemon_config cfg, std::shared_ptr<json_log_sink> sink);
    ~daemon_app();
    daemon_app(const daemon_app&) = delete;
    daemon_app& operator=(const daemon_app&) = delete;

    /// Opens the database (migrating it), bootstraps an empty one, builds the services and the
    /// worker, and binds the listening socket. Nothing runs yet.
    kfe::result<void> open(kfe::diagnostics& diag);
    /// Starts the worker and the threads; returns at once.
    kfe::result<void> start();
    /// Graceful stop (thread-safe, idempotent): stop accepting, close idle connections, let the
    /// worker finish running jobs up to shutdown_timeout, then stop the threads.
    void request_stop();
    /// Blocks until stopped (after request_stop or a signal when handle_signals() was called).
    void wait();
    /// SIGINT/SIGTERM → request_stop().
    void handle_signals();

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    /// The environment created on first start, if this start created one.
    const std::optional<kfe::environment>& bootstrapped() const noexcept;
    metrics_registry& metrics() noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace kongflow::endpointsd

#endif
