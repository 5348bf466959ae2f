// A scriptable in-process HTTP/1.1 server for integration tests, bound to 127.0.0.1:0 and run on
// its own thread. Each received request takes the next scripted reply from a queue (or the
// default reply / a handler when the queue is empty), and is recorded for assertions.
//
//   test_http_server srv;                                  // plain; pass an ssl::context for TLS
//   srv.push(scripted_response::json(200, R"({"ok":true})"));
//   srv.push(scripted_response::close_without_response());
//   ... srv.url("/api/trigger") ... srv.requests() ... srv.accepts()
#ifndef KONGFLOW_ENDPOINTS_TESTS_SUPPORT_TEST_HTTP_SERVER_HPP
#define KONGFLOW_ENDPOINTS_TESTS_SUPPORT_TEST_HTTP_SERVER_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace kongflow::test {

namespace test_net = boost::asio;

/// What the server does with one request.
struct scripted_response {
    enum class kind {
        respond,                ///< send the response below
        close_without_response, ///< read the request, close the connection, send nothing
        reset,                  ///< read the request, reset the connection (RST)
        hang,                   ///< read the request and never answer (until the client closes)
    };
    enum class framing {
        content_length, ///< `content-length: N` (default)
        chunked,        ///< `transfer-encoding: chunked`, the body in small chunks
        until_close,    ///< no length: the body ends when the server closes the connection
    };

    kind action = kind::respond;
    unsigned status = 200;
    std::string reason;                                       ///< default: a standard phrase
    std::vector<std::pair<std::string, std::string>> headers; ///< sent in order
    std::string body;
    framing frame = framing::content_length;
    std::chrono::milliseconds delay{0}; ///< wait this long before answering
    bool close_after = false;           ///< close after answering, without announcing `connection: close`
    bool announce_close = false;        ///< send `connection: close` and close after answering
    std::size_t truncate_body_to = static_cast<std::size_t>(-1); ///< send only this many body bytes, then close

    static scripted_response json(unsigned status, std::string body) {
        scripted_response r;
        r.status = status;
        r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
        r.body = std::move(body);
        return r;
    }
    static scripted_response text(unsigned status, std::string body, std::string content_type = "text/plain") {
        scripted_response r;
        r.status = status;
        r.headers = {{"Content-Type", std::move(content_type)}};
        r.body = std::move(body);
        return r;
    }
    /// An SDK-like PING success: `{"ok":true}` with the Trigger version headers.
    static scripted_response trigger_pong() {
        auto r = json(200, R"({"ok":true})");
        r.headers.emplace_back("Trigger-Version", "2023-09-29");
        r.headers.emplace_back("Trigger-SDK-Version", "2.3.19");
        return r;
    }
    static scripted_response redirect(unsigned status, std::optional<std::string> location) {
        scripted_response r;
        r.status = status;
        if (location) r.headers = {{"Location", std::move(*location)}};
        return r;
    }
    /// 401, with the SDK's `{"message":...}` body when `message` is given, else empty.
    static scripted_response unauthorized(std::optional<std::string> message) {
        if (!message) return redirect(401, std::nullopt);
        return json(401, R"({"message":")" + *message + R"("})");
    }
    static scripted_response close_without_response() {
        scripted_response r;
        r.action = kind::close_without_response;
        return r;
    }
    static scripted_response reset_connection() {
        scripted_response r;
        r.action = kind::reset;
        return r;
    }
    static scripted_response hang_forever() {
        scripted_response r;
        r.action = kind::hang;
        return r;
    }
    scripted_response&& with_delay(std::chrono::milliseconds d) && {
        delay = d;
        return std::move(*this);
    }
    scripted_response&& with_header(std::string name, std::string value) && {
        headers.emplace_back(std::move(name), std::move(value));
        return std::move(*this);
    }
    scripted_response&& with_framing(framing f) && {
        frame = f;
        return std::move(*this);
    }
};

/// A request as the server received it.
struct recorded_request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers; ///< in order, names as sent
    std::string body;
    std::size_t connection = 0; ///< 1-based index of the accepted connection it came on

    /// First header value by case-insensitive name.
    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [n, v] : headers)
            if (ieq(n, name)) return v;
        return std::nullopt;
    }
    std::size_t header_count(std::string_view name) const {
        std::size_t n = 0;
        for (const auto& h : headers) n += ieq(h.first, name) ? 1 : 0;
        return n;
    }

private:
    static bool ieq(std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            auto l = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
            if (l(a[i]) != l(b[i])) return false;
        }
        return true;
    }
};

class test_http_server {
public:
    using handler_fn = std::function<scripted_response(const recorded_request&)>;

    /// Plain HTTP server.
    test_http_server() : acceptor_(ioc_) { open(); }
    /// Plain HTTP server on another loopback address ("127.0.0.2": Linux routes all of 127/8).
    explicit test_http_server(std::string host) : acceptor_(ioc_), host_(std::move(host)) { open(); }
    /// HTTPS server using `tls` (certificate and key already loaded; must outlive the server).
    explicit test_http_server(test_net::ssl::context& tls) : acceptor_(ioc_), tls_(&tls) { open(); }

    test_http_server(const test_http_server&) = delete;
    test_http_server& operator=(const test_http_server&) = delete;

    ~test_http_server() { stop(); }

    void stop() {
        if (!thread_.joinable()) return;
        ioc_.stop();
        thread_.join();
    }

    unsigned short port() const { return port_; }
    /// `http(s)://127.0.0.1:<port><path>` (or the host given)
    std::string url(std::string_view path = "/") const {
        return std::string(tls_ ? "https" : "http") + "://" + host_ + ":" + std::to_string(port_) + std::string(path);
    }

    void push(scripted_response r) {
        std::lock_guard lk(mu_);
        script_.push_back(std::move(r));
    }
    /// Reply used when the script is empty (default: an SDK-like pong).
    void set_default(scripted_response r) {
        std::lock_guard lk(mu_);
        default_ = std::move(r);
        handler_ = nullptr;
    }
    /// Computes the reply when the script is empty (takes precedence over the default reply).
    void set_handler(handler_fn f) {
        std::lock_guard lk(mu_);
        handler_ = std::move(f);
    }

    std::vector<recorded_request> requests() const {
        std::lock_guard lk(mu_);
        return requests_;
    }
    void clear_requests() {
        std::lock_guard lk(mu_);
        requests_.clear();
    }
    std::size_t request_count() const {
        std::lock_guard lk(mu_);
        return requests_.size();
    }
    std::size_t accepts() const {
        std::lock_guard lk(mu_);
        return accepts_;
    }
    /// Connections currently open on the server side.
    std::size_t open_connections() const {
        std::lock_guard lk(mu_);
        return open_;
    }
    /// The largest number of connections that were open at the same time.
    std::size_t max_open_connections() const {
        std::lock_guard lk(mu_);
        return max_open_;
    }

private:
    using tcp = test_net::ip::tcp;
    template <class T>
    using awaitable = test_net::awaitable<T>;

    void open() {
        tcp::endpoint ep(test_net::ip::make_address(host_), 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        default_ = scripted_response::trigger_pong();
        test_net::co_spawn(ioc_, accept_loop(), test_net::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }

    awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(test_net::as_tuple(test_net::use_awaitable));
            if (ec) {
                if (ec == test_net::error::operation_aborted) co_return;
                continue;
            }
            std::size_t id;
            {
                std::lock_guard lk(mu_);
                id = ++accepts_;
                ++open_;
                if (open_ > max_open_) max_open_ = open_;
            }
            sock.set_option(tcp::no_delay(true));
            if (tls_) {
                auto stream = std::make_shared<test_net::ssl::stream<tcp::socket>>(std::move(sock), *tls_);
                test_net::co_spawn(ioc_, tls_session(stream, id), test_net::detached);
            } else {
                auto stream = std::make_shared<tcp::socket>(std::move(sock));
                test_net::co_spawn(ioc_, session(stream, stream.get(), id), test_net::detached);
            }
        }
    }

    awaitable<void> tls_session(std::shared_ptr<test_net::ssl::stream<tcp::socket>> s, std::size_t id) {
        auto [ec] = co_await s->async_handshake(test_net::ssl::stream_base::server,
                                                test_net::as_tuple(test_net::use_awaitable));
        if (ec) {
            closed();
            co_return;
        }
        co_await session(s, &s->next_layer(), id);
    }

    void closed() {
        std::lock_guard lk(mu_);
        --open_;
    }

    scripted_response next_reply(const recorded_request& r) {
        std::lock_guard lk(mu_);
        requests_.push_back(r);
        if (!script_.empty()) {
            auto s = std::move(script_.front());
            script_.pop_front();
            return s;
        }
        if (handler_) return handler_(r);
        return default_;
    }

    static std::string_view phrase(unsigned status) {
        switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 500: return "Internal Server Error";
        default: return "Status";
        }
    }

    static std::string serialize(const scripted_response& r, bool head_only_body) {
        std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " +
                          (r.reason.empty() ? std::string(phrase(r.status)) : r.reason) + "\r\n";
        for (const auto& [n, v] : r.headers) out += n + ": " + v + "\r\n";
        std::string_view body = r.body;
        if (r.truncate_body_to < body.size()) {
            // Promise the full length, deliver less.
            out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
            out.append(body.substr(0, r.truncate_body_to));
            return out;
        }
        switch (r.frame) {
        case scripted_response::framing::content_length:
            out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
            break;
        case scripted_response::framing::chunked: out += "Transfer-Encoding: chunked\r\n"; break;
        case scripted_response::framing::until_close: break;
        }
        if (r.announce_close || r.frame == scripted_response::framing::until_close) out += "Connection: close\r\n";
        out += "\r\n";
        if (head_only_body) return out;
        if (r.frame == scripted_response::framing::chunked) {
            constexpr std::size_t chunk = 7;
            char hex[32];
            for (std::size_t i = 0; i < body.size(); i += chunk) {
                auto part = body.substr(i, chunk);
                std::snprintf(hex, sizeof hex, "%zx\r\n", part.size());
                out += hex;
                out.append(part);
                out += "\r\n";
            }
            out += "0\r\n\r\n";
        } else {
            out.append(body);
        }
        return out;
    }

    template <class Stream>
    awaitable<void> session(std::shared_ptr<Stream> s, tcp::socket* raw, std::size_t id) {
        boost::beast::flat_buffer buf;
        for (;;) {
            boost::beast::http::request_parser<boost::beast::http::string_body> p;
            p.body_limit(256 * 1024 * 1024);
            p.header_limit(1024 * 1024);
            auto [ec, n] =
                co_await boost::beast::http::async_read(*s, buf, p, test_net::as_tuple(test_net::use_awaitable));
            (void)n;
            if (ec) break;
            recorded_request rec;
            auto& msg = p.get();
            rec.method = std::string(msg.method_string());
            rec.target = std::string(msg.target());
            for (const auto& f : msg.base())
                rec.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            rec.body = std::move(msg.body());
            rec.connection = id;
            const bool head = rec.method == "HEAD";
            scripted_response reply = next_reply(rec);

            if (reply.delay.count() > 0) {
                test_net::steady_timer t(co_await test_net::this_coro::executor, reply.delay);
                co_await t.async_wait(test_net::as_tuple(test_net::use_awaitable));
            }
            if (reply.action == scripted_response::kind::close_without_response) break;
            if (reply.action == scripted_response::kind::reset) {
                boost::system::error_code ig;
                raw->set_option(tcp::socket::linger(true, 0), ig);
                raw->close(ig);
                break;
            }
            if (reply.action == scripted_response::kind::hang) {
                // Never answer, but notice when the client gives up and closes.
                char sink[512];
                for (;;) {
                    auto [rec_ec, rn] = co_await s->async_read_some(test_net::buffer(sink),
                                                                    test_net::as_tuple(test_net::use_awaitable));
                    (void)rn;
                    if (rec_ec) break;
                }
                break;
            }
            std::string wire = serialize(reply, head);
            auto [wec, wn] =
                co_await test_net::async_write(*s, test_net::buffer(wire), test_net::as_tuple(test_net::use_awaitable));
            (void)wn;
            if (wec) break;
            if (reply.close_after || reply.announce_close || reply.truncate_body_to < reply.body.size() ||
                reply.frame == scripted_response::framing::until_close)
                break;
        }
        boost::system::error_code ig;
        raw->shutdown(tcp::socket::shutdown_both, ig);
        raw->close(ig);
        closed();
    }

    test_net::io_context ioc_;
    tcp::acceptor acceptor_;
    test_net::ssl::context* tls_ = nullptr;
    std::string host_ = "127.0.0.1";
    unsigned short port_ = 0;
    std::thread thread_;

    mutable std::mutex mu_;
    std::deque<scripted_response> script_;
    scripted_response default_;
    handler_fn handler_;
    std::vector<recorded_request> requests_;
    std::size_t accepts_ = 0;
    std::size_t open_ = 0;
    std::size_t max_open_ = 0;
};

} // namespace kongflow::test

#endif
