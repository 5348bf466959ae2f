// fuzz_index_reply: bytes → JSON (as read_index parses a reply body) → IndexEndpointResponseSchema
// → typed values. Oracles: validate_index_endpoint_response and parse_index_endpoint_response
// agree; a rejected body still gets the webapp's failure message; an accepted one round-trips:
// written with value_from, serialised, parsed and validated again, it gives the same typed value
// (compared through value_from), and value_to reads the written JSON back to it too. A value
// holding a number that is not finite (1e400) is written as JSON.stringify writes it (null).
#include "fuzz_check.hpp"

#include <kongflow/endpoints/client/schemas.hpp>
#include <kongflow/endpoints/json_text.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
#include <cstdint>

namespace json = boost::json;
namespace kfe = kongflow::endpoints;

namespace {

std::string first_issue(const kfe::validated<kfe::index_endpoint_response>& v) {
    if (v.ok() || v.issues().empty()) return "(no issue)";
    const auto& i = v.issues().front();
    return i.code + ": " + i.message;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    boost::system::error_code ec;
    auto body = json::parse(text, ec);
    if (ec) return 0;

    auto issues = kfe::validate_index_endpoint_response(body);
    auto parsed = kfe::parse_index_endpoint_response(body);
    KF_FUZZ_CHECK(parsed.ok() == issues.empty(), "validate and parse disagree on " + kf_fuzz::show(text));
    if (!parsed.ok()) {
        KF_FUZZ_CHECK(parsed.issues().size() == issues.size(), "parse and validate report different issues");
        auto failure = kfe::index_failure_message(body, parsed.issues());
        KF_FUZZ_CHECK(!failure.message.empty(), "a rejected index has no failure message");
        return 0;
    }

    json::value written = json::value_from(parsed.value());
    std::string wire = kfe::json_text(written); // what the store and the wire get
    auto reread = json::parse(wire, ec);
    KF_FUZZ_CHECK(!ec, "the written index is not JSON: " + kf_fuzz::show(wire));
    // 1e400 is Infinity, which zod's number() accepts; written as JSON.stringify does, it becomes
    // null, so such a value cannot come back (nor does it in Trigger.dev): JSON is all we ask.
    if (kfe::each_non_finite(written, [](const json::value&) {})) return 0;
    KF_FUZZ_CHECK(reread == written, "serialise/parse changed the written index: " + kf_fuzz::show(wire));

    auto again = kfe::parse_index_endpoint_response(reread);
    KF_FUZZ_CHECK(again.ok(),
                  "the written index does not validate (" + first_issue(again) + "): " + kf_fuzz::show(wire));
    auto rewritten = json::value_from(again.value());
    KF_FUZZ_CHECK(rewritten == written, "round trip changed the index: " + kf_fuzz::show(wire) + " became " +
                                            kf_fuzz::show(json::serialize(rewritten)));

    auto direct = json::value_to<kfe::index_endpoint_response>(reread);
    KF_FUZZ_CHECK(json::value_from(direct) == written, "value_to of the written index differs: " + kf_fuzz::show(wire));
    return 0;
}
