// Parse + validate + typed conversion of a 1,000-job INDEX_ENDPOINT reply (~460 KB), ours against
// Node + zod (JSON.parse + IndexEndpointResponseSchema.safeParse) on the same bytes.
//
//   kongflow_parse_validate_bench [iterations]
//
// The payload comes from parse_validate_bench.js (deterministic), which also times Node. Without
// Node the program still times our side and says so.
#include "bench_args.hpp"

#include <kongflow/endpoints/client/schemas.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
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

struct figures {
    std::size_t bytes = 0;
    double ours = 0, validate_only = 0, parse_only = 0, with_arena = 0, node = 0, node_validate = 0;
};

figures measure(const std::string& node, const std::string& script, const std::string& variant, int iterations) {
    figures f;
    const std::string payload_path = "parse_validate_bench_payload" + (variant.empty() ? "" : "_" + variant) + ".json";
    run_capture("'" + node + "' '" + script + "' generate '" + payload_path + "' 1000 " + variant);
    std::ifstream in(payload_path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (text.empty()) {
        std::cerr << "could not generate the payload with " << script << "\n";
        std::exit(1);
    }
    f.bytes = text.size();
    using clock = std::chrono::steady_clock;
    // Best of 5 batches, as the Node script does: robust to other load on a shared machine.
    auto best_of = [&](auto&& body) {
        const int batch = iterations / 5 > 0 ? iterations / 5 : 1;
        double best = 1e300;
        for (int b = 0; b < 5; ++b) {
            auto t0 = clock::now();
            for (int i = 0; i < batch; ++i) body();
            best = std::min(best, std::chrono::duration<double, std::milli>(clock::now() - t0).count() / batch);
        }
        return best;
    };
    std::size_t sink = 0;
    auto once = [&] {
        json::value v = json::parse(text);
        auto r = kf::parse_index_endpoint_response(v);
        if (!r.ok()) {
            std::cerr << kf::from_zod_error(r.issues()) << "\n";
            std::exit(1);
        }
        return r.value().jobs.size();
    };
    for (int i = 0; i < 20; ++i) sink += once(); // warm caches and the allocator
    f.ours = best_of([&] { sink += once(); });

    json::value parsed = json::parse(text);
    f.validate_only = best_of([&] { sink += kf::validate_index_endpoint_response(parsed).size(); });
    f.parse_only = best_of([&] { sink += json::parse(text).as_object().size(); });
    f.with_arena = best_of([&] {
        json::monotonic_resource arena;
        json::value v = json::parse(text, &arena);
        auto r = kf::parse_index_endpoint_response(v);
        sink += r.ok() ? r.value().jobs.size() : 0;
    });

    const int node_iterations = iterations < 100 ? iterations : 100;
    std::string out =
        run_capture("'" + node + "' '" + script + "' run '" + payload_path + "' " + std::to_string(node_iterations));
    if (auto pos = out.find("node_ms_per_iter "); pos != std::string::npos) f.node = std::atof(out.c_str() + pos + 17);
    if (auto pos = out.find("node_validate_ms_per_iter "); pos != std::string::npos)
        f.node_validate = std::atof(out.c_str() + pos + 26);
    if (sink == 0) std::cerr << "(nothing parsed?)\n";
    return f;
}

void report(const char* title, const figures& f) {
    std::printf("%s: %zu bytes, 1000 jobs\n", title, f.bytes);
    std::printf("  ours (boost::json::parse + validation + typed conversion): %8.3f ms/iter\n", f.ours);
    std::printf("    of which validation alone:                              %8.3f ms/iter\n", f.validate_only);
    std::printf("    of which boost::json::parse alone:                      %8.3f ms/iter\n", f.parse_only);
    std::printf("  ours, parsing into a json::monotonic_resource:            %8.3f ms/iter\n", f.with_arena);
    if (f.node > 0) {
        std::printf("  node (JSON.parse + zod safeParse):                        %8.3f ms/iter\n", f.node);
        std::printf("  node, zod safeParse alone:                                %8.3f ms/iter\n", f.node_validate);
        std::printf("  ratio node/ours: %.1fx (ours with the arena: %.1fx; validation alone: %.1fx)\n", f.node / f.ours,
                    f.node / f.with_arena, f.node_validate / f.validate_only);
    } else {
        std::printf("  node: no figure\n");
    }
}

} // namespace

int main(int argc, char** argv) {
    int iterations = 200;
    if (argc > 2) {
        std::cerr << "usage: kongflow_parse_validate_bench [iterations (default 200)]\n";
        return 2;
    }
    if (argc > 1) {
        auto n = kongflow::bench::parse_count("iterations", argv[1], 1, 10'000'000);
        if (!n) return 2;
        iterations = *n;
    }
    const std::string node = KONGFLOW_BENCH_NODE;
    const std::string script = KONGFLOW_BENCH_SCRIPT;
    if (node.empty()) {
        std::cerr << "node not found at configure time: cannot generate the payload\n";
        return 1;
    }
    report("payload with event filters (static triggers filter on payload)", measure(node, script, "", iterations));
    report("payload without event filters", measure(node, script, "plain", iterations));
    return 0;
}
