// A small HTTP/1.1 server on Boost.Beast (model: Boost.MySQL's http_server_cpp20): one coroutine
// per connection on its own strand, request limits (body, header), read and idle timeouts,
// keep-alive, `Expect: 100-continue`, and a graceful shutdown that closes idle connections and
// lets in-flight requests finish.
#ifndef KONGFLOW_ENDPOINTSD_HTTP_SERVER_HPP
#define KONGFLOW_ENDPOINTSD_HTTP_SERVER_HPP

#include <kongflow/endpoints/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace kongflow::endpointsd {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

struct http_server_params {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    /// Time allowed to receive one whole request, and to wait for the next one on a kept-alive
    /// connection.
    std::chrono::milliseconds read_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::string server_header = "kongflow-endpointsd";
    /// Client connections open at once. At the limit a new connection takes the place of the
    /// oldest one that waits for a request (idle keep-alive, or headers still arriving), as
    /// nginx reuses idle connections; when every one is busy with a request, it is closed at once.
    std::size_t max_connections = 10'000;
};

/// Answers one request; runs on the connection's strand. Must not throw (exceptions become a 500).
using http_handler = std::function<asio::awaitable<http_response>(http_request&)>;
/// Told about requests the server itself rejected (400, 413, 431) with the status sent.
using http_reject_hook = std::function<void(unsigned status)>;
/// Told about each connection closed because of max_connections: `waiting` when a connection
/// that waited for a request made room for a new one, else the new one was refused.
using http_shed_hook = std::function<void(bool waiting)>;

/// A JSON error body `{"error": message}` with the given status.
http_response json_error(unsigned status, std::string_view message, unsigned version = 11, bool keep_alive = true);

// The server's decisions without a socket: http_server::serve makes them through these, and so
// does tests/fuzz/fuzz_daemon_request.cpp, which feeds raw bytes through the same parser limits.

/// A request parser with the server's limits (body, header block).
void apply_request_limits(http::request_parser<http::string_body>& parser, const http_server_params& params);

/// A request the server refuses to read further: the status and message it answers with.
struct http_rejection {
    unsigned status;
    std::string message;
};

/// What reading a request's header (`in_body` false) or body failing with `ec` answers: a
/// rejection, or nothing when the connection just closes (the peer left, a timeout).
std::optional<http_rejection> read_rejection(kongflow::endpoints::error_code ec, bool in_body,
                                             const http_server_params& params);

/// A header whose Content-Length is over the limit: refused before its body is read.
std::optional<http_rejection> declared_length_rejection(const http::request_parser<http::string_body>& parser,
                                                        const http_server_params& params);

/// Shapes the handler's answer to `req` as it goes on the wire (version, keep-alive, Server,
/// Content-Length; a HEAD answer keeps the length and drops the body). Returns whether the
/// connection stays open after it.
bool finish_response(const http_request& req, http_response& res, const http_server_params& params, bool stopping);

class http_server {
public:
    http_server(asio::io_context& ioc, http_server_params params, http_handler handler, http_reject_hook on_reject = {},
                http_shed_hook on_shed = {});
    ~http_server();

    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    /// Binds and listens; returns the bound endpoint (the real port when port 0 was asked).
    kongflow::endpoints::result<tcp::endpoint> listen();
    /// Starts accepting (after listen()).
    void start();
    /// Stops accepting and closes idle keep-alive connections; requests in flight finish and
    /// their connections close after the response. Thread-safe, idempotent.
    void stop();
    /// Closes every remaining connection (after the shutdown deadline).
    void abort_all();
    std::size_t open_connections() const;
    bool stopping() const noexcept { return stopping_.load(); }

private:
    struct connection;
    asio::awaitable<void> accept_loop();
    asio::awaitable<void> serve(std::shared_ptr<connection> c);
    /// At the limit: closes the oldest connection waiting for a request; false when none waits.
    bool make_room();

    asio::io_context& ioc_;
    http_server_params params_;
    http_handler handler_;
    http_reject_hook on_reject_;
    http_shed_hook on_shed_;
    tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    // Shared with the connection coroutines, which may outlive the server object when the
    // io_context is destroyed with them still suspended.
    struct registry {
        std::mutex mu;
        std::map<std::uint64_t, std::weak_ptr<connection>> connections;
        std::uint64_t next_id = 0;
    };
    std::shared_ptr<registry> reg_ = std::make_shared<registry>();
};

} // namespace kongflow::endpointsd

#endif
