// Reads a connection's PRAGMA settings in tests.
#ifndef KONGFLOW_TESTS_INTEGRATION_SQLITE_PRAGMA_HPP
#define KONGFLOW_TESTS_INTEGRATION_SQLITE_PRAGMA_HPP

#include <kongflow/endpoints/sqlite/detail/connection.hpp>

namespace kf_test {

/// The connection's `PRAGMA synchronous` (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA); -1 when unreadable.
inline int synchronous_level_of(kongflow::endpoints::sqlite::detail::connection& c) {
    auto st = c.prepare("PRAGMA synchronous");
    if (!st) return -1;
    auto row = st->step();
    return row && *row ? static_cast<int>(st->get_int64(0)) : -1;
}

} // namespace kf_test

#endif
