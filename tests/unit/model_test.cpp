// The value model: timestamps, enum names, JSON field names, identifiers.
#include "catch.hpp"

#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/model.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <set>
#include <vector>

namespace kf = kongflow::endpoints;
namespace json = boost::json;
using namespace std::chrono;

namespace {
kf::timestamp at(std::int64_t ms) { return kf::timestamp(milliseconds(ms)); }
} // namespace

TEST_CASE("timestamps format as ISO-8601 with milliseconds", "[unit][model]") {
    CHECK(kf::format_timestamp(at(1704164645678)) == "2024-01-02T03:04:05.678Z");
    CHECK(kf::format_timestamp(at(0)) == "1970-01-01T00:00:00.000Z");
    CHECK(kf::format_timestamp(at(-1)) == "1969-12-31T23:59:59.999Z");
    CHECK(kf::format_timestamp(at(951782400000)) == "2000-02-29T00:00:00.000Z");
    CHECK(kf::format_timestamp(at(253402300799999)) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("timestamps parse ISO-8601 / RFC 3339", "[unit][model]") {
    CHECK(kf::parse_timestamp("2024-01-02T03:04:05.678Z").value() == at(1704164645678));
    CHECK(kf::parse_timestamp("2024-01-02T03:04:05Z").value() == at(1704164645000));
    CHECK(kf::parse_timestamp("2024-01-02T03:04:05.6Z").value() == at(1704164645600));
    CHECK(kf::parse_timestamp("2024-01-02T03:04:05.678999Z").value() == at(1704164645678)); // truncated
    CHECK(kf::parse_timestamp("2024-01-02T05:04:05.678+02:00").value() == at(1704164645678));
    CHECK(kf::parse_timestamp("2024-01-01T22:04:05.678-05:00").value() == at(1704164645678));
    CHECK(kf::parse_timestamp("2024-01-02t03:04:05.678z").value() == at(1704164645678));
    CHECK(kf::parse_timestamp("1969-12-31T23:59:59.999Z").value() == at(-1));
    for (std::int64_t ms :
         {std::int64_t{0}, std::int64_t{1704164645678}, std::int64_t{-86400001}, std::int64_t{253402300799999}})
        CHECK(kf::parse_timestamp(kf::format_timestamp(at(ms))).value() == at(ms));

    for (const char* bad :
         {"", "2024", "2024-01-02", "2024-01-02T03:04:05", "2024-01-02T03:04:05.Z", "2024-13-02T03:04:05Z",
          "2024-02-30T03:04:05Z", "2023-02-29T00:00:00Z", "2024-01-02T24:00:00Z", "2024-01-02T03:60:00Z",
          "2024-01-02T03:04:60Z", "2024-01-02T03:04:05+0200", "2024-01-02T03:04:05Zjunk", "2024-01-02X03:04:05Z",
          "２０２４-01-02T03:04:05Z", "2024-01-02T03:04:05+24:00"}) {
        INFO(bad);
        auto r = kf::parse_timestamp(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == kf::errc::invalid_argument);
    }
}

TEST_CASE("enum names match Trigger.dev's", "[unit][model]") {
    CHECK(kf::to_string(kf::environment_type::development) == "DEVELOPMENT");
    CHECK(kf::to_string(kf::environment_type::production) == "PRODUCTION");
    CHECK(kf::to_string(kf::environment_type::staging) == "STAGING");
    CHECK(kf::to_string(kf::environment_type::preview) == "PREVIEW");
    CHECK(kf::to_string(kf::index_source::manual) == "MANUAL");
    CHECK(kf::to_string(kf::index_source::api) == "API");
    CHECK(kf::to_string(kf::index_source::internal) == "INTERNAL");
    CHECK(kf::to_string(kf::index_source::hook) == "HOOK");
    CHECK(kf::to_string(kf::index_status::pending) == "PENDING");
    CHECK(kf::to_string(kf::index_status::started) == "STARTED");
    CHECK(kf::to_string(kf::index_status::success) == "SUCCESS");
    CHECK(kf::to_string(kf::index_status::failure) == "FAILURE");
    CHECK(kf::to_string(kf::registration_kind::http_endpoint) == "HTTP_ENDPOINT");
    CHECK(kf::parse_index_status("FAILURE").value() == kf::index_status::failure);
    CHECK(kf::parse_index_source("HOOK").value() == kf::index_source::hook);
    CHECK(kf::parse_environment_type("STAGING").value() == kf::environment_type::staging);
    CHECK(kf::parse_registration_kind("DYNAMIC_SCHEDULE").value() == kf::registration_kind::dynamic_schedule);
    CHECK(kf::parse_index_status("failure").error() == kf::errc::invalid_argument); // case-sensitive
    CHECK(kf::parse_index_source("").error() == kf::errc::invalid_argument);
    CHECK(kf::parse_environment_type("PRODUCTION ").error() == kf::errc::invalid_argument);
    CHECK(kf::to_string(static_cast<kf::index_status>(42)) == "?");
}

TEST_CASE("endpoint JSON uses Trigger.dev's field names", "[unit][model]") {
    kf::endpoint e;
    e.id = "clp1abc";
    e.slug = "my-app";
    e.url = "http://localhost:3000/api/trigger";
    e.environment_id = "env1";
    e.organization_id = "org1";
    e.project_id = "proj1";
    e.indexing_hook_identifier = "0123456789";
    e.version = "2023-09-29";
    e.created_at = at(1704164645678);
    e.updated_at = at(1704164645679);
    auto jv = json::value_from(e);
    auto expected = json::parse(R"({"id":"clp1abc","slug":"my-app","url":"http://localhost:3000/api/trigger",
        "environmentId":"env1","organizationId":"org1","projectId":"proj1",
        "createdAt":"2024-01-02T03:04:05.678Z","updatedAt":"2024-01-02T03:04:05.679Z",
        "indexingHookIdentifier":"0123456789","version":"2023-09-29","sdkVersion":"unknown",
        "runChunkExecutionLimit":60000})");
    CHECK(jv == expected);
    CHECK(json::value_to<kf::endpoint>(jv) == e);

    e.url.reset();
    e.indexing_hook_identifier.reset();
    jv = json::value_from(e);
    CHECK(jv.at("url").is_null());
    CHECK(jv.at("indexingHookIdentifier").is_null());
    CHECK(json::value_to<kf::endpoint>(jv) == e);
    // Absent optional fields read as null; runChunkExecutionLimit defaults.
    jv.as_object().erase("url");
    jv.as_object().erase("runChunkExecutionLimit");
    CHECK(json::value_to<kf::endpoint>(jv) == e);
}

TEST_CASE("endpoint index JSON round-trips, JSON columns included", "[unit][model]") {
    kf::endpoint_index ix;
    ix.id = "ix1";
    ix.endpoint_id = "ep1";
    ix.source = kf::index_source::hook;
    ix.source_data = json::parse(R"({"type":"deployment.succeeded"})");
    ix.reason = "deployed";
    ix.status = kf::index_status::success;
    ix.stats = json::parse(R"({"jobs":1,"sources":0,"webhooks":0})");
    ix.data = json::parse(R"({"jobs":[]})");
    ix.created_at = at(1);
    ix.updated_at = at(2);
    auto jv = json::value_from(ix);
    CHECK(jv.at("endpointId") == "ep1");
    CHECK(jv.at("source") == "HOOK");
    CHECK(jv.at("status") == "SUCCESS");
    CHECK(jv.at("sourceData") == ix.source_data);
    CHECK(jv.at("error").is_null());
    CHECK(jv.at("createdAt") == "1970-01-01T00:00:00.001Z");
    CHECK(json::value_to<kf::endpoint_index>(jv) == ix);
}

TEST_CASE("environment, organization, project and registrations round-trip", "[unit][model]") {
    kf::environment env{"e", "o", "p", "prod", kf::environment_type::production, "tr_prod_x", at(5), at(6)};
    auto ej = json::value_from(env);
    CHECK(ej.at("apiKey") == "tr_prod_x");
    CHECK(ej.at("type") == "PRODUCTION");
    CHECK(ej.at("projectId") == "p");
    CHECK(json::value_to<kf::environment>(ej) == env);
    kf::organization org{"o", "acme", "Acme", at(1), at(2)};
    CHECK(json::value_to<kf::organization>(json::value_from(org)) == org);
    kf::project proj{"p", "o", "web", "Web", at(1), at(2)};
    CHECK(json::value_from(proj).at("organizationId") == "o");
    CHECK(json::value_to<kf::project>(json::value_from(proj)) == proj);
    kf::registered_job job{"j", "e", "send", "1.0.0", json::parse(R"({"a":1})"), false, true, at(1), at(2)};
    CHECK(json::value_to<kf::registered_job>(json::value_from(job)) == job);
    kf::registration reg{"r", "e", kf::registration_kind::webhook, "k", nullptr, true, at(1), at(2)};
    CHECK(json::value_from(reg).at("kind") == "WEBHOOK");
    CHECK(json::value_to<kf::registration>(json::value_from(reg)) == reg);
}

TEST_CASE("malformed model JSON is an error, not an exception", "[unit][model]") {
    for (const char* text : {R"([])", R"({"id":"x"})", R"(null)",
                             R"({"id":"e","slug":"s","apiKey":"k","type":"NOPE","organizationId":"o","projectId":"p",
                                 "createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"1970-01-01T00:00:00.000Z"})",
                             R"({"id":"e","slug":"s","apiKey":"k","type":"PREVIEW","organizationId":"o","projectId":"p",
                                 "createdAt":"yesterday","updatedAt":"1970-01-01T00:00:00.000Z"})",
                             R"({"id":1,"slug":"s","apiKey":"k","type":"PREVIEW","organizationId":"o","projectId":"p",
                                 "createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"1970-01-01T00:00:00.000Z"})"}) {
        INFO(text);
        auto r = json::try_value_to<kf::environment>(json::parse(text));
        CHECK_FALSE(r.has_value());
    }
    CHECK(json::try_value_to<kf::environment>(
              json::parse(
                  R"({"id":"e","slug":"s","apiKey":"k","type":"PREVIEW","organizationId":"o","projectId":"p",
                                 "createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"1970-01-01T00:00:00.000Z"})"))
              .has_value());
}

TEST_CASE("ids are 25 URL-safe characters: creation time, then 82 random bits; never repeated", "[unit][model]") {
    std::set<std::string> seen;
    std::set<std::string> tails;
    auto before =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::string first;
    for (int i = 0; i < 2000; ++i) {
        auto id = kf::detail::new_id().value();
        REQUIRE(id.size() == 25);
        for (char c : id) REQUIRE(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')));
        seen.insert(id);
        tails.insert(id.substr(kf::detail::id_time_length));
        if (first.empty()) first = id;
    }
    auto after =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    CHECK(seen.size() == 2000);
    CHECK(tails.size() == 2000); // uniqueness does not rest on the clock
    // The leading characters are the creation time in base-36 milliseconds.
    long long t = 0;
    for (std::size_t i = 0; i < kf::detail::id_time_length; ++i) {
        char c = first[i];
        t = t * 36 + (c <= '9' ? c - '0' : c - 'a' + 10);
    }
    CHECK(t >= before);
    CHECK(t <= after);
    // The random part is not a counter: consecutive ids share no long common suffix or prefix of it.
    auto a = kf::detail::new_id().value(), b = kf::detail::new_id().value();
    CHECK(a.substr(kf::detail::id_time_length, 6) != b.substr(kf::detail::id_time_length, 6));
}

TEST_CASE("hook identifiers use Trigger.dev's alphabet: 10 characters, no 'w'", "[unit][model]") {
    for (int i = 0; i < 500; ++i) {
        auto h = kf::detail::new_hook_identifier().value();
        REQUIRE(h.size() == 10);
        for (char c : h) REQUIRE(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && c != 'w')));
    }
}

TEST_CASE("take_random hands out each buffered byte once", "[unit][model]") {
    // Across refills of the per-thread buffer (512 bytes), in small and large pieces.
    std::vector<unsigned char> all;
    for (std::size_t piece : {1u, 7u, 16u, 100u, 511u, 513u, 2048u, 3u}) {
        std::vector<unsigned char> b(piece, 0);
        REQUIRE_FALSE(kf::detail::take_random(b));
        all.insert(all.end(), b.begin(), b.end());
    }
    // 16-byte windows of CSPRNG output never repeat; a byte handed out twice would.
    std::set<std::string> windows;
    for (std::size_t i = 0; i + 16 <= all.size(); i += 16)
        CHECK(windows
                  .insert(std::string(all.begin() + static_cast<std::ptrdiff_t>(i),
                                      all.begin() + static_cast<std::ptrdiff_t>(i + 16)))
                  .second);
    // Not all zero (the buffer is wiped as it is used: a bug here would hand out the zeros).
    CHECK(std::count(all.begin(), all.end(), 0) < static_cast<std::ptrdiff_t>(all.size() / 64));
}

TEST_CASE("random_string is unbiased", "[unit][model]") {
    // 35 symbols: plain `byte % 35` would make the first 11 symbols 8/7 as likely as the rest.
    // With 70000 draws the expected count is 2000 per symbol; biased symbols would average ~2130.
    const std::string_view alphabet = kf::detail::hook_identifier_alphabet;
    auto s = kf::detail::random_string(alphabet, 70000).value();
    std::array<int, 256> counts{};
    for (unsigned char c : s) ++counts[c];
    double first = 0, rest = 0;
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        (i < 11 ? first : rest) += counts[static_cast<unsigned char>(alphabet[i])];
    first /= 11;
    rest /= 24;
    CHECK(first / rest < 1.05); // a biased generator gives ~1.14
    CHECK(first / rest > 0.95);
    double chi2 = 0;
    for (char c : alphabet) {
        double d = counts[static_cast<unsigned char>(c)] - 2000.0;
        chi2 += d * d / 2000.0;
    }
    CHECK(chi2 < 80); // 34 degrees of freedom: p < 1e-5 beyond 80

    CHECK(kf::detail::random_string("", 5).error() == kf::errc::invalid_argument);
    CHECK(kf::detail::random_string("a", 3).value() == "aaa");
    CHECK(kf::detail::random_string("ab", 0).value().empty());
}

TEST_CASE("new API keys have Trigger.dev's form, one prefix per environment type", "[unit][model]") {
    std::set<std::string> seen;
    for (auto [type, prefix] :
         {std::pair{kf::environment_type::development, "tr_dev_"},
          std::pair{kf::environment_type::production, "tr_prod_"}, std::pair{kf::environment_type::staging, "tr_stg_"},
          std::pair{kf::environment_type::preview, "tr_prev_"}}) {
        auto key = kf::new_api_key(type);
        REQUIRE(key);
        INFO(*key);
        CHECK(key->starts_with(prefix));
        auto tail = key->substr(std::string_view(prefix).size());
        CHECK(tail.size() == 24);
        CHECK(
            std::all_of(tail.begin(), tail.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
        seen.insert(*key);
    }
    CHECK(seen.size() == 4);
}

TEST_CASE("ULIDs: 26 characters of Crockford's base 32, random after the time", "[unit][model]") {
    auto a = kf::detail::new_ulid();
    auto b = kf::detail::new_ulid();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->size() == 26);
    CHECK(a->find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
    CHECK(a->substr(10) != b->substr(10));
}
