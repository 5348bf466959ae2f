// Runs one async operation to completion on a test's io_context, with a bounded wait.
#pragma once

#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>

namespace kongflow_test {

namespace detail {
template <class Op>
struct op_signature;
template <class Signature, class... Rest>
struct op_signature<boost::asio::deferred_async_operation<Signature, Rest...>> {
    using type = Signature;
};
template <class Signature>
struct signature_tuple;
template <class R, class... Args>
struct signature_tuple<R(Args...)> {
    using type = std::tuple<std::decay_t<Args>...>;
};
} // namespace detail

/// The completion arguments of a deferred async operation, as a tuple.
template <class Op>
using completion_tuple = typename detail::signature_tuple<typename detail::op_signature<std::decay_t<Op>>::type>::type;

/// `op` is a deferred async operation (our default token). Returns std::tuple<error_code, T...>.
/// (Boost 1.81's as_tuple(use_future) does not compile, hence a plain callback.)
template <class Op>
completion_tuple<Op> run_to_completion(boost::asio::io_context& ctx, Op&& op,
                                       std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::optional<completion_tuple<Op>> out;
    std::forward<Op>(op)([&](auto&&... args) { out.emplace(std::forward<decltype(args)>(args)...); });
    ctx.restart();
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!out) {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("operation did not complete in time");
        ctx.run_for(std::chrono::milliseconds(20));
        ctx.restart();
    }
    return std::move(*out);
}

} // namespace kongflow_test
