// The address policy against real loopback sockets: 127.0.0.1 plays the allowed host, 127.0.0.2
// (Linux routes all of 127/8 to lo) the refused one. Checked on the address the transport
// connects to, so: IP literals, host names after DNS, TLS before the handshake, and every
// redirect hop the api_client follows.
#include "catch.hpp"
#include "support/run_until.hpp"
#include "support/test_certs.hpp"
#include "support/test_http_server.hpp"

#include <kongflow/endpoints/client/address_policy.hpp>
#include <kongflow/endpoints/client/http_api_client.hpp>
#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace kongflow::endpoints;
using kongflow::test::make_self_signed_cert;
using kongflow::test::run_until;
using kongflow::test::scripted_response;
using kongflow::test::test_http_server;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

struct sent {
    bool done = false;
    error_code ec;
    http_response resp;
    diagnostics diag;
};

sent send(net::io_context& ioc, http_transport& tr, std::string url) {
    sent o;
    http_request req;
    req.url = std::move(url);
    req.headers = {{"x-trigger-api-key", "tr_dev_key"}, {"x-trigger-action", "PING"}};
    tr.async_send(std::move(req), o.diag, [&o](error_code ec, http_response r) {
        o.ec = ec;
        o.resp = std::move(r);
        o.done = true;
    });
    REQUIRE(run_until(ioc, [&] { return o.done; }));
    return o;
}

address_policy deny_except(const char* allowed) {
    address_policy p;
    p.deny_private = true;
    p.allow = parse_cidr_list(allowed).value();
    return p;
}

// The refusals the transport reported through on_address_refused.
struct refusals {
    std::vector<std::pair<std::string, address_scope>> seen;
    http_transport_params params(address_policy p) {
        http_transport_params tp;
        tp.addresses = std::move(p);
        tp.on_address_refused = [this](const net::ip::address& a, address_scope s) {
            seen.emplace_back(a.to_string(), s);
        };
        return tp;
    }
};

} // namespace

TEST_CASE("address policy: an address outside the allow list is never connected to",
          "[integration][http][address_policy]") {
    test_http_server one;              // 127.0.0.1, allowed
    test_http_server two("127.0.0.2"); // refused
    net::io_context ioc;
    refusals r;
    http_transport tr(ioc, r.params(deny_except("127.0.0.1/32")));

    auto o = send(ioc, tr, two.url("/api/trigger"));
    CHECK(o.ec == errc::address_not_allowed);
    CHECK(o.diag.client_message() == "Endpoint address 127.0.0.2 is not allowed (loopback)");
    CHECK(two.accepts() == 0);
    REQUIRE(r.seen.size() == 1);
    CHECK(r.seen[0] == std::pair<std::string, address_scope>{"127.0.0.2", address_scope::loopback});

    auto ok = send(ioc, tr, one.url("/api/trigger"));
    REQUIRE_FALSE(ok.ec);
    CHECK(ok.resp.status == 200);
    CHECK(one.request_count() == 1);
    CHECK(r.seen.size() == 1);

    // The same host again: refused again, each time (the pool holds nothing for it).
    CHECK(send(ioc, tr, two.url("/")).ec == errc::address_not_allowed);
    CHECK(two.accepts() == 0);
    CHECK(r.seen.size() == 2);

    SECTION("with the policy off, both are reached") {
        http_transport open(ioc);
        CHECK_FALSE(send(ioc, open, two.url("/api/trigger")).ec);
        CHECK(two.request_count() == 1);
    }
}

TEST_CASE("address policy: a host name is judged by the addresses it resolves to",
          "[integration][http][address_policy]") {
    test_http_server srv; // 127.0.0.1
    const std::string port = std::to_string(srv.port());
    net::io_context ioc;
    // Allows only 127.0.0.2: whatever `localhost` resolves to here (127.0.0.1, maybe ::1) is
    // refused. The numeric names are no IP literals to the URL parser, so they too go through
    // the resolver, which reads them as 127.0.0.1.
    refusals r;
    http_transport tr(ioc, r.params(deny_except("127.0.0.2/32")));
    for (std::string host : {"localhost", "2130706433", "127.1", "0x7f.0.0.1"}) {
        INFO(host);
        auto o = send(ioc, tr, "http://" + host + ":" + port + "/api/trigger");
        CHECK(o.ec == errc::address_not_allowed);
        const auto m = std::string(o.diag.client_message());
        CHECK((m == "Endpoint address 127.0.0.1 is not allowed (loopback)" ||
               m == "Endpoint address ::1 is not allowed (loopback)"));
    }
    CHECK(srv.accepts() == 0);
    CHECK(r.seen.size() == 4);

    SECTION("allowed, the same names connect") {
        http_transport allowed(ioc, r.params(deny_except("127.0.0.1/32, ::1/128")));
        for (std::string host : {"localhost", "2130706433"}) {
            INFO(host);
            auto o = send(ioc, allowed, "http://" + host + ":" + port + "/api/trigger");
            REQUIRE_FALSE(o.ec);
            CHECK(o.resp.status == 200);
        }
    }
    SECTION("with the policy off, the same names connect") {
        http_transport open(ioc);
        auto o = send(ioc, open, "http://localhost:" + port + "/api/trigger");
        REQUIRE_FALSE(o.ec);
        CHECK(o.resp.status == 200);
    }
}

TEST_CASE("address policy: TLS connections are checked before connecting", "[integration][http][tls][address_policy]") {
    auto pem = make_self_signed_cert("localhost", "DNS:localhost,IP:127.0.0.1");
    ssl::context server_ctx(ssl::context::tls_server);
    server_ctx.use_certificate_chain(net::buffer(pem.cert));
    server_ctx.use_private_key(net::buffer(pem.key), ssl::context::pem);
    test_http_server srv(server_ctx);
    ssl::context client(ssl::context::tls_client);
    client.add_certificate_authority(net::buffer(pem.cert));
    net::io_context ioc;

    http_transport refused(ioc, client, http_transport_params{.addresses = deny_except("127.0.0.2/32")});
    for (std::string url : {srv.url("/api/trigger"), "https://localhost:" + std::to_string(srv.port()) + "/"}) {
        INFO(url);
        auto o = send(ioc, refused, url);
        CHECK(o.ec == errc::address_not_allowed);
    }
    CHECK(srv.accepts() == 0);

    http_transport allowed(ioc, client, http_transport_params{.addresses = deny_except("127.0.0.1/32")});
    auto o = send(ioc, allowed, srv.url("/api/trigger"));
    REQUIRE_FALSE(o.ec);
    CHECK(o.resp.status == 200);
}

TEST_CASE("address policy: every redirect hop of an action is checked", "[integration][client][address_policy]") {
    test_http_server one;              // the registered endpoint, allowed
    test_http_server two("127.0.0.2"); // where it redirects, refused
    const std::string url = one.url("/api/trigger");
    one.set_default(scripted_response::redirect(307, two.url("/api/trigger")));
    net::io_context ioc;
    http_api_client_params params;
    params.transport.addresses = deny_except("127.0.0.1/32");
    http_api_client client(ioc.get_executor(), params);
    const endpoint_target target{url, "tr_dev_key", std::nullopt};
    const std::string refused = "Endpoint address 127.0.0.2 is not allowed (loopback)";

    SECTION("PING: refused at the hop, with the registered URL and the reason") {
        diagnostics diag;
        std::optional<std::pair<error_code, ping_result>> out;
        client.async_ping(target, "my-app", diag, [&](error_code ec, ping_result r) { out.emplace(ec, r); });
        REQUIRE(run_until(ioc, [&] { return out.has_value(); }));
        CHECK(out->first == errc::address_not_allowed);
        CHECK(out->second.error == "Could not connect to endpoint " + url + ". " + refused);
        CHECK(diag.client_message() == out->second.error);
        CHECK(one.request_count() == 1);
        CHECK(two.accepts() == 0);
    }
    SECTION("INDEX_ENDPOINT: the redirect comes back; the next URL is refused") {
        diagnostics diag;
        std::optional<std::pair<error_code, index_result>> out;
        client.async_index_endpoint(target, diag, [&](error_code ec, index_result r) { out.emplace(ec, r); });
        REQUIRE(run_until(ioc, [&] { return out.has_value(); }));
        REQUIRE(out->second.kind == index_result::outcome::redirect);
        CHECK(out->second.location == two.url("/api/trigger"));
        out.reset();
        client.async_index_endpoint({two.url("/api/trigger"), "tr_dev_key", std::nullopt}, diag,
                                    [&](error_code ec, index_result r) { out.emplace(ec, r); });
        REQUIRE(run_until(ioc, [&] { return out.has_value(); }));
        CHECK(out->first == errc::address_not_allowed);
        CHECK(out->second.kind == index_result::outcome::failure);
        CHECK(out->second.error.message == "Could not connect to endpoint " + two.url("/api/trigger") + ". " + refused);
        CHECK(two.accepts() == 0);
    }
    SECTION("EXECUTE_JOB: refused at the hop like an unreachable endpoint (retry)") {
        diagnostics diag;
        std::optional<std::pair<error_code, execute_job_result>> out;
        client.async_execute_job(target, boost::json::object{}, diag,
                                 [&](error_code ec, execute_job_result r) { out.emplace(ec, r); });
        REQUIRE(run_until(ioc, [&] { return out.has_value(); }));
        CHECK(out->first == errc::address_not_allowed);
        CHECK(out->second.kind == execute_job_result::outcome::retry);
        CHECK(std::string(diag.client_message()).ends_with("(" + refused + ")"));
        CHECK(two.accepts() == 0);
    }
    SECTION("with the policy off, PING follows the redirect to 127.0.0.2") {
        http_api_client open(ioc.get_executor());
        diagnostics diag;
        std::optional<std::pair<error_code, ping_result>> out;
        open.async_ping(target, "my-app", diag, [&](error_code ec, ping_result r) { out.emplace(ec, r); });
        REQUIRE(run_until(ioc, [&] { return out.has_value(); }));
        CHECK_FALSE(out->first);
        CHECK(out->second.ok);
        CHECK(two.request_count() == 1);
    }
}
