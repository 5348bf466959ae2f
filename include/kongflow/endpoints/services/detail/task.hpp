// How the services run: each operation is a coroutine on the service's executor that hops to the
// blocking executor for store calls and back. Coroutines keep the multi-step flows (PING, unit of
// work, INDEX, redirects, registration) readable; the public fronts stay token-agnostic.
#ifndef KONGFLOW_ENDPOINTS_SERVICES_DETAIL_TASK_HPP
#define KONGFLOW_ENDPOINTS_SERVICES_DETAIL_TASK_HPP

#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/services/service_error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <type_traits>
#include <utility>

namespace kongflow::endpoints::detail {

template <class T>
using task = boost::asio::awaitable<std::pair<error_code, T>>;

/// Runs `t` on `ex` and completes `h` with its (error_code, value). The coroutine starts by a
/// post, so `h` never runs inline. An exception escaping the coroutine (memory exhaustion, a
/// throwing plugin) becomes an error instead of unwinding through the caller's executor.
template <class T>
void spawn_task(const boost::asio::any_io_executor& ex, task<T> t, service_error& err,
                boost::asio::any_completion_handler<void(error_code, T)> h) {
    boost::asio::co_spawn(ex, std::move(t),
                          [h = std::move(h), e = &err](std::exception_ptr ex_ptr, std::pair<error_code, T> r) mutable {
                              if (ex_ptr) {
                                  r.first = make_error_code(boost::system::errc::state_not_recoverable);
                                  try {
                                      std::rethrow_exception(ex_ptr);
                                  } catch (const boost::system::system_error& se) {
                                      r.first = se.code();
                                      e->message = se.what();
                                  } catch (const std::exception& x) {
                                      e->message = std::string("unexpected exception: ") + x.what();
                                  } catch (...) {
                                      e->message = "unexpected exception";
                                  }
                                  e->code = r.first;
                              }
                              std::move(h)(r.first, std::move(r.second));
                          });
}

/// Calls `f()` on `blocking` and resumes the awaiting coroutine on its own executor with the
/// result. Plain handlers, no coroutine: a coroutine's by-value parameters initialised from
/// temporaries are destroyed twice by GCC 12 (Debian 12's compiler). Pass `blocking` as an lvalue
/// (no temporary executor in the co_await expression, for the same reason).
template <class F>
auto on_blocking(const boost::asio::any_io_executor& blocking, F&& f) {
    using R = std::invoke_result_t<F&>;
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr, R)>(
        [](auto handler, const boost::asio::any_io_executor& ex, std::decay_t<F> fn) {
            boost::asio::post(ex, [handler = std::move(handler), fn = std::move(fn)]() mutable {
                std::exception_ptr e;
                R r{};
                try {
                    r = fn();
                } catch (...) {
                    e = std::current_exception();
                }
                auto home = boost::asio::get_associated_executor(handler);
                boost::asio::post(home, [handler = std::move(handler), e, r = std::move(r)]() mutable {
                    std::move(handler)(e, std::move(r));
                });
            });
        },
        boost::asio::use_awaitable, blocking, std::decay_t<F>(std::forward<F>(f)));
}

/// Elapsed time since `t0`, for the metrics sink.
inline std::chrono::microseconds since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
}

/// Fills `err` and returns the pair a task completes with.
template <class T>
std::pair<error_code, T> fail(service_error& err, errc code, std::string message, error_code cause = {},
                              boost::json::object details = {}) {
    err.code = code;
    err.message = std::move(message);
    err.cause = cause;
    err.details = std::move(details);
    return {err.code, T{}};
}

/// As above, with the cause's diagnostics (a store failure: SQLite's own text).
template <class T>
std::pair<error_code, T> fail(service_error& err, errc code, std::string message, const error& cause) {
    auto r = fail<T>(err, code, std::move(message), cause.code());
    err.diag = cause.diag();
    return r;
}

/// The message of a store failure: the store's own text first (SQLite's errmsg), then ours.
inline std::string store_message(const error& e) {
    const auto& d = e.diag();
    if (!d.server_message().empty()) return std::string(d.server_message());
    if (!d.client_message().empty()) return std::string(d.client_message());
    return e.message();
}

} // namespace kongflow::endpoints::detail

#endif
