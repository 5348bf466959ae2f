// kongflow-endpointsd with the address policy (issue #24 §2): deny_private_endpoints with
// 127.0.0.1/32 allowed, endpoints on 127.0.0.1 (allowed) and 127.0.0.2 (refused; Linux routes all
// of 127/8 to lo). A refused address answers as an unreachable endpoint does, with the reason,
// and is counted in /metrics; with the policy off, the same endpoints work.
#include "catch.hpp"
#include "daemon_fixture.hpp"
#include "fake_endpoint.hpp"
#include "http_client.hpp"
#include "metrics.hpp"
#include "temp_dir.hpp"

#include <string>

using namespace kf_daemon_test; // kfd, kfe, the daemon fixture

namespace {

kfd::daemon_config policy_config(const std::string& db, bool deny, const char* allow) {
    auto c = test_config(db);
    c.endpoint_addresses.deny_private = deny;
    c.endpoint_addresses.allow = kfe::parse_cidr_list(allow).value();
    return c;
}

std::string create(unsigned short port, const std::string& url, int& status) {
    auto r = post(port, "/api/v1/endpoints", R"({"url":")" + url + R"(","id":"my-app"})", dev_key);
    status = r.status;
    INFO(r.body);
    if (r.status != 200) return std::string(r.json().at("error").as_string());
    return std::string(r.json().at("endpointIndex").at("id").as_string());
}

double refused_count(running_daemon& d, const char* scope = "loopback") {
    return d.app.metrics().counter_value(kfd::metric_addresses_refused, {{"scope", scope}});
}

std::string index_error(unsigned short port, const std::string& id) {
    auto r = get(port, "/api/v1/endpointindex/" + id, dev_key).json();
    if (!r.as_object().contains("error")) return {};
    return std::string(r.at("error").at("message").as_string());
}

const std::string refused_127_0_0_2 = "Endpoint address 127.0.0.2 is not allowed (loopback)";

} // namespace

TEST_CASE("address policy on: an endpoint on a refused address is refused at create", "[integration][daemon]") {
    kf_test::temp_dir dir;
    fake_endpoint two("my-app", dev_key, "127.0.0.2");
    running_daemon d(policy_config(dir.file("db.sqlite"), true, "127.0.0.1/32"));

    int status = 0;
    auto error = create(d.port, two.url(), status);
    // The shape of a connection refused (400 {"error": "Could not connect to endpoint …"}), with the reason.
    CHECK(status == 400);
    CHECK(error == "Could not connect to endpoint " + two.url() + ". " + refused_127_0_0_2);
    CHECK(two.pings == 0);
    CHECK(refused_count(d) == 1);
    auto metrics = get(d.port, "/metrics").body;
    CHECK(metrics.find("# TYPE kongflow_endpoint_addresses_refused_total counter") != std::string::npos);
    CHECK(metrics.find("kongflow_endpoint_addresses_refused_total{scope=\"loopback\"} 1\n") != std::string::npos);
    // Nothing was stored.
    CHECK(get(d.port, "/api/v1/endpoints/my-app", dev_key).status == 404);
}

TEST_CASE("address policy on: redirects to a refused address are refused at the hop", "[integration][daemon]") {
    kf_test::temp_dir dir;
    fake_endpoint one("my-app", dev_key); // 127.0.0.1, allowed
    fake_endpoint two("my-app", dev_key, "127.0.0.2");
    running_daemon d(policy_config(dir.file("db.sqlite"), true, "127.0.0.1/32"));

    SECTION("PING") {
        one.redirect("PING", two.url());
        int status = 0;
        auto error = create(d.port, one.url(), status);
        CHECK(status == 400);
        CHECK(error == "Could not connect to endpoint " + one.url() + ". " + refused_127_0_0_2);
        CHECK(one.pings == 0); // it redirected before counting
        CHECK(two.pings == 0);
        CHECK(refused_count(d) == 1);
    }
    SECTION("INDEX_ENDPOINT, queued at create and through the API") {
        one.redirect("INDEX_ENDPOINT", two.url());
        int status = 0;
        auto index_id = create(d.port, one.url(), status);
        REQUIRE(status == 200);
        CHECK(one.pings == 1);
        // As Trigger.dev, the redirect is stored as the endpoint's URL; INDEX to it is refused.
        REQUIRE(eventually([&] { return index_status(d.port, index_id) == "FAILURE"; }));
        CHECK(index_error(d.port, index_id) == "Could not connect to endpoint " + two.url() + ". " + refused_127_0_0_2);
        CHECK(get(d.port, "/api/v1/endpoints/my-app", dev_key).json().at("url").as_string() == two.url());
        auto r = post(d.port, "/api/v1/endpoints/my-app/index", "{}", dev_key);
        REQUIRE(r.status == 200);
        CHECK(r.json().at("status") == "FAILURE");
        CHECK(r.json().at("error").at("message").as_string() ==
              "Could not connect to endpoint " + two.url() + ". " + refused_127_0_0_2);
        CHECK(two.indexes == 0);
        CHECK(refused_count(d) == 2);
    }
}

TEST_CASE("address policy on: a host name resolving to a refused address is refused", "[integration][daemon]") {
    kf_test::temp_dir dir;
    fake_endpoint one("my-app", dev_key); // 127.0.0.1
    const std::string url = "http://localhost:" + one.url().substr(one.url().rfind(':') + 1);
    // Allows only 127.0.0.2: `localhost` resolves to 127.0.0.1 (and perhaps ::1), both refused.
    running_daemon d(policy_config(dir.file("db.sqlite"), true, "127.0.0.2/32"));
    int status = 0;
    auto error = create(d.port, url, status);
    CHECK(status == 400);
    CHECK(error.starts_with("Could not connect to endpoint " + url + ". Endpoint address "));
    CHECK(error.ends_with(" is not allowed (loopback)"));
    CHECK(one.pings == 0);
    CHECK(refused_count(d) == 1);
}

TEST_CASE("address policy off: the same endpoints work", "[integration][daemon]") {
    kf_test::temp_dir dir;
    fake_endpoint one("my-app", dev_key);
    fake_endpoint two("my-app", dev_key, "127.0.0.2");
    running_daemon d(policy_config(dir.file("db.sqlite"), false, ""));
    int status = 0;

    SECTION("on 127.0.0.2") {
        auto index_id = create(d.port, two.url(), status);
        REQUIRE(status == 200);
        REQUIRE(eventually([&] { return index_status(d.port, index_id) == "SUCCESS"; }));
    }
    SECTION("PING redirected to 127.0.0.2") {
        one.redirect("PING", two.url());
        create(d.port, one.url(), status);
        CHECK(status == 200);
        CHECK(two.pings == 1);
    }
    SECTION("INDEX_ENDPOINT redirected to 127.0.0.2") {
        one.redirect("INDEX_ENDPOINT", two.url());
        auto index_id = create(d.port, one.url(), status);
        REQUIRE(status == 200);
        REQUIRE(eventually([&] { return index_status(d.port, index_id) == "SUCCESS"; }));
        CHECK(two.indexes == 1);
    }
    SECTION("by host name") {
        auto index_id = create(d.port, "http://localhost:" + one.url().substr(one.url().rfind(':') + 1), status);
        REQUIRE(status == 200);
        REQUIRE(eventually([&] { return index_status(d.port, index_id) == "SUCCESS"; }));
    }
    CHECK(refused_count(d) == 0);
}
