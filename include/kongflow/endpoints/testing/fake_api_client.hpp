// A scripted api_client for tests (yours and ours): answers each action with the reply you give,
// as an endpoint would, and records every request. Replies go through the same readers as the
// real client, so services see exactly what they would see over HTTP.
#ifndef KONGFLOW_ENDPOINTS_TESTING_FAKE_API_CLIENT_HPP
#define KONGFLOW_ENDPOINTS_TESTING_FAKE_API_CLIENT_HPP

#include <kongflow/endpoints/client/api_client.hpp>

#include <boost/asio/post.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <variant>
#include <vector>

namespace kongflow::endpoints::testing {

class fake_api_client final : public api_client {
public:
    /// A reply, or an error_code for "no response" (errc::connect_failed, errc::timeout…).
    using outcome = std::variant<http_response, error_code>;
    using responder = std::function<outcome(const action_request&)>;

    explicit fake_api_client(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

    executor_type get_executor() override { return ex_; }

    /// Answers `action` with `r` (for every later request of that action).
    void on(endpoint_action action, responder r) {
        std::lock_guard lock(mutex_);
        responders_[action] = std::move(r);
    }

    /// Convenience: a fixed JSON reply with the SDK's standard headers.
    void reply(endpoint_action action, unsigned status, std::string body,
               std::vector<http_header> headers = {{"content-type", "application/json"},
                                                   {"trigger-version", "2023-09-29"},
                                                   {"trigger-sdk-version", "2.3.19"}}) {
        http_response r;
        r.status = status;
        r.body = std::move(body);
        r.headers = std::move(headers);
        on(action, [r](const action_request&) { return outcome(r); });
    }

    /// Convenience: no response at all.
    void fail(endpoint_action action, error_code ec) {
        on(action, [ec](const action_request&) { return outcome(ec); });
    }

    std::vector<action_request> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void do_send(action_request request, diagnostics&, send_handler handler) override {
        outcome out = error_code(errc::connect_failed);
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
            if (auto it = responders_.find(request.action); it != responders_.end()) out = it->second(request);
        }
        error_code ec;
        http_response reply;
        if (auto* e = std::get_if<error_code>(&out))
            ec = *e;
        else
            reply = std::get<http_response>(std::move(out));
        // Never complete inline.
        boost::asio::post(ex_, boost::asio::append(std::move(handler), ec, std::move(reply)));
    }

    boost::asio::any_io_executor ex_;
    mutable std::mutex mutex_;
    std::map<endpoint_action, responder> responders_;
    std::vector<action_request> requests_;
};

} // namespace kongflow::endpoints::testing

#endif
