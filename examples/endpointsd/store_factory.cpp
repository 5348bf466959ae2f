// Which backend the daemon runs on: a SQLite file by default, PostgreSQL for a postgresql:// URI.
#include "config.hpp"

#include <kongflow/endpoints/sqlite/store.hpp>
#if KONGFLOW_ENDPOINTSD_WITH_POSTGRES
#include <kongflow/endpoints/postgres/store.hpp>
#endif

namespace kongflow::endpointsd {

bool is_postgres_uri(std::string_view db) noexcept {
    return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

std::string db_display_name(const daemon_config& cfg) {
    if (!is_postgres_uri(cfg.db)) return cfg.db;
    // postgresql://user:secret@host/db → postgresql://user:***@host/db
    std::string s = cfg.db;
    auto scheme = s.find("://") + 3;
    auto at = s.find('@', scheme);
    auto slash = s.find('/', scheme);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
        auto colon = s.find(':', scheme);
        if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
    }
    auto q = s.find("password=");
    if (q != std::string::npos) {
        auto end = s.find('&', q);
        s.replace(q + 9, (end == std::string::npos ? s.size() : end) - q - 9, "***");
    }
    return s;
}

kfe::result<std::unique_ptr<kfe::store>> open_store(const daemon_config& cfg) {
    if (is_postgres_uri(cfg.db)) {
#if KONGFLOW_ENDPOINTSD_WITH_POSTGRES
        kfe::postgres::store_params p;
        p.connection.conninfo = cfg.db;
        p.connection.schema = cfg.db_schema;
        p.connection.max_connections = cfg.db_max_connections;
        p.connection.application_name = "kongflow-endpointsd";
        auto st = kfe::postgres::store::open(p);
        if (!st) return st.error();
        return std::unique_ptr<kfe::store>(std::move(*st));
#else
        return kfe::error(kfe::errc::invalid_argument,
                          kfe::diagnostics("this kongflow-endpointsd was built without PostgreSQL support (libpq)"));
#endif
    }
    auto st = kfe::sqlite::store::open(cfg.db, store_params(cfg));
    if (!st) return st.error();
    return std::unique_ptr<kfe::store>(std::move(*st));
}

} // namespace kongflow::endpointsd
