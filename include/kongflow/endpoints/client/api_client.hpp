// The EndpointApi client: every Trigger.dev v2 endpoint action as an Asio async operation.
//
// `api_client` is the pluggable interface. Implementers override one hook, `do_send`, which moves
// one built request to the endpoint and hands back the reply; building requests and reading
// replies (with Trigger.dev's exact messages) is shared code in replies.hpp, so every client —
// http_api_client, testing::fake_api_client, yours — behaves identically on the wire.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_API_CLIENT_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_API_CLIENT_HPP

#include <kongflow/endpoints/client/endpoint_action.hpp>
#include <kongflow/endpoints/client/replies.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace kongflow::endpoints {

/// Thrown by endpoint_api_error::throw_if for an INITIALIZE_TRIGGER failure the endpoint reported
/// itself (Trigger.dev's `EndpointApiError`): what() is "EndpointApiError: <message>".
class endpoint_api_error : public error_with_diagnostics {
public:
    explicit endpoint_api_error(const diagnostics& diag) : error_with_diagnostics(errc::endpoint_error, diag) {}
    /// The endpoint's stack trace, verbatim (untrusted).
    std::string_view stack() const noexcept { return get_diagnostics().server_message(); }
    /// Throws when `ec` and `diag` describe an EndpointApiError; otherwise error_with_diagnostics.
    static void throw_if(error_code ec, const diagnostics& diag) {
        if (ec == errc::endpoint_error) throw endpoint_api_error(diag);
        throw_on_error(ec, diag);
    }
};

/// Pluggable client for the endpoint actions.
///
/// Every `async_*` below:
/// - *Handler signature*: `void(error_code, R)` with R the action's result type.
/// - *Executor*: the handler runs on its associated executor, or `get_executor()`; never inline.
/// - *Object lifetimes*: `*this` and `diag` must outlive the operation; arguments are copied.
/// - *Cancellation*: per-operation, through the handler's cancellation slot (terminal); the
///   operation then completes with `boost::asio::error::operation_aborted`.
/// - *Thread safety*: distinct operations may run concurrently on one client when the executor is
///   a single thread or a strand.
/// - *Errors*: the error_code classifies the failure (errc::connect_failed, errc::timeout,
///   errc::unauthorized, kongflow.http status, errc::invalid_json, errc::invalid_response,
///   errc::endpoint_error…); `diag.client_message()` holds Trigger.dev's message for it;
///   `diag.server_message()` the endpoint's body, capped (untrusted).
class api_client {
public:
    using executor_type = boost::asio::any_io_executor;

    virtual ~api_client() = default;
    virtual executor_type get_executor() = 0;

    const client_identity& identity() const noexcept { return identity_; }
    void set_identity(client_identity id) { identity_ = std::move(id); }

    /// PING with `endpoint_id` in x-trigger-endpoint-id (protocol.md §A.1).
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_ping(const endpoint_target& target, std::string_view endpoint_id, diagnostics& diag,
                    CompletionToken&& token = {}) {
        return run<ping_result>(replies::make_ping(target, endpoint_id, identity_), &replies::read_ping, diag,
                                std::forward<CompletionToken>(token));
    }

    /// VALIDATE (§A.2): the endpoint tells its id.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_validate(const endpoint_target& target, diagnostics& diag, CompletionToken&& token = {}) {
        return run<validate_result>(replies::make_validate(target, identity_), &replies::read_validate, diag,
                                    std::forward<CompletionToken>(token));
    }

    /// INDEX_ENDPOINT (§A.3), read as §C.4 reads it: success, redirect (returned, not followed)
    /// or failure with the {message, raw} to store. Default timeout 5 s, as Trigger.dev.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_index_endpoint(const endpoint_target& target, diagnostics& diag, CompletionToken&& token = {}) {
        return run<index_result>(replies::make_index(target, identity_), &replies::read_index, diag,
                                 std::forward<CompletionToken>(token));
    }

    /// EXECUTE_JOB (§A.5) with a RunJobBody; classified as success, fail, retry or resume.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_execute_job(const endpoint_target& target, const boost::json::value& run_job_body, diagnostics& diag,
                           CompletionToken&& token = {}) {
        return run<execute_job_result>(
            replies::make_json_action(endpoint_action::execute_job, target, run_job_body, identity_),
            &replies::read_execute_job, diag, std::forward<CompletionToken>(token));
    }

    /// PREPROCESS_RUN (§A.6) with a PreprocessRunBody.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_preprocess_run(const endpoint_target& target, const boost::json::value& body, diagnostics& diag,
                              CompletionToken&& token = {}) {
        return run<preprocess_run_result>(
            replies::make_json_action(endpoint_action::preprocess_run, target, body, identity_),
            &replies::read_preprocess_run, diag, std::forward<CompletionToken>(token));
    }

    /// INITIALIZE_TRIGGER (§A.7) with `{id, params}`: a version "2" source (SDK 2.3) gives
    /// register_trigger_body_v2, anything else is read as V1 (Trigger.dev reads only V1). An
    /// ErrorWithStack reply completes with errc::endpoint_error; endpoint_api_error::throw_if turns
    /// it into the typed exception.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_initialize_trigger(const endpoint_target& target, std::string_view id, const boost::json::value& params,
                                  diagnostics& diag, CompletionToken&& token = {}) {
        boost::json::value body = {{"id", id}, {"params", params}};
        return run<register_trigger_body>(
            replies::make_json_action(endpoint_action::initialize_trigger, target, body, identity_),
            &replies::read_initialize_trigger, diag, std::forward<CompletionToken>(token));
    }

    /// DELIVER_HTTP_SOURCE_REQUEST (§A.8).
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_deliver_http_source_request(const endpoint_target& target, const http_source_delivery& d,
                                           diagnostics& diag, CompletionToken&& token = {}) {
        return run<http_source_response>(replies::make_http_source(target, d, identity_), &replies::read_http_source,
                                         diag, std::forward<CompletionToken>(token));
    }

    /// DELIVER_WEBHOOK_REQUEST (§A.9).
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_deliver_webhook_request(const endpoint_target& target, const webhook_delivery& d, diagnostics& diag,
                                       CompletionToken&& token = {}) {
        return run<webhook_delivery_response>(replies::make_webhook(target, d, identity_), &replies::read_webhook, diag,
                                              std::forward<CompletionToken>(token));
    }

    /// DELIVER_HTTP_ENDPOINT_REQUEST_FOR_RESPONSE (§A.10).
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_deliver_http_endpoint_request_for_response(const endpoint_target& target,
                                                          const http_endpoint_delivery& d, diagnostics& diag,
                                                          CompletionToken&& token = {}) {
        return run<http_endpoint_response_result>(replies::make_http_endpoint(target, d, identity_),
                                                  &replies::read_http_endpoint, diag,
                                                  std::forward<CompletionToken>(token));
    }

    /// PROBE_EXECUTION_TIMEOUT (§A.11): the SDK sleeps `timeout` before answering.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_probe_execution_timeout(const endpoint_target& target, std::chrono::milliseconds timeout,
                                       diagnostics& diag, CompletionToken&& token = {}) {
        boost::json::value body = {{"timeout", timeout.count()}};
        return run<probe_result>(
            replies::make_json_action(endpoint_action::probe_execution_timeout, target, body, identity_),
            [](std::string_view, error_code ec, const http_response& r, probe_result& out, diagnostics& d) {
                return replies::read_probe(ec, r, out, d);
            },
            diag, std::forward<CompletionToken>(token));
    }

    /// RUN_NOTIFICATION (§A.12) with a RunNotification; the reply is returned as received.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_run_notification(const endpoint_target& target, const boost::json::value& notification,
                                diagnostics& diag, CompletionToken&& token = {}) {
        return run<http_response>(
            replies::make_json_action(endpoint_action::run_notification, target, notification, identity_),
            [](std::string_view url, error_code ec, const http_response& r, http_response& out, diagnostics& d) {
                out = r;
                return replies::read_run_notification(url, ec, r, d);
            },
            diag, std::forward<CompletionToken>(token));
    }

    /// DELIVER_EVENT (legacy, §A.4) with an ApiEventLog. SDK 2.3 answers 405.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_deliver_event(const endpoint_target& target, const boost::json::value& event, diagnostics& diag,
                             CompletionToken&& token = {}) {
        return run<deliver_event_response>(
            replies::make_json_action(endpoint_action::deliver_event, target, event, identity_),
            &replies::read_deliver_event, diag, std::forward<CompletionToken>(token));
    }

protected:
    using send_handler = boost::asio::any_completion_handler<void(error_code, http_response)>;

private:
    /// Sends one request. Complete `handler` exactly once, never inline (post when the answer is
    /// already known), with an error_code only when there was no reply at all (refused, reset,
    /// timeout, limits…); any HTTP status is a reply. Transport details may be written to `diag`'s
    /// client message; honour the handler's cancellation slot.
    virtual void do_send(action_request request, diagnostics& diag, send_handler handler) = 0;

    /// One action in flight: sends the request, follows redirects as Trigger.dev's fetch does
    /// (replies::next_hop), then reads the last reply. The stored URL stays the one in messages.
    template <class Result, class Handler, class Reader>
    struct exchange {
        api_client* self;
        Handler handler;
        Reader reader;
        diagnostics* diag;
        std::string url;                    ///< the stored endpoint URL, for Trigger.dev's messages
        std::optional<action_request> sent; ///< kept only while redirects may follow
        unsigned followed = 0;
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

        exchange(api_client* c, Handler h, Reader r, diagnostics* d, std::string u)
                : self(c), handler(std::move(h)), reader(std::move(r)), diag(d), url(std::move(u)) {}

        void send(action_request req) {
            if (replies::follows_redirects(req.action)) sent = req;
            auto io_ex = self->get_executor();
            auto slot = boost::asio::get_associated_cancellation_slot(handler);
            auto ex = boost::asio::get_associated_executor(handler, io_ex);
            api_client* client = self;
            diagnostics& d = *diag;
            client->do_send(
                std::move(req), d,
                boost::asio::bind_cancellation_slot(slot, boost::asio::bind_executor(ex, std::move(*this))));
        }

        void operator()(error_code ec, http_response reply) {
            if (!ec && sent) {
                auto step = replies::next_hop(*sent, reply, followed, *diag);
                if (step.what == replies::redirect_step::kind::follow) {
                    // The action's timeout covers the whole chain, as fetch's abort signal does.
                    if (step.next.total_timeout.count() > 0) {
                        auto left = step.next.total_timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                  std::chrono::steady_clock::now() - started);
                        if (left.count() <= 0) return finish(errc::timeout, {}, "timed out following redirects");
                        step.next.total_timeout = left;
                    }
                    ++followed;
                    diag->clear();
                    return send(std::move(step.next));
                }
                if (step.what == replies::redirect_step::kind::fail) return finish(step.ec, {}, {});
            }
            finish(ec, std::move(reply), {});
        }

        void finish(error_code ec, http_response reply, std::string detail) {
            if (!detail.empty()) diag->set_client_message(std::move(detail));
            Result result{};
            error_code out = ec == boost::asio::error::operation_aborted ? ec : reader(url, ec, reply, result, *diag);
            std::move(handler)(out, std::move(result));
        }
    };

    template <class Result>
    struct initiation {
        api_client* self;

        using executor_type = boost::asio::any_io_executor;
        executor_type get_executor() const noexcept { return self->get_executor(); }

        template <class Handler, class Reader>
        void operator()(Handler&& handler, action_request req, Reader reader, diagnostics* diag) const {
            diag->clear();
            if (auto ec = replies::check_headers(req, *diag)) {
                // Refused before sending; still never complete inline. post() delivers to the
                // handler's associated executor.
                boost::asio::post(self->get_executor(),
                                  boost::asio::append(std::forward<Handler>(handler), ec, Result{}));
                return;
            }
            std::string url = req.url;
            exchange<Result, std::decay_t<Handler>, Reader>(self, std::forward<Handler>(handler), std::move(reader),
                                                            diag, std::move(url))
                .send(std::move(req));
        }
    };

    template <class Result, class Reader, class CompletionToken>
    auto run(action_request req, Reader reader, diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, Result)>(
            initiation<Result>{this}, token, std::move(req), std::move(reader), &diag);
    }

    client_identity identity_;
};

} // namespace kongflow::endpoints

#endif
