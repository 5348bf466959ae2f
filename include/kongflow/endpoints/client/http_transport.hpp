// The HTTP/1.1 client under the endpoint actions: keep-alive pools per origin, TLS through the
// caller's context, timeouts, limits and per-operation cancellation. Redirects are returned, never
// followed (the caller applies Trigger.dev's redirect rules).
#ifndef KONGFLOW_ENDPOINTS_CLIENT_HTTP_TRANSPORT_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_HTTP_TRANSPORT_HPP

#include <kongflow/endpoints/client/address_policy.hpp>
#include <kongflow/endpoints/client/http_message.hpp>
#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace kongflow::endpoints {

struct http_transport_params {
    /// Idle keep-alive connections kept per origin (scheme, host, port); extra ones are closed.
    /// As many as the usual burst to one app: below it, every burst reconnects (a handshake and a
    /// TIME_WAIT socket per request beyond this number).
    std::size_t max_idle_per_origin = 32;
    /// Open connections per origin. Further requests wait for a free connection (the wait counts
    /// towards the request's total timeout and can be cancelled).
    std::size_t max_connections_per_origin = 64;
    /// Idle connections older than this are closed.
    std::chrono::seconds idle_timeout{30};
    /// Sent unless the request has its own `user-agent` header. Empty: no user-agent at all.
    std::string user_agent = "kongflow-endpoints/" KONGFLOW_ENDPOINTS_VERSION_STRING;
    /// Verify the server's certificate chain and that it names the URL's host. Turning this off
    /// makes TLS useless against an active attacker: only for local development.
    bool verify_tls_peer = true;
    /// Which addresses may be connected to (default: all). Checked on the address each new
    /// connection goes to, after DNS (a host name that resolves, or rebinds, to a refused
    /// address does not pass), over plain http and TLS alike. Refused addresses of a host are
    /// skipped; when none is left, the request fails with errc::address_not_allowed and the
    /// client message `Endpoint address 10.0.0.5 is not allowed (private network)`.
    address_policy addresses{};
    /// Called, on the transport's executor, for each request failed with errc::address_not_allowed,
    /// with the first refused address and its scope (a metrics counter, a log line). Must not throw.
    std::function<void(const boost::asio::ip::address&, address_scope)> on_address_refused{};
};

namespace detail {
class http_transport_impl;
KONGFLOW_ENDPOINTS_DECL std::shared_ptr<http_transport_impl>
make_http_transport_impl(boost::asio::any_io_executor ex, boost::asio::ssl::context* tls, http_transport_params params);
KONGFLOW_ENDPOINTS_DECL void
http_transport_send(const std::shared_ptr<http_transport_impl>& impl, http_request req, diagnostics* diag,
                    boost::asio::any_completion_handler<void(error_code, http_response)> handler);
KONGFLOW_ENDPOINTS_DECL void http_transport_close(http_transport_impl& impl);
} // namespace detail

/// HTTP/1.1 client with keep-alive connection pools.
///
/// *Thread safety:* distinct objects are safe; a shared object is not. Call `async_send` and
/// `close` from the transport's executor (or from a thread that does not run it while no
/// operation is pending). If the io_context runs on several threads, construct the transport with
/// a strand and make every call, and every cancellation signal emission, on that strand.
///
/// *Lifetime:* destroying the transport cancels its pending operations (they complete with
/// `boost::asio::error::operation_aborted`); the execution context must outlive them.
class http_transport {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Plain http only: an https URL fails with errc::not_supported.
    explicit http_transport(boost::asio::any_io_executor ex, http_transport_params params = {})
            : impl_(detail::make_http_transport_impl(std::move(ex), nullptr, std::move(params))) {}

    /// http and https. `tls` (the caller's: CA store, client certificate, protocol versions) must
    /// outlive the transport. Peer and host-name verification are switched on per connection
    /// whatever the context's own verify mode (see http_transport_params::verify_tls_peer).
    http_transport(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls, http_transport_params params = {})
            : impl_(detail::make_http_transport_impl(std::move(ex), &tls, std::move(params))) {}

    template <class ExecutionContext,
              class = std::enable_if_t<std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>>>
    explicit http_transport(ExecutionContext& ctx, http_transport_params params = {})
            : http_transport(boost::asio::any_io_executor(ctx.get_executor()), std::move(params)) {}

    template <class ExecutionContext,
              class = std::enable_if_t<std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>>>
    http_transport(ExecutionContext& ctx, boost::asio::ssl::context& tls, http_transport_params params = {})
            : http_transport(boost::asio::any_io_executor(ctx.get_executor()), tls, std::move(params)) {}

    http_transport(const http_transport&) = delete;
    http_transport& operator=(const http_transport&) = delete;
    http_transport(http_transport&&) noexcept = default;
    http_transport& operator=(http_transport&& other) noexcept {
        if (this != &other) {
            close();
            impl_ = std::move(other.impl_);
        }
        return *this;
    }
    ~http_transport() { close(); }

    KONGFLOW_ENDPOINTS_DECL executor_type get_executor() const noexcept;

    /// Sends one request and reads its response.
    ///
    /// *Handler signature:* `void(error_code, http_response)`. Any status, 3xx included, is a
    /// success; errors are errc::invalid_url, invalid_header_value, invalid_argument,
    /// not_supported (https without a TLS context), connect_failed (refused, reset, closed before a
    /// complete response, DNS or TLS failure), address_not_allowed (see
    /// http_transport_params::addresses), timeout, body_too_large, header_too_large, and
    /// boost::asio::error::operation_aborted (cancellation or close()). `diag` gets a message on error and
    /// is cleared on success.
    ///
    /// *Executor:* the handler is never called from inside `async_send`. It runs on its
    /// associated executor, or the transport's executor.
    ///
    /// *Cancellation:* a bound cancellation slot (any cancellation type) aborts the request and
    /// discards its connection.
    ///
    /// *Object lifetimes:* `req` is taken by value. `diag` must stay valid until the handler runs.
    /// The transport must be alive when the operation is launched (for `deferred`, when the
    /// deferred operation is invoked); after that the request keeps what it needs alive.
    ///
    /// *Retries:* a request that fails on a reused keep-alive connection before any byte of the
    /// response arrived (the server had closed it) is sent once more on a new connection.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_send(http_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, http_response)>(initiation{this}, token,
                                                                                             std::move(req), &diag);
    }

    /// Closes idle connections and aborts every pending request (operation_aborted). The
    /// transport stays usable.
    void close() {
        if (impl_) detail::http_transport_close(*impl_);
    }

private:
    struct initiation {
        http_transport* self;
        using executor_type = boost::asio::any_io_executor;
        executor_type get_executor() const noexcept { return self->get_executor(); }

        template <class Handler>
        void operator()(Handler&& handler, http_request req, diagnostics* diag) const {
            detail::http_transport_send(
                self->impl_, std::move(req), diag,
                boost::asio::any_completion_handler<void(error_code, http_response)>(std::forward<Handler>(handler)));
        }
    };

    std::shared_ptr<detail::http_transport_impl> impl_;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/client/impl/http_transport.ipp>
#endif

#endif
