// An api_client of your own (docs/extending.md): HTTP through the library's http_transport, plus
// one log line per exchange. Only do_send and get_executor are yours; building the requests and
// reading the replies stay in the library, so this client answers exactly as http_api_client.
#ifndef KONGFLOW_EXAMPLES_EXTENDING_LOGGING_API_CLIENT_HPP
#define KONGFLOW_EXAMPLES_EXTENDING_LOGGING_API_CLIENT_HPP

#include <kongflow/endpoints/client/api_client.hpp>
#include <kongflow/endpoints/client/http_transport.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace example {
namespace kf = kongflow::endpoints;

// [logging_api_client]
class logging_api_client final : public kf::api_client {
public:
    using sink = std::function<void(std::string_view line)>;

    logging_api_client(boost::asio::any_io_executor ex, sink log) : ex_(ex), transport_(ex), log_(std::move(log)) {}

    executor_type get_executor() override { return ex_; }
    kf::http_transport& transport() noexcept { return transport_; }

private:
    // One built request in, one reply (or "no reply" as an error_code) out, exactly once and
    // never inline: the transport guarantees both. Headers are not logged: they hold the API key.
    void do_send(kf::action_request request, kf::diagnostics& diag, send_handler handler) override {
        // Keep the caller's cancellation slot on the operation we start in its place.
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        std::string line = std::string(kf::to_string(request.action)) + " " + request.url;
        if (request.method != "POST") line += " [" + request.method + "]"; // a hop after a 301-303
        // An action_request is an http_request: method (GET after a 303), headers and body go as built.
        transport_.async_send(
            std::move(request), diag,
            boost::asio::bind_cancellation_slot(slot, [this, line = std::move(line), h = std::move(handler)](
                                                          kf::error_code ec, kf::http_response res) mutable {
                if (ec) {
                    log_(line + " -> no reply (" + ec.message() + ")");
                } else {
                    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(res.duration).count();
                    log_(line + " -> " + std::to_string(res.status) + " in " + std::to_string(ms) + " ms");
                }
                std::move(h)(ec, std::move(res));
            }));
    }

    boost::asio::any_io_executor ex_;
    kf::http_transport transport_;
    sink log_;
};
// [logging_api_client]

} // namespace example

#endif
