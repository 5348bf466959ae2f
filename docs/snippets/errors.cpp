// Snippets of docs/errors.md. Compiled (tests/docs: kongflow_doc_snippets), never run.
#include <kongflow/endpoints/client/api_client.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/sqlite/detail/connection.hpp>

#include <boost/asio.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <iostream>
#include <variant>

namespace asio = boost::asio;
namespace kf = kongflow::endpoints;

namespace errors_snippets {

// [classify]
void report(kf::error_code ec, const kf::diagnostics& diag) {
    if (ec == kf::errc::timeout || ec == kf::errc::connect_failed) {
        std::cout << "no reply: ";
    } else if (ec.category() == kf::get_http_category()) {
        std::cout << "HTTP " << ec.value() << ": "; // any non-2xx but 401
    } else if (ec.category() == kf::sqlite::get_category()) {
        std::cout << "SQLite code " << ec.value() << ": "; // the extended result code
    }
    std::cout << diag.client_message() << "\n"; // ours: safe to log and show
    // diag.server_message() is the other side's text: untrusted, escape it before rendering.
}
// [classify]

// [result]
void results(kf::repository& repo, const std::string& id) {
    kf::result<kf::endpoint> ep = repo.find_endpoint(id);
    if (!ep) {
        if (ep.error() == kf::errc::not_found) return;
        // The error carries its diagnostics: which constraint, SQLite's own text.
        std::cerr << ep.error().message() << ": " << ep.error().diag().client_message() << "\n";
        return;
    }
    std::cout << ep->slug << "\n";
    kf::endpoint same = repo.find_endpoint(id).value(); // throws kf::error_with_diagnostics instead
}
// [result]

// [service_error]
asio::awaitable<void> create(kf::endpoint_service& endpoints, kf::create_endpoint_request req) {
    kf::service_error err;
    auto op = endpoints.async_create(std::move(req), err, asio::deferred);
    auto [ec, created] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        // ec == err.code; err.cause is what failed underneath (a transport or SQLite code),
        // err.diag its diagnostics (SQLite's own text in server_message()).
        // {"code":"INVALID_REQUEST","message":"Invalid request: url ...","details":{"url":"..."}}
        std::cout << boost::json::serialize(boost::json::value_from(err)) << "\n";
        co_return;
    }
    std::cout << created.value.id << "\n";
}
// [service_error]

// [throwing]
asio::awaitable<kf::created_endpoint> create_or_throw(kf::endpoint_service& endpoints,
                                                      kf::create_endpoint_request req) {
    kf::service_error err;
    auto op = endpoints.async_create(std::move(req), err, asio::deferred);
    auto [ec, created] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    if (ec) throw kf::service_exception(err); // a system_error that keeps the whole service_error
    co_return created;
}
// [throwing]

// [endpoint_api_error]
asio::awaitable<void> initialize(kf::api_client& client, kf::endpoint_target target, std::string id) {
    kf::diagnostics diag;
    boost::json::value params = boost::json::object{};
    auto op = client.async_initialize_trigger(target, id, params, diag, asio::deferred);
    auto [ec, registration] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    if (!ec) {
        // V1 or V2 (SDK 2.3): both carry the rule and the source to register.
        std::visit([](const auto& body) { std::cout << "source " << body.source.key << "\n"; }, registration);
        co_return;
    }
    try {
        kf::endpoint_api_error::throw_if(ec, diag); // throws whenever ec is set
    } catch (const kf::endpoint_api_error& e) {
        std::cout << e.what() << "\n" << e.stack() << "\n"; // "EndpointApiError: <message>", the stack
    } catch (const kf::error_with_diagnostics& e) {
        std::cout << e.code().message() << ": " << e.get_diagnostics().client_message() << "\n";
    }
}
// [endpoint_api_error]

} // namespace errors_snippets
