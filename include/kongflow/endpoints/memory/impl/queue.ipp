#ifndef KONGFLOW_ENDPOINTS_MEMORY_IMPL_QUEUE_IPP
#define KONGFLOW_ENDPOINTS_MEMORY_IMPL_QUEUE_IPP

#include <kongflow/endpoints/memory/queue.hpp>

#include <algorithm>

namespace kongflow::endpoints::memory {

KONGFLOW_ENDPOINTS_DECL void queue::index_pending(const job_row& j) {
    ready_[j.queue].emplace(j.priority, endpoints::detail::to_millis(j.run_at), j.id);
}

KONGFLOW_ENDPOINTS_DECL void queue::unindex_pending(const job_row& j) {
    auto it = ready_.find(j.queue);
    if (it == ready_.end()) return;
    it->second.erase(ready_key(j.priority, endpoints::detail::to_millis(j.run_at), j.id));
    if (it->second.empty()) ready_.erase(it);
}

KONGFLOW_ENDPOINTS_DECL void queue::unlease(job_row& j) {
    if (j.lease_owner) {
        auto it = leased_.find(*j.lease_owner);
        if (it != leased_.end()) {
            it->second.erase(j.id);
            if (it->second.empty()) leased_.erase(it);
        }
    }
    j.lease_owner.reset();
    j.lease_expires_at.reset();
}

// Precondition: j is not pending (not indexed).
KONGFLOW_ENDPOINTS_DECL void queue::make_pending(job_row& j, job_state s, timestamp run_at) {
    unlease(j);
    if (j.finalized_at) final_.erase({endpoints::detail::to_millis(*j.finalized_at), j.id});
    j.finalized_at.reset();
    j.state = s;
    j.run_at = run_at;
    index_pending(j);
}

KONGFLOW_ENDPOINTS_DECL void queue::finalize(job_row& j, job_state s, timestamp now) {
    if (is_pending(j.state)) unindex_pending(j);
    unlease(j);
    j.state = s;
    j.finalized_at = now;
    final_.emplace(endpoints::detail::to_millis(now), j.id);
}

KONGFLOW_ENDPOINTS_DECL void queue::drop_key(job_row& j) {
    if (!j.job_key) return;
    auto it = keys_.find(*j.job_key);
    if (it != keys_.end() && it->second == j.id) keys_.erase(it);
    j.job_key.reset();
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> queue::enqueue_batch(std::span<const job_request> jobs) {
    for (const auto& r : jobs)
        if (auto ec = validate(r)) return ec;
    std::vector<job_id> ids;
    ids.reserve(jobs.size());
    auto now = now_ms();
    {
        std::lock_guard lk(mtx_);
        for (const auto& r : jobs) {
            auto run_at = r.run_at.value_or(now);
            auto state = run_at > now ? job_state::scheduled : job_state::available;
            if (r.job_key) {
                auto k = keys_.find(*r.job_key);
                if (k != keys_.end()) {
                    auto& old = jobs_.at(k->second);
                    if (r.key_mode == job_key_mode::keep_existing) {
                        ids.push_back(old.id);
                        continue;
                    }
                    if (is_pending(old.state)) {
                        unindex_pending(old);
                        old.kind = r.kind;
                        old.payload = r.payload;
                        old.queue = r.queue;
                        old.priority = r.priority;
                        old.max_attempts = r.max_attempts;
                        old.attempt = 0;
                        old.rescue_count = 0;
                        old.errors.clear();
                        old.state = state;
                        old.run_at = run_at;
                        index_pending(old);
                        ids.push_back(old.id);
                        continue;
                    }
                    drop_key(old); // running or final: it gives the key up
                }
            }
            job_row j;
            j.id = next_id_++;
            j.kind = r.kind;
            j.payload = r.payload;
            j.queue = r.queue;
            j.priority = r.priority;
            j.state = state;
            j.max_attempts = r.max_attempts;
            j.run_at = run_at;
            j.created_at = now;
            j.job_key = r.job_key;
            if (j.job_key) keys_[*j.job_key] = j.id;
            index_pending(j);
            ids.push_back(j.id);
            jobs_.emplace(j.id, std::move(j));
        }
    }
    if (!jobs.empty()) notify_listeners();
    return ids;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::claim(const claim_params& p) {
    std::vector<job_row> out;
    if (p.max_jobs == 0) return out;
    std::lock_guard lk(mtx_);
    auto q = ready_.find(p.queue);
    if (q == ready_.end()) return out;
    auto now = endpoints::detail::to_millis(p.now);
    std::vector<ready_key> taken;
    for (auto it = q->second.begin(); it != q->second.end() && taken.size() < p.max_jobs; ++it)
        if (std::get<1>(*it) <= now) taken.push_back(*it);
    for (auto& key : taken) {
        q->second.erase(key);
        auto& j = jobs_.at(std::get<2>(key));
        j.state = job_state::running;
        ++j.attempt;
        j.attempted_at = p.now;
        j.lease_owner = p.owner;
        j.lease_expires_at = p.lease_expires_at;
        leased_[p.owner].insert(j.id);
        out.push_back(j);
    }
    if (q->second.empty()) ready_.erase(q);
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::complete(const complete_params& p) {
    std::size_t n = 0;
    std::lock_guard lk(mtx_);
    for (const auto& o : p.outcomes) {
        auto it = jobs_.find(o.id);
        if (it == jobs_.end()) continue;
        auto& j = it->second;
        if (j.state != job_state::running || j.lease_owner != p.owner) continue;
        if (o.kind != job_outcome_kind::completed && !(o.kind == job_outcome_kind::cancel && o.error.empty()))
            j.errors.push_back({p.now, j.attempt, o.error});
        switch (o.kind) {
        case job_outcome_kind::completed: finalize(j, job_state::completed, p.now); break;
        case job_outcome_kind::retry: make_pending(j, job_state::retryable, o.retry_at); break;
        case job_outcome_kind::discard: finalize(j, job_state::discarded, p.now); break;
        case job_outcome_kind::cancel: finalize(j, job_state::cancelled, p.now); break;
        }
        ++n;
    }
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> queue::heartbeat(const heartbeat_params& p) {
    std::vector<job_id> held;
    std::lock_guard lk(mtx_);
    auto it = leased_.find(p.owner);
    if (it == leased_.end()) return held;
    for (auto id : it->second) {
        auto& j = jobs_.at(id);
        j.lease_expires_at = p.lease_expires_at;
        held.push_back(id);
    }
    return held;
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::rescue(const rescue_params& p) {
    std::lock_guard lk(mtx_);
    std::vector<job_id> expired;
    for (auto& [owner, ids] : leased_)
        for (auto id : ids) {
            auto& j = jobs_.at(id);
            if (j.lease_expires_at && *j.lease_expires_at < p.now) expired.push_back(id);
        }
    for (auto id : expired) {
        auto& j = jobs_.at(id);
        ++j.rescue_count;
        if (j.rescue_count > p.max_rescues) {
            j.errors.push_back({p.now, j.attempt, "worker lost: lease expired too many times"});
            finalize(j, job_state::discarded, p.now);
        } else {
            j.errors.push_back({p.now, j.attempt, "worker lost: lease expired; attempt not charged"});
            --j.attempt;
            make_pending(j, job_state::available, j.run_at);
        }
    }
    return expired.size();
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::release(const std::string& owner, std::span<const job_id> ids) {
    std::size_t n = 0;
    std::lock_guard lk(mtx_);
    for (auto id : ids) {
        auto it = jobs_.find(id);
        if (it == jobs_.end()) continue;
        auto& j = it->second;
        if (j.state != job_state::running || j.lease_owner != owner) continue;
        --j.attempt;
        make_pending(j, job_state::available, j.run_at);
        ++n;
    }
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<void> queue::cancel(job_id id) {
    std::lock_guard lk(mtx_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return make_error_code(errc::not_found);
    if (is_final(it->second.state)) return make_error_code(errc::job_not_cancellable);
    finalize(it->second, job_state::cancelled, now_ms());
    return {};
}

KONGFLOW_ENDPOINTS_DECL result<void> queue::retry(job_id id) {
    bool notify = false;
    {
        std::lock_guard lk(mtx_);
        auto it = jobs_.find(id);
        if (it == jobs_.end()) return make_error_code(errc::not_found);
        auto& j = it->second;
        if (j.state == job_state::running) return make_error_code(errc::conflict);
        if (is_pending(j.state)) unindex_pending(j);
        if (j.attempt >= j.max_attempts) j.max_attempts = j.attempt + 1;
        make_pending(j, job_state::available, now_ms());
        notify = true;
    }
    if (notify) notify_listeners();
    return {};
}

KONGFLOW_ENDPOINTS_DECL result<job_row> queue::get(job_id id) {
    std::lock_guard lk(mtx_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return make_error_code(errc::not_found);
    return it->second;
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::cleanup(const cleanup_params& p) {
    std::lock_guard lk(mtx_);
    std::size_t n = 0;
    for (auto it = final_.begin(); it != final_.end() && n < p.limit;) {
        auto& j = jobs_.at(it->second);
        const std::optional<timestamp>& before = j.state == job_state::completed   ? p.completed_before
                                                 : j.state == job_state::cancelled ? p.cancelled_before
                                                                                   : p.discarded_before;
        if (before && *j.finalized_at < *before) {
            drop_key(j);
            jobs_.erase(j.id);
            it = final_.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<queue_stats> queue::stats(timestamp now) {
    queue_stats s;
    std::lock_guard lk(mtx_);
    for (const auto& [id, j] : jobs_) {
        auto st = j.state;
        if (is_pending(st)) {
            if (j.run_at <= now) {
                st = job_state::available;
                if (!s.oldest_available_run_at || j.run_at < *s.oldest_available_run_at)
                    s.oldest_available_run_at = j.run_at;
            } else if (st == job_state::available) {
                st = job_state::scheduled;
            }
        }
        auto q = s.queues.find(j.queue);
        if (q == s.queues.end()) q = s.queues.emplace(j.queue, queue_counts{}).first;
        ++q->second.by_state[static_cast<int>(st)];
        ++s.totals.by_state[static_cast<int>(st)];
    }
    if (s.oldest_available_run_at) s.oldest_available_age = now - *s.oldest_available_run_at;
    return s;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::list_jobs(const list_jobs_params& p) {
    auto mask = endpoints::detail::state_mask(p.states);
    std::lock_guard lk(mtx_);
    std::vector<const job_row*> hits;
    for (const auto& [id, j] : jobs_)
        if ((mask >> static_cast<int>(j.state)) & 1 && (!p.queue || j.queue == *p.queue)) hits.push_back(&j);
    auto newer = [](const job_row* a, const job_row* b) {
        auto ta = endpoints::detail::last_event(*a), tb = endpoints::detail::last_event(*b);
        return ta != tb ? ta > tb : a->id > b->id;
    };
    auto n = std::min(p.limit, hits.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(), newer);
    std::vector<job_row> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(*hits[i]);
    return out;
}

} // namespace kongflow::endpoints::memory

#endif
