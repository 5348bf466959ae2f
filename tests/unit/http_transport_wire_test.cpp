// The transport's sans-io part: URL validation and origins, header checks, request serialisation,
// and response header lookup.
#include "catch.hpp"

#include <kongflow/endpoints/client/detail/http_wire.hpp>
#include <kongflow/endpoints/client/http_transport.hpp>

#include <string>

using namespace kongflow::endpoints;
using namespace kongflow::endpoints::detail;

namespace {
http_target parse_ok(std::string_view url) {
    diagnostics d;
    auto r = parse_http_url(url, d);
    INFO(url << " -> " << d.client_message());
    REQUIRE(r.has_value());
    return *r;
}

error_code parse_err(std::string_view url, diagnostics& d) {
    auto r = parse_http_url(url, d);
    return r ? error_code{} : r.error();
}
} // namespace

TEST_CASE("http URLs give host, port, target and origin", "[unit][http]") {
    auto t = parse_ok("http://Example.COM/api/trigger");
    CHECK_FALSE(t.tls);
    CHECK(t.host == "example.com");
    CHECK(t.port == 80);
    CHECK_FALSE(t.ip_literal);
    CHECK(t.host_header == "example.com");
    CHECK(t.target == "/api/trigger");
    CHECK(t.origin == "http://example.com:80");

    t = parse_ok("https://example.com:8443/x?a=1&b=%20#frag");
    CHECK(t.tls);
    CHECK(t.port == 8443);
    CHECK(t.host_header == "example.com:8443");
    CHECK(t.target == "/x?a=1&b=%20"); // the fragment is never sent
    CHECK(t.origin == "https://example.com:8443");

    t = parse_ok("http://127.0.0.1:3000");
    CHECK(t.ip_literal);
    CHECK(t.target == "/");
    CHECK(t.host_header == "127.0.0.1:3000");

    t = parse_ok("HTTP://[::1]:8080/p");
    CHECK(t.ip_literal);
    CHECK(t.host == "::1");
    CHECK(t.host_header == "[::1]:8080");
    CHECK(t.origin == "http://[::1]:8080");

    // Default ports are omitted from the host header, and the same origin is the same pool.
    CHECK(parse_ok("https://a.example:443/").host_header == "a.example");
    CHECK(parse_ok("https://a.example:443/").origin == parse_ok("https://A.example/").origin);
    CHECK(parse_ok("http://a.example./").host == "a.example");
    CHECK(parse_ok("http://a.example/?").target == "/?");
    CHECK(parse_ok("http://a.example:/x").port == 80);
}

TEST_CASE("bad URLs are invalid_url with a message", "[unit][http]") {
    for (std::string_view url :
         {"", "example.com", "/api/trigger", "ftp://example.com/", "ws://example.com/", "http:/x", "http://",
          "http:///path", "http://user@example.com/", "http://user:pass@example.com/", "http://example.com:0/",
          "http://example.com:65536/", "http://example.com:12ab/", "http://exa mple.com/", "http://[v1.x]/",
          "http://ex%41mple.com/", "mailto:someone@example.com", "http://example.com/\r\nx"}) {
        diagnostics d;
        INFO(url);
        CHECK(parse_err(url, d) == errc::invalid_url);
        CHECK_FALSE(d.client_message().empty());
        CHECK(d.client_message().find('\r') == std::string_view::npos); // the echo is one printable line
        CHECK(d.client_message().find('\n') == std::string_view::npos);
    }
}

TEST_CASE("header names and values are checked", "[unit][http]") {
    CHECK(is_http_token("x-trigger-api-key"));
    CHECK(is_http_token("POST"));
    CHECK_FALSE(is_http_token(""));
    CHECK_FALSE(is_http_token("x trigger"));
    CHECK_FALSE(is_http_token("x:y"));
    CHECK(is_safe_header_value("application/json, application/json"));
    CHECK(is_safe_header_value("tab\tis fine"));
    CHECK_FALSE(is_safe_header_value("a\rb"));
    CHECK_FALSE(is_safe_header_value("a\nb"));
    CHECK_FALSE(is_safe_header_value(std::string("a\0b", 3)));

    http_request req;
    diagnostics d;
    CHECK_FALSE(validate_request(req, d));

    req.headers = {{"x-ok", "1"}, {"x-bad", "v\r\nInjected: yes"}};
    CHECK(validate_request(req, d) == errc::invalid_header_value);
    CHECK(d.client_message().find("x-bad") != std::string_view::npos);

    req.headers = {{"x-bad\n", "v"}};
    CHECK(validate_request(req, d) == errc::invalid_header_value);
    req.headers = {{std::string("x\0y", 3), "v"}};
    CHECK(validate_request(req, d) == errc::invalid_header_value);
    req.headers = {{"", "v"}};
    CHECK(validate_request(req, d) == errc::invalid_header_value);
    req.headers = {{"x-nul", std::string("a\0", 2)}};
    CHECK(validate_request(req, d) == errc::invalid_header_value);

    for (const char* owned : {"Host", "content-length", "Transfer-Encoding", "connection"}) {
        req.headers = {{owned, "x"}};
        CHECK(validate_request(req, d) == errc::invalid_argument);
    }
    req.headers.clear();
    req.method = "PO ST";
    CHECK(validate_request(req, d) == errc::invalid_argument);
}

TEST_CASE("request heads are serialised exactly", "[unit][http]") {
    diagnostics d;
    auto target = *parse_http_url("http://localhost:3000/api/trigger", d);

    http_request ping;
    ping.headers = {{"x-trigger-api-key", "k"}, {"x-trigger-action", "PING"}, {"X-Trigger-Endpoint-Id", "ep"}};
    std::string out;
    serialize_request_head(ping, target, "kongflow-endpoints/0.1.0", out);
    CHECK(out == "POST /api/trigger HTTP/1.1\r\n"
                 "host: localhost:3000\r\n"
                 "x-trigger-api-key: k\r\n"
                 "x-trigger-action: PING\r\n"
                 "X-Trigger-Endpoint-Id: ep\r\n"
                 "user-agent: kongflow-endpoints/0.1.0\r\n"
                 "content-length: 0\r\n"
                 "\r\n");

    http_request with_body;
    with_body.headers = {{"Content-Type", "application/json"}, {"User-Agent", "mine"}};
    with_body.body = R"({"a":1})";
    out.clear();
    serialize_request_head(with_body, target, "ignored", out);
    CHECK(out == "POST /api/trigger HTTP/1.1\r\n"
                 "host: localhost:3000\r\n"
                 "Content-Type: application/json\r\n"
                 "User-Agent: mine\r\n"
                 "content-length: 7\r\n"
                 "\r\n");

    http_request get;
    get.method = "GET";
    out.clear();
    serialize_request_head(get, target, "", out); // empty user-agent: none sent
    CHECK(out == "GET /api/trigger HTTP/1.1\r\nhost: localhost:3000\r\n\r\n");
}

TEST_CASE("response header lookup is case-insensitive and takes the first match", "[unit][http]") {
    http_response r;
    r.headers = {{"Trigger-Version", "2023-09-29"}, {"Set-Cookie", "a"}, {"set-cookie", "b"}, {"Empty", ""}};
    CHECK(r.header("trigger-version") == std::optional<std::string_view>("2023-09-29"));
    CHECK(r.header("TRIGGER-VERSION") == std::optional<std::string_view>("2023-09-29"));
    CHECK(r.header("set-cookie") == std::optional<std::string_view>("a"));
    CHECK(r.header("empty") == std::optional<std::string_view>(""));
    CHECK_FALSE(r.header("trigger-sdk-version"));
    CHECK_FALSE(r.header("trigger-versio"));
}

TEST_CASE("redirect statuses", "[unit][http]") {
    for (unsigned s : {301u, 302u, 303u, 307u, 308u}) CHECK(is_redirect(s));
    for (unsigned s : {200u, 300u, 304u, 305u, 306u, 309u, 401u}) CHECK_FALSE(is_redirect(s));
    static_assert(is_redirect(308));
}
