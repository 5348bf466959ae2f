#ifndef KONGFLOW_ENDPOINTS_STORAGE_IMPL_STORE_IPP
#define KONGFLOW_ENDPOINTS_STORAGE_IMPL_STORE_IPP

#include <kongflow/endpoints/storage/store.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <string>

namespace kongflow::endpoints {

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> store::run_unit(const transact_work& work, diagnostics& diag) {
    auto uow = begin();
    if (!uow) {
        diag = uow.error().diag();
        if (diag.client_message().empty()) diag.set_client_message("starting a unit of work: " + uow.error().message());
        return uow.error();
    }
    result<void> r;
    try {
        r = work(**uow);
    } catch (const std::exception& e) {
        diag = diagnostics(std::string("the unit of work threw: ") + e.what());
        return make_error_code(errc::storage_failure);
    }
    if (!r) {
        diag = r.error().diag();
        return r.error();
    }
    auto ids = (*uow)->commit();
    // A unit the work rolled back itself ends "finished": nothing was kept, nothing enqueued.
    if (!ids && ids.error() == make_error_code(errc::invalid_argument)) return std::vector<job_id>{};
    if (!ids) diag = ids.error().diag();
    return ids;
}

KONGFLOW_ENDPOINTS_DECL void store::transact_impl(transact_work work, transact_mode, diagnostics& diag,
                                                  boost::asio::any_io_executor ex,
                                                  boost::asio::any_completion_handler<transact_signature> h) {
    namespace asio = boost::asio;
    boost::asio::post(ex, [this, work = std::move(work), &diag, ex, h = std::move(h)]() mutable {
        auto r = run_unit(work, diag);
        error_code ec = r ? error_code{} : r.error();
        std::vector<job_id> ids = r ? std::move(*r) : std::vector<job_id>{};
        boost::asio::post(ex, boost::asio::append(std::move(h), ec, std::move(ids))); // runs on h's executor
    });
}

} // namespace kongflow::endpoints

#endif
