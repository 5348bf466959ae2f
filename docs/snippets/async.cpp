// Snippets of docs/async.md (and daemon.md's GCC 12 note). Compiled (tests/docs:
// kongflow_doc_snippets), never run.
#include <kongflow/endpoints/client/http_api_client.hpp>
#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>

#include <boost/asio.hpp>

#include <future>
#include <iostream>

namespace asio = boost::asio;
namespace kf = kongflow::endpoints;
using namespace std::chrono_literals;

namespace async_snippets {

// [callback]
void callback(kf::api_client& client, const kf::endpoint_target& target, kf::diagnostics& diag) {
    client.async_ping(target, "my-app", diag, [&diag](kf::error_code ec, kf::ping_result pong) {
        if (ec)
            std::cout << "PING failed: " << pong.error << " (" << diag.client_message() << ")\n";
        else
            std::cout << "PING ok, SDK " << pong.trigger_sdk_version.value_or("?") << "\n";
    });
}
// [callback]

// [future]
void future(kf::api_client& client, const kf::endpoint_target& target) {
    // The io_context runs on another thread; get() blocks this one and throws
    // boost::system::system_error on an error (the result is then lost: prefer as_tuple).
    kf::diagnostics diag;
    std::future<kf::ping_result> pong = client.async_ping(target, "my-app", diag, asio::use_future);
    std::cout << pong.get().ok << "\n";
}
// [future]

// [awaitable]
asio::awaitable<void> ping_twice(kf::api_client& client, kf::endpoint_target target) {
    kf::diagnostics diag;
    // Throws boost::system::system_error when the error_code is set:
    kf::ping_result first = co_await client.async_ping(target, "my-app", diag, asio::use_awaitable);
    // Or keep the error and the result (Trigger.dev's message is in the result):
    auto [ec, second] = co_await client.async_ping(target, "my-app", diag, asio::as_tuple(asio::use_awaitable));
    std::cout << first.ok << " " << ec.message() << " " << second.error << "\n";
}
// [awaitable]

// [deferred]
void deferred(kf::api_client& client, const kf::endpoint_target& target, kf::diagnostics& diag) {
    auto op = client.async_ping(target, "my-app", diag); // deferred (the default): nothing sent yet
    std::move(op)([](kf::error_code ec, kf::ping_result) { std::cout << ec.message() << "\n"; }); // sent now
}
// [deferred]

// [gcc12]
asio::awaitable<void> create(kf::endpoint_service& service, kf::create_endpoint_request req) {
    kf::service_error err;
    // Not: co_await service.async_create(std::move(req), err, asio::as_tuple(asio::use_awaitable));
    auto op = service.async_create(std::move(req), err, asio::deferred);
    auto [ec, created] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
    std::cout << (ec ? err.message : created.value.id) << "\n";
}
// [gcc12]

// [cancel]
void timeout(asio::io_context& ctx, kf::api_client& client, const kf::endpoint_target& target, kf::diagnostics& diag) {
    // Give up on an INDEX_ENDPOINT after 2 s, whatever its own timeout. The signal is emitted on
    // the client's executor (the timer's handler runs there: one thread).
    auto stop = std::make_shared<asio::cancellation_signal>();
    auto timer = std::make_shared<asio::steady_timer>(ctx, 2s);
    timer->async_wait([stop](kf::error_code ec) {
        if (!ec) stop->emit(asio::cancellation_type::terminal);
    });
    client.async_index_endpoint(
        target, diag, asio::bind_cancellation_slot(stop->slot(), [stop, timer](kf::error_code ec, kf::index_result) {
            timer->cancel();
            if (ec == asio::error::operation_aborted) std::cout << "gave up\n";
        }));
}
// [cancel]

// [target_timeout]
void per_call_timeout(kf::api_client& client, kf::diagnostics& diag) {
    kf::endpoint_target target{"http://127.0.0.1:3000/api/trigger", "tr_dev_secret123", 10s}; // not the 5 s default
    client.async_index_endpoint(target, diag, asio::detached);
}
// [target_timeout]

// [blocking_executor]
void thread_pool(kf::store& st, kf::api_client& client) {
    asio::io_context ctx;          // I/O: HTTP, the services' coroutines, job handlers
    asio::thread_pool blocking(4); // store calls (SQLite writes fsync) run here
    kf::endpoint_service_params params;
    params.blocking_executor = blocking.get_executor();
    kf::endpoint_service endpoints(ctx.get_executor(), st, client, params);
}
// [blocking_executor]

// [shutdown]
void shutdown(asio::io_context& ctx, kf::worker& worker, kf::http_api_client& client) {
    asio::signal_set signals(ctx, SIGINT, SIGTERM);
    signals.async_wait([&](kf::error_code, int) {
        // Stop claiming; let running jobs finish for up to 10 s; then give their leases back.
        worker.async_shutdown(10s, [&](kf::error_code ec) {
            if (ec) std::cerr << "final completions not recorded: " << ec.message() << "\n";
            client.transport().close(); // idle keep-alive connections; ctx.run() can return
        });
    });
}
// [shutdown]

} // namespace async_snippets
