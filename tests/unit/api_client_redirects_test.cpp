// Redirects as Trigger.dev's fetch follows them: every action but INDEX_ENDPOINT, up to 20 hops,
// 301/302/303 turning the POST into a bodiless GET, 307/308 resending as is.
#include "catch.hpp"

#include <kongflow/endpoints/testing/fake_api_client.hpp>

#include <boost/asio/io_context.hpp>

namespace asio = boost::asio;
using namespace kongflow::endpoints;

namespace {

http_response redirect(unsigned status, std::string location) {
    http_response r;
    r.status = status;
    r.headers = {{"Location", std::move(location)}};
    return r;
}

http_response pong() {
    http_response r;
    r.status = 200;
    r.body = R"({"ok":true})";
    r.headers = {{"content-type", "application/json"}, {"trigger-version", "2023-09-29"}};
    return r;
}

struct fixture {
    asio::io_context ctx;
    testing::fake_api_client client{ctx.get_executor()};
    endpoint_target target{"http://127.0.0.1:1/api/trigger", "tr_dev_k", std::nullopt};
    diagnostics diag;

    /// Answers every action at `from` with a redirect to `to`, and at `to` with `final`.
    void route(endpoint_action a, unsigned status, std::string from, std::string location, std::string to,
               http_response final) {
        client.on(a, [=](const action_request& req) -> testing::fake_api_client::outcome {
            if (req.url == from) return redirect(status, location);
            if (req.url == to) return final;
            return error_code(errc::connect_failed);
        });
    }

    std::pair<error_code, ping_result> ping() {
        std::pair<error_code, ping_result> out;
        client.async_ping(target, "my-app", diag, [&](error_code ec, ping_result r) { out = {ec, std::move(r)}; });
        ctx.run();
        ctx.restart();
        return out;
    }
};

} // namespace

TEST_CASE_METHOD(fixture, "PING follows a 308 with a relative Location, keeping method, body and headers",
                 "[unit][client][redirects]") {
    route(endpoint_action::ping, 308, target.url, "/api/trigger/", "http://127.0.0.1:1/api/trigger/", pong());
    auto [ec, r] = ping();
    CHECK(!ec);
    CHECK(r.ok);
    auto reqs = client.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[1].url == "http://127.0.0.1:1/api/trigger/");
    CHECK(reqs[1].method == "POST");
    CHECK(reqs[1].headers == reqs[0].headers);
}

TEST_CASE_METHOD(fixture, "a 301 or 302 turns the POST into a GET without body or body headers",
                 "[unit][client][redirects]") {
    const unsigned status = GENERATE(301u, 302u, 303u);
    client.on(endpoint_action::execute_job, [&](const action_request& req) -> testing::fake_api_client::outcome {
        if (req.url == target.url) return redirect(status, "https://other.test:8443/x?y=1#frag");
        http_response r;
        r.status = 405; // what the SDK answers a GET
        r.body = R"({"message":"Method not allowed"})";
        return r;
    });
    error_code ec;
    client.async_execute_job(target, boost::json::object{{"job", "x"}}, diag,
                             [&](error_code e, execute_job_result) { ec = e; });
    ctx.run();
    auto reqs = client.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].method == "POST");
    CHECK_FALSE(reqs[0].body.empty());
    CHECK(reqs[1].method == "GET");
    CHECK(reqs[1].url == "https://other.test:8443/x?y=1"); // the fragment is dropped
    CHECK(reqs[1].body.empty());
    for (const auto& h : reqs[1].headers) CHECK_FALSE(iequals_ascii(h.name, "content-type"));
    CHECK(reqs[1].headers.size() + 1 == reqs[0].headers.size());
    // The messages name the stored URL, as Trigger.dev's do.
    CHECK(ec);
    CHECK(diag.client_message() == "Method not allowed"); // the SDK's ErrorWithStack
}

TEST_CASE_METHOD(fixture, "INDEX_ENDPOINT never follows: the redirect is the answer", "[unit][client][redirects]") {
    route(endpoint_action::index_endpoint, 308, target.url, "/elsewhere", "http://127.0.0.1:1/elsewhere", pong());
    index_result out;
    client.async_index_endpoint(target, diag, [&](error_code, index_result r) { out = std::move(r); });
    ctx.run();
    CHECK(client.requests().size() == 1);
    CHECK(out.kind == index_result::outcome::redirect);
    CHECK(out.location == "/elsewhere");
}

TEST_CASE_METHOD(fixture, "a redirect without Location is the answer", "[unit][client][redirects]") {
    http_response r;
    r.status = 302;
    client.on(endpoint_action::ping, [r](const action_request&) { return testing::fake_api_client::outcome(r); });
    auto [ec, res] = ping();
    CHECK(ec);
    CHECK(client.requests().size() == 1);
    CHECK(diag.client_message() == "Could not connect to endpoint http://127.0.0.1:1/api/trigger. Status code: 302");
}

TEST_CASE_METHOD(fixture, "20 redirects are followed, the 21st is no response", "[unit][client][redirects]") {
    const int hops = GENERATE(20, 21);
    client.on(endpoint_action::ping, [hops](const action_request& req) -> testing::fake_api_client::outcome {
        // /api/trigger -> /r1 -> /r2 ... -> /r{hops}, which answers.
        auto slash = req.url.rfind('/');
        std::string last = req.url.substr(slash + 1);
        int n = last == "trigger" ? 0 : std::stoi(last.substr(1));
        if (n == hops) return pong();
        return redirect(307, "/r" + std::to_string(n + 1));
    });
    auto [ec, r] = ping();
    if (hops == 20) {
        CHECK(!ec);
        CHECK(r.ok);
        CHECK(client.requests().size() == 21);
    } else {
        CHECK(ec == errc::too_many_redirects);
        CHECK(client.requests().size() == 21);
        CHECK(diag.client_message() ==
              "Could not connect to endpoint http://127.0.0.1:1/api/trigger (redirect count exceeded)");
    }
}

TEST_CASE_METHOD(fixture, "a Location that is not an http(s) URL with a host is no response",
                 "[unit][client][redirects]") {
    const std::string location = GENERATE(std::string("ftp://127.0.0.1/x"), std::string("http://user:pw@127.0.0.1/x"),
                                          std::string("http:///nohost"), std::string("http://[::1/x"),
                                          std::string("mailto:someone@example.test"));
    client.on(endpoint_action::ping,
              [location](const action_request&) { return testing::fake_api_client::outcome(redirect(308, location)); });
    auto [ec, r] = ping();
    CHECK(ec == errc::invalid_url);
    CHECK_FALSE(r.ok);
    CHECK(client.requests().size() == 1);
    CHECK(diag.client_message().starts_with("Could not connect to endpoint http://127.0.0.1:1/api/trigger ("));
}

TEST_CASE_METHOD(fixture, "the action's timeout covers the whole chain", "[unit][client][redirects]") {
    target.timeout = std::chrono::milliseconds(5000);
    route(endpoint_action::ping, 307, target.url, "http://127.0.0.1:2/api", "http://127.0.0.1:2/api", pong());
    auto [ec, r] = ping();
    CHECK(!ec);
    auto reqs = client.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].total_timeout == std::chrono::milliseconds(5000));
    CHECK(reqs[1].total_timeout <= std::chrono::milliseconds(5000));
    CHECK(reqs[1].total_timeout > std::chrono::milliseconds(0));
}

TEST_CASE("next_hop: Location resolution and method rules", "[unit][client][redirects]") {
    action_request sent;
    sent.action = endpoint_action::deliver_webhook_request;
    sent.url = "https://app.test/a/b/trigger?q=1";
    sent.headers = {{"Content-Type", "application/octet-stream"}, {"x-trigger-action", "DELIVER_WEBHOOK_REQUEST"}};
    sent.body = "raw";
    diagnostics diag;

    auto hop = [&](unsigned status, std::string location, unsigned followed = 0) {
        return replies::next_hop(sent, redirect(status, std::move(location)), followed, diag);
    };
    CHECK(hop(308, "../c").next.url == "https://app.test/a/c");
    CHECK(hop(308, "//cdn.test/p").next.url == "https://cdn.test/p");
    CHECK(hop(308, "?r=2").next.url == "https://app.test/a/b/trigger?r=2");
    CHECK(hop(307, "HTTP://Other.Test/X").what == replies::redirect_step::kind::follow);
    CHECK(hop(307, "x").next.body == "raw");
    CHECK(hop(303, "x").next.method == "GET");
    CHECK(hop(303, "x").next.headers.size() == 1);
    CHECK(hop(308, "x", replies::max_redirects).what == replies::redirect_step::kind::fail);

    http_response ok;
    ok.status = 200;
    ok.headers = {{"location", "/ignored"}};
    CHECK(replies::next_hop(sent, ok, 0, diag).what == replies::redirect_step::kind::deliver);
    http_response not_modified;
    not_modified.status = 304;
    not_modified.headers = {{"location", "/ignored"}};
    CHECK(replies::next_hop(sent, not_modified, 0, diag).what == replies::redirect_step::kind::deliver);

    sent.method = "GET"; // a GET stays a GET on a 301
    CHECK(hop(301, "x").next.method == "GET");
}

TEST_CASE("index_redirect_url: relative Locations resolved, the rest verbatim", "[unit][client][redirects]") {
    CHECK(replies::index_redirect_url("http://a.test/api/trigger", "/api/trigger/") == "http://a.test/api/trigger/");
    CHECK(replies::index_redirect_url("https://a.test/x/y", "z?q=1#f") == "https://a.test/x/z?q=1");
    CHECK(replies::index_redirect_url("http://a.test/x", "HTTP://B.test/y#f") == "HTTP://B.test/y#f");
    CHECK(replies::index_redirect_url("http://a.test/x", "ftp://files.test/z") == "ftp://files.test/z");
    CHECK(replies::index_redirect_url("http://a.test/x", "not a url") == "not a url");
}

// tests/fuzz/corpus/redirects/regression-port-dot: Boost.URL 1.81 parses "http://h:80./8/" as port
// 80 and the path "./8/", and resolving removed the "./": the redirect went to "http://h:808/".
TEST_CASE("resolve_location: a port followed by a dot segment is no URL", "[unit][client][redirects]") {
    CHECK(!replies::resolve_location("http://a.test/x", "http://a.test:80./8/"));
    CHECK(!replies::resolve_location("http://2:1350./3531/", ""));
    CHECK(!replies::resolve_location("http://a.test:./x", "y"));
    CHECK(replies::resolve_location("http://a.test:80/x/", "./8/") == "http://a.test:80/x/8/");
    action_request sent;
    sent.url = "http://a.test/api";
    http_response r;
    r.status = 308;
    r.headers = {{"location", "http://a.test:80./8/"}};
    diagnostics diag;
    auto step = replies::next_hop(sent, r, 0, diag);
    CHECK(step.what == replies::redirect_step::kind::fail);
    CHECK(step.ec == errc::invalid_url);
}
