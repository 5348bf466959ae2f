// A program that uses the PostgreSQL backend of kongflow-endpoints (kongflow::endpoints_postgres or
// kongflow::endpoints_postgres_header_only): built and run by the packaging tests whenever the
// library has that backend. It needs no server: it checks that the backend links (libpq and the
// library's own code) and that a connection string libpq cannot parse is refused before any
// connection is tried.
//
// Usage: consumer_postgres <compiled|header-only>
#include <kongflow/endpoints.hpp>
#include <kongflow/endpoints/postgres.hpp>

#include <cstdio>
#include <string>
#include <string_view>

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

    kf::postgres::store_params params;
    params.connection.conninfo = "no_such_option=1";
    auto st = kf::postgres::store::open(params);
    if (st) {
        std::fprintf(stderr, "FAILED: a store opened on the connection string \"no_such_option=1\"\n");
        return 1;
    }
    // libpq's own reason: invalid connection option "no_such_option".
    const std::string what = st.error().what();
    if (st.error() != kf::errc::invalid_argument || what.find("no_such_option") == std::string::npos) {
        std::fprintf(stderr, "FAILED: expected invalid_argument with libpq's reason, got %s\n", what.c_str());
        return 1;
    }
    std::printf("kongflow-endpoints %.*s postgres (%.*s): bad connection string -> %s (%s)\n",
                static_cast<int>(kf::version().size()), kf::version().data(), static_cast<int>(mode.size()),
                mode.data(), st.error().message().c_str(), what.c_str());
    return 0;
}
