// How the SQLite backend reports failures: SQLite's codes mapped to our errc (a unique violation is
// already_exists, a foreign key not_found, the rest storage_failure), SQLite's own text kept as the
// server message; and the retry helpers for SQLITE_BUSY.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_DETAIL_ERRORS_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_DETAIL_ERRORS_HPP

#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/sqlite/detail/connection.hpp>
#include <kongflow/endpoints/sqlite/error.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <string_view>
#include <thread>

namespace kongflow::endpoints::sqlite::detail {

// ---- errors ----

inline error sqlite_set_failure(errc e, std::string message, std::string server = {}) {
    return error(make_error_code(e), diagnostics(std::move(message), std::move(server)));
}

// Maps an SQLite failure to our vocabulary, keeping SQLite's text in the diagnostics: unique
// violations are already_exists, foreign keys not_found, the rest storage_failure. The code is
// also noted on the connection, for the busy retries of repository::read.
inline error sqlite_fail(detail::connection& c, const error& ec, std::string_view what) {
    if (ec.category() != get_category()) {
        c.set_failure_rc(0);
        if (!ec.diag().client_message().empty()) return ec;
        return error(ec.code(),
                     diagnostics(std::string(what) + ": " + ec.message(), std::string(ec.diag().server_message())));
    }
    const int rc = ec.value();
    c.set_failure_rc(rc);
    std::string server(ec.diag().server_message());
    if (server.empty()) server = c ? sqlite3_errmsg(c.native()) : sqlite3_errstr(rc);
    std::string msg = std::string(what) + ": " + sqlite3_errstr(rc) + " (SQLite code " + std::to_string(rc) + ")";
    errc mapped = errc::storage_failure;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        mapped = errc::already_exists;
    else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        mapped = errc::not_found;
    return sqlite_set_failure(mapped, std::move(msg), std::move(server));
}

inline bool sqlite_is_busy(int rc) noexcept { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

inline void sqlite_backoff(int attempt) {
    // Jittered so that two processes that collided do not collide again in lockstep.
    static thread_local std::minstd_rand rng{std::random_device{}()};
    int cap = std::min(50, 1 << std::min(attempt, 5));
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + static_cast<int>(rng() % static_cast<unsigned>(cap))));
}

} // namespace kongflow::endpoints::sqlite::detail

#endif
