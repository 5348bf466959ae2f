// Every reply reader against seeded hostile replies: mutated valid bodies, bytes that are not JSON,
// deep nesting, odd statuses and headers. The readers must never throw, and every error they
// report must carry a message a user can read (diagnostics' client message, or the outcome's).
#include "catch.hpp"
#include "json_mutator.hpp"
#include "text_file.hpp"

#include <kongflow/endpoints/client/replies.hpp>
#include <kongflow/endpoints/json_text.hpp>

#include <boost/json.hpp>

#include <functional>
#include <random>

namespace json = boost::json;
using namespace kongflow::endpoints;

namespace {

const std::string url = "http://127.0.0.1:3000/api/trigger";

std::string fixture(const std::string& name) {
    return kf_test::read_text_file(std::string(KONGFLOW_TEST_FIXTURES_DIR) + "/sdk-2.3.19/" + name);
}

/// Seeded hostile replies built from valid bodies of one action.
class reply_source {
public:
    reply_source(unsigned seed, std::vector<std::string> valid) : rng_(seed), valid_(std::move(valid)) {
        for (const auto& v : valid_) parsed_.push_back(json::parse(v));
    }

    http_response next() {
        http_response r;
        static const unsigned statuses[] = {200, 200, 200, 200, 201, 204, 301, 400, 401,
                                            403, 404, 405, 422, 500, 502, 503, 504, 999};
        r.status = statuses[pick(std::size(statuses))];
        static const char* header_values[] = {"",           "{}",       "{",     "null",
                                              "2023-09-29", "\x01\x02", "[1,2]", "9999999999999999999"};
        for (const char* name : {"x-trigger-run-metadata", "trigger-version", "trigger-sdk-version", "content-type",
                                 "cf-ray", "x-vercel-error", "location"})
            if (pick(4) == 0) r.headers.push_back({name, header_values[pick(std::size(header_values))]});
        const auto which = pick(valid_.size());
        const auto& base = valid_[which];
        switch (pick(8)) {
        case 0: r.body = base; break;
        case 1: r.body = base.substr(0, pick(base.size() + 1)); break;
        case 2: r.body = std::string(pick(20000) + 1, pick(2) ? '[' : '{'); break;
        case 3: r.body = kf_test::random_bytes(rng_, 399); break;
        default: {
            kf_test::json_mutator mutate(rng_);
            r.body = json::serialize(mutate(parsed_[which]));
        }
        }
        return r;
    }

    std::size_t pick(std::size_t n) { return kf_test::pick(rng_, n); }

private:
    std::mt19937 rng_;
    std::vector<std::string> valid_;
    std::vector<json::value> parsed_; ///< valid_, parsed once for the mutations
};

constexpr int rounds = 1500;

/// Runs `read` on `rounds` hostile replies (and a few "no response" errors); the reader fills the
/// diagnostics and returns whether the reply counts as an error. Every error needs a message.
void hammer(unsigned seed, std::vector<std::string> valid,
            const std::function<error_code(error_code transport, const http_response&, diagnostics&,
                                           std::string& message)>& read) {
    INFO("seed " << seed);
    reply_source source(seed, std::move(valid));
    int errors = 0, clean = 0;
    for (int i = 0; i < rounds; ++i) {
        error_code transport = source.pick(20) == 0 ? error_code(errc::connect_failed) : error_code{};
        auto reply = source.next();
        diagnostics diag;
        std::string message;
        error_code ec;
        INFO("round " << i << ", status " << reply.status << ", body " << reply.body.substr(0, 300));
        REQUIRE_NOTHROW(ec = read(transport, reply, diag, message));
        if (ec) {
            ++errors;
            // The message a user sees: the reader's own (stored on an index, a run) or the diagnostics'.
            if (message.empty()) message = std::string(diag.client_message());
            CHECK(!message.empty());
        } else {
            ++clean;
        }
    }
    // Both branches were reached: the corpus holds valid replies and broken ones.
    CHECK(errors > 0);
    CHECK(clean > 0);
}

} // namespace

TEST_CASE("hostile replies: PING, VALIDATE and INDEX_ENDPOINT readers", "[unit][client]") {
    hammer(1, {fixture("ping-ok.body.json"), R"({"ok":false,"error":"Endpoint ID mismatch error"})"},
           [](error_code t, const http_response& r, diagnostics& d, std::string& m) {
               ping_result out;
               auto ec = replies::read_ping(url, t, r, out, d);
               if (ec) m = out.error;
               return ec;
           });
    hammer(2, {fixture("validate-ok.body.json")},
           [](error_code t, const http_response& r, diagnostics& d, std::string&) {
               validate_result out;
               return replies::read_validate(url, t, r, out, d);
           });
    hammer(3, {fixture("index-ok.body.json")},
           [](error_code t, const http_response& r, diagnostics& d, std::string& m) {
               index_result out;
               auto ec = replies::read_index(url, t, r, out, d);
               if (out.kind == index_result::outcome::failure) {
                   CHECK(ec);
                   m = out.error.message;
               }
               if (out.kind == index_result::outcome::success) CHECK(!ec);
               return ec;
           });
}

TEST_CASE("hostile replies: EXECUTE_JOB, PREPROCESS_RUN and INITIALIZE_TRIGGER readers", "[unit][client]") {
    hammer(
        4,
        {R"({"status":"SUCCESS","output":{"a":1}})", R"({"status":"ERROR","error":{"message":"m","stack":"s"}})",
         R"({"status":"RESUME_WITH_TASK","task":{"id":"t","name":"n","status":"PENDING","noop":false,"idempotencyKey":"k"}})"},
        [](error_code t, const http_response& r, diagnostics& d, std::string& m) {
            execute_job_result out;
            auto ec = replies::read_execute_job(url, t, r, out, d);
            if (out.kind != execute_job_result::outcome::success) {
                CHECK(!out.message.empty());
                m = out.message;
                return ec ? ec : error_code(errc::invalid_response);
            }
            return ec;
        });
    hammer(5, {R"({"abort":false,"properties":[{"label":"a","text":"b"}]})", R"({"abort":true})"},
           [](error_code t, const http_response& r, diagnostics& d, std::string&) {
               preprocess_run_result out;
               return replies::read_preprocess_run(url, t, r, out, d);
           });
    const std::string integration =
        R"("integration":{"id":"fake","metadata":{"id":"fake","name":"Fake"},"authSource":"LOCAL"})";
    hammer(6,
           {R"({"rule":{"event":["push"],"source":"fake"},"source":{"version":"2","channel":"HTTP",)" + integration +
                R"(,"key":"k2","params":{"repo":"a/b"},"options":{"event":["push"]}},"accountId":"acc"})",
            R"({"rule":{"event":["push"],"source":"fake"},"source":{"version":"1","channel":"HTTP",)" + integration +
                R"(,"key":"k1","events":["push"]}})"},
           [](error_code t, const http_response& r, diagnostics& d, std::string&) {
               register_trigger_body out;
               return replies::read_initialize_trigger(url, t, r, out, d);
           });
}

TEST_CASE("hostile replies: HTTP source, webhook, HTTP endpoint, probe, notification and event readers",
          "[unit][client]") {
    hammer(
        7,
        {R"({"response":{"status":200,"body":"ok","headers":{"a":"b"}},"events":[{"id":"1","name":"x","payload":{}}],"metadata":{}})"},
        [](error_code t, const http_response& r, diagnostics& d, std::string&) {
            http_source_response out;
            return replies::read_http_source(url, t, r, out, d);
        });
    hammer(8,
           {R"({"response":{"status":200,"body":"ok"},"verified":true})",
            R"({"response":{"status":401,"headers":{"a":"b"}},"verified":false,"error":"bad signature"})"},
           [](error_code t, const http_response& r, diagnostics& d, std::string&) {
               webhook_delivery_response out;
               return replies::read_webhook(url, t, r, out, d);
           });
    hammer(9, {R"({"status":201,"body":"hi","headers":{"x":"y"}})"},
           [](error_code t, const http_response& r, diagnostics& d, std::string&) {
               http_endpoint_response_result out;
               return replies::read_http_endpoint(url, t, r, out, d);
           });
    hammer(10, {R"({"ok":true})"}, [](error_code t, const http_response& r, diagnostics& d, std::string&) {
        probe_result out;
        auto ec = replies::read_probe(t, r, out, d);
        if (!t) CHECK(out.status == r.status);
        return ec ? ec : t;
    });
    hammer(11, {R"({})"}, [](error_code t, const http_response& r, diagnostics& d, std::string&) {
        return replies::read_run_notification(url, t, r, d);
    });
    hammer(12, {R"({"deliveredAt":"2024-01-01T00:00:00.000Z"})"},
           [](error_code t, const http_response& r, diagnostics& d, std::string&) {
               deliver_event_response out;
               return replies::read_deliver_event(url, t, r, out, d);
           });
}

// tests/fuzz/corpus/action_replies/regression-status-000: a status line "HTTP/1.1 000" (Beast
// reads any three digits) gave make_http_error(0), a success code, so PING returned no error with
// ok == false and EXECUTE_JOB a "retry" without error.
TEST_CASE("a 000 status is a failure for every reader", "[unit][client]") {
    http_response r;
    r.status = 0;
    r.body = R"({"ok":true})";
    diagnostics d;
    ping_result ping;
    CHECK(replies::read_ping(url, {}, r, ping, d));
    CHECK(!ping.ok);
    validate_result validate;
    CHECK(replies::read_validate(url, {}, r, validate, d));
    index_result index;
    CHECK(replies::read_index(url, {}, r, index, d));
    execute_job_result job;
    CHECK(replies::read_execute_job(url, {}, r, job, d));
    CHECK(job.kind != execute_job_result::outcome::success);
    preprocess_run_result pre;
    CHECK(replies::read_preprocess_run(url, {}, r, pre, d));
    CHECK(replies::read_run_notification(url, {}, r, d));
    deliver_event_response event;
    CHECK(replies::read_deliver_event(url, {}, r, event, d));
}

// tests/fuzz/corpus/index_reply/regression-infinity: {"limit":1e4002} parses as infinity (as in
// JS) and validates (zod's number() takes Infinity); Boost.JSON then wrote "Infinity", which the
// SQLite store could not read back and no client could parse. JSON text is now JSON.stringify's.
TEST_CASE("JSON we write stays JSON with numbers that are not finite", "[unit][client]") {
    auto v = json::parse(R"([1e400,{"a":-1e999,"b":[1e4002]},1,"x"])");
    CHECK(json_text(v) == R"([null,{"a":null,"b":[null]},1,"x"])");
    CHECK(json_text(json::parse(R"({"a":[1,2]})")) == R"({"a":[1,2]})");
    auto req = replies::make_json_action(endpoint_action::execute_job, endpoint_target{url, "k", std::nullopt}, v, {});
    boost::system::error_code ec;
    json::parse(req.body, ec);
    CHECK(!ec);
}
