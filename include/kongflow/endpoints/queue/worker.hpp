// The queue client (River's Client + producers): runs jobs from a queue with handlers registered
// per kind.
//
// Threads. Handlers always run on the executor you pass in (post to it; use a strand if that
// executor runs on several threads and your handlers share state). The queue's calls block
// (SQLite, fsync), so the worker owns exactly one thread, the *store thread*, with a private
// io_context: it claims, records completions, heartbeats leases, rescues expired leases, cleans up
// finished jobs and fires periodic jobs. Nothing else of yours runs on it except retry_policy and
// the on_error callback.
//
// Flow. The store thread claims up to (free slots) jobs of a named queue in one call, posts each
// to a handler on your executor, collects their outcomes and records them in one call, together
// with the next claim when it can (queue::complete_and_claim). It claims when an in-process
// enqueue wakes it (at once, not debounced), when a slot frees while jobs remain, and every
// poll_interval (jobs enqueued by other processes, scheduled and retried jobs).
//
// Leases. Every claimed job is leased for lease_duration and the lease is extended every
// heartbeat_interval while the handler runs. Every worker rescues expired leases every
// rescue_interval without charging an attempt, so jobs of a killed process run again within
// lease_duration + rescue_interval (25 s by default). A handler whose job was cancelled, or whose
// lease was lost, is told through job_context (cancel_requested(), cancellation_slot()).
#ifndef KONGFLOW_ENDPOINTS_QUEUE_WORKER_HPP
#define KONGFLOW_ENDPOINTS_QUEUE_WORKER_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/queue/periodic.hpp>
#include <kongflow/endpoints/queue/queue.hpp>
#include <kongflow/endpoints/queue/retry_policy.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace kongflow::endpoints {

/// A named queue served by a worker, with its concurrency limit (jobs running at once).
struct queue_config {
    std::string name = "default";
    std::size_t max_workers = 100;
};

/// Every duration and limit of the worker. The defaults are documented in docs/queue.md.
struct worker_params {
    std::vector<queue_config> queues{queue_config{}};
    /// Lease owner id; empty = "<hostname>:<pid>:<random>". Must be unique among live workers.
    std::string id;
    /// How often to look for jobs the in-process wake-up cannot see (other processes' enqueues,
    /// scheduled jobs and retries becoming due).
    std::chrono::milliseconds poll_interval{1000};
    std::chrono::milliseconds lease_duration{20000};
    std::chrono::milliseconds heartbeat_interval{5000};
    std::chrono::milliseconds rescue_interval{5000};
    /// Jobs claimed beyond the free slots of each named queue and held (leased, heartbeated) in a
    /// local buffer, so that a freed slot starts its next job at once while the store thread
    /// waits for a commit (graphile-worker's localQueue). 0 = claim only for free slots.
    std::size_t prefetch = 100;
    /// A job whose lease expires more often than this is discarded (it probably kills its worker).
    int max_rescues = 10;
    /// Completions are recorded when this many are pending, or after completion_delay (0 = as
    /// soon as the store thread is free, which batches naturally under load).
    std::size_t completion_batch_size = 1000;
    std::chrono::milliseconds completion_delay{0};
    /// Null = exponential_backoff with its defaults. Per kind: worker::set_retry_policy.
    std::shared_ptr<retry_policy> retry;
    /// Retention of final jobs (unset = keep for ever) and how often the cleaner runs.
    std::optional<std::chrono::milliseconds> completed_retention{std::chrono::hours(24)};
    std::optional<std::chrono::milliseconds> cancelled_retention{std::chrono::hours(24)};
    std::optional<std::chrono::milliseconds> discarded_retention{std::chrono::hours(24 * 7)};
    std::chrono::milliseconds cleanup_interval{30000};
    /// Called on the store thread when a queue call fails (the worker retries by itself); the
    /// error carries the queue's diagnostics (SQLite's own text).
    std::function<void(const error&, std::string_view what)> on_error;
};

/// Counters since start (approximate while the worker runs).
struct worker_counters {
    std::uint64_t claimed = 0;
    std::uint64_t completed = 0;
    std::uint64_t retried = 0;
    std::uint64_t discarded = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t lost = 0;    ///< finished after their lease was lost (outcome ignored)
    std::uint64_t rescued = 0; ///< expired leases this worker's rescuer gave back
    std::uint64_t store_errors = 0;
};

namespace detail {
class worker_impl;

/// Shared by the job_context copies of one running job.
struct running_job {
    job_row row;
    std::size_t queue_index = 0;
    boost::asio::any_io_executor executor;
    boost::asio::cancellation_signal signal; // emitted on `executor` only
    std::atomic<bool> cancel_requested{false};
    std::atomic<bool> reported{false};
    bool lost = false;        // store thread only
    bool in_dispatch = false; // handler's executor only
    bool dropped = false;     // handler's executor only
    std::string error_detail;
};
} // namespace detail

/// What a handler gets: the job, and a way to learn that it should stop.
class job_context {
public:
    explicit job_context(std::shared_ptr<detail::running_job> j) noexcept : j_(std::move(j)) {}

    const job_row& job() const noexcept { return j_->row; }
    job_id id() const noexcept { return j_->row.id; }
    const std::string& kind() const noexcept { return j_->row.kind; }
    const boost::json::object& payload() const noexcept { return j_->row.payload; }
    int attempt() const noexcept { return j_->row.attempt; }
    const boost::asio::any_io_executor& get_executor() const noexcept { return j_->executor; }

    /// True once the job was cancelled, its lease was lost, or shutdown's deadline passed.
    bool cancel_requested() const noexcept { return j_->cancel_requested.load(std::memory_order_relaxed); }
    /// Emitted (terminal) on the handler's executor when cancel_requested() becomes true.
    /// Coroutine handlers are bound to it automatically.
    boost::asio::cancellation_slot cancellation_slot() const noexcept { return j_->signal.slot(); }

    /// Text appended to the error message recorded when the handler fails. Call before completing.
    void set_error_detail(std::string d) { j_->error_detail = std::move(d); }

private:
    std::shared_ptr<detail::running_job> j_;
};

using job_completion_handler = boost::asio::any_completion_handler<void(error_code)>;

namespace detail {

template <class>
inline constexpr bool always_false = false;

/// The error code and detail for an exception that escaped a handler.
inline error_code error_from_exception(std::exception_ptr e, job_context& ctx) {
    if (!e) return {};
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& se) {
        ctx.set_error_detail(se.what());
        return se.code();
    } catch (const std::exception& ex) {
        ctx.set_error_detail(std::string("exception: ") + ex.what());
    } catch (...) {
        ctx.set_error_detail("unknown exception");
    }
    return errc::job_failed;
}

// Invokes f(pre..., ctx, ...) in whichever style f supports:
//   void(Pre..., job_context, job_completion_handler)   callback style
//   boost::asio::awaitable<void>(Pre..., job_context)          coroutine (co_spawned on the executor,
//                                                       bound to the job's cancellation slot;
//                                                       throw system_error(errc::job_cancel) to cancel)
//   error_code(Pre..., job_context)                     synchronous, on the executor
template <class F, class... Pre>
void invoke_job_handler(F& f, job_context ctx, job_completion_handler done, Pre&&... pre) {
    if constexpr (std::is_invocable_v<F&, Pre..., job_context, job_completion_handler>) {
        f(std::forward<Pre>(pre)..., std::move(ctx), std::move(done));
    } else if constexpr (std::is_invocable_v<F&, Pre..., job_context> &&
                         std::is_same_v<std::invoke_result_t<F&, Pre..., job_context>, boost::asio::awaitable<void>>) {
        auto ex = ctx.get_executor();
        auto slot = ctx.cancellation_slot();
        boost::asio::co_spawn(
            ex, f(std::forward<Pre>(pre)..., ctx),
            boost::asio::bind_cancellation_slot(slot, [done = std::move(done), ctx](std::exception_ptr e) mutable {
                auto ec = error_from_exception(e, ctx);
                std::move(done)(ec);
            }));
    } else if constexpr (std::is_invocable_r_v<error_code, F&, Pre..., job_context>) {
        error_code ec = f(std::forward<Pre>(pre)..., ctx);
        std::move(done)(ec);
    } else {
        static_assert(always_false<F>, "a job handler must be callable as void(job_context, job_completion_handler), "
                                       "boost::asio::awaitable<void>(job_context) or error_code(job_context), with the "
                                       "decoded arguments first for register_worker");
    }
}

} // namespace detail

/// Runs jobs. Register handlers and periodic jobs, then start(). Not copyable or movable.
///
/// Thread safety: register_*/add_periodic before start() only, from one thread. enqueue*,
/// counters() and async_shutdown may be called from any thread. The queue must outlive the worker.
class worker {
public:
    using executor_type = boost::asio::any_io_executor;
    using handler_type = std::function<void(job_context, job_completion_handler)>;

    KONGFLOW_ENDPOINTS_DECL worker(executor_type ex, queue& q, worker_params p = {});
    template <class ExecutionContext,
              class = std::enable_if_t<std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>>>
    worker(ExecutionContext& ctx, queue& q, worker_params p = {}) : worker(ctx.get_executor(), q, std::move(p)) {}

    /// Stops without waiting: running handlers are told to stop, their leases are given back
    /// (attempt not charged) and buffered completions are recorded. Prefer async_shutdown.
    KONGFLOW_ENDPOINTS_DECL ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    executor_type get_executor() const noexcept { return ex_; }
    /// The lease owner id.
    KONGFLOW_ENDPOINTS_DECL const std::string& id() const noexcept;

    /// Registers the handler of `kind` (see detail::invoke_job_handler for the accepted shapes).
    /// The handler must complete exactly once: no error = completed; errc::job_cancel = cancelled;
    /// errc::job_discard = failed for good; anything else = retried with backoff until
    /// max_attempts, then discarded. A dropped completion handler counts as errc::job_failed.
    template <class F>
    void register_handler(std::string kind, F f) {
        if constexpr (std::is_convertible_v<F, handler_type> &&
                      std::is_invocable_v<F&, job_context, job_completion_handler>) {
            register_handler_impl(std::move(kind), handler_type(std::move(f)));
        } else {
            register_handler_impl(std::move(kind),
                                  [f = std::move(f)](job_context ctx, job_completion_handler done) mutable {
                                      detail::invoke_job_handler(f, std::move(ctx), std::move(done));
                                  });
        }
    }

    /// River's typed workers: Args has `static std::string_view kind()` (or a static constexpr
    /// member function) and Boost.JSON conversions (value_to / value_from, e.g. via
    /// BOOST_DESCRIBE_STRUCT). f receives the decoded Args first. A payload that does not decode
    /// discards the job (retrying cannot fix it).
    template <class Args, class F>
    void register_worker(F f) {
        std::string kind(Args::kind());
        register_handler_impl(kind, [f = std::move(f), kind](job_context ctx, job_completion_handler done) mutable {
            auto args = boost::json::try_value_to<Args>(boost::json::value(ctx.payload()));
            if (!args) {
                ctx.set_error_detail("payload does not decode as " + kind + ": " + args.error().message());
                std::move(done)(make_error_code(errc::job_discard));
                return;
            }
            detail::invoke_job_handler(f, std::move(ctx), std::move(done), std::move(*args));
        });
    }

    /// The retry policy of jobs of `kind` (before start()), instead of worker_params::retry;
    /// null goes back to that one.
    KONGFLOW_ENDPOINTS_DECL void set_retry_policy(std::string kind, std::shared_ptr<retry_policy> policy);

    /// Adds a periodic job (before start()).
    KONGFLOW_ENDPOINTS_DECL void add_periodic(periodic_job p);

    /// Starts the store thread. errc::invalid_argument for bad params (no queues, zero limits,
    /// heartbeat_interval >= lease_duration); errc::queue_stopped after shutdown.
    KONGFLOW_ENDPOINTS_DECL result<void> start();

    /// Enqueues through the worker's queue, refusing kinds with no registered handler
    /// (errc::unknown_job_kind): the check a typo deserves. Use the queue directly to enqueue
    /// kinds that other processes handle.
    KONGFLOW_ENDPOINTS_DECL result<job_id> enqueue(const job_request& r);
    KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_batch(std::span<const job_request> jobs);
    result<job_id> enqueue(std::string kind, const boost::json::value& payload, enqueue_options o = {}) {
        if (!payload.is_object()) return make_error_code(errc::invalid_payload);
        return enqueue(make_job_request(std::move(kind), payload.get_object(), std::move(o)));
    }
    /// Typed enqueue: Args as for register_worker; errc::invalid_payload unless it converts to an object.
    template <class Args>
    result<job_id> enqueue(const Args& args, enqueue_options o = {}) requires requires {
        Args::kind();
    }
    { return enqueue(std::string(Args::kind()), boost::json::value_from(args), std::move(o)); }

    /// Enqueues on the store thread (the calling thread never blocks on the store).
    /// Handler signature: void(error_code, job_id). Executor: the handler's associated executor,
    /// else the worker's. Never completes inline.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_enqueue(job_request r, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, job_id)>(enqueue_initiation{this}, token,
                                                                                      std::move(r));
    }

    /// Graceful shutdown: stops claiming and periodic jobs, waits up to `deadline` for running
    /// handlers, records their outcomes, then gives back the leases of handlers still running
    /// (they are told to stop; the attempt is not charged). Handler signature: void(error_code)
    /// (an error if the final completions could not be recorded: the leases expire and the jobs
    /// run again elsewhere). Executor: as async_enqueue. Call it once.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_shutdown(std::chrono::milliseconds deadline, CompletionToken&& token = {}) {
        return boost::asio::async_initiate<CompletionToken, void(error_code)>(shutdown_initiation{this}, token,
                                                                              deadline);
    }

    KONGFLOW_ENDPOINTS_DECL worker_counters counters() const noexcept;

private:
    struct enqueue_initiation {
        worker* self;
        using executor_type = boost::asio::any_io_executor;
        executor_type get_executor() const noexcept { return self->ex_; }
        template <class Handler>
        void operator()(Handler&& h, job_request r) const {
            self->async_enqueue_impl(
                std::move(r), boost::asio::any_completion_handler<void(error_code, job_id)>(std::forward<Handler>(h)));
        }
    };
    struct shutdown_initiation {
        worker* self;
        using executor_type = boost::asio::any_io_executor;
        executor_type get_executor() const noexcept { return self->ex_; }
        template <class Handler>
        void operator()(Handler&& h, std::chrono::milliseconds d) const {
            self->async_shutdown_impl(d,
                                      boost::asio::any_completion_handler<void(error_code)>(std::forward<Handler>(h)));
        }
    };

    KONGFLOW_ENDPOINTS_DECL void register_handler_impl(std::string kind, handler_type h);
    KONGFLOW_ENDPOINTS_DECL void async_enqueue_impl(job_request r,
                                                    boost::asio::any_completion_handler<void(error_code, job_id)> h);
    KONGFLOW_ENDPOINTS_DECL void async_shutdown_impl(std::chrono::milliseconds deadline,
                                                     boost::asio::any_completion_handler<void(error_code)> h);

    executor_type ex_;
    std::shared_ptr<detail::worker_impl> impl_;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/queue/impl/worker.ipp>
#endif

#endif
