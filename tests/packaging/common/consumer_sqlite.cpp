// A program that uses the SQLite part of kongflow-endpoints (kongflow::endpoints_sqlite or
// kongflow::endpoints_sqlite_header_only): built and run by the packaging tests whenever the
// library has that part.
//
// Usage: consumer_sqlite <compiled|header-only>
#include <kongflow/endpoints.hpp>
#include <kongflow/endpoints/sqlite.hpp>

#include <cstdio>
#include <string>
#include <string_view>

#include <unistd.h>

int main(int argc, char** argv) {
    namespace kf = kongflow::endpoints;
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
        std::fprintf(stderr, "FAILED: built in %.*s mode, expected %s\n", static_cast<int>(mode.size()), mode.data(),
                     argv[1]);
        return 1;
    }

    // A store on a fresh file: a second organization with the same slug breaks the UNIQUE
    // constraint, and the error carries SQLite's own text.
    const std::string path = "kongflow-consumer-sqlite-" + std::to_string(::getpid()) + ".db";
    int status = 0;
    {
        auto st = kf::sqlite::store::open(path);
        if (!st) {
            std::fprintf(stderr, "FAILED: open: %s\n", st.error().what().c_str());
            return 1;
        }
        auto& repo = (*st)->repo();
        auto first = repo.create_organization({"acme", "Acme", std::nullopt});
        auto dup = repo.create_organization({"acme", "Acme again", std::nullopt});
        if (!first || dup || dup.error() != kf::errc::already_exists ||
            dup.error().diag().server_message().find("UNIQUE") == std::string_view::npos ||
            std::string_view(kf::sqlite::get_category().name()) != "kongflow.sqlite") {
            std::fprintf(stderr, "FAILED: a duplicate organization must fail with already_exists and SQLite's text\n");
            status = 1;
        } else {
            std::printf("kongflow-endpoints %.*s sqlite (%.*s): duplicate insert -> %s (%s)\n",
                        static_cast<int>(kf::version().size()), kf::version().data(), static_cast<int>(mode.size()),
                        mode.data(), dup.error().message().c_str(),
                        std::string(dup.error().diag().server_message()).c_str());
        }
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    return status;
}
