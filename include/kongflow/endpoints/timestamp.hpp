// The library's one notion of time: UTC, millisecond precision (what we store and send).
#ifndef KONGFLOW_ENDPOINTS_TIMESTAMP_HPP
#define KONGFLOW_ENDPOINTS_TIMESTAMP_HPP

#include <chrono>

namespace kongflow::endpoints {

/// A point in time, UTC, millisecond precision. In JSON: ISO-8601 `2024-01-02T03:04:05.678Z`.
using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// The current time, truncated to milliseconds.
inline timestamp now_ms() noexcept {
    return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

} // namespace kongflow::endpoints

#endif
