// Reads a JSONL corpus ({"schema", "body"} or {"schema", "text"} per line) and prints our verdict per line, in the format
// schema_diff.js writes for zod: {"ok","message","raw","issues","throws"} (JSON.stringify layout).
// For accepted payloads it also converts to the typed value, writes it back with value_from and
// validates that again, so a conversion bug shows up as a difference.
#include <kongflow/endpoints/client/schemas.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <fstream>
#include <iostream>
#include <string>

namespace json = boost::json;
namespace kf = kongflow::endpoints;

namespace {

template <class T>
json::value verdict_of(const kf::validated<T>& r, kf::validated<T> (*parse)(const json::value&)) {
    json::object out;
    if (r.ok()) {
        // Round trip: what we would serve must validate again, to the same typed value.
        json::value back = json::value_from(r.value());
        auto again = parse(back);
        if (!again.ok()) {
            out["ok"] = false;
            out["message"] = "round trip failed: " + kf::from_zod_error(again.issues());
            out["raw"] = json::serialize(back);
            out["issues"] = json::array();
            out["throws"] = false;
            return out;
        }
        out["ok"] = true;
        out["message"] = "";
        out["raw"] = "";
        out["issues"] = json::array();
        out["throws"] = false;
        return out;
    }
    out["ok"] = false;
    out["message"] = kf::zod_error_message(r.issues());
    out["raw"] = kf::from_zod_error(r.issues());
    out["issues"] = kf::zod_issues_to_json(r.issues());
    out["throws"] = false;
    out["generated"] = kf::generate_error_message(r.issues());
    return out;
}

json::value judge(std::string_view schema, const json::value& body) {
    if (schema == "index") {
        auto r = kf::parse_index_endpoint_response(body);
        if (r.ok()) return verdict_of(r, &kf::parse_index_endpoint_response);
        auto f = kf::index_failure_message(body, r.issues());
        json::object out;
        out["ok"] = false;
        out["message"] = f.message;
        out["raw"] = f.raw;
        out["issues"] = kf::zod_issues_to_json(r.issues());
        out["throws"] = f.reference_throws;
        return out;
    }
#define KF_JUDGE(name, fn)                                                                                             \
    if (schema == name) return verdict_of(kf::fn(body), &kf::fn);
    KF_JUDGE("job", parse_job_metadata)
    KF_JUDGE("pong", parse_pong_response)
    KF_JUDGE("validate", parse_validate_response)
    KF_JUDGE("error_with_stack", parse_error_with_stack)
    KF_JUDGE("stats", parse_index_endpoint_stats)
    KF_JUDGE("deliver_event", parse_deliver_event_response)
    KF_JUDGE("run_job", parse_run_job_response)
    KF_JUDGE("http_source", parse_http_source_response)
    KF_JUDGE("webhook_delivery", parse_webhook_delivery_response)
    KF_JUDGE("register_trigger_v1", parse_register_trigger_body_v1)
    KF_JUDGE("register_trigger_v2", parse_register_trigger_body_v2)
    KF_JUDGE("preprocess_run", parse_preprocess_run_response)
    KF_JUDGE("execute_job_headers", parse_execute_job_headers)
#undef KF_JUDGE
    json::object out;
    out["ok"] = false;
    out["message"] = "unknown schema " + std::string(schema);
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: kongflow_schema_judge <corpus.jsonl>\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << "cannot open " << argv[1] << "\n";
        return 2;
    }
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        ++n;
        json::value v;
        try {
            v = json::parse(line);
            const auto& o = v.as_object();
            json::value body = o.contains("text") ? json::parse(o.at("text").as_string()) : o.at("body");
            std::cout << kf::js_json_stringify(judge(o.at("schema").as_string(), body)) << '\n';
        } catch (const std::exception& e) {
            std::cout << "{\"error\":\"line " << n << ": " << e.what() << "\"}\n";
        }
    }
    return 0;
}
