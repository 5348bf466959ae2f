// The daemon in-process for the daemon tests: daemon_app on 127.0.0.1:0 over a SQLite file,
// with the bootstrap development key, and the polling helpers the tests share.
#ifndef KONGFLOW_TESTS_DAEMON_DAEMON_FIXTURE_HPP
#define KONGFLOW_TESTS_DAEMON_DAEMON_FIXTURE_HPP

#include "catch.hpp"
#include "daemon.hpp"
#include "http_client.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>

namespace kf_daemon_test {

namespace kfd = kongflow::endpointsd;
namespace kfe = kongflow::endpoints;

inline const std::string dev_key = "tr_dev_daemon_test_key_000001";

inline kfd::daemon_config test_config(const std::string& db) {
    kfd::daemon_config c;
    c.db = db;
    c.listen_host = "127.0.0.1";
    c.listen_port = 0;
    c.bootstrap_api_key = dev_key;
    c.log_level = kfe::log_level::warn;
    c.shutdown_timeout = std::chrono::milliseconds(3000);
    return c;
}

struct running_daemon {
    kfd::daemon_app app;
    unsigned short port = 0;
    running_daemon(const std::string& db, std::FILE* log = stderr) : running_daemon(test_config(db), log) {}
    explicit running_daemon(kfd::daemon_config config, std::FILE* log = stderr)
            : app(std::move(config), std::make_shared<kfd::json_log_sink>(log)) {
        kfe::diagnostics diag;
        auto r = app.open(diag);
        INFO(diag.client_message());
        REQUIRE(r.has_value());
        REQUIRE(app.start().has_value());
        port = app.local_endpoint().port();
    }
    ~running_daemon() {
        app.request_stop();
        app.wait();
    }
};

/// Polls `f` (bounded) until it returns true.
template <class F>
bool eventually(F f, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
}

inline std::string index_status(unsigned short port, const std::string& id) {
    auto r = get(port, "/api/v1/endpointindex/" + id, dev_key);
    return r.status == 200 ? std::string(r.json().at("status").as_string()) : "HTTP " + std::to_string(r.status);
}

} // namespace kf_daemon_test

#endif
