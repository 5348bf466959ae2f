// The daemon's server and repository routes in-process on 127.0.0.1:0, over a SQLite file:
// success, auth failure, bad input, wrong method, limits and malformed requests; and the queue
// introspection routes over an in-memory queue.
#include "bootstrap.hpp"
#include "catch.hpp"
#include "config.hpp"
#include "http_client.hpp"
#include "http_server.hpp"
#include "logging.hpp"
#include "metrics.hpp"
#include "router.hpp"
#include "temp_dir.hpp"

#include <kongflow/endpoints/memory/queue.hpp>
#include <kongflow/endpoints/sqlite/repository.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <thread>

namespace kfd = kongflow::endpointsd;
namespace kfe = kongflow::endpoints;
using namespace kf_daemon_test;

namespace {

struct core_server {
    kf_test::temp_dir dir;
    kfe::sqlite::repository repo;
    kfe::memory::queue jobs;
    kfe::environment env;
    boost::asio::io_context ioc{2};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
    boost::asio::thread_pool blocking{2};
    kfd::metrics_registry metrics;
    std::unique_ptr<kfd::router> routes;
    std::unique_ptr<kfd::http_server> server;
    std::vector<std::thread> threads;
    unsigned short port = 0;
    bool ready = true;

    static kfe::sqlite::repository open_repo(const std::string& path) {
        auto r = kfe::sqlite::repository::open(path);
        if (!r) throw std::runtime_error("open: " + r.error().message());
        return std::move(*r);
    }

    explicit core_server(kfd::http_server_params sp = {}, std::shared_ptr<kfd::api_key_cache> keys = nullptr)
            : repo(open_repo(dir.file("db.sqlite"))) {
        kfe::diagnostics diag;
        auto boot = kfd::bootstrap_if_empty(repo, {"acme", "web", std::string("tr_dev_core_test_key_0001")}, diag);
        REQUIRE(boot.has_value());
        REQUIRE(boot->has_value());
        env = **boot;
        metrics.declare_standard();
        kfd::api_deps deps;
        deps.repo = &repo;
        deps.jobs = &jobs;
        deps.blocking = blocking.get_executor();
        deps.metrics = &metrics;
        deps.keys = std::move(keys);
        deps.not_ready = [this]() -> std::optional<std::string> {
            if (!ready) return std::string("the job worker is not running");
            return std::nullopt;
        };
        routes = std::make_unique<kfd::router>(std::move(deps));
        kfd::add_api_routes(*routes);
        kfd::add_queue_routes(*routes);
        sp.host = "127.0.0.1";
        sp.port = 0;
        auto* rt = routes.get();
        server = std::make_unique<kfd::http_server>(ioc, sp, [rt](kfd::http_request& r) { return rt->handle(r); });
        auto ep = server->listen();
        REQUIRE(ep.has_value());
        port = ep->port();
        server->start();
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
    }
    ~core_server() {
        server->stop();
        server->abort_all();
        work.reset();
        ioc.stop();
        for (auto& t : threads) t.join();
        blocking.join();
    }
    std::string key() const { return env.api_key; }
};

} // namespace

TEST_CASE("healthz, readyz and metrics", "[integration][daemon]") {
    core_server s;
    auto h = get(s.port, "/healthz");
    CHECK(h.status == 200);
    CHECK(h.json().at("status") == "ok");

    CHECK(get(s.port, "/readyz").status == 200);
    s.ready = false;
    auto r = get(s.port, "/readyz");
    CHECK(r.status == 503);
    CHECK(r.json().at("error") == "the job worker is not running");

    auto m = get(s.port, "/metrics");
    CHECK(m.status == 200);
    CHECK(std::string(m.headers[boost::beast::http::field::content_type]).find("text/plain; version=0.0.4") == 0);
    CHECK(m.body.find("# TYPE kongflow_http_requests_total counter") != std::string::npos);
    CHECK(m.body.find("kongflow_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1") !=
          std::string::npos);
    CHECK(m.body.find("kongflow_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1") !=
          std::string::npos);

    CHECK(call(s.port, boost::beast::http::verb::post, "/healthz").status == 405);
    CHECK(call(s.port, boost::beast::http::verb::delete_, "/metrics").status == 405);
}

TEST_CASE("whoami answers in the shape the Trigger.dev CLI validates", "[integration][daemon]") {
    core_server s;
    auto r = get(s.port, "/api/v1/whoami", s.key());
    REQUIRE(r.status == 200);
    auto j = r.json().as_object();
    CHECK(j.at("id").as_string() == s.env.id);
    CHECK(j.at("slug") == "dev");
    CHECK(j.at("type") == "DEVELOPMENT");
    CHECK(j.at("createdAt").is_string());
    CHECK(j.at("updatedAt").is_string());
    CHECK(j.at("project").at("slug") == "web");
    CHECK(j.at("project").at("name").is_string());
    CHECK(j.at("organization").at("slug") == "acme");
    CHECK(j.at("organization").at("title").is_string());
    auto pk = std::string(j.at("pkApiKey").as_string());
    CHECK(pk.rfind("pk_dev_", 0) == 0);
    CHECK(pk.find(s.key()) == std::string::npos);
    CHECK(!j.contains("apiKey"));
    // Stable across calls.
    CHECK(get(s.port, "/api/v1/whoami", s.key()).json().at("pkApiKey") == j.at("pkApiKey"));

    SECTION("auth failures") {
        for (auto key : {std::string(), std::string("tr_dev_wrong"), std::string(600, 'x')}) {
            auto bad = get(s.port, "/api/v1/whoami", key);
            CHECK(bad.status == 401);
            CHECK(bad.json() == boost::json::value{{"error", "Invalid or Missing API key"}});
        }
        auto basic =
            call(s.port, boost::beast::http::verb::get, "/api/v1/whoami", {}, {{"Authorization", "Basic " + s.key()}});
        CHECK(basic.status == 401);
    }
    SECTION("wrong method") {
        auto r2 = post(s.port, "/api/v1/whoami", "{}", s.key());
        CHECK(r2.status == 405);
        CHECK(std::string(r2.headers[boost::beast::http::field::allow]) == "GET");
    }
}

TEST_CASE("Authorization: exactly Trigger.dev's Bearer prefix", "[integration][daemon]") {
    core_server s;
    // Trigger.dev's getApiKeyFromHeader: replace(/^Bearer /, "") and the rest is the key.
    auto with = [&](const std::string& authorization) {
        return call(s.port, boost::beast::http::verb::get, "/api/v1/whoami", {}, {{"Authorization", authorization}})
            .status;
    };
    CHECK(with("Bearer " + s.key()) == 200);
    CHECK(with("bearer " + s.key()) == 401); // case-sensitive: the key is "bearer tr_..."
    CHECK(with("BEARER " + s.key()) == 401);
    CHECK(with("Bearer  " + s.key()) == 401); // one space only: the key starts with a space
    CHECK(with("Bearer\t" + s.key()) == 401);
    CHECK(with("Bearer ") == 401);                  // trimmed to "Bearer" by the parser: no such key
    CHECK(with(s.key()) == 200);                    // no prefix: a bare key works
    CHECK(with("Bearer " + s.key() + " ") == 200);  // the HTTP parser trims the value's ends, as Node's
    CHECK(with("Bearer Bearer " + s.key()) == 401); // stripped once
    auto missing = call(s.port, boost::beast::http::verb::get, "/api/v1/whoami", {}, {});
    CHECK(missing.status == 401);
    CHECK(missing.json() == boost::json::value{{"error", "Invalid or Missing API key"}});
}

TEST_CASE("endpoint reads: list, get, indexes, jobs, endpointindex", "[integration][daemon]") {
    core_server s;
    auto ep = s.repo.upsert_endpoint({s.env.id, s.env.organization_id, s.env.project_id, "my-app",
                                      "http://127.0.0.1:1/api/trigger", std::string("2023-09-29"), "abcdefghij",
                                      std::nullopt});
    REQUIRE(ep.has_value());
    kfe::create_index_params ip;
    ip.endpoint_id = ep->value.id;
    auto ix = s.repo.create_index(ip);
    REQUIRE(ix.has_value());

    auto list = get(s.port, "/api/v1/endpoints", s.key());
    REQUIRE(list.status == 200);
    REQUIRE(list.json().at("endpoints").as_array().size() == 1);
    CHECK(list.json().at("endpoints").at(0).at("slug") == "my-app");

    auto one = get(s.port, "/api/v1/endpoints/my-app", s.key());
    CHECK(one.status == 200);
    CHECK(one.json().at("url") == "http://127.0.0.1:1/api/trigger");
    CHECK(one.json().at("version") == "2023-09-29");
    CHECK(get(s.port, "/api/v1/endpoints/nope", s.key()).json().at("error") == "Endpoint not found");
    CHECK(get(s.port, "/api/v1/endpoints/nope", s.key()).status == 404);

    auto pending = get(s.port, "/api/v1/endpointindex/" + ix->id, s.key());
    CHECK(pending.status == 200);
    CHECK(pending.json().at("status") == "PENDING");
    CHECK(pending.json().at("updatedAt").is_string());
    CHECK(!pending.json().as_object().contains("stats"));

    kfe::update_index_params up;
    up.id = ix->id;
    up.status = kfe::index_status::success;
    up.stats = boost::json::value{
        {"jobs", 2},         {"sources", 0},      {"webhooks", 0}, {"dynamicTriggers", 0}, {"dynamicSchedules", 0},
        {"disabledJobs", 0}, {"httpEndpoints", 0}};
    REQUIRE(s.repo.update_index(up).has_value());
    auto done = get(s.port, "/api/v1/endpointindex/" + ix->id, s.key());
    CHECK(done.json().at("status") == "SUCCESS");
    CHECK(done.json().at("stats").at("jobs") == 2);

    auto failed = s.repo.create_index(ip);
    kfe::update_index_params fu;
    fu.id = failed->id;
    fu.status = kfe::index_status::failure;
    fu.error = boost::json::value{{"message", "Could not connect to endpoint x"}};
    REQUIRE(s.repo.update_index(fu).has_value());
    auto f = get(s.port, "/api/v1/endpointindex/" + failed->id, s.key());
    CHECK(f.json().at("status") == "FAILURE");
    CHECK(f.json().at("error").at("message") == "Could not connect to endpoint x");

    auto missing = get(s.port, "/api/v1/endpointindex/nope", s.key());
    CHECK(missing.status == 404);
    CHECK(missing.json().at("error") == "EndpointIndex not found");

    auto indexes = get(s.port, "/api/v1/endpoints/my-app/indexes?limit=1", s.key());
    CHECK(indexes.status == 200);
    CHECK(indexes.json().at("indexes").as_array().size() == 1);
    CHECK(get(s.port, "/api/v1/endpoints/my-app/indexes?limit=0", s.key()).status == 400);
    CHECK(get(s.port, "/api/v1/endpoints/my-app/indexes?limit=abc", s.key()).status == 400);
    CHECK(get(s.port, "/api/v1/endpoints/my-app/indexes", s.key()).json().at("indexes").as_array().size() == 2);

    kfe::upsert_job_params jp;
    jp.endpoint_id = ep->value.id;
    jp.slug = "hello";
    jp.version = "1.0.0";
    jp.definition = boost::json::object{{"id", "hello"}};
    REQUIRE(s.repo.upsert_job(jp).has_value());
    auto jobs = get(s.port, "/api/v1/endpoints/my-app/jobs", s.key());
    CHECK(jobs.status == 200);
    CHECK(jobs.json().at("jobs").at(0).at("slug") == "hello");

    SECTION("another environment sees none of it") {
        kfe::create_environment_params cp{
            s.env.organization_id,    s.env.project_id, "prod", kfe::environment_type::production,
            "tr_prod_other_key_0001", std::nullopt};
        REQUIRE(s.repo.create_environment(cp).has_value());
        CHECK(get(s.port, "/api/v1/endpoints", "tr_prod_other_key_0001").json().at("endpoints").as_array().empty());
        CHECK(get(s.port, "/api/v1/endpoints/my-app", "tr_prod_other_key_0001").status == 404);
        CHECK(get(s.port, "/api/v1/endpointindex/" + ix->id, "tr_prod_other_key_0001").status == 404);
    }
    SECTION("auth and methods") {
        for (auto path : {"/api/v1/endpoints", "/api/v1/endpoints/my-app", "/api/v1/endpoints/my-app/indexes",
                          "/api/v1/endpoints/my-app/jobs"}) {
            CHECK(get(s.port, path).status == 401);
            CHECK(get(s.port, path, "tr_dev_nope").status == 401);
        }
        CHECK(get(s.port, "/api/v1/endpointindex/" + ix->id).status == 401);
        CHECK(call(s.port, boost::beast::http::verb::put, "/api/v1/endpoints/my-app").status == 405);
        CHECK(call(s.port, boost::beast::http::verb::post, "/api/v1/endpointindex/" + ix->id).status == 405);
        CHECK(call(s.port, boost::beast::http::verb::delete_, "/api/v1/endpoints/my-app/jobs").status == 405);
    }
}

TEST_CASE("queue introspection: counts, failed jobs, retry and cancel", "[integration][daemon]") {
    using namespace std::chrono_literals;
    core_server s;
    auto request = [](std::string kind, std::string queue = "default") {
        kfe::job_request r;
        r.kind = std::move(kind);
        r.queue = std::move(queue);
        return r;
    };
    auto doomed_req = request("index_endpoint");
    doomed_req.max_attempts = 1;
    auto doomed = s.jobs.enqueue(doomed_req).value();
    auto done = s.jobs.enqueue(request("index_endpoint")).value();
    auto later_req = request("report", "mail");
    later_req.run_at = kfe::now_ms() + 1h;
    auto later = s.jobs.enqueue(later_req).value();
    auto t0 = kfe::now_ms(); // after enqueue: the jobs' run_at is the enqueue time
    REQUIRE(s.jobs.claim({"default", 2, "w1", t0, t0 + 30s}).value().size() == 2);
    std::vector<kfe::job_outcome> outs{{doomed, kfe::job_outcome_kind::discard, {}, "endpoint answered 500"},
                                       {done, kfe::job_outcome_kind::completed, {}, {}}};
    REQUIRE(s.jobs.complete({"w1", outs, t0 + 1s}).value() == 2);
    auto waiting = s.jobs.enqueue(request("index_endpoint")).value();

    auto r = get(s.port, "/api/v1/queue", s.key());
    REQUIRE(r.status == 200);
    auto body = r.json().as_object();
    CHECK(body.at("totals").at("discarded") == 1);
    CHECK(body.at("totals").at("completed") == 1);
    CHECK(body.at("totals").at("scheduled") == 1);
    CHECK(body.at("totals").at("available") == 1);
    CHECK(body.at("totals").at("running") == 0);
    CHECK(body.at("queues").at("mail").at("scheduled") == 1);
    CHECK(body.at("queues").at("default").at("discarded") == 1);
    CHECK(body.at("oldestAvailableAt").is_string());
    CHECK(body.at("oldestAvailableAgeMs").is_int64());
    auto& failed = body.at("failed").as_array();
    REQUIRE(failed.size() == 1);
    auto job = failed[0].as_object();
    CHECK(job.at("id") == doomed);
    CHECK(job.at("kind") == "index_endpoint");
    CHECK(job.at("state") == "discarded");
    CHECK(job.at("attempt") == 1);
    CHECK(job.at("maxAttempts") == 1);
    CHECK(job.at("finalizedAt") == boost::json::value(kfe::format_timestamp(t0 + 1s)));
    CHECK(!job.contains("payload"));
    REQUIRE(job.at("errors").as_array().size() == 1);
    CHECK(job.at("errors").as_array().at(0).at("error") == "endpoint answered 500");
    CHECK(job.at("errors").as_array().at(0).at("attempt") == 1);
    CHECK(job.at("errors").as_array().at(0).at("at") == boost::json::value(kfe::format_timestamp(t0 + 1s)));
    CHECK(get(s.port, "/api/v1/queue?failed=0", s.key()).json().at("failed").as_array().empty());
    CHECK(get(s.port, "/api/v1/queue?failed=100", s.key()).status == 200);

    SECTION("retry makes a discarded job available") {
        auto rr = post(s.port, "/api/v1/queue/jobs/" + std::to_string(doomed) + "/retry", "", s.key());
        REQUIRE(rr.status == 200);
        CHECK(rr.json().at("state") == "available");
        CHECK(rr.json().at("maxAttempts") == 2);
        CHECK(rr.json().at("finalizedAt").is_null());
        CHECK(s.jobs.get(doomed).value().state == kfe::job_state::available);
        CHECK(get(s.port, "/api/v1/queue", s.key()).json().at("failed").as_array().empty());
    }
    SECTION("cancel a scheduled job, then neither cancel nor retry a final one") {
        auto path = "/api/v1/queue/jobs/" + std::to_string(later);
        auto c = post(s.port, path + "/cancel", "", s.key());
        REQUIRE(c.status == 200);
        CHECK(c.json().at("state") == "cancelled");
        CHECK(c.json().at("finalizedAt").is_string());
        auto again = post(s.port, path + "/cancel", "", s.key());
        CHECK(again.status == 409);
        CHECK(again.json().at("error").is_string());
        // A cancelled job can be retried (an operator undoing a cancel).
        CHECK(post(s.port, path + "/retry", "", s.key()).status == 200);
    }
    SECTION("a completed or running job is not retried") {
        auto c = post(s.port, "/api/v1/queue/jobs/" + std::to_string(done) + "/retry", "", s.key());
        CHECK(c.status == 409);
        CHECK(s.jobs.get(done).value().state == kfe::job_state::completed);
        REQUIRE(s.jobs.claim({"default", 1, "w2", kfe::now_ms(), kfe::now_ms() + 30s}).value().size() == 1);
        CHECK(post(s.port, "/api/v1/queue/jobs/" + std::to_string(waiting) + "/retry", "", s.key()).status == 409);
        // A running job can be cancelled: its worker learns it at the next heartbeat.
        CHECK(post(s.port, "/api/v1/queue/jobs/" + std::to_string(waiting) + "/cancel", "", s.key()).status == 200);
    }
    SECTION("unknown ids, bad ids, bad parameters, methods and auth") {
        CHECK(post(s.port, "/api/v1/queue/jobs/999999/retry", "", s.key()).status == 404);
        auto nf = post(s.port, "/api/v1/queue/jobs/999999/cancel", "", s.key());
        CHECK(nf.status == 404);
        CHECK(nf.json() == boost::json::value{{"error", "Job not found"}});
        for (auto bad : {"abc", "-1", "1.5", "12345678901234567890", "%20"})
            CHECK(post(s.port, std::string("/api/v1/queue/jobs/") + bad + "/retry", "", s.key()).status == 400);
        for (auto bad : {"-1", "101", "x", ""})
            CHECK(get(s.port, std::string("/api/v1/queue?failed=") + bad, s.key()).status == 400);
        CHECK(get(s.port, "/api/v1/queue").status == 401);
        CHECK(post(s.port, "/api/v1/queue/jobs/" + std::to_string(doomed) + "/retry", "", "").status == 401);
        CHECK(post(s.port, "/api/v1/queue/jobs/" + std::to_string(later) + "/cancel", "", "tr_dev_wrong").status ==
              401);
        CHECK(s.jobs.get(doomed).value().state == kfe::job_state::discarded); // nothing changed
        CHECK(s.jobs.get(later).value().state == kfe::job_state::scheduled);
        CHECK(call(s.port, boost::beast::http::verb::get, "/api/v1/queue/jobs/1/retry", {}, {}).status == 405);
        CHECK(post(s.port, "/api/v1/queue", "{}", s.key()).status == 405);
    }
}

TEST_CASE("unknown routes, limits and malformed requests never crash", "[integration][daemon]") {
    kfd::http_server_params sp;
    sp.max_body_bytes = 1024;
    sp.max_header_bytes = 2048;
    sp.read_timeout = std::chrono::milliseconds(500);
    core_server s(sp);

    auto nf = get(s.port, "/nope");
    CHECK(nf.status == 404);
    CHECK(nf.json().at("error") == "Not found");
    CHECK(get(s.port, "/api/v1/endpoints/a/b/c/d/e").status == 404);
    CHECK(get(s.port, "/api/v1/endpoints/%zz", s.key()).status == 404); // malformed escape: no route

    auto big = post(s.port, "/api/v1/whoami", std::string(4096, 'x'), s.key());
    CHECK(big.status == 413);
    CHECK(big.json().at("error").as_string().starts_with("Request body is too large"));

    std::string long_header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n";
    CHECK(raw(s.port, long_header).find("HTTP/1.1 431") == 0);

    auto garbage = raw(s.port, "NOT HTTP AT ALL\r\n\r\n");
    CHECK(garbage.find("HTTP/1.1 400") == 0);
    CHECK(garbage.find("Malformed HTTP request") != std::string::npos);

    // Chunked body over the limit.
    std::string chunked = "POST /api/v1/whoami HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) chunked += "200\r\n" + std::string(512, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    CHECK(raw(s.port, chunked).find("HTTP/1.1 413") == 0);

    // A client that stops mid-request is dropped at the read timeout, without an answer.
    auto t0 = std::chrono::steady_clock::now();
    auto partial = raw(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    CHECK(partial.empty());
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));

    // Keep-alive: two requests on one connection.
    auto two =
        raw(s.port,
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(two.find("HTTP/1.1 200") == 0);
    CHECK(two.find("HTTP/1.1 200", 10) != std::string::npos);

    // Expect: 100-continue gets its interim answer.
    auto cont = raw(
        s.port,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    CHECK(cont.find("HTTP/1.1 100 Continue") == 0);

    // The absolute form (RFC 9112 §3.2.2) is the same request as the origin form; other targets
    // (authority or asterisk form, a relative path) are refused.
    auto absolute = raw(s.port, "GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(absolute.find("HTTP/1.1 200") == 0);
    CHECK(absolute.find(R"({"status":"ok"})") != std::string::npos);
    CHECK(raw(s.port, "GET HTTPS://example.test:8443/nope?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .find("HTTP/1.1 404") == 0);
    CHECK(raw(s.port, "GET http://127.0.0.1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("HTTP/1.1 404") ==
          0);
    CHECK(
        raw(s.port, "GET http://127.0.0.1?a=b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("HTTP/1.1 404") ==
        0);
    auto relative = raw(s.port, "GET healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(relative.find("HTTP/1.1 400") == 0);
    CHECK(relative.find("Request target must be an absolute path") != std::string::npos);
    CHECK(raw(s.port, "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("HTTP/1.1 400") == 0);

    // The server still answers.
    CHECK(get(s.port, "/healthz").status == 200);
}

TEST_CASE("graceful stop closes idle connections", "[integration][daemon]") {
    core_server s;
    boost::asio::io_context ioc;
    boost::beast::tcp_stream idle(ioc);
    idle.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), s.port));
    // Wait until the server registered the connection.
    for (int i = 0; i < 200 && s.server->open_connections() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(s.server->open_connections() == 1);
    s.server->stop();
    for (int i = 0; i < 200 && s.server->open_connections() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(s.server->open_connections() == 0);
    idle.expires_after(std::chrono::seconds(5));
    char c;
    boost::system::error_code ec;
    idle.read_some(boost::asio::buffer(&c, 1), ec);
    CHECK(ec); // closed by the server
}

TEST_CASE("api_key_cache: accepted keys until they expire, bounded", "[integration][daemon]") {
    using clock = kfd::api_key_cache::clock;
    const auto t0 = clock::now();
    kfe::environment e;
    e.id = "env_1";
    e.api_key = "tr_dev_a";

    kfd::api_key_cache c(std::chrono::milliseconds(1000), 2);
    CHECK_FALSE(c.find("tr_dev_a", t0));
    c.remember("tr_dev_a", e, t0);
    auto hit = c.find("tr_dev_a", t0 + std::chrono::milliseconds(999));
    REQUIRE(hit);
    CHECK(hit->id == "env_1");
    CHECK_FALSE(c.find("tr_dev_b", t0));
    // Expired: gone, and erased on the way.
    CHECK_FALSE(c.find("tr_dev_a", t0 + std::chrono::milliseconds(1000)));
    CHECK(c.size() == 0);

    // Full: expired entries go first, then everything; the newest key is always kept.
    c.remember("k1", e, t0);
    c.remember("k2", e, t0 + std::chrono::milliseconds(500));
    c.remember("k3", e, t0 + std::chrono::milliseconds(1200)); // k1 expired: only it goes
    CHECK(c.size() == 2);
    CHECK_FALSE(c.find("k1", t0 + std::chrono::milliseconds(1200)));
    CHECK(c.find("k2", t0 + std::chrono::milliseconds(1200)));
    c.remember("k4", e, t0 + std::chrono::milliseconds(1300)); // none expired: cleared
    CHECK(c.size() == 1);
    CHECK(c.find("k4", t0 + std::chrono::milliseconds(1300)));
    c.remember("k4", e, t0 + std::chrono::milliseconds(1400)); // a known key refreshes in place
    CHECK(c.size() == 1);

    kfd::api_key_cache off(std::chrono::milliseconds(0), 16);
    off.remember("k", e, t0);
    CHECK(off.size() == 0);
}

TEST_CASE("routes with the API key cache: accepted keys are remembered for its lifetime only",
          "[integration][daemon]") {
    auto keys = std::make_shared<kfd::api_key_cache>(std::chrono::milliseconds(400), 64);
    core_server s({}, keys);
    REQUIRE(get(s.port, "/api/v1/whoami", s.key()).status == 200);
    CHECK(keys->size() == 1);

    // A rejected key is not remembered: once the database knows it, it works at once.
    const std::string later = "tr_prod_core_test_key_later";
    CHECK(get(s.port, "/api/v1/whoami", later).status == 401);
    CHECK(keys->size() == 1);
    REQUIRE(s.repo
                .create_environment({s.env.organization_id, s.env.project_id, "prod", kfe::environment_type::production,
                                     later, std::nullopt})
                .has_value());
    auto prod = get(s.port, "/api/v1/whoami", later);
    REQUIRE(prod.status == 200);
    CHECK(prod.json().at("type") == "PRODUCTION");

    // The key changes in the database behind the daemon's back (another process, by hand): the
    // old key keeps working until its entry expires, then gets 401.
    {
        auto c = kfe::sqlite::detail::connection::open(s.dir.file("db.sqlite"));
        REQUIRE(c.has_value());
        REQUIRE(c->exec("UPDATE kf_environments SET api_key = 'tr_dev_rotated' WHERE api_key = '" + s.key() + "'")
                    .has_value());
    }
    CHECK(get(s.port, "/api/v1/whoami", s.key()).status == 200);
    bool rejected = false;
    for (int i = 0; i < 40 && !rejected; ++i) { // the entry lives 400 ms: give it up to 2 s
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        rejected = get(s.port, "/api/v1/whoami", s.key()).status == 401;
    }
    CHECK(rejected);
    CHECK(get(s.port, "/api/v1/whoami", "tr_dev_rotated").status == 200);
}
