// The api_client front end with every completion-token kind, through the fake client.
#include "catch.hpp"

#include <kongflow/endpoints/testing/fake_api_client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace asio = boost::asio;
using namespace kongflow::endpoints;

namespace {

struct fixture {
    asio::io_context ctx;
    testing::fake_api_client client{ctx.get_executor()};
    endpoint_target target{"http://127.0.0.1:1/api/trigger", "tr_dev_k", std::nullopt};
    diagnostics diag;
    fixture() { client.reply(endpoint_action::ping, 200, R"({"ok":true})"); }
};

} // namespace

TEST_CASE_METHOD(fixture, "callback: never completes inline", "[unit][client]") {
    bool done = false;
    client.async_ping(target, "my-app", diag, [&](error_code ec, ping_result r) {
        CHECK(!ec);
        CHECK(r.ok);
        done = true;
    });
    CHECK_FALSE(done);
    ctx.run();
    CHECK(done);
    REQUIRE(client.requests().size() == 1);
    CHECK(client.requests()[0].headers[1] == http_header{"x-trigger-endpoint-id", "my-app"});
}

TEST_CASE_METHOD(fixture, "use_future", "[unit][client]") {
    auto f = client.async_ping(target, "my-app", diag, asio::use_future);
    ctx.run();
    CHECK(f.get().trigger_version == "2023-09-29");
}

TEST_CASE_METHOD(fixture, "use_future throws on failure", "[unit][client]") {
    client.reply(endpoint_action::ping, 500, "");
    auto f = client.async_ping(target, "my-app", diag, asio::use_future);
    ctx.run();
    CHECK_THROWS_AS(f.get(), boost::system::system_error);
    CHECK(diag.client_message() == "Could not connect to endpoint http://127.0.0.1:1/api/trigger. Status code: 500");
}

TEST_CASE_METHOD(fixture, "use_awaitable and as_tuple", "[unit][client]") {
    bool done = false;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
            auto r = co_await client.async_ping(target, "my-app", diag, asio::use_awaitable);
            CHECK(r.ok);
            auto [ec, v] = co_await client.async_validate(target, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == errc::connect_failed); // no reply scripted: no response
            CHECK(v.error == "Could not connect to endpoint http://127.0.0.1:1/api/trigger");
            done = true;
        },
        asio::detached);
    ctx.run();
    CHECK(done);
}

TEST_CASE_METHOD(fixture, "deferred (the default token)", "[unit][client]") {
    auto op = client.async_ping(target, "my-app", diag);
    bool done = false;
    std::move(op)([&](error_code ec, ping_result r) {
        CHECK(!ec);
        CHECK(r.ok);
        done = true;
    });
    ctx.run();
    CHECK(done);
}

TEST_CASE_METHOD(fixture, "bad header values are refused before sending, still asynchronously", "[unit][client]") {
    bool done = false;
    client.async_ping(target, "bad\nid", diag, [&](error_code ec, ping_result) {
        CHECK(ec == errc::invalid_header_value);
        done = true;
    });
    CHECK_FALSE(done);
    ctx.run();
    CHECK(done);
    CHECK(client.requests().empty());
}

TEST_CASE_METHOD(fixture, "INDEX failures complete with the stored {message, raw}", "[unit][client]") {
    client.reply(endpoint_action::index_endpoint, 200, R"({"jobs":[]})");
    std::optional<std::pair<error_code, index_result>> got;
    client.async_index_endpoint(target, diag, [&](error_code ec, index_result r) { got.emplace(ec, std::move(r)); });
    ctx.run();
    REQUIRE(got);
    CHECK(got->first == errc::invalid_response);
    CHECK(got->second.kind == index_result::outcome::failure);
    CHECK(got->second.error.raw.has_value());
}

TEST_CASE_METHOD(fixture, "per-operation cancellation reaches the handler", "[unit][client]") {
    asio::cancellation_signal signal;
    std::optional<error_code> got;
    client.async_ping(target, "my-app", diag,
                      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, ping_result) { got = ec; }));
    // The fake ignores cancellation, so the operation completes normally: the slot is forwarded
    // without breaking completion (http_transport tests cover real cancellation).
    signal.emit(asio::cancellation_type::terminal);
    ctx.run();
    REQUIRE(got);
}
