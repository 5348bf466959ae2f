// The daemon between a hostile endpoint and hostile clients (seeded, bounded, loopback only).
// The endpoint answers INDEX_ENDPOINT (and, when told, PING) with what a broken or malicious app
// could send: mutated index bodies, odd statuses, redirects to unusable places, bytes that are not
// HTTP, truncated and malformed chunked bodies, huge headers, deep nesting, silence. Clients send
// the daemon garbage and cut requests. What must hold: every request gets an HTTP answer (or a
// close for bytes that are not a request), every index ends in SUCCESS or FAILURE with a readable
// message, and the daemon keeps serving.
#include "catch.hpp"
#include "daemon_fixture.hpp"
#include "http_client.hpp"
#include "json_mutator.hpp"
#include "temp_dir.hpp"
#include "text_file.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cctype>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace kf_daemon_test;

namespace {

std::string read_fixture(const std::string& name) {
    return kf_test::read_text_file(std::string(KONGFLOW_SOURCE_DIR) + "/tests/fixtures/sdk-2.3.19/" + name);
}

/// A loopback endpoint that answers with seeded hostility, on its own thread.
class hostile_endpoint {
public:
    explicit hostile_endpoint(unsigned seed)
            : rng_(seed), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
              index_ok_(read_fixture("index-ok.body.json")), index_ok_json_(boost::json::parse(index_ok_)) {
        accept();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~hostile_endpoint() {
        boost::asio::post(ioc_, [this] { ioc_.stop(); });
        thread_.join();
    }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/api/trigger";
    }

    std::atomic<bool> ping_ok{true}; ///< PING gets the SDK's pong; false: PING is answered with hostility too
    std::atomic<int> requests{0};

private:
    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
            if (ec) return;
            boost::asio::co_spawn(ioc_, serve(std::move(s)), boost::asio::detached);
            accept();
        });
    }

    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket s) {
        namespace asio = boost::asio;
        std::string in;
        auto [ec, n] = co_await asio::async_read_until(s, asio::dynamic_buffer(in, 1 << 20), "\r\n\r\n",
                                                       asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        ++requests;
        std::string head = in.substr(0, n);
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const bool ping = head.find("x-trigger-action: ping") != std::string::npos;
        auto out = ping && ping_ok ? respond(200, R"({"ok":true})", "trigger-version: 2023-09-29\r\n") : hostile();
        if (!out) { // silence, then a close
            asio::steady_timer t(s.get_executor(), std::chrono::milliseconds(kf_test::pick(rng_, 301)));
            co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        co_await asio::async_write(s, asio::buffer(*out), asio::as_tuple(asio::use_awaitable));
        boost::system::error_code ignored;
        s.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        // Let the client read to the close before the socket goes.
        char sink[4096];
        for (int i = 0; i < 64; ++i) {
            auto [rec, got] = co_await s.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
            if (rec) break;
        }
    }

    static std::string respond(int status, const std::string& body, const std::string& headers = {}) {
        return "HTTP/1.1 " + std::to_string(status) + " X\r\ncontent-type: application/json\r\n" + headers +
               "content-length: " + std::to_string(body.size()) + "\r\nconnection: close\r\n\r\n" + body;
    }

    std::string body() {
        kf_test::json_mutator mutate(rng_);
        switch (kf_test::pick(rng_, 6)) {
        case 0: return index_ok_;
        case 1:
        case 2: return boost::json::serialize(mutate(index_ok_json_));
        case 3: return index_ok_.substr(0, kf_test::pick(rng_, index_ok_.size() + 1));
        case 4: return std::string(kf_test::pick(rng_, 100000) + 1, '[');
        default: return kf_test::random_bytes(rng_, 300);
        }
    }

    /// The raw reply; nothing = say nothing and close.
    std::optional<std::string> hostile() {
        const std::string versions = "trigger-version: 2023-09-29\r\ntrigger-sdk-version: 2.3.19\r\n";
        switch (kf_test::pick(rng_, 12)) {
        case 0:
        case 1: return respond(200, index_ok_, versions); // some indexes must succeed
        case 2:
        case 3: return respond(200, body(), kf_test::pick(rng_, 2) ? versions : "");
        case 4: {
            static const int statuses[] = {201, 204, 400, 401, 403, 404, 500, 503, 599, 999};
            return respond(statuses[kf_test::pick(rng_, std::size(statuses))], body());
        }
        case 5: {
            // Redirects stay on loopback: back here, to a closed port, or to nothing usable.
            static const char* locations[] = {
                "/api/trigger",        "", "::::", "http://[::1", "ftp://127.0.0.1/x", "http://127.0.0.1:1/api", "//",
                "/api/trigger?x=%zz#f"};
            static const int statuses[] = {301, 302, 303, 307, 308};
            return respond(statuses[kf_test::pick(rng_, std::size(statuses))], "",
                           std::string("location: ") + locations[kf_test::pick(rng_, std::size(locations))] + "\r\n");
        }
        case 6: return kf_test::random_bytes(rng_, 500);
        case 7: {
            std::string b = body(), chunked;
            for (std::size_t i = 0; i < b.size(); i += 100) {
                auto part = b.substr(i, 100);
                std::ostringstream len;
                len << std::hex << part.size();
                chunked += len.str() + "\r\n" + part + "\r\n";
            }
            if (kf_test::pick(rng_, 2))
                chunked += "0\r\n\r\n";
            else
                chunked = chunked.substr(0, kf_test::pick(rng_, chunked.size() + 1));
            return "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n" + chunked;
        }
        case 8: return "HTTP/1.1 200 OK\r\nx-big: " + std::string(200000, 'b') + "\r\n\r\n";
        case 9:
            return "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 99999999\r\n\r\n" + index_ok_;
        case 10: return "HTTP/1.1 100 Continue\r\n\r\n" + respond(200, index_ok_, versions);
        default: return std::nullopt;
        }
    }

    std::mt19937 rng_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::string index_ok_;
    boost::json::value index_ok_json_;
    std::thread thread_;
};

/// What a hostile client sends the daemon: bytes that are not HTTP, requests cut short, bodies and
/// headers of the wrong kind.
std::string hostile_request(std::mt19937& rng) {
    auto pick = [&](std::size_t n) { return kf_test::pick(rng, n); };
    const std::string auth = "Authorization: Bearer " + dev_key + "\r\n";
    static const char* targets[] = {"/api/v1/endpoints",
                                    "/api/v1/endpoints/hostile-app",
                                    "/api/v1/endpoints/hostile-app/index",
                                    "/api/v1/endpoints/%zz/index",
                                    "/api/v1/endpointindex/..%2F",
                                    "/api/v1/whoami",
                                    "/api/v1/endpoints/hostile-app/indexes?limit=-1",
                                    "/api/v1/endpoints/a/b/index/c",
                                    "/metrics",
                                    "/api/v1/endpoints/hostile-app/indexes?limit=99999999999999999999"};
    static const char* methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"};
    static const char* bodies[] = {"",
                                   "{",
                                   "[]",
                                   "null",
                                   R"({"url":1,"id":{}})",
                                   R"({"reason":[],"data":"x"})",
                                   R"({"url":"http://127.0.0.1:1/api","id":"a/b"})",
                                   "\xff\xfe"};
    std::string body = bodies[pick(std::size(bodies))];
    if (pick(10) == 0) body = std::string(pick(100000) + 1, '{');
    std::string req = std::string(methods[pick(std::size(methods))]) + " " + targets[pick(std::size(targets))] +
                      " HTTP/1.1\r\nHost: x\r\n" + (pick(4) ? auth : std::string("Authorization: Bearer\r\n")) +
                      "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    switch (pick(6)) {
    case 0: return kf_test::random_bytes(rng, 2000) + "\r\n\r\n"; // not HTTP at all
    case 1: return req.substr(0, pick(req.size()));               // cut short
    case 2: return "POST /api/v1/endpoints HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: -1\r\n\r\n";
    case 3: return "POST /api/v1/endpoints HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n";
    default: return req;
    }
}

} // namespace

TEST_CASE("a hostile endpoint and hostile clients: answers, finished indexes, a daemon that keeps serving",
          "[integration][daemon]") {
    const unsigned seed = 20261202;
    kf_test::temp_dir dir;
    hostile_endpoint ep(seed);
    auto config = test_config(dir.file("db.sqlite"));
    config.read_timeout = std::chrono::milliseconds(300); // cut requests are dropped quickly
    config.log_level = kfe::log_level::error;
    running_daemon d(config);
    std::mt19937 rng(seed);
    const std::string create_body = R"({"url":")" + ep.url() + R"(","id":"hostile-app"})";

    std::vector<std::string> queued; // the indexes create queued for the worker
    int successes = 0, failures = 0;
    for (int i = 0; i < 60; ++i) {
        // A fresh URL each round: a redirect may have moved the endpoint somewhere unusable.
        ep.ping_ok = true;
        auto created = post(d.port, "/api/v1/endpoints", create_body, dev_key);
        INFO("round " << i << ": " << created.body);
        REQUIRE(created.status == 200);
        queued.emplace_back(created.json().at("endpointIndex").at("id").as_string());

        ep.ping_ok = false;
        auto indexed = post(d.port, "/api/v1/endpoints/hostile-app/index", "{}", dev_key);
        INFO(indexed.body);
        REQUIRE(indexed.status == 200);
        auto status = indexed.json().at("status");
        if (status == "SUCCESS") {
            ++successes;
            CHECK(indexed.json().at("stats").is_object());
        } else {
            REQUIRE(status == "FAILURE");
            ++failures;
            CHECK(!indexed.json().at("error").at("message").as_string().empty());
        }

        // A create whose PING meets the hostility: the endpoint's error as a 400, never a crash.
        if (i % 5 == 0) {
            auto hostile_create = post(d.port, "/api/v1/endpoints", create_body, dev_key);
            INFO(hostile_create.body);
            CHECK((hostile_create.status == 200 || hostile_create.status == 400));
            if (hostile_create.status == 400) CHECK(!hostile_create.json().at("error").as_string().empty());
        }

        for (int k = 0; k < 4; ++k) {
            auto answer = raw(d.port, hostile_request(rng));
            INFO("answer: " << answer.substr(0, 200));
            CHECK((answer.empty() || answer.rfind("HTTP/1.1 ", 0) == 0));
        }
    }
    CHECK(successes > 0);
    CHECK(failures > 0);
    CHECK(ep.requests.load() > 0);

    // The worker's indexes, fed the same hostility, all end.
    for (const auto& id : queued) {
        INFO("queued index " << id);
        CHECK(eventually([&] {
            auto s = index_status(d.port, id);
            return s == "SUCCESS" || s == "FAILURE";
        }));
        auto ix = get(d.port, "/api/v1/endpointindex/" + id, dev_key).json();
        if (ix.at("status") == "FAILURE") CHECK(!ix.at("error").at("message").as_string().empty());
    }

    // Still serving, and its reads still parse.
    CHECK(get(d.port, "/healthz").status == 200);
    CHECK(get(d.port, "/readyz").status == 200);
    CHECK(get(d.port, "/api/v1/endpoints/hostile-app/jobs", dev_key).json().at("jobs").is_array());
    CHECK(get(d.port, "/api/v1/endpoints/hostile-app/indexes?limit=100", dev_key).json().at("indexes").is_array());
}
