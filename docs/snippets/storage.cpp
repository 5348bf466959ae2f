// Snippets of docs/storage.md. Compiled (tests/docs: kongflow_doc_snippets), never run.
#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/sqlite/repository.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>

namespace kf = kongflow::endpoints;

namespace storage_snippets {

// [open_sqlite]
void open_sqlite() {
    auto repo = kf::sqlite::repository::open("endpoints.db"); // creates or migrates
    if (!repo) {
        // repo.error(): errc::schema_too_new, or a "kongflow.sqlite" code (SQLITE_NOTADB...)
        std::cerr << repo.error().message() << ": " << repo.error().diag().client_message() << "\n";
        return;
    }
    auto orgs = repo->list_organizations(); // result<std::vector<organization>>
    if (orgs) std::cout << orgs->size() << " organizations\n";
}
// [open_sqlite]

// [unit_of_work]
kf::result<std::vector<kf::job_id>> create_with_index(kf::store& store, const kf::upsert_endpoint_params& params) {
    auto uow = store.begin(); // result<std::unique_ptr<unit_of_work>>
    if (!uow) return uow.error();
    kf::repository& repo = (*uow)->repo(); // bound to the unit
    auto ep = repo.upsert_endpoint(params);
    if (!ep) return ep.error(); // the unit rolls back when destroyed
    auto ix = repo.create_index({.endpoint_id = ep->value.id, .source = kf::index_source::internal});
    if (!ix) return ix.error();
    auto job = kf::make_job_request(std::string(kf::perform_index_job_kind), {{"id", ix->id}});
    if (auto queued = (*uow)->enqueue(job); !queued) return queued.error();
    return (*uow)->commit(); // rows and job together, or neither
}
// [unit_of_work]

// [transact]
// The same unit through async_transact: the SQLite store commits it together with the units
// other threads submit meanwhile (one transaction, one fsync).
boost::asio::awaitable<std::vector<kf::job_id>>
create_with_index_grouped(kf::store& store, boost::asio::any_io_executor blocking, kf::upsert_endpoint_params params) {
    kf::diagnostics diag;
    auto work = [&params](kf::unit_of_work& uow) -> kf::result<void> {
        auto ep = uow.repo().upsert_endpoint(params);
        if (!ep) return ep.error(); // rolls back this unit only
        auto ix = uow.repo().create_index({.endpoint_id = ep->value.id, .source = kf::index_source::internal});
        if (!ix) return ix.error();
        auto job = kf::make_job_request(std::string(kf::perform_index_job_kind), {{"id", ix->id}});
        if (auto queued = uow.enqueue(job); !queued) return queued.error();
        return {}; // the store commits; do not call uow.commit()
    };
    // The work changes nothing outside the unit: the store may run it again (no savepoint needed).
    auto op = store.async_transact(blocking, kf::transact_mode::repeatable, work, diag, boost::asio::deferred);
    auto [ec, ids] = co_await std::move(op)(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) std::cerr << ec.message() << ": " << diag.client_message() << "\n";
    co_return ids;
}
// [transact]

// [stores]
std::unique_ptr<kf::store> make_store(bool durable) {
    if (!durable) return std::make_unique<kf::memory::store>(); // tests, one process
    auto on_disk = kf::sqlite::store::open("endpoints.db");     // repository + queue, one file
    if (!on_disk) return nullptr;
    return std::move(*on_disk);
}
// [stores]

} // namespace storage_snippets
