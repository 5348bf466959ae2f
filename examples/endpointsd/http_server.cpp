#include "http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <exception>

namespace kongflow::endpointsd {

namespace beast = boost::beast;
using kongflow::endpoints::errc;
using kongflow::endpoints::error_code;

http_response json_error(unsigned status, std::string_view message, unsigned version, bool keep_alive) {
    http_response res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/json; charset=utf-8");
    boost::json::object o;
    o["error"] = message;
    res.body() = boost::json::serialize(o);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

void apply_request_limits(http::request_parser<http::string_body>& parser, const http_server_params& params) {
    parser.body_limit(params.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(params.max_header_bytes));
}

namespace {
std::string too_large_message(const http_server_params& params) {
    return "Request body is too large (limit " + std::to_string(params.max_body_bytes) + " bytes)";
}
} // namespace

std::optional<http_rejection> read_rejection(error_code ec, bool in_body, const http_server_params& params) {
    if (!in_body) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::bad_descriptor)
            return std::nullopt;
        if (ec == http::error::header_limit) return http_rejection{431, "Request headers are too large"};
        if (ec == http::error::body_limit) return http_rejection{413, "Request body is too large"};
        return http_rejection{400, "Malformed HTTP request: " + ec.message()};
    }
    if (ec == http::error::body_limit) return http_rejection{413, too_large_message(params)};
    if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::eof)
        return std::nullopt;
    return http_rejection{400, "Malformed HTTP request: " + ec.message()};
}

std::optional<http_rejection> declared_length_rejection(const http::request_parser<http::string_body>& parser,
                                                        const http_server_params& params) {
    if (auto len = parser.content_length(); len && *len > params.max_body_bytes)
        return http_rejection{413, too_large_message(params)};
    return std::nullopt;
}

bool finish_response(const http_request& req, http_response& res, const http_server_params& params, bool stopping) {
    bool keep_alive = req.keep_alive() && res.keep_alive() && !stopping;
    res.version(req.version());
    res.keep_alive(keep_alive);
    res.set(http::field::server, params.server_header);
    if (req.method() == http::verb::head) {
        // Beast would send the body; HEAD answers keep the length and drop it.
        res.prepare_payload();
        auto len = res.body().size();
        res.body().clear();
        res.content_length(len);
    } else {
        res.prepare_payload();
    }
    return keep_alive;
}

struct http_server::connection {
    std::uint64_t id = 0;
    beast::tcp_stream stream;
    std::atomic<bool> idle{true};    // waiting for the first byte of a request
    std::atomic<bool> waiting{true}; // no request being handled: its headers have not all arrived
    std::atomic<bool> shed{false};   // chosen to make room (max_connections)
    explicit connection(tcp::socket s) : stream(std::move(s)) {}
};

http_server::http_server(asio::io_context& ioc, http_server_params params, http_handler handler,
                         http_reject_hook on_reject, http_shed_hook on_shed)
        : ioc_(ioc), params_(std::move(params)), handler_(std::move(handler)), on_reject_(std::move(on_reject)),
          on_shed_(std::move(on_shed)), acceptor_(asio::make_strand(ioc)) {}

http_server::~http_server() = default;

kongflow::endpoints::result<tcp::endpoint> http_server::listen() {
    error_code ec;
    auto addr = asio::ip::make_address(params_.host, ec);
    if (ec) {
        // A host name: resolve it synchronously once at start-up.
        tcp::resolver r(ioc_);
        auto results = r.resolve(params_.host, std::to_string(params_.port), ec);
        if (ec || results.empty()) return ec ? ec : make_error_code(errc::invalid_argument);
        addr = results.begin()->endpoint().address();
    }
    tcp::endpoint ep(addr, params_.port);
    acceptor_.open(ep.protocol(), ec);
    if (ec) return ec;
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor_.bind(ep, ec);
    if (ec) return ec;
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    auto local = acceptor_.local_endpoint(ec);
    if (ec) return ec;
    return local;
}

void http_server::start() { asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached); }

asio::awaitable<void> http_server::accept_loop() {
    while (!stopping_) {
        // The new connection's strand, named: no non-trivial temporary in a co_await expression
        // (GCC 12, see offload() in router.hpp).
        auto strand = asio::make_strand(ioc_);
        auto [ec, sock] = co_await acceptor_.async_accept(strand, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
            // EMFILE and friends: back off briefly instead of spinning.
            asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(50));
            co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        std::size_t open;
        {
            std::lock_guard lk(reg_->mu);
            open = reg_->connections.size();
        }
        if (open >= params_.max_connections && !make_room()) {
            // Every connection is busy with a request: this one would only add load.
            if (on_shed_) on_shed_(false);
            sock.close(ec);
            continue;
        }
        sock.set_option(tcp::no_delay(true), ec);
        auto c = std::make_shared<connection>(std::move(sock));
        {
            std::lock_guard lk(reg_->mu);
            c->id = ++reg_->next_id;
            reg_->connections[c->id] = c;
        }
        auto ex = c->stream.get_executor();
        asio::co_spawn(ex, serve(std::move(c)), asio::detached);
    }
}

bool http_server::make_room() {
    std::shared_ptr<connection> victim;
    {
        std::lock_guard lk(reg_->mu);
        // Oldest first (ids grow with accepts): the connection that has held its place longest.
        for (auto& [id, w] : reg_->connections) {
            auto c = w.lock();
            if (c && c->waiting && !c->shed.exchange(true)) {
                victim = std::move(c);
                break;
            }
        }
    }
    if (!victim) return false;
    if (on_shed_) on_shed_(true);
    asio::post(victim->stream.get_executor(), [victim] {
        // Still waiting: close it (its read fails and the coroutine ends). A request whose headers
        // completed meanwhile is answered, and the connection closes after it.
        if (victim->waiting) {
            error_code ec;
            victim->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
            victim->stream.socket().close(ec);
        }
    });
    return true;
}

std::size_t http_server::open_connections() const {
    std::lock_guard lk(reg_->mu);
    return reg_->connections.size();
}

void http_server::stop() {
    if (stopping_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
        error_code ec;
        acceptor_.close(ec);
    });
    std::lock_guard lk(reg_->mu);
    for (auto& [id, w] : reg_->connections) {
        if (auto c = w.lock()) {
            asio::post(c->stream.get_executor(), [c] {
                // Only connections waiting for a new request: in-flight ones close after replying.
                if (c->idle) {
                    error_code ec;
                    c->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
                    c->stream.socket().close(ec);
                }
            });
        }
    }
}

void http_server::abort_all() {
    std::lock_guard lk(reg_->mu);
    for (auto& [id, w] : reg_->connections) {
        if (auto c = w.lock()) {
            asio::post(c->stream.get_executor(), [c] {
                error_code ec;
                c->stream.socket().close(ec);
            });
        }
    }
}

asio::awaitable<void> http_server::serve(std::shared_ptr<connection> c) {
    struct forgetter {
        std::shared_ptr<registry> reg;
        std::uint64_t id;
        ~forgetter() {
            std::lock_guard lk(reg->mu);
            reg->connections.erase(id);
        }
    } guard{reg_, c->id};

    beast::flat_buffer buffer;
    auto reject = [&](unsigned status, std::string_view msg) -> asio::awaitable<void> {
        if (on_reject_) on_reject_(status);
        auto res = json_error(status, msg, 11, false);
        res.set(http::field::server, params_.server_header);
        c->stream.expires_after(params_.write_timeout);
        co_await http::async_write(c->stream, res, asio::as_tuple(asio::use_awaitable));
    };

    for (;;) {
        if (stopping_ || c->shed) break;
        c->idle = buffer.size() == 0;
        c->waiting = true;
        http::request_parser<http::string_body> parser;
        apply_request_limits(parser, params_);
        c->stream.expires_after(params_.read_timeout);
        auto [ec, n] = co_await http::async_read_header(c->stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        c->idle = false;
        c->waiting = false;
        (void)n;
        if (ec) {
            if (auto r = read_rejection(ec, false, params_)) co_await reject(r->status, r->message);
            break;
        }
        if (auto r = declared_length_rejection(parser, params_)) {
            co_await reject(r->status, r->message);
            break;
        }
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
            http::response<http::empty_body> cont{http::status::continue_, parser.get().version()};
            auto [wec, wn] = co_await http::async_write(c->stream, cont, asio::as_tuple(asio::use_awaitable));
            (void)wn;
            if (wec) break;
        }
        if (!parser.is_done()) {
            auto [bec, bn] = co_await http::async_read(c->stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            (void)bn;
            if (bec) {
                if (auto r = read_rejection(bec, true, params_)) co_await reject(r->status, r->message);
                break;
            }
        }
        http_request req = parser.release();
        http_response res;
        try {
            res = co_await handler_(req);
        } catch (const std::exception&) {
            res = json_error(500, "Something went wrong", req.version());
        }
        bool keep_alive = finish_response(req, res, params_, stopping_);
        c->stream.expires_after(params_.write_timeout);
        auto [wec, wn] = co_await http::async_write(c->stream, res, asio::as_tuple(asio::use_awaitable));
        (void)wn;
        if (wec || !keep_alive) break;
    }
    error_code ec;
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c->stream.socket().close(ec);
}

} // namespace kongflow::endpointsd
