// The zod issue model and the texts built from issues (ZodError.message, zod-validation-error).
// Expected strings were produced by zod 3.22.3 / zod-validation-error 1.5.0 under Node 20.
#include "catch.hpp"

#include <kongflow/endpoints/client/schemas.hpp>
#include <kongflow/endpoints/client/zod.hpp>

#include <boost/json/parse.hpp>

namespace json = boost::json;
namespace kf = kongflow::endpoints;

TEST_CASE("js_number_to_string follows Number::toString", "[unit][schemas]") {
    CHECK(kf::js_number_to_string(20) == "20");
    CHECK(kf::js_number_to_string(2592000) == "2592000");
    CHECK(kf::js_number_to_string(0.5) == "0.5");
    CHECK(kf::js_number_to_string(-1.5) == "-1.5");
    CHECK(kf::js_number_to_string(-0.0) == "0");
    CHECK(kf::js_number_to_string(1e21) == "1e+21");
    CHECK(kf::js_number_to_string(1.5e21) == "1.5e+21");
    CHECK(kf::js_number_to_string(123456789012345680000.0) == "123456789012345680000");
    CHECK(kf::js_number_to_string(1e-7) == "1e-7");
    CHECK(kf::js_number_to_string(0.000001) == "0.000001");
    CHECK(kf::js_number_to_string(0.1 + 0.2) == "0.30000000000000004");
}

TEST_CASE("js_json_stringify matches JSON.stringify", "[unit][schemas]") {
    auto v = json::parse(R"({"a":[1,2.5,{"b":null}],"c":"q\"\n\u0001","d":{},"e":[],"f":1e21})");
    CHECK(kf::js_json_stringify(v) == R"({"a":[1,2.5,{"b":null}],"c":"q\"\n\u0001","d":{},"e":[],"f":1e+21})");
    CHECK(kf::js_json_stringify(v, 2) ==
          "{\n  \"a\": [\n    1,\n    2.5,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": \"q\\\"\\n\\u0001\",\n"
          "  \"d\": {},\n  \"e\": [],\n  \"f\": 1e+21\n}");
}

TEST_CASE("zod_join_path quotes keys as zod-validation-error does", "[unit][schemas]") {
    using P = std::vector<kf::zod_path_element>;
    CHECK(kf::zod_join_path(P{std::string("sources")}) == "sources");
    CHECK(kf::zod_join_path(P{std::size_t{3}}) == "3");
    CHECK(kf::zod_join_path(P{std::string("sources"), std::size_t{0}, std::string("channel")}) == "sources[0].channel");
    CHECK(kf::zod_join_path(P{std::string("a"), std::string("10")}) == "a[\"10\"]");
    CHECK(kf::zod_join_path(P{std::string("a"), std::string("q\"uote")}) == "a[\"q\\\"uote\"]");
    // The identifier test is unanchored: one letter anywhere is enough.
    CHECK(kf::zod_join_path(P{std::string("a"), std::string("my-key"), std::string("with space")}) ==
          "a.my-key.with space");
    CHECK(kf::zod_join_path(P{std::string("a"), std::string("")}) == "a[\"\"]");
    CHECK(kf::zod_join_path(P{std::string("a"), std::string("\xE6\x97\xA5")}) == "a.\xE6\x97\xA5"); // 日: ID_Start
    CHECK(kf::zod_join_path(P{std::string("a"), std::string("\xF0\x9F\x98\x80")}) ==
          "a[\"\xF0\x9F\x98\x80\"]"); // emoji
    CHECK(kf::zod_join_path(P{std::size_t{0}, std::string("$x")}) == "[0].$x");
}

TEST_CASE("ZodError.message of a pong {ok:\"yes\"} (protocol E.4)", "[unit][schemas]") {
    auto r = kf::parse_pong_response(json::parse(R"({"ok":"yes"})"));
    REQUIRE_FALSE(r.ok());
    CHECK(kf::zod_error_message(r.issues()) ==
          "[\n  {\n    \"code\": \"invalid_union_discriminator\",\n    \"options\": [\n      true,\n      false\n"
          "    ],\n    \"path\": [\n      \"ok\"\n    ],\n    \"message\": \"Invalid discriminator value. Expected "
          "true | false\"\n  }\n]");
}

TEST_CASE("issue key order follows where zod built the issue", "[unit][schemas]") {
    auto r = kf::parse_job_metadata(json::parse(
        R"({"id":"j","name":"n","version":"1","event":{"name":"e","title":"t","source":"s","icon":"i"},
            "trigger":{"type":"scheduled","schedule":{"type":"interval","options":{"seconds":-1.5}}},
            "integrations":{},"enabled":true,"startPosition":"sideways","preprocessRuns":false})"));
    REQUIRE_FALSE(r.ok());
    CHECK(
        kf::js_json_stringify(kf::zod_issues_to_json(r.issues())) ==
        R"([{"code":"invalid_type","expected":"integer","received":"float","message":"Expected integer, received float","path":["trigger","schedule","options","seconds"]},)"
        R"({"code":"too_small","minimum":0,"type":"number","inclusive":false,"exact":false,"message":"Number must be greater than 0","path":["trigger","schedule","options","seconds"]},)"
        R"({"code":"too_small","minimum":20,"type":"number","inclusive":true,"exact":false,"message":"Number must be greater than or equal to 20","path":["trigger","schedule","options","seconds"]},)"
        R"({"received":"sideways","code":"invalid_enum_value","options":["initial","latest"],"path":["startPosition"],"message":"Invalid enum value. Expected 'initial' | 'latest', received 'sideways'"}])");
}

TEST_CASE("from_zod_error flattens unions and dedupes alternatives", "[unit][schemas]") {
    // name: string | string[] given true → two alternatives.
    auto r = kf::parse_job_metadata(json::parse(
        R"({"id":"j","name":"n","version":"1","event":{"name":true,"title":"t","source":"s","icon":"i"},
            "trigger":{"type":"invoke"},"integrations":{},"enabled":true,"startPosition":"latest","preprocessRuns":false})"));
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.issues().size() == 1);
    CHECK(r.issues()[0].code == "invalid_union");
    CHECK(kf::from_zod_error(r.issues()) ==
          "Validation error: Expected string, received boolean at \"event.name\", or Expected array, received "
          "boolean at \"event.name\"");
    CHECK(kf::from_zod_error(r.issues(), "P") == "P: Expected string, received boolean at \"event.name\", or Expected "
                                                 "array, received boolean at \"event.name\"");
}

TEST_CASE("from_zod_error stops after 99 issues and writes `at index N`", "[unit][schemas]") {
    std::vector<kf::zod_issue> issues(120);
    for (std::size_t i = 0; i < issues.size(); ++i) {
        issues[i].code = "custom";
        issues[i].message = "m";
        issues[i].path = {i};
    }
    auto text = kf::from_zod_error(issues);
    CHECK(text.rfind("Validation error: m at index 0; m at index 1; ", 0) == 0);
    CHECK(text.size() == std::string("Validation error: ").size() + [] {
        std::size_t n = 0;
        for (std::size_t i = 0; i < 99; ++i) n += std::string("m at index " + std::to_string(i)).size() + (i ? 2 : 0);
        return n;
    }());
    CHECK(kf::from_zod_error({}, "Only prefix") == "Only prefix");
}
