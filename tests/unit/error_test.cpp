#include "catch.hpp"

#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>

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
    // "HTTP/1.1 000 ..." parses; its error must still be an error.
    CHECK(make_http_error(0));
    CHECK(make_http_error(0) == errc::invalid_response);
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

TEST_CASE("result<T> carries the error's diagnostics", "[unit][error]") {
    auto fails = []() -> result<int> {
        return error(errc::storage_failure, diagnostics("writing to the database", "disk I/O error"));
    };
    auto r = fails();
    REQUIRE_FALSE(r.has_value());
    // An error is an error_code: compare it with an errc, copy its code out.
    CHECK(r.error() == errc::storage_failure);
    error_code ec = r.error();
    CHECK(ec == errc::storage_failure);
    CHECK(r.error().diag().client_message() == "writing to the database");
    CHECK(r.error().diag().server_message() == "disk I/O error");
    CHECK(r.error().what() == "writing to the database");
    // Passing it on to another result keeps the text.
    auto passed = [&]() -> result<std::string> { return r.error(); }();
    CHECK(passed.error().diag().server_message() == "disk I/O error");
    // value() throws the diagnostics along.
    try {
        (void)r.value();
        FAIL("no throw");
    } catch (const error_with_diagnostics& e) {
        CHECK(e.code() == errc::storage_failure);
        CHECK(e.get_diagnostics().server_message() == "disk I/O error");
    }
    // Without diagnostics, what() is the code's message; an errc converts directly.
    result<void> plain = errc::not_found;
    CHECK(plain.error().what() == "not found");
    CHECK(plain.error().diag() == diagnostics());
}
