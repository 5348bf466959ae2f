// A store: a repository and a queue that live in one place, so that units of work can span both.
#ifndef KONGFLOW_ENDPOINTS_STORAGE_STORE_HPP
#define KONGFLOW_ENDPOINTS_STORAGE_STORE_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/queue/queue.hpp>
#include <kongflow/endpoints/storage/repository.hpp>
#include <kongflow/endpoints/storage/unit_of_work.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace kongflow::endpoints {

/// The body of a unit run by store::async_transact. It runs inside the unit; returning an error
/// (or calling rollback()) discards what it wrote and enqueued, and only that.
using transact_work = std::function<result<void>(unit_of_work&)>;

/// Completion signature of store::async_transact: the ids of the jobs the unit enqueued.
using transact_signature = void(error_code, std::vector<job_id>);

/// What store::async_transact may assume of a unit's work.
enum class transact_mode {
    /// The work runs once.
    once,
    /// The work may run more than once, each time from the start in a fresh unit: it has no effect
    /// outside the unit except on its own outputs, which every run overwrites. This lets the SQLite
    /// store run a group of such units without a savepoint each (SQLite copies every page a
    /// savepoint's statements touch); when one of them fails, it rolls the whole group back and
    /// runs it again, a savepoint per unit.
    repeatable,
};

class store {
public:
    virtual ~store() = default;

    /// The repository, outside any unit of work (each call is its own transaction).
    virtual repository& repo() = 0;
    /// The queue, outside any unit of work (workers claim from it).
    virtual queue& jobs() = 0;
    /// Starts a unit of work (waits for the store's write lock).
    virtual result<std::unique_ptr<unit_of_work>> begin() = 0;

    /// Runs `work` in a unit of work and commits it, then completes with the ids of the jobs it
    /// enqueued. Unlike begin()/commit(), this lets the store group commit: the SQLite store runs
    /// the units that arrive while a commit is under way together, each in its own savepoint, in
    /// one transaction with one fsync, so N concurrent units do not wait for N fsyncs.
    ///
    /// `work` runs on a thread of `ex` (or of the executor of another unit of the same group): it
    /// may block, and must not begin another unit on this store. The handler runs on its
    /// associated executor (by default `ex`), never inside this call. On failure `diag` holds the
    /// store's message; an exception thrown by `work` becomes errc::storage_failure. The store,
    /// `diag` and what `work` refers to must outlive the operation.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_transact(boost::asio::any_io_executor ex, transact_work work, diagnostics& diag,
                        CompletionToken&& token = {}) {
        return async_transact(std::move(ex), transact_mode::once, std::move(work), diag,
                              std::forward<CompletionToken>(token));
    }

    /// As above; with transact_mode::repeatable the store may run `work` more than once (see
    /// transact_mode). The services' create units are repeatable.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_transact(boost::asio::any_io_executor ex, transact_mode mode, transact_work work, diagnostics& diag,
                        CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, transact_signature>(initiate_transact{this, std::move(ex)},
                                                                                token, std::move(work), mode, &diag);
    }

protected:
    /// The type-erased half of async_transact. The default runs begin(), `work` and commit() on a
    /// thread of `ex`, one unit per transaction, once whatever `mode` allows; stores that can group
    /// units override it.
    KONGFLOW_ENDPOINTS_DECL virtual void transact_impl(transact_work work, transact_mode mode, diagnostics& diag,
                                                       boost::asio::any_io_executor ex,
                                                       boost::asio::any_completion_handler<transact_signature> h);

    /// Runs one unit on the calling thread: begin(), `work`, commit(). Failures fill `diag`.
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> run_unit(const transact_work& work, diagnostics& diag);

private:
    struct initiate_transact {
        store* self;
        boost::asio::any_io_executor ex;
        using executor_type = boost::asio::any_io_executor;
        const executor_type& get_executor() const noexcept { return ex; }
        template <class Handler>
        void operator()(Handler&& h, transact_work work, transact_mode mode, diagnostics* diag) const {
            self->transact_impl(std::move(work), mode, *diag, ex,
                                boost::asio::any_completion_handler<transact_signature>(std::forward<Handler>(h)));
        }
    };
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/storage/impl/store.ipp>
#endif

#endif
