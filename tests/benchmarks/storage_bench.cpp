// Prints how fast the repository operations and units of work run on the memory store and on
// SQLite (synchronous=FULL, the default, and NORMAL). Usage: kongflow_storage_bench [dir] [n]
// Figures depend on the disk: for SQLite FULL, each write transaction waits for an fsync.
#include "bench_args.hpp"

#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace kf = kongflow::endpoints;

namespace {

void measure(const char* store_name, const char* op, int n, const std::function<bool(int)>& f) {
    auto start = std::chrono::steady_clock::now();
    int failures = 0;
    for (int i = 0; i < n; ++i)
        if (!f(i)) ++failures;
    std::chrono::duration<double> s = std::chrono::steady_clock::now() - start;
    std::printf("%-14s %-34s %8d ops %10.0f ops/s %9.1f us/op%s\n", store_name, op, n, n / s.count(),
                1e6 * s.count() / n, failures ? "  (FAILURES)" : "");
}

void run(const char* name, kf::store& store, int n) {
    auto& repo = store.repo();
    auto org = repo.create_organization({"bench", "Bench", std::nullopt}).value();
    auto proj = repo.create_project({org.id, "p", "P", std::nullopt}).value();
    auto env = repo.create_environment({org.id, proj.id, "prod", kf::environment_type::production, "key", std::nullopt})
                   .value();
    auto params = [&](int i) {
        kf::upsert_endpoint_params p;
        p.environment_id = env.id;
        p.organization_id = org.id;
        p.project_id = proj.id;
        p.slug = "e" + std::to_string(i % 100);
        p.url = "http://127.0.0.1:3000/api/trigger";
        return p;
    };
    auto ep = repo.upsert_endpoint(params(0)).value().value;
    measure(name, "upsert_endpoint", n, [&](int i) { return repo.upsert_endpoint(params(i)).has_value(); });
    measure(name, "create_index", n, [&](int) {
        return repo.create_index({ep.id, kf::index_source::internal, {}, nullptr, {}, {}}).has_value();
    });
    measure(name, "find_endpoint", n, [&](int) { return repo.find_endpoint(ep.id).has_value(); });
    measure(name, "find_environment_by_api_key", n,
            [&](int) { return repo.find_environment_by_api_key("key").has_value(); });
    measure(name, "list_indexes(10)", n, [&](int) { return repo.list_indexes(ep.id, 10).has_value(); });
    measure(name, "unit: upsert+index+enqueue", n, [&](int i) {
        auto u = store.begin();
        if (!u) return false;
        auto e = (*u)->repo().upsert_endpoint(params(i));
        if (!e) return false;
        auto ix = (*u)->repo().create_index({e->value.id, kf::index_source::internal});
        if (!ix) return false;
        if (!(*u)->enqueue(kf::make_job_request("performEndpointIndexing", {{"id", ix->id}}))) return false;
        return (*u)->commit().has_value();
    });
}

} // namespace

int main(int argc, char** argv) {
    const char* usage = "usage: kongflow_storage_bench [directory] [creates (default 500)]\n";
    if (argc > 1 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
        std::fputs(usage, stdout);
        return 0;
    }
    std::filesystem::path dir = argc > 1 ? argv[1] : std::filesystem::temp_directory_path();
    int n = 500;
    if (argc > 3) {
        std::fputs(usage, stderr);
        return 2;
    }
    std::error_code dir_ec;
    if (!std::filesystem::is_directory(dir, dir_ec)) {
        std::fprintf(stderr, "kongflow_storage_bench: '%s' is not a directory\n%s", dir.c_str(), usage);
        return 2;
    }
    if (argc > 2) {
        auto v = kongflow::bench::parse_count("creates", argv[2], 1, 1'000'000);
        if (!v) return 2;
        n = *v;
    }
    {
        kf::memory::store s;
        run("memory", s, n * 20);
    }
    for (const char* sync : {"FULL", "NORMAL"}) {
        auto path = (dir / ("kongflow-storage-bench-" + std::string(sync) + ".db")).string();
        std::filesystem::remove(path);
        kf::sqlite::store_params p;
        p.file.synchronous = sync;
        auto s = kf::sqlite::store::open(path, p);
        if (!s) {
            std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), s.error().message().c_str());
            return 1;
        }
        std::string name = std::string("sqlite ") + sync;
        run(name.c_str(), **s, n);
        s->reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    }
}
