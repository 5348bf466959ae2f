#include <kongflow/endpoints.hpp>
#if KONGFLOW_TEST_SQLITE
#include <kongflow/endpoints/sqlite/detail/connection.hpp>
#endif
#if KONGFLOW_TEST_POSTGRES
#include <kongflow/endpoints/postgres/store.hpp>
#endif

#include <cstdio>
#include <string_view>

int main() {
    namespace kf = kongflow::endpoints;
#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
    constexpr bool header_only = true;
#else
    constexpr bool header_only = false;
#endif
    static_assert(header_only == static_cast<bool>(KONGFLOW_TEST_HEADER_ONLY), "built in the wrong mode");

    const kf::error_code ec = kf::errc::not_found;
    std::printf("kongflow-endpoints %.*s (%s): %s\n", static_cast<int>(kf::version().size()), kf::version().data(),
                header_only ? "header-only" : "compiled", ec.message().c_str());
    if (kf::version() != KONGFLOW_ENDPOINTS_VERSION_STRING || ec.message() != "not found") return 1;

#if KONGFLOW_TEST_SQLITE
    auto db = kf::sqlite::detail::connection::open(":memory:");
    if (!db || !db->exec("CREATE TABLE t(x INTEGER)")) return 1;
    std::printf("sqlite: in-memory database opened\n");
#endif

#if KONGFLOW_TEST_POSTGRES
    // No server needed: libpq refuses a connection string it cannot parse before connecting.
    kf::postgres::store_params params;
    params.connection.conninfo = "no_such_option=1";
    auto pg = kf::postgres::store::open(params);
    if (pg || pg.error() != kf::errc::invalid_argument) return 1;
    std::printf("postgres: %s\n", pg.error().what().c_str());
#endif
    return 0;
}
