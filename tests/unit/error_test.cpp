#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>

#include "catch.hpp"

using namespace kongflow::endpoints;

TEST_CASE("errc values convert to error_code in our category", "[unit][error]") {
    error_code ec = errc::failed_ping;
    CHECK(ec.category().name() == std::string("kongflow.endpoints"));
    CHECK(ec.message() == "FAILED_PING");
    CHECK(ec == errc::failed_ping);
    CHECK(ec != errc::failed_upsert);
    CHECK(error_code(errc::timeout).message() == "the operation timed out");
    CHECK(error_code(static_cast<errc>(12345)).message().find("12345") != std::string::npos);
}

TEST_CASE("HTTP statuses have their own category", "[unit][error]") {
    auto ec = make_http_error(503);
    CHECK(ec.value() == 503);
    CHECK(ec.category().name() == std::string("kongflow.http"));
    CHECK(ec.message() == "HTTP status 503");
}

TEST_CASE("error_with_diagnostics keeps both messages", "[unit][error]") {
    diagnostics d("ours", "theirs");
    try {
        throw_on_error(errc::endpoint_error, d);
        FAIL("no throw");
    } catch (const error_with_diagnostics& e) {
        CHECK(e.code() == errc::endpoint_error);
        CHECK(e.get_diagnostics().client_message() == "ours");
        CHECK(e.get_diagnostics().server_message() == "theirs");
    }
    CHECK_NOTHROW(throw_on_error(error_code{}, d));
}
