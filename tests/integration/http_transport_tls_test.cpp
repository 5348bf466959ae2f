// http_transport over TLS against a loopback Beast TLS server with a certificate made at test time.
#include "catch.hpp"
#include "support/run_until.hpp"
#include "support/test_certs.hpp"
#include "support/test_http_server.hpp"

#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <string>

using namespace kongflow::endpoints;
using kongflow::test::make_self_signed_cert;
using kongflow::test::pem_pair;
using kongflow::test::run_until;
using kongflow::test::scripted_response;
using kongflow::test::test_http_server;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

struct tls_outcome {
    bool done = false;
    error_code ec;
    http_response resp;
    diagnostics diag;
};

tls_outcome tls_send(net::io_context& ioc, http_transport& tr, std::string url) {
    tls_outcome o;
    http_request req;
    req.url = std::move(url);
    req.headers = {{"x-trigger-api-key", "k"}, {"x-trigger-action", "PING"}};
    tr.async_send(std::move(req), o.diag, [&o](error_code ec, http_response r) {
        o.ec = ec;
        o.resp = std::move(r);
        o.done = true;
    });
    REQUIRE(run_until(ioc, [&] { return o.done; }));
    return o;
}

struct tls_server {
    explicit tls_server(const pem_pair& pem) : ctx(ssl::context::tls_server) {
        ctx.use_certificate_chain(net::buffer(pem.cert));
        ctx.use_private_key(net::buffer(pem.key), ssl::context::pem);
        srv.emplace(ctx);
    }
    ssl::context ctx;
    std::optional<test_http_server> srv;
};

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

} // namespace

TEST_CASE("TLS: an untrusted certificate fails by default", "[integration][http][tls]") {
    auto pem = make_self_signed_cert("localhost", "DNS:localhost,IP:127.0.0.1");
    tls_server s(pem);
    net::io_context ioc;
    ssl::context client(ssl::context::tls_client); // trusts nothing
    http_transport tr(ioc, client);
    auto o = tls_send(ioc, tr, s.srv->url("/api/trigger"));
    CHECK(o.ec == errc::connect_failed);
    CHECK(contains(o.diag.client_message(), "certificate verify failed"));
    CHECK(s.srv->request_count() == 0);
}

TEST_CASE("TLS: a trusted certificate works and connections are reused", "[integration][http][tls]") {
    auto pem = make_self_signed_cert("localhost", "DNS:localhost,IP:127.0.0.1");
    tls_server s(pem);
    s.srv->push(
        scripted_response::json(200, std::string(20'000, 'c')).with_framing(scripted_response::framing::chunked));
    net::io_context ioc;
    ssl::context client(ssl::context::tls_client);
    client.add_certificate_authority(net::buffer(pem.cert));
    http_transport tr(ioc, client);

    auto o = tls_send(ioc, tr, s.srv->url("/api/trigger"));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.body == std::string(20'000, 'c'));
    for (int i = 0; i < 3; ++i) {
        o = tls_send(ioc, tr, s.srv->url("/api/trigger"));
        REQUIRE_FALSE(o.ec);
        CHECK(o.resp.status == 200);
        CHECK(o.resp.body == R"({"ok":true})");
    }
    CHECK(s.srv->accepts() == 1);
    auto r = s.srv->requests().at(0);
    CHECK(r.header("host") == "127.0.0.1:" + std::to_string(s.srv->port()));

    // By name: SNI and the DNS name in the certificate.
    o = tls_send(ioc, tr, "https://localhost:" + std::to_string(s.srv->port()) + "/api/trigger");
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 200);
}

TEST_CASE("TLS: a certificate for another host name fails", "[integration][http][tls]") {
    auto pem = make_self_signed_cert("other.example", "DNS:other.example");
    tls_server s(pem);
    net::io_context ioc;
    ssl::context client(ssl::context::tls_client);
    client.add_certificate_authority(net::buffer(pem.cert)); // trusted, but names another host
    http_transport tr(ioc, client);
    auto o = tls_send(ioc, tr, s.srv->url("/"));
    CHECK(o.ec == errc::connect_failed);
    CHECK(contains(o.diag.client_message(), "TLS handshake"));
    o = tls_send(ioc, tr, "https://localhost:" + std::to_string(s.srv->port()) + "/");
    CHECK(o.ec == errc::connect_failed);
    CHECK(s.srv->request_count() == 0);
}

TEST_CASE("TLS: verification can be switched off explicitly", "[integration][http][tls]") {
    auto pem = make_self_signed_cert("other.example", "DNS:other.example");
    tls_server s(pem);
    net::io_context ioc;
    ssl::context client(ssl::context::tls_client);
    http_transport tr(ioc, client, http_transport_params{.verify_tls_peer = false});
    auto o = tls_send(ioc, tr, s.srv->url("/"));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 200);
}

TEST_CASE("TLS: read-until-close bodies and early close", "[integration][http][tls]") {
    auto pem = make_self_signed_cert("localhost", "DNS:localhost,IP:127.0.0.1");
    tls_server s(pem);
    s.srv->push(scripted_response::json(200, "until close").with_framing(scripted_response::framing::until_close));
    s.srv->push(scripted_response::close_without_response());
    net::io_context ioc;
    ssl::context client(ssl::context::tls_client);
    client.add_certificate_authority(net::buffer(pem.cert));
    http_transport tr(ioc, client);
    auto o = tls_send(ioc, tr, s.srv->url("/"));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.body == "until close");
    o = tls_send(ioc, tr, s.srv->url("/"));
    CHECK(o.ec == errc::connect_failed);
}
