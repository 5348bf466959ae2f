// Snippets of docs/http_transport.md. Compiled (tests/docs: kongflow_doc_snippets), never run.
#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace kf = kongflow::endpoints;

namespace http_transport_snippets {

// [send]
asio::awaitable<void> ping(kf::http_transport& transport, std::string key) {
    kf::http_request req;
    req.url = "https://app.example.com/api/trigger";
    req.headers = {{"x-trigger-api-key", key}, {"x-trigger-action", "PING"}};
    req.total_timeout = std::chrono::seconds(5);
    kf::diagnostics diag;
    auto send = transport.async_send(std::move(req), diag, asio::deferred);
    auto [ec, resp] = co_await std::move(send)(asio::as_tuple(asio::use_awaitable));
    if (ec)
        std::cout << ec.message() << ": " << diag.client_message() << "\n";
    else
        std::cout << resp.status << " " << resp.body << "\n";
}

void make_transport() {
    asio::io_context ioc;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    kf::http_transport transport(ioc, tls); // or http_transport(ioc) for http only
}
// [send]

} // namespace http_transport_snippets
