#ifndef KONGFLOW_ENDPOINTS_QUEUE_IMPL_WORKER_IPP
#define KONGFLOW_ENDPOINTS_QUEUE_IMPL_WORKER_IPP

#include <kongflow/endpoints/queue/worker.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <unistd.h>

namespace kongflow::endpoints {
namespace detail {

inline std::string default_worker_id() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
    std::random_device rd;
    std::uniform_int_distribution<std::uint64_t> d;
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(d(rd)));
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + suffix;
}

// Everything here runs on the store thread unless marked otherwise. Lambdas posted to store_ctx_
// capture a raw pointer: they only run on the store thread, which is joined before the impl dies.
class worker_impl {
public:
    struct queue_slot {
        queue_config cfg;
        // Guarded by mx_: claimed jobs waiting for a slot, and jobs whose handler runs.
        std::deque<std::shared_ptr<running_job>> local;
        std::size_t running = 0;
        bool wanted = true; // store thread: more jobs may be available
    };
    struct periodic_slot {
        periodic_job job;
        std::unique_ptr<boost::asio::steady_timer> timer;
        timestamp next{};
    };

    worker_impl(boost::asio::any_io_executor ex, queue& q, worker_params p)
            : p_(std::move(p)), ex_(std::move(ex)), q_(q), poll_timer_(store_ctx_), heartbeat_timer_(store_ctx_),
              rescue_timer_(store_ctx_), cleanup_timer_(store_ctx_), flush_timer_(store_ctx_),
              shutdown_timer_(store_ctx_) {
        if (p_.id.empty()) p_.id = default_worker_id();
        if (!p_.retry) p_.retry = std::make_shared<exponential_backoff>();
        for (auto& c : p_.queues) {
            queues_.emplace_back();
            queues_.back().cfg = c;
        }
    }

    ~worker_impl() {
        stop_now();
        // The periodic jobs' timers belong to store_ctx_, which is declared (so destroyed) after
        // them: destroy them first.
        periodic_.clear();
    }

    // -- configuration (caller thread, before start) -----------------------------------------
    std::unordered_map<std::string, worker::handler_type> handlers_;
    std::unordered_map<std::string, std::shared_ptr<retry_policy>> retry_by_kind_; // else p_.retry
    std::vector<periodic_slot> periodic_;
    worker_params p_;

    result<void> start(std::weak_ptr<worker_impl> self) {
        if (started_) return make_error_code(errc::queue_stopped);
        if (queues_.empty() || p_.lease_duration.count() <= 0 || p_.heartbeat_interval.count() <= 0 ||
            p_.heartbeat_interval >= p_.lease_duration || p_.poll_interval.count() <= 0 ||
            p_.rescue_interval.count() <= 0 || p_.cleanup_interval.count() <= 0 || p_.completion_batch_size == 0)
            return make_error_code(errc::invalid_argument);
        for (auto& q : queues_)
            if (q.cfg.max_workers == 0 || q.cfg.name.empty()) return make_error_code(errc::invalid_argument);
        started_ = true;
        self_ = std::move(self);
        listener_ = q_.add_listener([this] { on_enqueued(); });
        listening_ = true;
        boost::asio::post(store_ctx_, [this] {
            arm_poll();
            heartbeat_tick_later();
            rescue_tick(); // also re-arms itself
            cleanup_later();
            for (auto& ps : periodic_) arm_periodic(ps);
            tick();
        });
        thread_ = std::thread([this] { store_ctx_.run(); });
        return {};
    }

    // Any thread: called by the queue after a commit. Coalesced so that an enqueue storm costs one
    // wake-up per store-thread turn.
    void on_enqueued() {
        if (wake_posted_.exchange(true)) return;
        boost::asio::post(store_ctx_, [this] {
            wake_posted_ = false;
            for (auto& q : queues_) q.wanted = true;
            tick();
        });
    }

    // -- the fetch / complete loop -------------------------------------------------------------
    void request_tick() {
        if (tick_posted_) return;
        tick_posted_ = true;
        boost::asio::post(store_ctx_, [this] {
            tick_posted_ = false;
            tick();
        });
    }

    bool flush_due() const {
        return !outcomes_.empty() && (stopping_ || p_.completion_delay.count() == 0 ||
                                      outcomes_.size() >= p_.completion_batch_size || flush_timer_fired_);
    }

    void tick() {
        if (stopped_) return;
        bool flush = flush_due();
        auto now = now_ms();
        if (!stopping_) {
            for (std::size_t i = 0; i < queues_.size(); ++i) {
                auto& qs = queues_[i];
                if (!qs.wanted) continue;
                std::size_t held;
                {
                    std::lock_guard lk(mx_);
                    held = qs.running + qs.local.size();
                }
                std::size_t cap = qs.cfg.max_workers + p_.prefetch;
                if (held >= cap) continue;
                std::size_t want = cap - held;
                claim_params cp{qs.cfg.name, want, p_.id, now, now + p_.lease_duration};
                result<std::vector<job_row>> r;
                if (flush) {
                    complete_params done{p_.id, outcomes_, now};
                    r = q_.complete_and_claim(done, cp);
                    if (r)
                        mark_flushed();
                    else
                        flush = false; // retried later by the flush timer
                } else {
                    r = q_.claim(cp);
                }
                if (!r) {
                    report(r.error(), "claim");
                    continue; // the poll timer tries again
                }
                qs.wanted = r->size() == want;
                claimed_ += r->size();
                if (!r->empty()) add_claimed(i, std::move(*r));
            }
        }
        if (flush && !outcomes_.empty()) flush_now();
        if (!outcomes_.empty()) arm_flush();
        maybe_finish_shutdown();
    }

    void mark_flushed() {
        for (auto& o : outcomes_) count_outcome(o.kind);
        outcomes_.clear();
        flush_timer_fired_ = false;
    }

    void count_outcome(job_outcome_kind k) {
        switch (k) {
        case job_outcome_kind::completed: ++completed_; break;
        case job_outcome_kind::retry: ++retried_; break;
        case job_outcome_kind::discard: ++discarded_; break;
        case job_outcome_kind::cancel: ++cancelled_; break;
        }
    }

    bool flush_now() {
        if (outcomes_.empty()) return true;
        auto r = q_.complete({p_.id, outcomes_, now_ms()});
        if (!r) {
            report(r.error(), "record completions");
            return false;
        }
        mark_flushed();
        return true;
    }

    void arm_flush() {
        if (flush_armed_) return;
        flush_armed_ = true;
        // With completion_delay 0 we only get here after a failed write: retry in a second.
        auto delay = p_.completion_delay.count() > 0 ? p_.completion_delay : std::chrono::milliseconds(1000);
        flush_timer_.expires_after(delay);
        flush_timer_.async_wait([this](error_code ec) {
            flush_armed_ = false;
            if (ec || stopped_) return;
            flush_timer_fired_ = true;
            tick();
        });
    }

    // Store thread: claimed rows join the queue's local buffer; free slots start at once.
    void add_claimed(std::size_t qi, std::vector<job_row> rows) {
        auto self = self_.lock();
        std::lock_guard lk(mx_);
        auto& qs = queues_[qi];
        for (auto& row : rows) {
            auto rj = std::make_shared<running_job>();
            rj->row = std::move(row);
            rj->queue_index = qi;
            rj->executor = ex_;
            running_.emplace(rj->row.id, rj);
            qs.local.push_back(std::move(rj));
        }
        while (qs.running < qs.cfg.max_workers && !qs.local.empty()) {
            ++qs.running;
            post_handler(self, std::move(qs.local.front()));
            qs.local.pop_front();
        }
    }

    // Any thread: runs the job's handler on the worker's executor.
    static void post_handler(const std::shared_ptr<worker_impl>& self, std::shared_ptr<running_job> rj) {
        boost::asio::post(self->ex_, [self, rj = std::move(rj)]() mutable {
            if (rj->cancel_requested.load()) {
                // Lost or released before it started: do not run it, just free the slot.
                report_finished(self, rj, make_error_code(errc::job_cancel));
                return;
            }
            auto h = self->handlers_.find(rj->row.kind);
            if (h == self->handlers_.end()) {
                // River's behaviour: another process may know the kind; fail and retry with backoff.
                rj->error_detail = "no handler registered for kind '" + rj->row.kind + "'";
                report_finished(self, rj, make_error_code(errc::unknown_job_kind));
                return;
            }
            job_context ctx(rj);
            std::weak_ptr<worker_impl> weak = self;
            // While the handler runs synchronously, a dropped completion is only noted: an
            // exception unwinding through the handler drops it too, and must win.
            rj->in_dispatch = true;
            try {
                h->second(ctx, job_completion_handler(completion{std::move(weak), rj}));
            } catch (...) {
                rj->in_dispatch = false;
                auto ec = error_from_exception(std::current_exception(), ctx);
                report_finished(self, rj, ec);
                return;
            }
            rj->in_dispatch = false;
            if (rj->dropped) {
                rj->error_detail = "the handler dropped its completion handler without calling it";
                report_finished(self, rj, make_error_code(errc::job_failed));
            }
        });
    }

    // Any thread, once per job: queues the outcome for the store thread and, if the queue's local
    // buffer has a claimed job, starts it in the freed slot right away, so handlers keep running
    // while the store thread waits for a commit.
    static void report_finished(const std::shared_ptr<worker_impl>& self, const std::shared_ptr<running_job>& rj,
                                error_code ec) {
        if (rj->reported.exchange(true)) return;
        if (!self) return;
        std::shared_ptr<running_job> next;
        bool wake;
        {
            std::lock_guard lk(self->mx_);
            self->finished_.emplace_back(rj, ec);
            auto& qs = self->queues_[rj->queue_index];
            if (!self->draining_ && !qs.local.empty()) {
                next = std::move(qs.local.front());
                qs.local.pop_front();
            } else {
                --qs.running;
            }
            wake = !self->drain_posted_;
            self->drain_posted_ = true;
        }
        if (next) post_handler(self, std::move(next));
        if (wake) boost::asio::post(self->store_ctx_, [p = self.get()] { p->drain(); });
    }

    // The completion handler given to job handlers. Dropping it without calling it is reported
    // as errc::job_failed, so a buggy handler cannot leak a slot.
    struct completion {
        std::weak_ptr<worker_impl> w;
        std::shared_ptr<running_job> rj;
        completion(std::weak_ptr<worker_impl> w, std::shared_ptr<running_job> rj)
                : w(std::move(w)), rj(std::move(rj)) {}
        completion(completion&& o) noexcept = default;
        completion& operator=(completion&&) = delete;
        ~completion() {
            if (!rj || rj->reported.load()) return;
            if (rj->in_dispatch) {
                rj->dropped = true; // reported by post_handler, after the handler returns or throws
                return;
            }
            rj->error_detail = "the handler dropped its completion handler without calling it";
            report_finished(w.lock(), rj, make_error_code(errc::job_failed));
        }
        void operator()(error_code ec) {
            auto j = std::move(rj);
            report_finished(w.lock(), j, ec);
        }
    };

    // Store thread: turns finished handlers into outcomes for the next batch.
    void drain() {
        std::vector<std::pair<std::shared_ptr<running_job>, error_code>> done;
        {
            std::lock_guard lk(mx_);
            done.swap(finished_);
            drain_posted_ = false;
        }
        for (auto& [rj, ec] : done) {
            auto it = running_.find(rj->row.id);
            if (it == running_.end() || it->second != rj) continue; // released at shutdown
            running_.erase(it);
            if (rj->lost)
                ++lost_;
            else
                outcomes_.push_back(decide(*rj, ec));
        }
        tick();
    }

    job_outcome decide(running_job& rj, error_code ec) {
        job_outcome o;
        o.id = rj.row.id;
        if (!ec) return o;
        o.error = ec.message();
        if (!rj.error_detail.empty()) o.error += ": " + rj.error_detail;
        if (ec == errc::job_cancel) {
            o.kind = job_outcome_kind::cancel;
        } else if (ec == errc::job_discard || rj.row.attempt >= rj.row.max_attempts) {
            o.kind = job_outcome_kind::discard;
        } else {
            o.kind = job_outcome_kind::retry;
            auto policy = retry_by_kind_.find(rj.row.kind);
            auto& retry = policy != retry_by_kind_.end() ? *policy->second : *p_.retry;
            o.retry_at = now_ms() + retry.backoff(rj.row);
        }
        return o;
    }

    // -- timers -------------------------------------------------------------------------------
    void arm_poll() {
        poll_timer_.expires_after(p_.poll_interval);
        poll_timer_.async_wait([this](error_code ec) {
            if (ec || stopping_) return;
            for (auto& q : queues_) q.wanted = true;
            tick();
            arm_poll();
        });
    }

    void heartbeat_tick_later() {
        heartbeat_timer_.expires_after(p_.heartbeat_interval);
        heartbeat_timer_.async_wait([this](error_code ec) {
            if (ec || stopped_) return;
            heartbeat();
            heartbeat_tick_later();
        });
    }

    void heartbeat() {
        if (running_.empty() && outcomes_.empty()) return;
        auto now = now_ms();
        auto held = q_.heartbeat({p_.id, now, now + p_.lease_duration});
        if (!held) return report(held.error(), "heartbeat");
        std::unordered_set<job_id> h(held->begin(), held->end());
        for (auto& [id, rj] : running_) {
            if (rj->lost || h.count(id)) continue;
            rj->lost = true; // cancelled, or rescued by someone else after we stalled
            signal_cancel(rj);
        }
    }

    void signal_cancel(const std::shared_ptr<running_job>& rj) {
        rj->cancel_requested = true;
        boost::asio::post(ex_, [rj] { rj->signal.emit(boost::asio::cancellation_type::terminal); });
    }

    void rescue_tick() {
        if (stopping_) return;
        auto n = q_.rescue({now_ms(), p_.max_rescues});
        if (!n)
            report(n.error(), "rescue");
        else if (*n) {
            rescued_ += *n;
            for (auto& q : queues_) q.wanted = true;
            tick();
        }
        rescue_timer_.expires_after(p_.rescue_interval);
        rescue_timer_.async_wait([this](error_code ec) {
            if (!ec) rescue_tick();
        });
    }

    void cleanup_later() {
        cleanup_timer_.expires_after(p_.cleanup_interval);
        cleanup_timer_.async_wait([this](error_code ec) {
            if (ec || stopping_) return;
            cleanup();
            cleanup_later();
        });
    }

    void cleanup() {
        auto now = now_ms();
        cleanup_params cp;
        if (p_.completed_retention) cp.completed_before = now - *p_.completed_retention;
        if (p_.cancelled_retention) cp.cancelled_before = now - *p_.cancelled_retention;
        if (p_.discarded_retention) cp.discarded_before = now - *p_.discarded_retention;
        if (!cp.completed_before && !cp.cancelled_before && !cp.discarded_before) return;
        // Bounded work per turn so that claims are not starved by a large backlog.
        for (int i = 0; i < 10; ++i) {
            auto n = q_.cleanup(cp);
            if (!n) return report(n.error(), "cleanup");
            if (*n < cp.limit) return;
        }
    }

    void arm_periodic(periodic_slot& ps) {
        if (stopping_) return;
        auto next = ps.job.schedule.next_after(std::max(now_ms(), ps.next));
        if (!next) return;
        ps.next = *next;
        if (!ps.timer) ps.timer = std::make_unique<boost::asio::steady_timer>(store_ctx_);
        ps.timer->expires_after(*next - now_ms());
        ps.timer->async_wait([this, &ps](error_code ec) {
            if (ec || stopping_) return;
            if (now_ms() < ps.next) { // the wall clock lags the steady clock: wait the rest
                ps.next -= std::chrono::minutes(1);
                return arm_periodic(ps);
            }
            auto r = q_.enqueue(periodic_request(ps.job, ps.next));
            if (!r) report(r.error(), "enqueue periodic job " + ps.job.name);
            arm_periodic(ps);
        });
    }

    void report(const error& ec, std::string_view what) {
        ++store_errors_;
        if (p_.on_error) {
            try {
                p_.on_error(ec, what);
            } catch (...) {}
        }
    }

    // -- shutdown ------------------------------------------------------------------------------
    void begin_shutdown(std::chrono::milliseconds deadline, boost::asio::any_completion_handler<void(error_code)> h) {
        if (stopping_) { // a second call: report at once
            boost::asio::post(ex_, boost::asio::append(std::move(h), make_error_code(errc::queue_stopped)));
            return;
        }
        stopping_ = true;
        shutdown_handler_.emplace(std::move(h)); // (Boost 1.81's any_completion_handler move-assignment recurses)
        poll_timer_.cancel();
        rescue_timer_.cancel();
        cleanup_timer_.cancel();
        for (auto& ps : periodic_)
            if (ps.timer) ps.timer->cancel();
        release_local();
        if (!running_.empty()) {
            shutdown_timer_.expires_after(deadline);
            shutdown_timer_.async_wait([this](error_code ec) {
                if (ec || stopped_) return;
                release_running();
                tick();
            });
        }
        tick();
    }

    // Gives back the leases of jobs still running (attempt not charged) and tells their handlers.
    void release_running() {
        {
            std::lock_guard lk(mx_);
            draining_ = true; // freed slots no longer start buffered jobs
            for (auto& qs : queues_) qs.local.clear();
        }
        if (running_.empty()) return;
        std::vector<job_id> ids;
        for (auto& [id, rj] : running_) {
            ids.push_back(id);
            signal_cancel(rj);
        }
        running_.clear();
        if (auto r = q_.release(p_.id, ids); !r) report(r.error(), "release leases");
    }

    // Gives back the leases of claimed jobs that have not started (shutdown).
    void release_local() {
        std::vector<job_id> ids;
        {
            std::lock_guard lk(mx_);
            draining_ = true;
            for (auto& qs : queues_) {
                for (auto& rj : qs.local) {
                    ids.push_back(rj->row.id);
                    running_.erase(rj->row.id);
                }
                qs.local.clear();
            }
        }
        if (ids.empty()) return;
        if (auto r = q_.release(p_.id, ids); !r) report(r.error(), "release leases");
    }

    void maybe_finish_shutdown() {
        if (!stopping_ || stopped_ || !shutdown_handler_ || !running_.empty()) return;
        error_code ec;
        if (!flush_now()) ec = make_error_code(errc::storage_failure);
        stopped_ = true;
        shutdown_timer_.cancel();
        heartbeat_timer_.cancel();
        flush_timer_.cancel();
        remove_listener();
        auto h = std::move(*shutdown_handler_);
        shutdown_handler_.reset();
        boost::asio::post(ex_, boost::asio::append(std::move(h), ec));
    }

    void remove_listener() {
        if (listening_) {
            q_.remove_listener(listener_);
            listening_ = false;
        }
    }

    // Caller thread (destructor): stop the store thread, then finish synchronously.
    void stop_now() {
        remove_listener();
        if (thread_.joinable()) {
            store_ctx_.stop();
            thread_.join();
        }
        if (started_ && !stopped_) {
            stopped_ = true;
            stopping_ = true;
            release_running();
            flush_now();
        }
    }

    boost::asio::any_io_executor ex_;
    queue& q_;
    boost::asio::io_context store_ctx_{1};
    std::thread thread_;
    std::weak_ptr<worker_impl> self_;
    std::vector<queue_slot> queues_;
    std::unordered_map<job_id, std::shared_ptr<running_job>> running_; // leased by us, outcome not yet taken
    std::mutex mx_; // guards queue_slot::local/running, finished_, drain_posted_, draining_
    std::vector<std::pair<std::shared_ptr<running_job>, error_code>> finished_;
    bool drain_posted_ = false;
    bool draining_ = false;
    std::vector<job_outcome> outcomes_;
    boost::asio::steady_timer poll_timer_, heartbeat_timer_, rescue_timer_, cleanup_timer_, flush_timer_,
        shutdown_timer_;
    std::optional<boost::asio::any_completion_handler<void(error_code)>> shutdown_handler_;
    std::uint64_t listener_ = 0;
    bool listening_ = false;
    std::atomic<bool> started_{false};
    std::atomic<bool> wake_posted_{false};
    bool tick_posted_ = false;
    bool flush_armed_ = false;
    bool flush_timer_fired_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    // Counters: written on the store thread, read anywhere.
    std::atomic<std::uint64_t> claimed_{0}, completed_{0}, retried_{0}, discarded_{0}, cancelled_{0}, lost_{0},
        rescued_{0}, store_errors_{0};
};

} // namespace detail

KONGFLOW_ENDPOINTS_DECL worker::worker(executor_type ex, queue& q, worker_params p)
        : ex_(ex), impl_(std::make_shared<detail::worker_impl>(std::move(ex), q, std::move(p))) {}

KONGFLOW_ENDPOINTS_DECL worker::~worker() { impl_->stop_now(); }

KONGFLOW_ENDPOINTS_DECL const std::string& worker::id() const noexcept { return impl_->p_.id; }

KONGFLOW_ENDPOINTS_DECL void worker::register_handler_impl(std::string kind, handler_type h) {
    impl_->handlers_[std::move(kind)] = std::move(h);
}

KONGFLOW_ENDPOINTS_DECL void worker::set_retry_policy(std::string kind, std::shared_ptr<retry_policy> policy) {
    if (policy)
        impl_->retry_by_kind_[std::move(kind)] = std::move(policy);
    else
        impl_->retry_by_kind_.erase(kind);
}

KONGFLOW_ENDPOINTS_DECL void worker::add_periodic(periodic_job p) {
    impl_->periodic_.push_back(detail::worker_impl::periodic_slot{std::move(p), nullptr, {}});
}

KONGFLOW_ENDPOINTS_DECL result<void> worker::start() { return impl_->start(impl_); }

KONGFLOW_ENDPOINTS_DECL result<job_id> worker::enqueue(const job_request& r) {
    if (!impl_->handlers_.count(r.kind)) return make_error_code(errc::unknown_job_kind);
    return impl_->q_.enqueue(r);
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> worker::enqueue_batch(std::span<const job_request> jobs) {
    for (const auto& r : jobs)
        if (!impl_->handlers_.count(r.kind)) return make_error_code(errc::unknown_job_kind);
    return impl_->q_.enqueue_batch(jobs);
}

KONGFLOW_ENDPOINTS_DECL void
worker::async_enqueue_impl(job_request r, boost::asio::any_completion_handler<void(error_code, job_id)> h) {
    if (!impl_->handlers_.count(r.kind)) {
        boost::asio::post(ex_, boost::asio::append(std::move(h), make_error_code(errc::unknown_job_kind), job_id(0)));
        return;
    }
    auto* p = impl_.get();
    boost::asio::post(p->store_ctx_, [p, r = std::move(r), h = std::move(h)]() mutable {
        auto id = p->q_.enqueue(r);
        error_code ec = id ? error_code{} : id.error();
        boost::asio::post(p->ex_, boost::asio::append(std::move(h), ec, id ? *id : job_id(0)));
    });
}

KONGFLOW_ENDPOINTS_DECL void worker::async_shutdown_impl(std::chrono::milliseconds deadline,
                                                         boost::asio::any_completion_handler<void(error_code)> h) {
    if (!impl_->started_) {
        boost::asio::post(ex_, boost::asio::append(std::move(h), error_code{}));
        return;
    }
    auto* p = impl_.get();
    boost::asio::post(p->store_ctx_,
                      [p, deadline, h = std::move(h)]() mutable { p->begin_shutdown(deadline, std::move(h)); });
}

KONGFLOW_ENDPOINTS_DECL worker_counters worker::counters() const noexcept {
    auto& i = *impl_;
    return {i.claimed_, i.completed_, i.retried_, i.discarded_, i.cancelled_, i.lost_, i.rescued_, i.store_errors_};
}

} // namespace kongflow::endpoints

#endif
