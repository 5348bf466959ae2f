// Snippets of docs/storage.md about the PostgreSQL backend. Compiled (tests/docs:
// kongflow_doc_snippets) when that backend is built, never run.
#include <kongflow/endpoints/postgres/store.hpp>

#include <iostream>

namespace kf = kongflow::endpoints;

namespace storage_postgres_snippets {

// [open_postgres]
void open_postgres() {
    kf::postgres::store_params p;
    p.connection.conninfo = "postgresql://kongflow@db.internal/kongflow?sslmode=verify-full";
    p.connection.schema = "kongflow";  // created and migrated at open
    p.connection.max_connections = 16; // this process's pool
    auto store = kf::postgres::store::open(p);
    if (!store) {
        // errc::invalid_argument (a bad connection string), errc::storage_failure (refused,
        // wrong credentials: libpq's words), errc::schema_too_new
        std::cerr << store.error().diag().client_message() << "\n";
        return;
    }
    auto& repo = (*store)->repo(); // the same interface as every backend
    auto orgs = repo.list_organizations();
    if (orgs) std::cout << orgs->size() << " organizations\n";
}
// [open_postgres]

} // namespace storage_postgres_snippets
