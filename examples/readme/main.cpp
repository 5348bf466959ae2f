// The README's usage example: ping and index a Trigger.dev endpoint with coroutines.
#include <kongflow/endpoints/client/http_api_client.hpp>

#include <boost/asio.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace kf = kongflow::endpoints;

asio::awaitable<void> check(kf::api_client& client, kf::endpoint_target target) {
    kf::diagnostics diag;
    auto [ec, pong] = co_await client.async_ping(target, "my-app", diag, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        std::cout << "PING failed: " << pong.error << "\n"; // Trigger.dev's exact message
        co_return;
    }
    auto [iec, index] = co_await client.async_index_endpoint(target, diag, asio::as_tuple(asio::use_awaitable));
    if (index.kind == kf::index_result::outcome::success)
        std::cout << index.response.jobs.size() << " jobs, SDK " << index.trigger_sdk_version.value_or("?") << "\n";
    else
        std::cout << "INDEX failed: " << index.error.message << "\n";
}

int main(int argc, char** argv) {
    asio::io_context ctx;
    kf::http_api_client client(ctx.get_executor());
    kf::endpoint_target target{argc > 1 ? argv[1] : "http://127.0.0.1:3000/api/trigger", "tr_dev_secret123", {}};
    asio::co_spawn(ctx, check(client, target), [&](std::exception_ptr) { client.transport().close(); });
    ctx.run();
}
