// docs/extending.md: our conformance suites run on an implementation of your own, without a test
// framework. Here the implementation is metered_queue (a decorator) over both queue drivers; the
// suites of the in-memory repository and store show the other two entry points.
//
// usage: kongflow-conformance DIRECTORY   (an existing directory for the SQLite files)
// Prints every failed check; exits 1 if there was one.
#include "metered_queue.hpp"

#include <kongflow/endpoints/memory/queue.hpp>
#include <kongflow/endpoints/memory/repository.hpp>
#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>
#include <kongflow/endpoints/testing/queue_conformance.hpp>
#include <kongflow/endpoints/testing/repository_conformance.hpp>
#include <kongflow/endpoints/testing/store_conformance.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace kf = kongflow::endpoints;
namespace kft = kongflow::endpoints::testing;

// [queue_conformance]
// Every case gets a fresh, empty queue: here a metered_queue over a new SQLite file.
int check_queue(const std::string& dir) {
    int files = 0;
    auto make_queue = [&]() -> std::unique_ptr<kf::queue> {
        auto path = dir + "/queue-" + std::to_string(++files) + ".db";
        std::remove(path.c_str());
        return std::make_unique<example::metered_queue>(kf::sqlite::queue::open(path).value());
    };
    int failed = 0;
    for (const auto& f : kft::run_queue_conformance(make_queue)) {
        std::cout << "FAILED queue case '" << f.test << "' line " << f.line << ": " << f.check << "\n";
        ++failed;
    }
    return failed;
}
// [queue_conformance]

int check_memory_queue() {
    auto make_queue = [] { return std::make_unique<example::metered_queue>(std::make_unique<kf::memory::queue>()); };
    int failed = 0;
    for (const auto& f : kft::run_queue_conformance(make_queue)) {
        std::cout << "FAILED memory queue case '" << f.test << "' line " << f.line << ": " << f.check << "\n";
        ++failed;
    }
    return failed;
}

// [repository_conformance]
int check_repository() {
    int failed = 0;
    auto results = kft::run_repository_conformance(
        [] { return std::make_unique<kf::memory::repository>(); }, // yours: fresh and empty each time
        [&](const kft::conformance_result& r) {
            if (r.passed) return;
            std::cout << "FAILED " << r.name << ": " << r.message << "\n";
            ++failed;
        });
    std::cout << results.size() << " repository checks run\n";
    return failed;
}
// [repository_conformance]

// [store_conformance]
int check_store() {
    int failed = 0;
    for (const auto& r : kft::run_store_conformance([] { return std::make_unique<kf::memory::store>(); })) {
        if (r.passed) continue;
        std::cout << "FAILED " << r.name << ": " << r.message << "\n";
        ++failed;
    }
    return failed;
}
// [store_conformance]

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: kongflow-conformance DIRECTORY\n";
        return 2;
    }
    const std::string dir = argv[1];
    int failed = check_queue(dir) + check_memory_queue();
    std::cout << kft::queue_conformance_cases().size() << " queue cases run on metered_queue (SQLite, memory)\n";
    failed += check_repository() + check_store();
    std::cout << (failed ? "FAILED " + std::to_string(failed) : std::string("ALL PASSED")) << "\n";
    return failed ? 1 : 0;
}
