// fuzz_action_replies: every reply reader (PING, VALIDATE, INDEX_ENDPOINT, EXECUTE_JOB,
// PREPROCESS_RUN, INITIALIZE_TRIGGER, the HTTP source, webhook and HTTP endpoint deliveries,
// PROBE_EXECUTION_TIMEOUT, RUN_NOTIFICATION, DELIVER_EVENT) on any status, headers and body.
//
// Input: a response as text, "HTTP/1.1 <status> <reason>" then "name: value" lines, an empty line
// and the body (the SDK fixtures are seeds as captured); a first line "ERROR <n>" is no response
// (a transport error). Read leniently: any status number, any bytes in names and values.
//
// Oracles: every failure explains itself (a client message; but the endpoint's own empty message,
// {"message": ""} or {"error": ""}, is passed on as is, as Trigger.dev does) and keeps at most
// 4 KiB of the endpoint's text; success and failure agree with the result (ok, kind); a typed
// result that the reader accepted, written back with value_from, validates again to the same value.
#include "fuzz_check.hpp"

#include <kongflow/endpoints/client/replies.hpp>
#include <kongflow/endpoints/json_text.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>

namespace json = boost::json;
namespace kfe = kongflow::endpoints;
namespace replies = kfe::replies;

namespace {

const std::string url = "http://127.0.0.1:1/api/trigger";

struct input {
    kfe::error_code transport;
    kfe::http_response reply;
};

input read_input(std::string_view text) {
    input in;
    auto end_of_head = text.find("\n\n");
    auto crlf = text.find("\r\n\r\n");
    std::size_t body_at = text.size();
    if (crlf != std::string_view::npos && (end_of_head == std::string_view::npos || crlf < end_of_head)) {
        end_of_head = crlf;
        body_at = crlf + 4;
    } else if (end_of_head != std::string_view::npos) {
        body_at = end_of_head + 2;
    }
    auto head = text.substr(0, end_of_head);
    in.reply.body = std::string(text.substr(std::min(body_at, text.size())));
    bool first = true;
    while (!head.empty()) {
        auto nl = head.find('\n');
        auto line = head.substr(0, nl);
        head = nl == std::string_view::npos ? std::string_view{} : head.substr(nl + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (first) {
            first = false;
            auto sp = line.find(' ');
            auto rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
            auto sp2 = rest.find(' ');
            auto number = rest.substr(0, sp2);
            unsigned v = 0;
            std::from_chars(number.data(), number.data() + number.size(), v);
            if (line.starts_with("ERROR")) {
                in.transport = kfe::error_code(static_cast<int>(v % 64) + 1, kfe::get_errc_category());
            } else {
                in.reply.status = v;
                if (sp2 != std::string_view::npos) in.reply.reason = std::string(rest.substr(sp2 + 1));
            }
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        in.reply.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    return in;
}

/// An error body {"message": ""} or a pong {"ok": false, "error": ""}: the readers report the
/// endpoint's own message as Trigger.dev does, so that failure may come without a reason
/// (corpus/action_replies/regression-empty-endpoint-message, regression-empty-pong-error).
bool silent_endpoint = false;

/// After any reader: a failure has a reason, and the endpoint's text is capped.
void check_diag(std::string_view reader, kfe::error_code ec, const kfe::diagnostics& diag) {
    if (ec && !silent_endpoint)
        KF_FUZZ_CHECK(!diag.client_message().empty(), std::string(reader) + " failed without a reason");
    KF_FUZZ_CHECK(diag.server_message().size() <= 4096, std::string(reader) + " kept more than 4 KiB of the body");
}

/// A typed value written back validates again to itself.
template <class T, class Parse>
void round_trip(std::string_view what, const T& value, Parse parse) {
    json::value written = json::value_from(value);
    boost::system::error_code ec;
    auto text = kfe::json_text(written);
    (void)json::parse(text, ec);
    KF_FUZZ_CHECK(!ec, std::string(what) + ": the written value is not JSON: " + kf_fuzz::show(text));
    if (kfe::each_non_finite(written, [](const json::value&) {})) return; // 1e400: null once written
    auto again = parse(written);
    KF_FUZZ_CHECK(again.ok(),
                  std::string(what) +
                      ": the written value does not validate: " + kf_fuzz::show(json::serialize(written)) +
                      (again.issues().empty() ? std::string() : " (" + again.issues().front().message + ")"));
    auto rewritten = json::value_from(again.value());
    KF_FUZZ_CHECK(rewritten == written, std::string(what) + ": round trip changed " +
                                            kf_fuzz::show(json::serialize(written)) + " into " +
                                            kf_fuzz::show(json::serialize(rewritten)));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto in = read_input(std::string_view(reinterpret_cast<const char*>(data), size));
    const auto& reply = in.reply;
    const auto transport = in.transport;
    {
        boost::system::error_code ec;
        auto body = json::parse(reply.body, ec);
        auto empty = [&](const char* key) {
            auto* v = !ec && body.is_object() ? body.as_object().if_contains(key) : nullptr;
            return v && v->is_string() && v->get_string().empty();
        };
        silent_endpoint = empty("message") || empty("error");
    }

    {
        kfe::diagnostics diag;
        kfe::ping_result r;
        auto ec = replies::read_ping(url, transport, reply, r, diag);
        check_diag("read_ping", ec, diag);
        KF_FUZZ_CHECK(!ec == r.ok, "read_ping: error and ok disagree");
        if (ec && !silent_endpoint) KF_FUZZ_CHECK(!r.error.empty(), "read_ping: a failure without its message");
    }
    {
        kfe::diagnostics diag;
        kfe::validate_result r;
        auto ec = replies::read_validate(url, transport, reply, r, diag);
        check_diag("read_validate", ec, diag);
        KF_FUZZ_CHECK(!ec == r.ok, "read_validate: error and ok disagree");
    }
    {
        kfe::diagnostics diag;
        kfe::index_result r;
        auto ec = replies::read_index(url, transport, reply, r, diag);
        check_diag("read_index", ec, diag);
        using k = kfe::index_result::outcome;
        KF_FUZZ_CHECK((r.kind == k::failure) == bool(ec), "read_index: error and outcome disagree");
        if (r.kind == k::failure && !silent_endpoint)
            KF_FUZZ_CHECK(!r.error.message.empty(), "read_index: a failure without message");
        if (r.kind == k::redirect)
            KF_FUZZ_CHECK(r.location.find_first_not_of(" \t") != std::string::npos, "read_index: blank Location");
        if (r.kind == k::success)
            round_trip("index", r.response, [](const json::value& v) { return kfe::parse_index_endpoint_response(v); });
    }
    {
        kfe::diagnostics diag;
        kfe::execute_job_result r;
        auto ec = replies::read_execute_job(url, transport, reply, r, diag);
        using k = kfe::execute_job_result::outcome;
        KF_FUZZ_CHECK((r.kind == k::success) == !ec, "read_execute_job: error and outcome disagree");
        check_diag("read_execute_job", ec, diag);
        if (ec && !silent_endpoint) KF_FUZZ_CHECK(!r.message.empty(), "read_execute_job: a failure without message");
    }
    {
        kfe::diagnostics diag;
        kfe::preprocess_run_result r;
        auto ec = replies::read_preprocess_run(url, transport, reply, r, diag);
        check_diag("read_preprocess_run", ec, diag);
        if (!ec)
            round_trip("preprocess", r, [](const json::value& v) { return kfe::parse_preprocess_run_response(v); });
    }
    {
        kfe::diagnostics diag;
        kfe::register_trigger_body r;
        auto ec = replies::read_initialize_trigger(url, transport, reply, r, diag);
        check_diag("read_initialize_trigger", ec, diag);
        if (!ec) {
            if (auto* v1 = std::get_if<kfe::register_trigger_body_v1>(&r))
                round_trip("trigger v1", *v1,
                           [](const json::value& v) { return kfe::parse_register_trigger_body_v1(v); });
            else
                round_trip("trigger v2", std::get<kfe::register_trigger_body_v2>(r),
                           [](const json::value& v) { return kfe::parse_register_trigger_body_v2(v); });
        }
    }
    {
        kfe::diagnostics diag;
        kfe::http_source_response r;
        auto ec = replies::read_http_source(url, transport, reply, r, diag);
        check_diag("read_http_source", ec, diag);
        if (!ec) round_trip("http source", r, [](const json::value& v) { return kfe::parse_http_source_response(v); });
    }
    {
        kfe::diagnostics diag;
        kfe::webhook_delivery_response r;
        auto ec = replies::read_webhook(url, transport, reply, r, diag);
        check_diag("read_webhook", ec, diag);
        if (!ec) round_trip("webhook", r, [](const json::value& v) { return kfe::parse_webhook_delivery_response(v); });
    }
    {
        kfe::diagnostics diag;
        kfe::http_endpoint_response_result r;
        auto ec = replies::read_http_endpoint(url, transport, reply, r, diag);
        check_diag("read_http_endpoint", ec, diag);
        if (!ec)
            round_trip("http endpoint", r.response,
                       [](const json::value& v) { return kfe::parse_normalized_response(v); });
    }
    {
        kfe::diagnostics diag;
        kfe::probe_result r;
        auto ec = replies::read_probe(transport, reply, r, diag);
        check_diag("read_probe", ec, diag);
        if (!ec) KF_FUZZ_CHECK(r.status == reply.status, "read_probe: status changed");
    }
    {
        kfe::diagnostics diag;
        auto ec = replies::read_run_notification(url, transport, reply, diag);
        check_diag("read_run_notification", ec, diag);
        if (!transport) KF_FUZZ_CHECK(!ec == reply.ok(), "read_run_notification: error and status disagree");
    }
    {
        kfe::diagnostics diag;
        kfe::deliver_event_response r;
        auto ec = replies::read_deliver_event(url, transport, reply, r, diag);
        check_diag("read_deliver_event", ec, diag);
        if (!ec)
            round_trip("deliver event", r, [](const json::value& v) { return kfe::parse_deliver_event_response(v); });
    }
    (void)replies::is_platform_timeout(reply);
    return 0;
}
