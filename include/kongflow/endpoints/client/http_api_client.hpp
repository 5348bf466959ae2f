// The default api_client: HTTP/1.1 over TCP or TLS with Boost.Beast, through http_transport
// (keep-alive pool per origin, timeouts, size limits). Redirects come back to api_client, which
// follows them as Trigger.dev does (replies::next_hop).
#ifndef KONGFLOW_ENDPOINTS_CLIENT_HTTP_API_CLIENT_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_HTTP_API_CLIENT_HPP

#include <kongflow/endpoints/client/api_client.hpp>
#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>

namespace kongflow::endpoints {

struct http_api_client_params {
    client_identity identity;                          ///< user-agent, x-trigger-version
    std::chrono::milliseconds connect_timeout{10'000}; ///< resolve + connect + TLS handshake
    std::size_t max_body_size = 10 * 1024 * 1024;      ///< larger replies fail with errc::body_too_large
    std::size_t max_header_size = 64 * 1024;           ///< larger headers fail with errc::header_too_large
    /// Pool sizes, idle timeout, and which addresses endpoints may have (`transport.addresses`:
    /// set `deny_private` in a shared deployment; see address_policy).
    http_transport_params transport;
};

/// Thread safety: distinct objects safe; a shared object is safe when its executor is one thread
/// or a strand (all internal state is touched only from that executor).
class http_api_client final : public api_client {
public:
    /// Plain http:// only; https URLs fail with errc::not_supported.
    explicit http_api_client(boost::asio::any_io_executor ex, http_api_client_params params = {})
            : ex_(ex), params_(std::move(params)), transport_(ex, params_.transport) {
        set_identity(params_.identity);
    }

    /// http:// and https://, TLS through the caller's context (which must outlive the client).
    http_api_client(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls, http_api_client_params params = {})
            : ex_(ex), params_(std::move(params)), transport_(ex, tls, params_.transport) {
        set_identity(params_.identity);
    }

    executor_type get_executor() override { return ex_; }

    /// The underlying transport (pool statistics, close()).
    http_transport& transport() noexcept { return transport_; }

private:
    void do_send(action_request request, diagnostics& diag, send_handler handler) override {
        request.connect_timeout = params_.connect_timeout;
        request.max_body_size = params_.max_body_size;
        request.max_header_size = params_.max_header_size;
        // The request is the http_request it derives from; the response is the reply.
        transport_.async_send(std::move(request), diag, std::move(handler));
    }

    boost::asio::any_io_executor ex_;
    http_api_client_params params_;
    http_transport transport_;
};

} // namespace kongflow::endpoints

#endif
