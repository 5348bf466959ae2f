// A pool of connections to one SQLite file, shared by a repository and the units of work of its
// store; and the write-transaction helpers both use.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_DETAIL_POOL_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_DETAIL_POOL_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/sqlite/detail/connection.hpp>
#include <kongflow/endpoints/sqlite/params.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace kongflow::endpoints::sqlite::detail {

/// Connections to one file, handed out one per caller and returned when done.
class pool {
public:
    pool(std::string path, file_params params, std::size_t max_idle)
            : path_(std::move(path)), params_(std::move(params)), max_idle_(max_idle) {}

    class lease {
    public:
        lease(pool* owner, connection c) : pool_(owner), c_(std::move(c)) {}
        lease(lease&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), c_(std::move(o.c_)) {}
        lease& operator=(lease&&) = delete;
        ~lease() {
            if (pool_) pool_->release(std::move(c_));
        }
        connection& operator*() noexcept { return c_; }
        connection* operator->() noexcept { return &c_; }

    private:
        pool* pool_;
        connection c_;
    };

    /// An idle connection, or a new one. Open failures carry SQLite's message in `diag`.
    result<lease> acquire(diagnostics& diag) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (!idle_.empty()) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                return lease(this, std::move(c));
            }
        }
        auto c = connection::open(path_, params_);
        if (!c) {
            std::string server(c.error().diag().server_message());
            diag = diagnostics("cannot open the SQLite database " + path_ + ": " + c.error().message() +
                                   " (SQLite code " + std::to_string(c.error().value()) + ")",
                               server.empty() ? c.error().message() : server);
            return c.error();
        }
        if (on_open_) on_open_(*c);
        return lease(this, std::move(*c));
    }

    /// Runs `f` on every connection the pool opens from now on (and on the idle ones). Set it
    /// before the pool is shared between threads (sqlite::store uses it to move checkpoints off
    /// the committing connections).
    void set_on_open(std::function<void(connection&)> f) {
        std::lock_guard<std::mutex> lock(mu_);
        on_open_ = std::move(f);
        for (auto& c : idle_) on_open_(c);
    }

    const std::string& path() const noexcept { return path_; }
    const file_params& params() const noexcept { return params_; }

private:
    void release(connection c) {
        // A connection left inside a transaction (a bug or a failed ROLLBACK) is not reused.
        if (!c || c.in_transaction()) return;
        std::lock_guard<std::mutex> lock(mu_);
        if (idle_.size() < max_idle_) idle_.push_back(std::move(c));
    }

    std::string path_;
    file_params params_;
    std::size_t max_idle_;
    std::mutex mu_;
    std::vector<connection> idle_;
    std::function<void(connection&)> on_open_;
};

/// Starts a write transaction, retrying SQLITE_BUSY (which BEGIN IMMEDIATE can return without
/// waiting, e.g. during WAL recovery) until `budget` has passed.
KONGFLOW_ENDPOINTS_DECL result<void> begin_immediate(connection& c, std::chrono::milliseconds budget);
/// COMMIT, retrying SQLITE_BUSY. On failure the transaction may still be open: the caller reads
/// the diagnostics, then rolls back.
KONGFLOW_ENDPOINTS_DECL result<void> commit(connection& c, std::chrono::milliseconds budget);

} // namespace kongflow::endpoints::sqlite::detail

#endif
