// A program that uses the SQLite part of kongflow-endpoints (kongflow::endpoints_sqlite or
// kongflow::endpoints_sqlite_header_only): built and run by the packaging tests whenever the
// library has that part.
//
// Usage: consumer_sqlite <compiled|header-only>
#include <kongflow/endpoints.hpp>
#include <kongflow/endpoints/detail/sqlite.hpp>

#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
    namespace kf = kongflow::endpoints;
    namespace sql = kongflow::endpoints::detail::sqlite;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <compiled|header-only>\n", argv[0]);
        return 2;
    }
#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
    const std::string_view mode = "header-only";
#else
    const std::string_view mode = "compiled";
#endif
    if (mode != argv[1]) {
        std::fprintf(stderr, "FAILED: built in %.*s mode, expected %s\n", static_cast<int>(mode.size()),
                     mode.data(), argv[1]);
        return 1;
    }

    auto db = sql::connection::open(":memory:");
    if (!db) {
        std::fprintf(stderr, "FAILED: open: %s\n", db.error().message().c_str());
        return 1;
    }
    if (auto r = db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)"); !r) {
        std::fprintf(stderr, "FAILED: create: %s\n", std::string(r.error().diag().server_message()).c_str());
        return 1;
    }
    auto insert = db->prepare("INSERT INTO t(name) VALUES(?1)");
    if (!insert) {
        std::fprintf(stderr, "FAILED: prepare: %s\n", std::string(insert.error().diag().server_message()).c_str());
        return 1;
    }
    if (auto r = insert->bind_all("kongflow").run(); !r) {
        std::fprintf(stderr, "FAILED: insert: %s\n", std::string(r.error().diag().server_message()).c_str());
        return 1;
    }
    // A second row with the same name breaks the UNIQUE constraint: the error arrives as an
    // error_code in the kongflow.sqlite category.
    insert->reset();
    auto dup = insert->bind_all("kongflow").run();
    if (dup || std::string_view(dup.error().category().name()) != "kongflow.sqlite") {
        std::fprintf(stderr, "FAILED: a duplicate insert must fail with a kongflow.sqlite error\n");
        return 1;
    }
    std::printf("kongflow-endpoints %.*s sqlite (%.*s): duplicate insert -> %s\n",
                static_cast<int>(kf::version().size()), kf::version().data(), static_cast<int>(mode.size()),
                mode.data(), dup.error().message().c_str());
    return 0;
}
