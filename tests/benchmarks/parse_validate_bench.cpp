// Parse + validate + typed conversion of a 1,000-job INDEX_ENDPOINT reply (~460 KB), ours against
// Node + zod (JSON.parse + IndexEndpointResponseSchema.safeParse) on the same bytes.
//
//   kongflow_parse_validate_bench [iterations]
//
// The payload comes from parse_validate_bench.js (deterministic), which also times Node. Without
// Node the program still times our side and says so.
#include <kongflow/endpoints/client/schemas.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace json = boost::json;
namespace kf = kongflow::endpoints;

namespace {

std::string run_capture(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
    const std::string node = KONGFLOW_BENCH_NODE;
    const std::string script = KONGFLOW_BENCH_SCRIPT;
    const std::string payload_path = "parse_validate_bench_payload.json";

    if (node.empty()) {
        std::cerr << "node not found at configure time: cannot generate the payload\n";
        return 1;
    }
    run_capture("'" + node + "' '" + script + "' generate '" + payload_path + "' 1000");
    std::ifstream in(payload_path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (text.empty()) {
        std::cerr << "could not generate the payload with " << script << "\n";
        return 1;
    }

    auto once = [&] {
        json::value v = json::parse(text);
        auto r = kf::parse_index_endpoint_response(v);
        if (!r.ok()) {
            std::cerr << kf::from_zod_error(r.issues()) << "\n";
            std::exit(1);
        }
        return r.value().jobs.size();
    };
    std::size_t sink = 0;
    for (int i = 0; i < 20; ++i) sink += once();  // warm caches and the allocator
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) sink += once();
    const auto t1 = std::chrono::steady_clock::now();
    const double ours = std::chrono::duration<double, std::milli>(t1 - t0).count() / iterations;

    // Our validation alone, for the record (the parse is Boost.JSON's).
    json::value parsed = json::parse(text);
    const auto t2 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) sink += kf::validate_index_endpoint_response(parsed).size();
    const auto t3 = std::chrono::steady_clock::now();
    const double validate_only = std::chrono::duration<double, std::milli>(t3 - t2).count() / iterations;

    // Boost.JSON's parse alone, with the default allocator and with a monotonic arena.
    const auto t4 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) sink += json::parse(text).as_object().size();
    const auto t5 = std::chrono::steady_clock::now();
    const double parse_only = std::chrono::duration<double, std::milli>(t5 - t4).count() / iterations;
    const auto t6 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) {
        json::monotonic_resource arena;
        json::value v = json::parse(text, &arena);
        auto r = kf::parse_index_endpoint_response(v);
        sink += r.ok() ? r.value().jobs.size() : 0;
    }
    const auto t7 = std::chrono::steady_clock::now();
    const double with_arena = std::chrono::duration<double, std::milli>(t7 - t6).count() / iterations;

    const int node_iterations = iterations < 50 ? iterations : 50;
    std::string node_out = run_capture("'" + node + "' '" + script + "' run '" + payload_path + "' " +
                                       std::to_string(node_iterations));
    double node_ms = 0;
    if (auto pos = node_out.find("node_ms_per_iter "); pos != std::string::npos)
        node_ms = std::atof(node_out.c_str() + pos + 17);

    std::printf("payload: %zu bytes, 1000 jobs (%zu checks)\n", text.size(), sink > 0 ? std::size_t{1} : std::size_t{0});
    std::printf("ours  (boost::json::parse + validation + typed conversion): %.3f ms/iter\n", ours);
    std::printf("ours  (validation only, on a parsed value):                 %.3f ms/iter\n", validate_only);
    std::printf("      (boost::json::parse only):                            %.3f ms/iter\n", parse_only);
    std::printf("ours  (same as the first line, parse into a monotonic arena): %.3f ms/iter\n", with_arena);
    if (node_ms > 0) {
        std::printf("node  (JSON.parse + zod safeParse):                         %.3f ms/iter\n", node_ms);
        std::printf("ratio node/ours: %.1fx\n", node_ms / ours);
    } else {
        std::printf("node: no figure (%s)\n", node_out.c_str());
    }
    return 0;
}
