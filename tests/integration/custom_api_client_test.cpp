// An api_client written as docs/extending.md shows (examples/extending/logging_api_client.hpp),
// against a loopback server: the built request goes out as it is, so a 303 is followed with a GET
// without a body, as fetch does and as http_api_client does.
#include "catch.hpp"
#include "logging_api_client.hpp"
#include "support/run_until.hpp"
#include "support/test_http_server.hpp"

#include <kongflow/endpoints/client/http_api_client.hpp>

#include <boost/asio/io_context.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kf = kongflow::endpoints;
using kongflow::test::scripted_response;
using kongflow::test::test_http_server;

namespace {

/// PING through `client`, whose first answer is a 303 to /moved; the requests the server saw.
template <class Client>
std::vector<kongflow::test::recorded_request> ping_through_303(test_http_server& srv, Client& client,
                                                               boost::asio::io_context& ioc) {
    srv.push(scripted_response::redirect(303, "/moved"));
    srv.push(scripted_response::trigger_pong());
    kf::diagnostics diag;
    std::optional<kf::ping_result> pong;
    client.async_ping(kf::endpoint_target{srv.url("/api/trigger"), "tr_dev_key", std::nullopt}, "my-app", diag,
                      [&](kf::error_code ec, kf::ping_result r) {
                          CHECK_FALSE(ec);
                          pong = std::move(r);
                      });
    REQUIRE(kongflow::test::run_until(ioc, [&] { return pong.has_value(); }));
    CHECK(pong->ok);
    client.transport().close();
    return srv.requests();
}

void check_303_hop(const std::vector<kongflow::test::recorded_request>& reqs) {
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].method == "POST");
    CHECK(reqs[0].target == "/api/trigger");
    CHECK(reqs[1].method == "GET");
    CHECK(reqs[1].target == "/moved");
    CHECK(reqs[1].body.empty());
    CHECK(reqs[1].header_count("content-type") == 0);
    CHECK(reqs[1].header("x-trigger-action") == std::optional<std::string>("PING"));
}

} // namespace

TEST_CASE("a custom api_client as the docs show follows a 303 with a GET", "[integration][client]") {
    test_http_server srv;
    boost::asio::io_context ioc;
    std::vector<std::string> lines;
    example::logging_api_client client(ioc.get_executor(), [&](std::string_view l) { lines.emplace_back(l); });
    check_303_hop(ping_through_303(srv, client, ioc));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].starts_with("PING " + srv.url("/api/trigger") + " -> 303 "));
    CHECK(lines[1].starts_with("PING " + srv.url("/moved") + " [GET] -> 200 "));
}

TEST_CASE("http_api_client follows a 303 with a GET", "[integration][client]") {
    test_http_server srv;
    boost::asio::io_context ioc;
    kf::http_api_client client(ioc.get_executor());
    check_303_hop(ping_through_303(srv, client, ioc));
}
