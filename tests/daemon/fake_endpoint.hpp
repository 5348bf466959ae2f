// An in-process Trigger.dev endpoint for the daemon tests: PING, VALIDATE and INDEX_ENDPOINT as
// the SDK answers them, on 127.0.0.1:0 (or another loopback address), with counters, a switchable
// delay and per-action redirects.
#ifndef KONGFLOW_TESTS_DAEMON_FAKE_ENDPOINT_HPP
#define KONGFLOW_TESTS_DAEMON_FAKE_ENDPOINT_HPP

#include "http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace kf_daemon_test {

class fake_endpoint {
public:
    fake_endpoint(std::string id, std::string key, std::string host = "127.0.0.1")
            : id_(std::move(id)), key_(std::move(key)), host_(std::move(host)) {
        kongflow::endpointsd::http_server_params p;
        p.host = host_;
        server_ = std::make_unique<kongflow::endpointsd::http_server>(
            ioc_, p, [this](kongflow::endpointsd::http_request& req) { return handle(req); });
        auto ep = server_->listen();
        if (!ep) throw std::runtime_error("fake endpoint: listen failed");
        port_ = ep->port();
        server_->start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~fake_endpoint() {
        server_->stop();
        server_->abort_all();
        work_.reset();
        ioc_.stop();
        thread_.join();
    }
    std::string url() const { return "http://" + host_ + ":" + std::to_string(port_) + "/api/trigger"; }
    /// Answers `action` (x-trigger-action) with a 307 to `location` from now on.
    void redirect(const std::string& action, std::string location) {
        std::lock_guard lk(mu_);
        redirects_[action] = std::move(location);
    }
    std::atomic<int> pings{0}, indexes{0};
    std::atomic<int> index_delay_ms{0};

private:
    boost::asio::awaitable<kongflow::endpointsd::http_response> handle(kongflow::endpointsd::http_request& req) {
        namespace http = boost::beast::http;
        auto reply = [](unsigned status, const boost::json::value& v) {
            kongflow::endpointsd::http_response r{static_cast<http::status>(status), 11};
            r.set(http::field::content_type, "application/json");
            r.set("Trigger-Version", "2023-09-29");
            r.set("Trigger-SDK-Version", "2.3.19");
            r.body() = boost::json::serialize(v);
            return r;
        };
        {
            std::lock_guard lk(mu_);
            if (auto it = redirects_.find(std::string(req["x-trigger-action"])); it != redirects_.end()) {
                kongflow::endpointsd::http_response r{http::status::temporary_redirect, 11};
                r.set(http::field::location, it->second);
                co_return r;
            }
        }
        if (std::string(req["x-trigger-api-key"]) != key_)
            co_return reply(401, {{"message", "Forbidden: client apiKey mismatch: Make sure you are using the correct "
                                              "API Key for your environment"}});
        auto action = std::string(req["x-trigger-action"]);
        if (action == "PING") {
            ++pings;
            auto id = std::string(req["x-trigger-endpoint-id"]);
            if (id != id_)
                co_return reply(
                    200, {{"ok", false}, {"error", "Endpoint ID mismatch error. Expected " + id_ + ", got " + id}});
            co_return reply(200, {{"ok", true}});
        }
        if (action == "INDEX_ENDPOINT") {
            ++indexes;
            if (int d = index_delay_ms.load()) {
                boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(d));
                co_await t.async_wait(boost::asio::use_awaitable);
            }
            boost::json::object job{
                {"id", "hello"},
                {"name", "Hello"},
                {"version", "1.0.0"},
                {"event",
                 {{"name", "hello.event"}, {"title", "Hello"}, {"source", "trigger.dev"}, {"icon", "custom-event"}}},
                {"trigger",
                 {{"type", "static"},
                  {"title", "hello.event"},
                  {"rule", {{"event", "hello.event"}, {"source", "trigger.dev"}, {"payload", boost::json::object{}}}}}},
                {"integrations", boost::json::object{}},
                {"startPosition", "latest"},
                {"enabled", true},
                {"preprocessRuns", false}};
            co_return reply(200, {{"jobs", boost::json::array{job}},
                                  {"sources", boost::json::array{}},
                                  {"webhooks", boost::json::array{}},
                                  {"dynamicTriggers", boost::json::array{}},
                                  {"dynamicSchedules", boost::json::array{}},
                                  {"httpEndpoints", boost::json::array{}}});
        }
        co_return reply(405, {{"message", "Method not allowed"}});
    }

    std::string id_, key_, host_;
    std::mutex mu_;
    std::map<std::string, std::string> redirects_;
    boost::asio::io_context ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ioc_.get_executor()};
    std::unique_ptr<kongflow::endpointsd::http_server> server_;
    unsigned short port_ = 0;
    std::thread thread_;
};

} // namespace kf_daemon_test

#endif
