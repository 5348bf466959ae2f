#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_HTTP_TRANSPORT_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_HTTP_TRANSPORT_IPP

#include <kongflow/endpoints/client/detail/http_wire.hpp>
#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <cerrno>

#include <sys/socket.h>
#define KONGFLOW_ENDPOINTS_HTTP_PEEK_IDLE 1
#endif

namespace kongflow::endpoints::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using http_tcp = boost::asio::ip::tcp;
using http_clock = std::chrono::steady_clock;

class http_send_op;
struct http_origin_pool;

// One TCP (optionally TLS) connection with its reusable buffers. Owned by exactly one place at a
// time: a request in flight, or its pool's idle list.
class http_connection {
public:
    http_connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context* tls, http_origin_pool* pool)
            : plain_(ex), pool_(pool) {
        if (tls) tls_ = std::make_unique<boost::asio::ssl::stream<http_tcp::socket>>(ex, *tls);
    }

    http_tcp::socket& socket() noexcept { return tls_ ? tls_->next_layer() : plain_; }
    boost::asio::ssl::stream<http_tcp::socket>* tls() noexcept { return tls_.get(); }

    template <class F>
    void with_stream(F&& f) {
        if (tls_)
            f(*tls_);
        else
            f(plain_);
    }

    void close() noexcept {
        error_code ec;
        socket().close(ec);
    }

    // An idle keep-alive connection is dead when the server has closed it (EOF waiting) or has
    // sent bytes nobody asked for. One non-blocking peek, no read operation kept pending.
    bool idle_alive() noexcept {
#ifdef KONGFLOW_ENDPOINTS_HTTP_PEEK_IDLE
        if (!socket().is_open()) return false;
        char b;
        auto n = ::recv(socket().native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0) return false;
        // TLS can legitimately have post-handshake records (session tickets) waiting.
        if (n > 0) return tls_ != nullptr;
        return errno == EAGAIN || errno == EWOULDBLOCK;
#else
        return socket().is_open();
#endif
    }

    http_tcp::socket plain_;
    std::unique_ptr<boost::asio::ssl::stream<http_tcp::socket>> tls_;
    http_origin_pool* pool_;
    beast::flat_buffer buffer_; // keeps its capacity across requests
    std::string head_;          // serialised request head, same
    http_clock::time_point idle_since_{};
};

struct http_origin_pool {
    std::string key;
    std::vector<std::unique_ptr<http_connection>> idle; // most recently used at the back
    std::size_t open = 0; // connections idle, in use or connecting, plus slots handed to waiters
    std::deque<http_send_op*> waiters;
};

class http_transport_impl : public std::enable_shared_from_this<http_transport_impl> {
public:
    http_transport_impl(boost::asio::any_io_executor ex, boost::asio::ssl::context* tls, http_transport_params params)
            : ex_(std::move(ex)), tls_(tls), params_(std::move(params)), reap_timer_(ex_) {
        params_.max_connections_per_origin = std::max<std::size_t>(params_.max_connections_per_origin, 1);
    }

    http_origin_pool& pool_for(const std::string& key) {
        auto it = pools_.find(key);
        if (it == pools_.end()) {
            auto p = std::make_unique<http_origin_pool>();
            p->key = key;
            it = pools_.emplace(key, std::move(p)).first;
        }
        return *it->second;
    }

    void release(std::unique_ptr<http_connection> c, bool reusable);
    void drop_slot(http_origin_pool& p);
    void close_all();

    boost::asio::any_io_executor ex_;
    boost::asio::ssl::context* tls_;
    http_transport_params params_;
    http_send_op* active_ = nullptr; // requests in flight (intrusive list), for close()

private:
    void hand_to_waiter(http_origin_pool& p, std::unique_ptr<http_connection> c);
    void maybe_erase(http_origin_pool& p);
    void arm_reaper(http_clock::time_point at);
    void reap();

    std::unordered_map<std::string, std::unique_ptr<http_origin_pool>> pools_;
    boost::asio::steady_timer reap_timer_;
    bool reap_armed_ = false;
};

class http_send_op : public std::enable_shared_from_this<http_send_op> {
public:
    using handler_type = boost::asio::any_completion_handler<void(error_code, http_response)>;
    enum class state { init, waiting, handed_off, connecting, exchanging, done };
    enum class abort_reason { none, timeout, connect_timeout, cancelled, closed };

    http_send_op(std::shared_ptr<http_transport_impl> t, http_request req, diagnostics* diag, handler_type h)
            : t_(std::move(t)), req_(std::move(req)), diag_(diag), handler_(std::move(h)), total_timer_(t_->ex_),
              connect_timer_(t_->ex_) {}

    void start();
    void abort(abort_reason r);
    void resume(std::unique_ptr<http_connection> c);

    state state_ = state::init;
    http_send_op* prev_ = nullptr;
    http_send_op* next_ = nullptr;
    std::shared_ptr<http_send_op> self_; // owns the op while it waits in a pool queue

private:
    struct cancel_handler {
        http_send_op* op;
        void operator()(boost::asio::cancellation_type_t) const { op->abort(abort_reason::cancelled); }
    };

    void acquire();
    void connect_new();
    void on_resolve(error_code ec, const http_tcp::resolver::results_type& results);
    void on_connect(error_code ec);
    void on_handshake(error_code ec);
    void exchange();
    void read();
    void on_write(error_code ec);
    void on_read(error_code ec);
    void connect_error(error_code ec, const char* what);
    void refuse(const boost::asio::ip::address& a, address_scope why, bool post);
    void exchange_error(error_code ec);
    void discard_connection();
    void finish_aborted();
    void fail(error_code ec, std::string message, bool post = false);
    void finish(error_code ec, http_response resp, bool post);

    std::shared_ptr<http_transport_impl> t_;
    http_request req_;
    diagnostics* diag_;
    handler_type handler_;
    boost::asio::cancellation_slot slot_;
    http_target target_;
    http_origin_pool* pool_ = nullptr;
    std::unique_ptr<http_connection> conn_;
    std::optional<http_tcp::resolver> resolver_;
    std::vector<http_tcp::endpoint> allowed_; // the resolved endpoints the address policy allows
    std::optional<http::response_parser<http::string_body>> parser_;
    boost::asio::steady_timer total_timer_;
    boost::asio::steady_timer connect_timer_;
    http_clock::time_point started_{};
    abort_reason reason_ = abort_reason::none;
    bool reused_ = false;
    bool retried_ = false;
};

// ---------------------------------------------------------------------------------------------
// http_send_op
// ---------------------------------------------------------------------------------------------

inline void http_send_op::start() {
    started_ = http_clock::now();
    // Link into the transport's list of requests in flight, so close() can reach it.
    next_ = t_->active_;
    if (next_) next_->prev_ = this;
    t_->active_ = this;

    // Errors found here complete through post: start() may run inside async_send.
    diagnostics d;
    auto parsed = parse_http_url(req_.url, d);
    if (!parsed) return fail(parsed.error(), std::string(d.client_message()), true);
    target_ = std::move(*parsed);
    if (auto ec = validate_request(req_, d)) return fail(ec, std::string(d.client_message()), true);
    if (target_.tls && !t_->tls_)
        return fail(errc::not_supported, "an https URL needs a transport constructed with a TLS context", true);

    if (req_.total_timeout.count() > 0) {
        total_timer_.expires_after(req_.total_timeout);
        total_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->abort(abort_reason::timeout);
        });
    }
    slot_ = boost::asio::get_associated_cancellation_slot(handler_);
    if (slot_.is_connected()) slot_.template emplace<cancel_handler>(cancel_handler{this});
    acquire();
}

inline void http_send_op::acquire() {
    pool_ = &t_->pool_for(target_.origin);
    const auto now = http_clock::now();
    while (!pool_->idle.empty()) {
        auto c = std::move(pool_->idle.back());
        pool_->idle.pop_back();
        if (now - c->idle_since_ < t_->params_.idle_timeout && c->idle_alive()) {
            conn_ = std::move(c);
            reused_ = true;
            return exchange();
        }
        c->close(); // dead or expired; we take its slot below
        --pool_->open;
    }
    if (pool_->open < t_->params_.max_connections_per_origin) {
        ++pool_->open;
        return connect_new();
    }
    state_ = state::waiting;
    self_ = shared_from_this();
    pool_->waiters.push_back(this);
}

inline void http_send_op::resume(std::unique_ptr<http_connection> c) {
    auto keep = std::move(self_);
    if (reason_ != abort_reason::none) {
        // Aborted after the pool handed us a connection or a slot: give it back untouched.
        if (c)
            t_->release(std::move(c), true);
        else
            t_->drop_slot(*pool_);
        return finish_aborted();
    }
    if (c) {
        conn_ = std::move(c);
        reused_ = true;
        exchange();
    } else {
        connect_new();
    }
}

inline void http_send_op::connect_new() {
    state_ = state::connecting;
    reused_ = false;
    conn_ = std::make_unique<http_connection>(t_->ex_, target_.tls ? t_->tls_ : nullptr, pool_);
    if (req_.connect_timeout.count() > 0) {
        connect_timer_.expires_after(req_.connect_timeout);
        connect_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec && self->state_ == state::connecting) self->abort(abort_reason::connect_timeout);
        });
    }
    if (target_.ip_literal) {
        error_code ec;
        auto addr = boost::asio::ip::make_address(target_.host, ec); // validated by the URL parser
        // Posted: connect_new may run inside async_send.
        if (auto why = t_->params_.addresses.refusal(addr)) return refuse(addr, *why, true);
        conn_->socket().async_connect(http_tcp::endpoint(addr, target_.port),
                                      [self = shared_from_this()](error_code ec) { self->on_connect(ec); });
    } else {
        resolver_.emplace(t_->ex_);
        resolver_->async_resolve(target_.host, std::to_string(target_.port),
                                 [self = shared_from_this()](error_code ec, http_tcp::resolver::results_type results) {
                                     self->on_resolve(ec, results);
                                 });
    }
}

inline void http_send_op::on_resolve(error_code ec, const http_tcp::resolver::results_type& results) {
    if (ec || reason_ != abort_reason::none) return connect_error(ec, "could not resolve");
    // The policy judges the addresses we are about to connect to, not the name: a name that
    // resolves (or rebinds) to a refused address cannot pass.
    allowed_.clear();
    std::optional<std::pair<boost::asio::ip::address, address_scope>> refused;
    for (const auto& entry : results) {
        const auto& ep = entry.endpoint();
        if (auto why = t_->params_.addresses.refusal(ep.address())) {
            if (!refused) refused.emplace(ep.address(), *why);
        } else {
            allowed_.push_back(ep);
        }
    }
    if (allowed_.empty() && refused) return refuse(refused->first, refused->second, false);
    boost::asio::async_connect(
        conn_->socket(), allowed_,
        [self = shared_from_this()](error_code ec, const http_tcp::endpoint&) { self->on_connect(ec); });
}

inline void http_send_op::on_connect(error_code ec) {
    if (ec || reason_ != abort_reason::none) return connect_error(ec, "could not connect to");
    error_code ignored;
    conn_->socket().set_option(http_tcp::no_delay(true), ignored);
    if (auto* s = conn_->tls()) {
        if (!target_.ip_literal) SSL_set_tlsext_host_name(s->native_handle(), target_.host.c_str());
        if (t_->params_.verify_tls_peer) {
            s->set_verify_mode(boost::asio::ssl::verify_peer, ignored);
            s->set_verify_callback(boost::asio::ssl::host_name_verification(target_.host), ignored);
        } else {
            s->set_verify_mode(boost::asio::ssl::verify_none, ignored);
        }
        s->async_handshake(boost::asio::ssl::stream_base::client,
                           [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
        return;
    }
    connect_timer_.cancel();
    exchange();
}

inline void http_send_op::on_handshake(error_code ec) {
    if (ec || reason_ != abort_reason::none) return connect_error(ec, "TLS handshake failed with");
    connect_timer_.cancel();
    exchange();
}

inline void http_send_op::exchange() {
    state_ = state::exchanging;
    conn_->head_.clear();
    serialize_request_head(req_, target_, t_->params_.user_agent, conn_->head_);
    std::array<boost::asio::const_buffer, 2> bufs{boost::asio::buffer(conn_->head_), boost::asio::buffer(req_.body)};
    conn_->with_stream([&](auto& s) {
        boost::asio::async_write(s, bufs,
                                 [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
    });
}

inline void http_send_op::on_write(error_code ec) {
    if (ec || reason_ != abort_reason::none) return exchange_error(ec);
    read();
}

inline void http_send_op::read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(req_.max_header_size, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(req_.max_body_size);
    if (req_.method == "HEAD") parser_->skip(true);
    conn_->with_stream([&](auto& s) {
        http::async_read(s, conn_->buffer_, *parser_,
                         [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
    });
}

inline void http_send_op::on_read(error_code ec) {
    // A TLS server that closes without close_notify ends a read-until-close body that way.
    if (ec == boost::asio::ssl::error::stream_truncated && parser_->is_header_done() && !parser_->is_done()) {
        error_code eof_ec;
        parser_->put_eof(eof_ec);
        if (!eof_ec && parser_->is_done()) ec = {};
    }
    if (ec || reason_ != abort_reason::none) return exchange_error(ec);

    auto& msg = parser_->get();
    const unsigned status = msg.result_int();
    if (status >= 100 && status < 200 && status != 101) return read(); // interim response: skip

    http_response resp;
    resp.status = status;
    resp.reason.assign(msg.reason().data(), msg.reason().size());
    const auto& fields = msg.base();
    resp.headers.reserve(static_cast<std::size_t>(std::distance(fields.begin(), fields.end())));
    for (const auto& f : fields) resp.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    resp.body = std::move(msg.body());
    const bool keep_alive = parser_->keep_alive() && status != 101;
    parser_.reset();
    t_->release(std::move(conn_), keep_alive);
    finish({}, std::move(resp), false);
}

inline void http_send_op::connect_error(error_code ec, const char* what) {
    if (reason_ != abort_reason::none) return finish_aborted();
    discard_connection();
    std::string msg = what;
    msg += ' ';
    msg += target_.host_header;
    msg += ": ";
    msg += ec.message();
    fail(errc::connect_failed, std::move(msg));
}

inline void http_send_op::refuse(const boost::asio::ip::address& a, address_scope why, bool post) {
    if (t_->params_.on_address_refused) t_->params_.on_address_refused(a, why);
    discard_connection();
    std::string msg = "Endpoint address ";
    msg += a.to_string();
    msg += " is not allowed (";
    msg += to_string(why);
    msg += ')';
    fail(errc::address_not_allowed, std::move(msg), post);
}

inline void http_send_op::exchange_error(error_code ec) {
    if (reason_ != abort_reason::none) return finish_aborted();
    if (ec == http::error::body_limit) {
        discard_connection();
        return fail(errc::body_too_large, "the response body from " + target_.host_header + " exceeds " +
                                              std::to_string(req_.max_body_size) + " bytes");
    }
    if (ec == http::error::header_limit) {
        discard_connection();
        return fail(errc::header_too_large, "the response header from " + target_.host_header + " exceeds " +
                                                std::to_string(req_.max_header_size) + " bytes");
    }
    const bool nothing_received = !parser_ || (!parser_->got_some() && conn_->buffer_.size() == 0);
    if (reused_ && !retried_ && nothing_received) {
        // The server closed the keep-alive connection before we used it: one retry on a new
        // connection, in the same pool slot.
        retried_ = true;
        conn_->close();
        conn_.reset();
        parser_.reset();
        return connect_new();
    }
    discard_connection();
    std::string msg = "no complete response from ";
    msg += target_.host_header;
    msg += ": ";
    msg += ec.message();
    fail(errc::connect_failed, std::move(msg));
}

inline void http_send_op::discard_connection() {
    if (!conn_) return;
    conn_->close();
    conn_.reset();
    parser_.reset();
    t_->drop_slot(*pool_);
}

inline void http_send_op::finish_aborted() {
    discard_connection();
    switch (reason_) {
    case abort_reason::timeout:
        return fail(errc::timeout, "no response from " + target_.host_header + " within " +
                                       std::to_string(req_.total_timeout.count()) + " ms");
    case abort_reason::connect_timeout:
        return fail(errc::timeout, "could not connect to " + target_.host_header + " within " +
                                       std::to_string(req_.connect_timeout.count()) + " ms");
    case abort_reason::closed: return fail(boost::asio::error::operation_aborted, "the transport was closed");
    default: return fail(boost::asio::error::operation_aborted, "the request was cancelled");
    }
}

inline void http_send_op::abort(abort_reason r) {
    if (state_ == state::done) return;
    if (reason_ == abort_reason::none) reason_ = r;
    switch (state_) {
    case state::waiting: {
        auto& w = pool_->waiters;
        w.erase(std::remove(w.begin(), w.end(), this), w.end());
        auto keep = std::move(self_);
        fail(r == abort_reason::timeout ? error_code(errc::timeout) : error_code(boost::asio::error::operation_aborted),
             r == abort_reason::timeout ? "no free connection to " + target_.host_header + " within " +
                                              std::to_string(req_.total_timeout.count()) + " ms"
                                        : std::string("the request was cancelled"),
             true);
        return;
    }
    case state::connecting:
    case state::exchanging:
        // Pending operations complete with operation_aborted; their handlers finish the request.
        if (resolver_) resolver_->cancel();
        if (conn_) conn_->close();
        return;
    default: return; // handed_off: resume() sees reason_
    }
}

inline void http_send_op::fail(error_code ec, std::string message, bool post) {
    if (state_ == state::done) return;
    if (diag_) diag_->set_client_message(std::move(message));
    finish(ec, {}, post);
}

inline void http_send_op::finish(error_code ec, http_response resp, bool post) {
    if (state_ == state::done) return;
    state_ = state::done;
    total_timer_.cancel();
    connect_timer_.cancel();
    if (slot_.is_connected()) slot_.clear();
    if (prev_)
        prev_->next_ = next_;
    else if (t_->active_ == this)
        t_->active_ = next_;
    if (next_) next_->prev_ = prev_;
    prev_ = next_ = nullptr;
    if (!ec && diag_) diag_->clear();
    resp.duration = std::chrono::duration_cast<std::chrono::microseconds>(http_clock::now() - started_);

    auto h = std::move(handler_);
    if (post) {
        boost::asio::post(t_->ex_, boost::asio::append(std::move(h), ec, std::move(resp)));
    } else {
        auto ex = boost::asio::get_associated_executor(h, t_->ex_);
        boost::asio::dispatch(ex, boost::asio::append(std::move(h), ec, std::move(resp)));
    }
}

// ---------------------------------------------------------------------------------------------
// http_transport_impl
// ---------------------------------------------------------------------------------------------

inline void http_transport_impl::release(std::unique_ptr<http_connection> c, bool reusable) {
    auto& p = *c->pool_;
    if (reusable) {
        if (!p.waiters.empty()) return hand_to_waiter(p, std::move(c));
        if (p.idle.size() < params_.max_idle_per_origin) {
            c->idle_since_ = http_clock::now();
            p.idle.push_back(std::move(c));
            arm_reaper(p.idle.back()->idle_since_ + params_.idle_timeout);
            return;
        }
    }
    c->close();
    c.reset();
    drop_slot(p);
}

inline void http_transport_impl::drop_slot(http_origin_pool& p) {
    if (!p.waiters.empty()) return hand_to_waiter(p, nullptr); // the slot passes to the waiter
    --p.open;
    maybe_erase(p);
}

inline void http_transport_impl::hand_to_waiter(http_origin_pool& p, std::unique_ptr<http_connection> c) {
    http_send_op* w = p.waiters.front();
    p.waiters.pop_front();
    w->state_ = http_send_op::state::handed_off;
    boost::asio::post(ex_, [op = w->self_, c = std::move(c)]() mutable { op->resume(std::move(c)); });
}

inline void http_transport_impl::maybe_erase(http_origin_pool& p) {
    if (p.open != 0 || !p.waiters.empty() || !p.idle.empty()) return;
    auto it = pools_.find(p.key);
    if (it != pools_.end()) pools_.erase(it);
}

inline void http_transport_impl::arm_reaper(http_clock::time_point at) {
    if (reap_armed_) return;
    reap_armed_ = true;
    reap_timer_.expires_at(at);
    reap_timer_.async_wait([self = weak_from_this()](error_code ec) {
        if (ec) return;
        if (auto t = self.lock()) {
            t->reap_armed_ = false;
            t->reap();
        }
    });
}

inline void http_transport_impl::reap() {
    const auto now = http_clock::now();
    std::optional<http_clock::time_point> next;
    std::vector<http_origin_pool*> emptied;
    for (auto& entry : pools_) {
        auto& p = entry.second; // not a structured binding: the lambda below captures it (clang < 16)
        auto& idle = p->idle;
        auto keep_end = std::remove_if(idle.begin(), idle.end(), [&](std::unique_ptr<http_connection>& c) {
            if (now - c->idle_since_ >= params_.idle_timeout || !c->idle_alive()) {
                c->close();
                c.reset();
                --p->open;
                return true;
            }
            return false;
        });
        idle.erase(keep_end, idle.end());
        for (auto& c : idle) {
            auto at = c->idle_since_ + params_.idle_timeout;
            if (!next || at < *next) next = at;
        }
        if (p->open == 0 && p->waiters.empty()) emptied.push_back(p.get());
    }
    for (auto* p : emptied) maybe_erase(*p);
    if (next) arm_reaper(*next);
}

inline void http_transport_impl::close_all() {
    for (auto& [key, p] : pools_) {
        for (auto& c : p->idle) c->close();
        p->open -= p->idle.size();
        p->idle.clear();
    }
    reap_timer_.cancel();
    reap_armed_ = false;
    std::vector<std::shared_ptr<http_send_op>> ops;
    for (auto* op = active_; op; op = op->next_) ops.push_back(op->shared_from_this());
    for (auto& op : ops) op->abort(http_send_op::abort_reason::closed);
    std::vector<http_origin_pool*> emptied;
    for (auto& [key, p] : pools_)
        if (p->open == 0 && p->waiters.empty()) emptied.push_back(p.get());
    for (auto* p : emptied) maybe_erase(*p);
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

KONGFLOW_ENDPOINTS_DECL std::shared_ptr<http_transport_impl> make_http_transport_impl(boost::asio::any_io_executor ex,
                                                                                      boost::asio::ssl::context* tls,
                                                                                      http_transport_params params) {
    return std::make_shared<http_transport_impl>(std::move(ex), tls, std::move(params));
}

KONGFLOW_ENDPOINTS_DECL void
http_transport_send(const std::shared_ptr<http_transport_impl>& impl, http_request req, diagnostics* diag,
                    boost::asio::any_completion_handler<void(error_code, http_response)> handler) {
    auto op = std::make_shared<http_send_op>(impl, std::move(req), diag, std::move(handler));
    // Runs inline when called from the transport's executor; otherwise it hops onto it.
    boost::asio::dispatch(impl->ex_, [op = std::move(op)] { op->start(); });
}

KONGFLOW_ENDPOINTS_DECL void http_transport_close(http_transport_impl& impl) { impl.close_all(); }

} // namespace kongflow::endpoints::detail

namespace kongflow::endpoints {
KONGFLOW_ENDPOINTS_DECL http_transport::executor_type http_transport::get_executor() const noexcept {
    return impl_->ex_;
}
} // namespace kongflow::endpoints

#endif
