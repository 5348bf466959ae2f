// Drives an io_context until a condition holds, with a deadline, so a broken test fails instead
// of hanging (a transport keeps a timer armed while it has idle connections, so run() alone
// would not return promptly).
#ifndef KONGFLOW_ENDPOINTS_TESTS_SUPPORT_RUN_UNTIL_HPP
#define KONGFLOW_ENDPOINTS_TESTS_SUPPORT_RUN_UNTIL_HPP

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace kongflow::test {

/// Runs `ioc` until `done()` is true or `limit` passes. Returns `done()`.
template <class Pred>
bool run_until(boost::asio::io_context& ioc, Pred done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        ioc.run_one_for(std::chrono::milliseconds(50));
        if (ioc.stopped()) ioc.restart();
    }
    return done();
}

/// Runs `ioc` for about `d` (to let timers or the server make progress).
inline void run_for(boost::asio::io_context& ioc, std::chrono::milliseconds d) {
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) {
        ioc.run_one_for(std::chrono::milliseconds(10));
        if (ioc.stopped()) ioc.restart();
    }
}

} // namespace kongflow::test

#endif
