// http_transport against the in-process test server on 127.0.0.1.
#include "catch.hpp"
#include "support/run_until.hpp"
#include "support/test_http_server.hpp"

#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

using namespace kongflow::endpoints;
using kongflow::test::recorded_request;
using kongflow::test::run_for;
using kongflow::test::run_until;
using kongflow::test::scripted_response;
using kongflow::test::test_http_server;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

struct outcome {
    bool done = false;
    error_code ec;
    http_response resp;
    diagnostics diag;
};

http_request make_request(std::string url) {
    http_request r;
    r.url = std::move(url);
    r.headers = {{"x-trigger-api-key", "tr_dev_key"}, {"x-trigger-action", "PING"}};
    return r;
}

// Starts one request whose result lands in `o`.
void start(http_transport& tr, http_request req, outcome& o) {
    tr.async_send(std::move(req), o.diag, [&o](error_code ec, http_response r) {
        o.ec = ec;
        o.resp = std::move(r);
        o.done = true;
    });
}

outcome send(net::io_context& ioc, http_transport& tr, http_request req) {
    outcome o;
    start(tr, std::move(req), o);
    REQUIRE(run_until(ioc, [&] { return o.done; }));
    return o;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

} // namespace

TEST_CASE("a request reaches the server as written and the response comes back", "[integration][http]") {
    test_http_server srv;
    srv.push(scripted_response::trigger_pong());
    net::io_context ioc;
    http_transport tr(ioc);

    auto req = make_request(srv.url("/api/trigger?x=1"));
    req.headers.push_back({"X-Custom-Case", "Value With Spaces"});
    auto o = send(ioc, tr, req);
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 200);
    CHECK(o.resp.reason == "OK");
    CHECK(o.resp.body == R"({"ok":true})");
    CHECK(o.resp.header("trigger-version") == std::optional<std::string_view>("2023-09-29"));
    CHECK(o.resp.header("TRIGGER-SDK-VERSION") == std::optional<std::string_view>("2.3.19"));
    CHECK(o.resp.duration.count() > 0);
    CHECK(o.diag.client_message().empty());

    auto reqs = srv.requests();
    REQUIRE(reqs.size() == 1);
    const auto& r = reqs[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/api/trigger?x=1");
    CHECK(r.header("host") == "127.0.0.1:" + std::to_string(srv.port()));
    CHECK(r.header("content-length") == "0");   // POST without body: length 0 ...
    CHECK(r.header_count("content-type") == 0); // ... and no content-type (Fastify)
    CHECK(r.header("user-agent") == std::string("kongflow-endpoints/") + KONGFLOW_ENDPOINTS_VERSION_STRING);
    CHECK(r.body.empty());
    // Caller headers in order and case, after host.
    REQUIRE(r.headers.size() >= 4);
    CHECK(r.headers[0].first == "host");
    CHECK(r.headers[1] == std::pair<std::string, std::string>{"x-trigger-api-key", "tr_dev_key"});
    CHECK(r.headers[2] == std::pair<std::string, std::string>{"x-trigger-action", "PING"});
    CHECK(r.headers[3] == std::pair<std::string, std::string>{"X-Custom-Case", "Value With Spaces"});
}

TEST_CASE("a body is sent with its length; a caller user-agent replaces ours", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    http_transport tr(ioc, http_transport_params{.user_agent = "ours/1"});
    auto req = make_request(srv.url("/"));
    req.headers.push_back({"Content-Type", "application/json"});
    req.headers.push_back({"User-Agent", "theirs/2"});
    req.body = R"({"id":"abc","params":{}})";
    auto o = send(ioc, tr, req);
    REQUIRE_FALSE(o.ec);
    auto r = srv.requests().at(0);
    CHECK(r.body == req.body);
    CHECK(r.header("content-length") == std::to_string(req.body.size()));
    CHECK(r.header_count("user-agent") == 1);
    CHECK(r.header("user-agent") == "theirs/2");

    // GET without a body sends no content-length.
    http_request get;
    get.method = "GET";
    get.url = srv.url("/health");
    o = send(ioc, tr, get);
    REQUIRE_FALSE(o.ec);
    r = srv.requests().at(1);
    CHECK(r.method == "GET");
    CHECK(r.header_count("content-length") == 0);
    CHECK(r.header("user-agent") == "ours/1");
}

TEST_CASE("keep-alive connections are reused", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    http_transport tr(ioc);
    for (int i = 0; i < 5; ++i) {
        auto o = send(ioc, tr, make_request(srv.url("/api/trigger")));
        REQUIRE_FALSE(o.ec);
        CHECK(o.resp.status == 200);
    }
    CHECK(srv.request_count() == 5);
    CHECK(srv.accepts() == 1);
    // Another origin (another port) gets its own connection.
    test_http_server other;
    auto o = send(ioc, tr, make_request(other.url("/")));
    REQUIRE_FALSE(o.ec);
    CHECK(other.accepts() == 1);
    CHECK(srv.accepts() == 1);
}

TEST_CASE("chunked and read-until-close bodies", "[integration][http]") {
    test_http_server srv;
    std::string big(10'000, 'x');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
    srv.push(scripted_response::json(200, big).with_framing(scripted_response::framing::chunked));
    srv.push(scripted_response::json(200, big).with_framing(scripted_response::framing::until_close));
    srv.push(scripted_response::json(200, "{}"));
    net::io_context ioc;
    http_transport tr(ioc);

    auto o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.body == big);
    o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.body == big);
    // The until-close response ended that connection: the next request opens a new one.
    o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.body == "{}");
    CHECK(srv.accepts() == 2);
}

TEST_CASE("a response with connection: close ends the connection", "[integration][http]") {
    test_http_server srv;
    auto closing = scripted_response::trigger_pong();
    closing.announce_close = true;
    srv.push(closing);
    net::io_context ioc;
    http_transport tr(ioc);
    REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
    REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
    REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
    CHECK(srv.accepts() == 2);
    CHECK(srv.request_count() == 3);
}

TEST_CASE("redirects are returned, not followed", "[integration][http]") {
    test_http_server srv;
    srv.push(scripted_response::redirect(302, "http://127.0.0.1:1/elsewhere"));
    srv.push(scripted_response::redirect(307, std::nullopt));
    net::io_context ioc;
    http_transport tr(ioc);
    auto o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 302);
    CHECK(is_redirect(o.resp.status));
    CHECK(o.resp.header("location") == std::optional<std::string_view>("http://127.0.0.1:1/elsewhere"));
    o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 307);
    CHECK_FALSE(o.resp.header("location"));
    CHECK(srv.request_count() == 2);
}

TEST_CASE("non-2xx statuses and odd bodies are plain responses", "[integration][http]") {
    test_http_server srv;
    srv.push(scripted_response::unauthorized("Unauthorized: missing x-trigger-api-key header"));
    srv.push(scripted_response::unauthorized(std::nullopt));
    srv.push(scripted_response::text(200, "<html>not json</html>", "text/html"));
    srv.push(scripted_response::json(500, "{not json"));
    net::io_context ioc;
    http_transport tr(ioc);
    auto o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 401);
    CHECK(contains(o.resp.body, "missing x-trigger-api-key"));
    o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 401);
    CHECK(o.resp.body.empty());
    o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.header("content-type") == std::optional<std::string_view>("text/html"));
    o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 500);
    CHECK(o.resp.body == "{not json");
    CHECK(srv.accepts() == 1);
}

TEST_CASE("a slow server hits the total timeout", "[integration][http]") {
    test_http_server srv;
    srv.push(scripted_response::trigger_pong().with_delay(3s));
    srv.push(scripted_response::trigger_pong());
    net::io_context ioc;
    http_transport tr(ioc);
    auto req = make_request(srv.url());
    req.total_timeout = 200ms;
    const auto t0 = std::chrono::steady_clock::now();
    auto o = send(ioc, tr, req);
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(o.ec == errc::timeout);
    CHECK(contains(o.diag.client_message(), "200 ms"));
    CHECK(took < 2s);
    // The timed-out connection was discarded: the next request uses a new one.
    o = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(o.ec);
    CHECK(srv.accepts() == 2);
}

TEST_CASE("connect timeout covers the TLS handshake", "[integration][http]") {
    // A listener that never accepts: TCP connects (kernel backlog), the handshake never answers.
    net::io_context ioc;
    net::ip::tcp::acceptor silent(ioc, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    net::ssl::context tls(net::ssl::context::tls_client);
    http_transport tr(ioc, tls);
    http_request req = make_request("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/");
    req.connect_timeout = 200ms;
    auto o = send(ioc, tr, req);
    CHECK(o.ec == errc::timeout);
    CHECK(contains(o.diag.client_message(), "could not connect"));
}

TEST_CASE("response limits", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    http_transport tr(ioc);

    SECTION("body over the limit") {
        srv.push(scripted_response::json(200, std::string(300'000, 'a')));
        auto req = make_request(srv.url());
        req.max_body_size = 100'000;
        auto o = send(ioc, tr, req);
        CHECK(o.ec == errc::body_too_large);
        CHECK(contains(o.diag.client_message(), "100000"));
    }
    SECTION("chunked body over the limit") {
        srv.push(
            scripted_response::json(200, std::string(50'000, 'a')).with_framing(scripted_response::framing::chunked));
        auto req = make_request(srv.url());
        req.max_body_size = 10'000;
        auto o = send(ioc, tr, req);
        CHECK(o.ec == errc::body_too_large);
    }
    SECTION("read-until-close body over the limit") {
        srv.push(scripted_response::json(200, std::string(50'000, 'a'))
                     .with_framing(scripted_response::framing::until_close));
        auto req = make_request(srv.url());
        req.max_body_size = 10'000;
        auto o = send(ioc, tr, req);
        CHECK(o.ec == errc::body_too_large);
    }
    SECTION("body exactly at the limit") {
        srv.push(scripted_response::json(200, std::string(10'000, 'a')));
        auto req = make_request(srv.url());
        req.max_body_size = 10'000;
        auto o = send(ioc, tr, req);
        REQUIRE_FALSE(o.ec);
        CHECK(o.resp.body.size() == 10'000);
    }
    SECTION("header over the limit") {
        srv.push(scripted_response::trigger_pong().with_header("X-Big", std::string(100'000, 'h')));
        auto o = send(ioc, tr, make_request(srv.url()));
        CHECK(o.ec == errc::header_too_large);
        CHECK(contains(o.diag.client_message(), "65536"));
    }
}

TEST_CASE("connection failures are connect_failed", "[integration][http]") {
    net::io_context ioc;
    http_transport tr(ioc);

    SECTION("refused port") {
        unsigned short port;
        {
            net::ip::tcp::acceptor a(ioc, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
            port = a.local_endpoint().port();
        }
        auto o = send(ioc, tr, make_request("http://127.0.0.1:" + std::to_string(port) + "/"));
        CHECK(o.ec == errc::connect_failed);
        CHECK(contains(o.diag.client_message(), "refused"));
    }
    SECTION("closed without a response on a new connection: no retry") {
        test_http_server srv;
        srv.push(scripted_response::close_without_response());
        auto o = send(ioc, tr, make_request(srv.url()));
        CHECK(o.ec == errc::connect_failed);
        CHECK_FALSE(o.diag.client_message().empty());
        CHECK(srv.request_count() == 1);
    }
    SECTION("reset") {
        test_http_server srv;
        srv.push(scripted_response::reset_connection());
        auto o = send(ioc, tr, make_request(srv.url()));
        CHECK(o.ec == errc::connect_failed);
        CHECK(srv.request_count() == 1);
    }
    SECTION("body cut short") {
        test_http_server srv;
        auto r = scripted_response::json(200, std::string(1000, 'z'));
        r.truncate_body_to = 10;
        srv.push(r);
        auto o = send(ioc, tr, make_request(srv.url()));
        CHECK(o.ec == errc::connect_failed);
    }
    SECTION("DNS failure") {
        // .invalid never resolves (RFC 6761); resolution fails locally, no traffic leaves.
        auto o = send(ioc, tr, make_request("http://kongflow-test.invalid/"));
        CHECK(o.ec == errc::connect_failed);
        CHECK(contains(o.diag.client_message(), "resolve"));
    }
}

TEST_CASE("a keep-alive connection the server closed is replaced transparently", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    http_transport tr(ioc);

    SECTION("closed while idle") {
        auto first = scripted_response::trigger_pong();
        first.close_after = true; // silently, as an idle timeout on the server would
        srv.push(first);
        REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
        REQUIRE(run_until(
            ioc, [&] { return srv.open_connections() == 0; }, 5s));
        auto o = send(ioc, tr, make_request(srv.url()));
        REQUIRE_FALSE(o.ec);
        CHECK(o.resp.status == 200);
        CHECK(srv.accepts() == 2);
        CHECK(srv.request_count() == 2);
    }
    SECTION("closed after reading the next request: one retry") {
        srv.push(scripted_response::trigger_pong());
        srv.push(scripted_response::close_without_response());
        srv.push(scripted_response::json(200, R"({"second":true})"));
        REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
        auto o = send(ioc, tr, make_request(srv.url()));
        REQUIRE_FALSE(o.ec);
        CHECK(o.resp.body == R"({"second":true})");
        CHECK(srv.request_count() == 3);
        CHECK(srv.accepts() == 2);
    }
    SECTION("only one retry") {
        srv.push(scripted_response::trigger_pong());
        srv.push(scripted_response::close_without_response());
        srv.push(scripted_response::close_without_response());
        REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
        auto o = send(ioc, tr, make_request(srv.url()));
        CHECK(o.ec == errc::connect_failed);
        CHECK(srv.request_count() == 3);
    }
    SECTION("no retry once response bytes arrived") {
        srv.push(scripted_response::trigger_pong());
        auto cut = scripted_response::json(200, std::string(100, 'q'));
        cut.truncate_body_to = 5;
        srv.push(cut);
        REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
        auto o = send(ioc, tr, make_request(srv.url()));
        CHECK(o.ec == errc::connect_failed);
        CHECK(srv.request_count() == 2);
    }
}

TEST_CASE("invalid requests are refused before anything is sent", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    http_transport tr(ioc);

    SECTION("CR/LF in a header value") {
        auto req = make_request(srv.url());
        req.headers.push_back({"x-evil", "a\r\nx-injected: 1"});
        outcome o;
        start(tr, req, o);
        CHECK_FALSE(o.done); // never completes inline
        REQUIRE(run_until(ioc, [&] { return o.done; }));
        CHECK(o.ec == errc::invalid_header_value);
        CHECK(contains(o.diag.client_message(), "x-evil"));
    }
    SECTION("NUL in a header name") {
        auto req = make_request(srv.url());
        req.headers.push_back({std::string("x-a\0b", 5), "v"});
        CHECK(send(ioc, tr, req).ec == errc::invalid_header_value);
    }
    SECTION("bad URLs") {
        for (const char* url :
             {"ftp://127.0.0.1/", "not a url", "http://user:pw@127.0.0.1/", "/relative", "http:///x"}) {
            outcome o;
            start(tr, make_request(url), o);
            CHECK_FALSE(o.done);
            REQUIRE(run_until(ioc, [&] { return o.done; }));
            INFO(url);
            CHECK(o.ec == errc::invalid_url);
            CHECK_FALSE(o.diag.client_message().empty());
        }
    }
    SECTION("https without a TLS context") {
        auto o = send(ioc, tr, make_request("https://127.0.0.1:1/"));
        CHECK(o.ec == errc::not_supported);
        CHECK(contains(o.diag.client_message(), "TLS"));
    }
    SECTION("a header the transport owns") {
        auto req = make_request(srv.url());
        req.headers.push_back({"Content-Length", "5"});
        CHECK(send(ioc, tr, req).ec == errc::invalid_argument);
    }
    CHECK(srv.request_count() == 0);
    CHECK(srv.accepts() == 0);
}

TEST_CASE("a cancellation signal aborts the request and discards its connection", "[integration][http]") {
    test_http_server srv;
    srv.push(scripted_response::trigger_pong()); // opens the connection
    srv.push(scripted_response::hang_forever());
    net::io_context ioc;
    http_transport tr(ioc);
    REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);

    net::cancellation_signal sig;
    outcome o;
    tr.async_send(make_request(srv.url()), o.diag,
                  net::bind_cancellation_slot(sig.slot(), [&o](error_code ec, http_response r) {
                      o.ec = ec;
                      o.resp = std::move(r);
                      o.done = true;
                  }));
    REQUIRE(run_until(
        ioc, [&] { return srv.request_count() == 2; }, 5s));
    sig.emit(net::cancellation_type::terminal);
    CHECK_FALSE(o.done);
    REQUIRE(run_until(ioc, [&] { return o.done; }));
    CHECK(o.ec == net::error::operation_aborted);
    REQUIRE(run_until(
        ioc, [&] { return srv.open_connections() == 0; }, 5s));

    auto n = send(ioc, tr, make_request(srv.url()));
    REQUIRE_FALSE(n.ec);
    CHECK(srv.accepts() == 2);
}

TEST_CASE("close() aborts pending requests", "[integration][http]") {
    test_http_server srv;
    srv.set_default(scripted_response::hang_forever());
    net::io_context ioc;
    http_transport tr(ioc, http_transport_params{.max_connections_per_origin = 1});
    outcome a, b;
    start(tr, make_request(srv.url()), a);
    start(tr, make_request(srv.url()), b); // waits for the only connection
    REQUIRE(run_until(
        ioc, [&] { return srv.request_count() == 1; }, 5s));
    tr.close();
    REQUIRE(run_until(ioc, [&] { return a.done && b.done; }));
    CHECK(a.ec == net::error::operation_aborted);
    CHECK(b.ec == net::error::operation_aborted);
    CHECK(contains(a.diag.client_message(), "closed"));
}

TEST_CASE("concurrent requests are bounded by the pool", "[integration][http]") {
    test_http_server srv;
    srv.set_default(scripted_response::trigger_pong().with_delay(20ms));
    net::io_context ioc;
    http_transport tr(ioc, http_transport_params{.max_idle_per_origin = 2, .max_connections_per_origin = 4});
    std::vector<outcome> outs(24);
    for (auto& o : outs) start(tr, make_request(srv.url()), o);
    REQUIRE(run_until(ioc, [&] {
        for (auto& o : outs)
            if (!o.done) return false;
        return true;
    }));
    for (auto& o : outs) {
        CHECK_FALSE(o.ec);
        CHECK(o.resp.status == 200);
    }
    CHECK(srv.request_count() == 24);
    CHECK(srv.accepts() == 4);
    CHECK(srv.max_open_connections() <= 4);
    // Only max_idle_per_origin connections stay open once the burst is over.
    REQUIRE(run_until(
        ioc, [&] { return srv.open_connections() == 2; }, 5s));
}

TEST_CASE("the total timeout covers waiting for a connection", "[integration][http]") {
    test_http_server srv;
    srv.set_default(scripted_response::trigger_pong().with_delay(1s));
    net::io_context ioc;
    http_transport tr(ioc, http_transport_params{.max_connections_per_origin = 1});
    outcome a, b;
    start(tr, make_request(srv.url()), a);
    auto req = make_request(srv.url());
    req.total_timeout = 100ms;
    start(tr, req, b);
    REQUIRE(run_until(ioc, [&] { return b.done; }));
    CHECK(b.ec == errc::timeout);
    CHECK(contains(b.diag.client_message(), "no free connection"));
    CHECK_FALSE(a.done);
    REQUIRE(run_until(ioc, [&] { return a.done; }));
    CHECK_FALSE(a.ec);
}

TEST_CASE("idle connections are closed after idle_timeout", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    http_transport tr(ioc, http_transport_params{.idle_timeout = std::chrono::seconds(1)});
    REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
    CHECK(srv.open_connections() == 1);
    REQUIRE(run_until(
        ioc, [&] { return srv.open_connections() == 0; }, 5s));
    REQUIRE_FALSE(send(ioc, tr, make_request(srv.url())).ec);
    CHECK(srv.accepts() == 2);
}

TEST_CASE("every completion token works", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    http_transport tr(ioc);
    diagnostics diag;

    SECTION("use_future") {
        auto fut = tr.async_send(make_request(srv.url()), diag, net::use_future);
        std::thread runner([&] { run_until(ioc, [&] { return fut.wait_for(0s) == std::future_status::ready; }); });
        runner.join();
        CHECK(fut.get().status == 200);
    }
    SECTION("use_future throws on error") {
        auto fut = tr.async_send(make_request("http://127.0.0.1:1/"), diag, net::use_future);
        std::thread runner([&] { run_until(ioc, [&] { return fut.wait_for(0s) == std::future_status::ready; }); });
        runner.join();
        CHECK_THROWS_AS(fut.get(), boost::system::system_error);
    }
    SECTION("use_awaitable") {
        bool done = false;
        unsigned status = 0;
        net::co_spawn(
            ioc,
            [&]() -> net::awaitable<void> {
                auto r = co_await tr.async_send(make_request(srv.url()), diag, net::use_awaitable);
                status = r.status;
                done = true;
            },
            net::detached);
        REQUIRE(run_until(ioc, [&] { return done; }));
        CHECK(status == 200);
    }
    SECTION("as_tuple(use_awaitable)") {
        bool done = false;
        error_code got;
        net::co_spawn(
            ioc,
            [&]() -> net::awaitable<void> {
                auto [ec, r] =
                    co_await tr.async_send(make_request("ftp://x/"), diag, net::as_tuple(net::use_awaitable));
                got = ec;
                done = true;
            },
            net::detached);
        REQUIRE(run_until(ioc, [&] { return done; }));
        CHECK(got == errc::invalid_url);
    }
    SECTION("deferred") {
        auto op = tr.async_send(make_request(srv.url()), diag); // default token: deferred
        CHECK(srv.request_count() == 0);                        // nothing happens until launched
        bool done = false;
        std::move(op)([&](error_code ec, http_response r) {
            CHECK_FALSE(ec);
            CHECK(r.status == 200);
            done = true;
        });
        REQUIRE(run_until(ioc, [&] { return done; }));
    }
    SECTION("callback bound to another executor runs there") {
        auto strand = net::make_strand(ioc);
        bool done = false, on_strand = false;
        tr.async_send(make_request(srv.url()), diag, net::bind_executor(strand, [&](error_code ec, http_response) {
                          CHECK_FALSE(ec);
                          on_strand = strand.running_in_this_thread();
                          done = true;
                      }));
        REQUIRE(run_until(ioc, [&] { return done; }));
        CHECK(on_strand);
    }
    SECTION("as_tuple(deferred)") {
        bool done = false;
        tr.async_send(make_request(srv.url()), diag,
                      net::as_tuple(net::deferred))([&](std::tuple<error_code, http_response> t) {
            CHECK_FALSE(std::get<0>(t));
            CHECK(std::get<1>(t).status == 200);
            done = true;
        });
        REQUIRE(run_until(ioc, [&] { return done; }));
    }
}

TEST_CASE("used through a strand from two threads", "[integration][http]") {
    test_http_server srv;
    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    http_transport tr(strand, http_transport_params{.max_connections_per_origin = 8});
    std::atomic<int> ok{0}, failed{0}, finished{0};
    constexpr int workers = 16, per_worker = 20;
    for (int w = 0; w < workers; ++w) {
        net::co_spawn(
            strand,
            [&]() -> net::awaitable<void> {
                diagnostics d;
                for (int i = 0; i < per_worker; ++i) {
                    auto [ec, r] =
                        co_await tr.async_send(make_request(srv.url()), d, net::as_tuple(net::use_awaitable));
                    (!ec && r.status == 200 ? ok : failed)++;
                }
                // The last worker closes the transport: no idle connection or timer is left, so
                // run() returns on both threads.
                if (++finished == workers) tr.close();
            },
            net::detached);
    }
    std::thread t1([&] { ioc.run(); }), t2([&] { ioc.run(); });
    t1.join();
    t2.join();
    CHECK(finished == workers);
    CHECK(ok == workers * per_worker);
    CHECK(failed == 0);
    CHECK(srv.accepts() <= 8);
}
