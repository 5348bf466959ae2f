#ifndef KONGFLOW_ENDPOINTS_SQLITE_IMPL_QUEUE_IPP
#define KONGFLOW_ENDPOINTS_SQLITE_IMPL_QUEUE_IPP

#include <kongflow/endpoints/json_text.hpp>
#include <kongflow/endpoints/sqlite/detail/access.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <tuple>

namespace kongflow::endpoints::sqlite {
namespace detail::queue_impl {

// States are stored as integers (job_state values) so that the partial indexes can say
// "state <= 2" (pending), "state = 3" (running) and "state >= 4" (final). Queries must repeat
// those exact terms for SQLite to use the partial indexes.
inline constexpr detail::migration migrations[] = {
    {1, R"sql(
CREATE TABLE kongflow_job (
  id               INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: ids may be kept by callers
  kind             TEXT    NOT NULL,
  payload          TEXT    NOT NULL,                  -- JSON object
  queue            TEXT    NOT NULL,
  priority         INTEGER NOT NULL,
  state            INTEGER NOT NULL,
  attempt          INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  rescue_count     INTEGER NOT NULL DEFAULT 0,
  run_at           INTEGER NOT NULL,                  -- ms since the Unix epoch
  created_at       INTEGER NOT NULL,
  attempted_at     INTEGER,
  finalized_at     INTEGER,
  errors           TEXT    NOT NULL DEFAULT '[]',     -- JSON array of {at, attempt, error}
  job_key          TEXT,
  lease_owner      TEXT,
  lease_expires_at INTEGER
);
CREATE INDEX kongflow_job_ready ON kongflow_job(queue, priority, run_at, id) WHERE state <= 2;
CREATE INDEX kongflow_job_leased ON kongflow_job(lease_owner, lease_expires_at) WHERE state = 3;
CREATE INDEX kongflow_job_lease_expiry ON kongflow_job(lease_expires_at) WHERE state = 3;
CREATE INDEX kongflow_job_final ON kongflow_job(state, finalized_at) WHERE state >= 4;
CREATE UNIQUE INDEX kongflow_job_key ON kongflow_job(job_key) WHERE job_key IS NOT NULL;
)sql"},
};

inline constexpr std::string_view row_columns =
    "id, kind, payload, queue, priority, state, attempt, max_attempts, rescue_count, run_at, created_at, "
    "attempted_at, finalized_at, errors, job_key, lease_owner, lease_expires_at";

inline std::optional<timestamp> opt_time(const statement& st, int col) {
    if (st.is_null(col)) return std::nullopt;
    return endpoints::detail::from_millis(st.get_int64(col));
}

// Reads a row selected with row_columns. A payload that is not an object (written by hand or by a
// foreign tool) is surfaced as an empty object with an error entry rather than crashing the worker.
inline job_row read_row(const statement& st) {
    job_row j;
    j.id = st.get_int64(0);
    j.kind = std::string(st.get_text(1));
    boost::system::error_code ec;
    auto v = boost::json::parse(st.get_text(2), ec);
    if (!ec && v.is_object())
        j.payload = std::move(v.get_object());
    else
        j.errors.push_back({now_ms(), 0, "stored payload is not a JSON object"});
    j.queue = std::string(st.get_text(3));
    j.priority = static_cast<int>(st.get_int64(4));
    auto s = st.get_int64(5);
    j.state = (s >= 0 && s < job_state_count) ? static_cast<job_state>(s) : job_state::discarded;
    j.attempt = static_cast<int>(st.get_int64(6));
    j.max_attempts = static_cast<int>(st.get_int64(7));
    j.rescue_count = static_cast<int>(st.get_int64(8));
    j.run_at = endpoints::detail::from_millis(st.get_int64(9));
    j.created_at = endpoints::detail::from_millis(st.get_int64(10));
    j.attempted_at = opt_time(st, 11);
    j.finalized_at = opt_time(st, 12);
    auto errs = boost::json::parse(st.get_text(13), ec);
    if (!ec) {
        auto parsed = endpoints::detail::errors_from_json(errs);
        j.errors.insert(j.errors.begin(), parsed.begin(), parsed.end());
    }
    j.job_key = st.get_optional_text(14);
    j.lease_owner = st.get_optional_text(15);
    j.lease_expires_at = opt_time(st, 16);
    return j;
}

inline std::string ids_json(std::span<const job_id> ids) {
    std::string s = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(ids[i]);
    }
    s += ']';
    return s;
}

// Keep each SQL text in one place: the statement cache is keyed by it.
inline constexpr std::string_view sql_key_lookup = "SELECT id, state FROM kongflow_job WHERE job_key = ?1";
inline constexpr std::string_view sql_key_release = "UPDATE kongflow_job SET job_key = NULL WHERE id = ?1";
inline constexpr std::string_view sql_replace =
    "UPDATE kongflow_job SET kind = ?1, payload = ?2, queue = ?3, priority = ?4, state = ?5, run_at = ?6, "
    "max_attempts = ?7, attempt = 0, rescue_count = 0, errors = '[]' WHERE id = ?8 AND state <= 2";
inline constexpr std::string_view sql_insert =
    "INSERT INTO kongflow_job(kind, payload, queue, priority, state, run_at, max_attempts, created_at, job_key) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

inline result<std::vector<job_id>> enqueue_rows(connection& conn, std::span<const job_request> jobs, timestamp now) {
    std::vector<job_id> ids;
    ids.reserve(jobs.size());
    std::string payload;
    for (const auto& r : jobs) {
        auto run_at = r.run_at.value_or(now);
        int state = static_cast<int>(run_at > now ? job_state::scheduled : job_state::available);
        payload = endpoints::json_text(r.payload);
        if (r.job_key) {
            auto st = conn.cached(sql_key_lookup);
            if (!st) return st.error();
            (*st)->bind(1, *r.job_key);
            auto row = (*st)->step();
            if (!row) return row.error();
            if (*row) {
                job_id existing = (*st)->get_int64(0);
                auto existing_state = static_cast<job_state>((*st)->get_int64(1));
                if (r.key_mode == job_key_mode::keep_existing) {
                    ids.push_back(existing);
                    continue;
                }
                if (is_pending(existing_state)) {
                    auto up = conn.cached(sql_replace);
                    if (!up) return up.error();
                    (*up)->bind_all(r.kind, payload, r.queue, r.priority, state, endpoints::detail::to_millis(run_at),
                                    r.max_attempts, existing);
                    if (auto x = (*up)->run(); !x) return x.error();
                    ids.push_back(existing);
                    continue;
                }
                auto rel = conn.cached(sql_key_release);
                if (!rel) return rel.error();
                (*rel)->bind(1, existing);
                if (auto x = (*rel)->run(); !x) return x.error();
            }
        }
        auto ins = conn.cached(sql_insert);
        if (!ins) return ins.error();
        (*ins)->bind_all(r.kind, payload, r.queue, r.priority, state, endpoints::detail::to_millis(run_at),
                         r.max_attempts, endpoints::detail::to_millis(now), r.job_key);
        if (auto x = (*ins)->run(); !x) return x.error();
        ids.push_back(sqlite3_last_insert_rowid(conn.native()));
    }
    return ids;
}

} // namespace detail::queue_impl

namespace sqi = detail::queue_impl;

namespace detail {
/// Creates or upgrades the queue's table (component "queue" of kongflow_schema).
KONGFLOW_ENDPOINTS_DECL result<void> migrate_queue(connection& conn) {
    auto r = migrate(conn, "queue", queue_impl::migrations);
    if (!r) return r.error();
    return {};
}

/// Enqueues on a connection where the caller holds a write transaction (a unit of work), with the
/// same validation and job_key rules as enqueue_batch. Nothing is visible before the commit.
KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> enqueue_in(connection& conn, std::span<const job_request> jobs) {
    for (const auto& r : jobs)
        if (auto ec = validate_job_request(r)) return ec;
    return queue_impl::enqueue_rows(conn, jobs, now_ms());
}
} // namespace detail

KONGFLOW_ENDPOINTS_DECL result<std::unique_ptr<queue>> queue::open(const std::string& path, const file_params& file,
                                                                   const queue_params& p) {
    if (auto bad = detail::settings_error(file.synchronous, file.page_size); !bad.empty())
        return error(errc::invalid_argument, diagnostics(path + ": " + bad));
    const file_params& op = file;
    auto c = detail::connection::open(path, op);
    if (!c)
        return error(c.error().code(), diagnostics(path + ": cannot open the job queue: " + c.error().message(),
                                                   std::string(c.error().diag().server_message())));
    if (auto r = detail::migrate_queue(*c); !r) return r.error();
    const char* full = detail::commit_sync_pragma(file.synchronous);
    std::unique_ptr<queue> q(new queue(std::move(*c), full, !p.durable_leases));
    if (full && p.pipelined_sync)
        if (auto wal = detail::wal_sync::path_for(q->conn_); !wal.empty())
            q->post_sync_ = std::make_unique<detail::wal_sync>(std::move(wal));
    if (p.background_checkpoint_pages > 0) {
        // A second connection for checkpoints: a PASSIVE checkpoint never blocks our writers. Its
        // busy timeout is the longest a RESTART checkpoint may hold them back (see the thread).
        auto ck_op = op;
        ck_op.busy_timeout = std::min(op.busy_timeout, std::chrono::milliseconds(25));
        auto ck = detail::connection::open(path, ck_op);
        if (!ck) return ck.error();
        q->start_checkpointer(std::move(*ck), p.background_checkpoint_pages,
                              p.inline_checkpoint_pages > 0 ? p.inline_checkpoint_pages
                                                            : 10 * p.background_checkpoint_pages);
    }
    return q;
}

KONGFLOW_ENDPOINTS_DECL void queue::start_checkpointer(detail::connection c, int pages, int inline_pages) {
    ckpt_conn_ = std::move(c);
    ckpt_pages_ = pages;
    // Copying starts at a quarter of the restart size: each pass then writes and syncs less at a
    // time, which the WAL syncs of concurrent commits feel less than one large pass before each
    // restart (create p99 at concurrency 32 about 1 ms lower in docs/services.md's runs).
    ckpt_copy_pages_ = std::max(1, pages / 4);
    ckpt_inline_pages_ = inline_pages;
    // synchronous=OFF: the user asked for no syncs at all, so the checkpointer adds none either.
    if (auto st = ckpt_conn_.prepare("PRAGMA synchronous"); st)
        if (auto row = st->step(); row && *row) ckpt_presync_ = st->get_int64(0) != 0;
    // The hook replaces SQLite's auto-checkpoint on the writing connection.
    sqlite3_wal_hook(conn_.native(), &queue::on_wal_commit, this);
    ckpt_thread_ = std::thread([this] {
        int retry_restart_at = 0;
        int restarted_log = -1; // the WAL size (pages) that the last successful RESTART copied
        std::unique_lock lk(ckpt_mtx_);
        for (;;) {
            ckpt_cv_.wait(lk, [&] { return ckpt_wanted_ || ckpt_stop_; });
            if (ckpt_stop_) return;
            ckpt_wanted_ = false;
            lk.unlock();
            int log = 0;
            int done = 0;
            int rc = ckpt_conn_.checkpoint(SQLITE_CHECKPOINT_PASSIVE, &log, &done);
            // Under a steady stream of commits a passive checkpoint never reaches the end of the
            // WAL, so SQLite never starts it over: the file grows without bound, and every commit
            // appends, which makes fdatasync write the inode too (a second disk round trip). Past
            // the threshold, RESTART copies the few frames the passive pass missed while holding
            // writers back (about one fsync of the database), and the next commit wraps the WAL
            // onto blocks it already owns.
            // The connection's short busy timeout bounds that hold when a long reader is in the
            // way; then the next try waits until the WAL has grown by another threshold.
            // A wake left over from commits made before the last RESTART finds that same WAL, all
            // copied: the next commit starts it over anyway, so do not hold writers back again.
            const bool already_restarted = rc == SQLITE_OK && log == restarted_log && done == log;
            if (rc == SQLITE_OK && !already_restarted && log >= std::max(ckpt_pages_, retry_restart_at)) {
                // A passive pass writes pages into the database file but leaves syncing them to
                // the pass that reaches the end of the WAL: here the RESTART, with writers held.
                // That sync (the thousands of pages copied since the last restart, and the file's
                // growth) was most of the hold. Sync them now, without any lock, and copy what
                // was committed meanwhile: the RESTART then syncs only a few dozen pages.
                if (ckpt_presync_ && ckpt_conn_.sync_database_file() == SQLITE_OK)
                    (void)ckpt_conn_.checkpoint(SQLITE_CHECKPOINT_PASSIVE);
                int rlog = 0;
                if (ckpt_conn_.checkpoint(SQLITE_CHECKPOINT_RESTART, &rlog) == SQLITE_OK) {
                    retry_restart_at = 0;
                    restarted_log = rlog;
                } else {
                    retry_restart_at = log + ckpt_pages_;
                }
            }
            lk.lock();
        }
    });
}

KONGFLOW_ENDPOINTS_DECL void queue::take_checkpoints_of(detail::connection& c) {
    if (ckpt_thread_.joinable()) sqlite3_wal_hook(c.native(), &queue::on_wal_commit, this);
}

// Called by SQLite after each commit on a connection that hands its checkpoints to this queue
// (conn_ under conn_mtx_, or a store's repository connection), with the WAL's size in pages.
KONGFLOW_ENDPOINTS_DECL int queue::on_wal_commit(void* self, sqlite3* db, const char*, int pages) {
    auto* q = static_cast<queue*>(self);
    if (pages < q->ckpt_copy_pages_) return SQLITE_OK;
    if (pages >= q->ckpt_inline_pages_) {
        // The background checkpointer cannot keep up (long readers?): bound the WAL here.
        (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
    }
    {
        std::lock_guard lk(q->ckpt_mtx_);
        q->ckpt_wanted_ = true;
    }
    q->ckpt_cv_.notify_one();
    return SQLITE_OK;
}

KONGFLOW_ENDPOINTS_DECL queue::~queue() {
    if (ckpt_thread_.joinable()) {
        {
            std::lock_guard lk(conn_mtx_);
            sqlite3_wal_hook(conn_.native(), nullptr, nullptr);
        }
        {
            std::lock_guard lk(ckpt_mtx_);
            ckpt_stop_ = true;
        }
        ckpt_cv_.notify_one();
        ckpt_thread_.join();
    }
}

// One IMMEDIATE transaction running `body` under conn_mtx_ (rolled back when it fails), durable
// when this returns. With pipelined sync it commits under NORMAL and syncs the WAL after letting
// go of the lock. Committed, but if that sync fails not known to be on disk: the caller gets the
// system's error (EIO, ENOSPC ...) and must not count on the write.
template <class F>
auto queue::durable_write(F&& body) -> decltype(body()) {
    decltype(body()) out;
    {
        std::lock_guard lk(conn_mtx_);
        detail::normal_sync_scope soft(conn_, post_sync_ ? full_sync_ : nullptr);
        auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
        if (!tx) return tx.error();
        out = body();
        if (!out) return out.error();
        if (auto c = tx->commit(); !c) return c.error();
    }
    if (post_sync_)
        if (auto ec = post_sync_->sync()) return ec;
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> queue::enqueue_batch(std::span<const job_request> jobs) {
    for (const auto& r : jobs)
        if (auto ec = validate_job_request(r)) return ec;
    auto ids = durable_write([&] { return sqi::enqueue_rows(conn_, jobs, now_ms()); });
    if (!ids) return ids.error();
    if (!jobs.empty()) notify_listeners();
    return ids;
}

// Leader/follower group commit: the first caller to find no leader writes every pending request
// in one transaction; the others wait for their own slot. While the leader waits for fsync, new
// callers queue up and form the next group, so N threads need far fewer than N fsyncs.
KONGFLOW_ENDPOINTS_DECL result<job_id> queue::enqueue(const job_request& job) {
    if (auto ec = validate_job_request(job)) return ec;
    pending_enqueue me{&job, 0, {}, false};
    std::unique_lock lk(gc_mtx_);
    gc_queue_.push_back(&me);
    while (!me.done) {
        if (!gc_leader_) {
            gc_leader_ = true;
            std::vector<pending_enqueue*> group;
            group.swap(gc_queue_);
            lk.unlock();
            write_group(group);
            notify_listeners();
            lk.lock();
            for (auto* p : group) p->done = true;
            gc_leader_ = false;
            gc_cv_.notify_all();
        } else {
            gc_cv_.wait(lk);
        }
    }
    if (me.ec) return me.ec;
    return me.id;
}

KONGFLOW_ENDPOINTS_DECL void queue::write_group(std::vector<pending_enqueue*>& group) {
    std::vector<job_request> reqs; // copies keep enqueue_rows simple; the group is small
    reqs.reserve(group.size());
    for (auto* p : group) reqs.push_back(*p->request);
    auto fail = [&](error_code ec) {
        for (auto* p : group) p->ec = ec;
    };
    auto ids = durable_write([&] { return sqi::enqueue_rows(conn_, reqs, now_ms()); });
    if (!ids) return fail(ids.error());
    for (std::size_t i = 0; i < group.size(); ++i) group[i]->id = (*ids)[i];
}

// Select, then update each row by id. One `UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING`
// would be shorter, but SQLite runs both the IN list and RETURNING through ephemeral tables, and
// each one allocates and touches a fresh page cache: that cost ~0.4 ms per claim, five times the
// rest of it. Inside the IMMEDIATE transaction nobody else can claim the selected rows.
KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::claim_tx(const claim_params& p) {
    std::vector<job_row> out;
    if (p.max_jobs == 0) return out;
    static const std::string select_sql = "SELECT " + std::string(sqi::row_columns) +
                                          " FROM kongflow_job WHERE state <= 2 AND queue = ?1 AND run_at <= ?2 "
                                          "ORDER BY priority, run_at, id LIMIT ?3";
    const auto now = endpoints::detail::to_millis(p.now);
    {
        auto st = conn_.cached(select_sql);
        if (!st) return st.error();
        (*st)->bind_all(p.queue, now, static_cast<std::int64_t>(p.max_jobs));
        for (;;) {
            auto row = (*st)->step();
            if (!row) return row.error();
            if (!*row) break;
            out.push_back(sqi::read_row(**st));
        }
    }
    if (out.empty()) return out;
    auto up = conn_.cached("UPDATE kongflow_job SET state = 3, attempt = attempt + 1, attempted_at = ?1, "
                           "lease_owner = ?2, lease_expires_at = ?3 WHERE id = ?4");
    if (!up) return up.error();
    const auto expires = endpoints::detail::to_millis(p.lease_expires_at);
    for (auto& j : out) {
        (*up)->bind_all(now, p.owner, expires, j.id);
        auto r = (*up)->run();
        (*up)->reset();
        if (!r) return r.error();
        j.state = job_state::running;
        ++j.attempt;
        j.attempted_at = p.now;
        j.lease_owner = p.owner;
        j.lease_expires_at = p.lease_expires_at;
    }
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::claim(const claim_params& p) {
    if (p.max_jobs == 0) return std::vector<job_row>{};
    std::lock_guard lk(conn_mtx_);
    detail::normal_sync_scope soft(conn_, soft_leases_ ? full_sync_ : nullptr);
    auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
    if (!tx) return tx.error();
    auto out = claim_tx(p);
    if (!out) return out.error();
    if (auto c = tx->commit(); !c) return c.error();
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::complete_and_claim(const complete_params& done,
                                                                               const claim_params& next) {
    return durable_write([&]() -> result<std::vector<job_row>> {
        if (auto n = complete_tx(done); !n) return n.error();
        return claim_tx(next);
    });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::complete(const complete_params& p) {
    if (p.outcomes.empty()) return std::size_t(0);
    return durable_write([&] { return complete_tx(p); });
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::complete_tx(const complete_params& p) {
    if (p.outcomes.empty()) return std::size_t(0);
    std::vector<job_id> done;
    for (const auto& o : p.outcomes)
        if (o.kind == job_outcome_kind::completed) done.push_back(o.id);
    std::size_t n = 0;
    auto now = endpoints::detail::to_millis(p.now);
    if (!done.empty()) {
        // One statement per id, not `id IN (SELECT value FROM json_each(?))`: see claim_tx.
        auto st = conn_.cached("UPDATE kongflow_job SET state = 4, finalized_at = ?1, lease_owner = NULL, "
                               "lease_expires_at = NULL WHERE id = ?3 AND state = 3 AND lease_owner = ?2");
        if (!st) return st.error();
        for (auto id : done) {
            (*st)->bind_all(now, p.owner, id);
            auto r = (*st)->run();
            (*st)->reset();
            if (!r) return r.error();
            n += static_cast<std::size_t>(conn_.changes());
        }
    }
    for (const auto& o : p.outcomes) {
        if (o.kind == job_outcome_kind::completed) continue;
        // ?5 = new state, ?6 = run_at for a retry (NULL keeps it), ?7 = finalized_at (NULL for retry)
        auto st =
            conn_.cached("UPDATE kongflow_job SET state = ?5, run_at = coalesce(?6, run_at), finalized_at = ?7, "
                         "lease_owner = NULL, lease_expires_at = NULL, errors = CASE WHEN ?3 IS NULL THEN errors ELSE "
                         "json_insert(errors, '$[#]', json_object('at', ?4, 'attempt', attempt, 'error', ?3)) END "
                         "WHERE id = ?1 AND state = 3 AND lease_owner = ?2");
        if (!st) return st.error();
        auto& s = **st;
        s.bind(1, o.id).bind(2, p.owner).bind(4, now);
        bool skip_error = o.kind == job_outcome_kind::cancel && o.error.empty();
        if (skip_error)
            s.bind_null(3);
        else
            s.bind(3, o.error);
        switch (o.kind) {
        case job_outcome_kind::retry:
            s.bind(5, static_cast<int>(job_state::retryable))
                .bind(6, endpoints::detail::to_millis(o.retry_at))
                .bind_null(7);
            break;
        case job_outcome_kind::discard:
            s.bind(5, static_cast<int>(job_state::discarded)).bind_null(6).bind(7, now);
            break;
        default: s.bind(5, static_cast<int>(job_state::cancelled)).bind_null(6).bind(7, now); break;
        }
        if (auto r = s.run(); !r) return r.error();
        n += static_cast<std::size_t>(conn_.changes());
    }
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_id>> queue::heartbeat(const heartbeat_params& p) {
    std::vector<job_id> held;
    std::lock_guard lk(conn_mtx_);
    detail::normal_sync_scope soft(conn_, soft_leases_ ? full_sync_ : nullptr);
    auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
    if (!tx) return tx.error();
    {
        auto st = conn_.cached("UPDATE kongflow_job SET lease_expires_at = ?1 WHERE state = 3 AND lease_owner = ?2 "
                               "RETURNING id");
        if (!st) return st.error();
        (*st)->bind_all(endpoints::detail::to_millis(p.lease_expires_at), p.owner);
        for (;;) {
            auto row = (*st)->step();
            if (!row) return row.error();
            if (!*row) break;
            held.push_back((*st)->get_int64(0));
        }
    }
    if (auto c = tx->commit(); !c) return c.error();
    return held;
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::rescue(const rescue_params& p) {
    std::lock_guard lk(conn_mtx_);
    detail::normal_sync_scope soft(conn_, soft_leases_ ? full_sync_ : nullptr);
    auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
    if (!tx) return tx.error();
    auto st = conn_.cached("UPDATE kongflow_job SET rescue_count = rescue_count + 1, "
                           "state = CASE WHEN rescue_count + 1 > ?2 THEN 6 ELSE 0 END, "
                           "attempt = CASE WHEN rescue_count + 1 > ?2 THEN attempt ELSE attempt - 1 END, "
                           "finalized_at = CASE WHEN rescue_count + 1 > ?2 THEN ?1 ELSE NULL END, "
                           "errors = json_insert(errors, '$[#]', json_object('at', ?1, 'attempt', attempt, 'error', "
                           "CASE WHEN rescue_count + 1 > ?2 THEN 'worker lost: lease expired too many times' "
                           "ELSE 'worker lost: lease expired; attempt not charged' END)), "
                           "lease_owner = NULL, lease_expires_at = NULL WHERE state = 3 AND lease_expires_at < ?1");
    if (!st) return st.error();
    (*st)->bind_all(endpoints::detail::to_millis(p.now), p.max_rescues);
    if (auto r = (*st)->run(); !r) return r.error();
    auto n = static_cast<std::size_t>(conn_.changes());
    if (auto c = tx->commit(); !c) return c.error();
    if (n) notify_listeners();
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::release(const std::string& owner, std::span<const job_id> ids) {
    if (ids.empty()) return std::size_t(0);
    std::size_t n = 0;
    {
        std::lock_guard lk(conn_mtx_);
        detail::normal_sync_scope soft(conn_, soft_leases_ ? full_sync_ : nullptr);
        auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
        if (!tx) return tx.error();
        auto st = conn_.cached("UPDATE kongflow_job SET state = 0, attempt = attempt - 1, lease_owner = NULL, "
                               "lease_expires_at = NULL WHERE id IN (SELECT value FROM json_each(?2)) AND state = 3 "
                               "AND lease_owner = ?1");
        if (!st) return st.error();
        (*st)->bind_all(owner, sqi::ids_json(ids));
        if (auto r = (*st)->run(); !r) return r.error();
        n = static_cast<std::size_t>(conn_.changes());
        if (auto c = tx->commit(); !c) return c.error();
    }
    if (n) notify_listeners();
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<void> queue::cancel(job_id id) {
    std::lock_guard lk(conn_mtx_);
    auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
    if (!tx) return tx.error();
    {
        auto st = conn_.cached("SELECT state FROM kongflow_job WHERE id = ?1");
        if (!st) return st.error();
        (*st)->bind(1, id);
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) return make_error_code(errc::not_found);
        if (is_final(static_cast<job_state>((*st)->get_int64(0)))) return make_error_code(errc::job_not_cancellable);
    }
    auto st = conn_.cached("UPDATE kongflow_job SET state = 5, finalized_at = ?2, lease_owner = NULL, "
                           "lease_expires_at = NULL WHERE id = ?1");
    if (!st) return st.error();
    (*st)->bind_all(id, endpoints::detail::to_millis(now_ms()));
    if (auto r = (*st)->run(); !r) return r.error();
    return tx->commit();
}

KONGFLOW_ENDPOINTS_DECL result<void> queue::retry(job_id id) {
    {
        std::lock_guard lk(conn_mtx_);
        auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
        if (!tx) return tx.error();
        {
            auto st = conn_.cached("SELECT state FROM kongflow_job WHERE id = ?1");
            if (!st) return st.error();
            (*st)->bind(1, id);
            auto row = (*st)->step();
            if (!row) return row.error();
            if (!*row) return make_error_code(errc::not_found);
            if (static_cast<job_state>((*st)->get_int64(0)) == job_state::running)
                return make_error_code(errc::conflict);
        }
        auto st =
            conn_.cached("UPDATE kongflow_job SET state = 0, run_at = ?2, finalized_at = NULL, "
                         "max_attempts = CASE WHEN attempt >= max_attempts THEN attempt + 1 ELSE max_attempts END "
                         "WHERE id = ?1");
        if (!st) return st.error();
        (*st)->bind_all(id, endpoints::detail::to_millis(now_ms()));
        if (auto r = (*st)->run(); !r) return r.error();
        if (auto c = tx->commit(); !c) return c.error();
    }
    notify_listeners();
    return {};
}

KONGFLOW_ENDPOINTS_DECL result<job_row> queue::get(job_id id) {
    static const std::string sql = "SELECT " + std::string(sqi::row_columns) + " FROM kongflow_job WHERE id = ?1";
    std::lock_guard lk(conn_mtx_);
    auto st = conn_.cached(sql);
    if (!st) return st.error();
    (*st)->bind(1, id);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return make_error_code(errc::not_found);
    return sqi::read_row(**st);
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> queue::cleanup(const cleanup_params& p) {
    std::size_t n = 0;
    std::lock_guard lk(conn_mtx_);
    auto tx = detail::transaction::begin(conn_, detail::tx_mode::immediate);
    if (!tx) return tx.error();
    const std::pair<job_state, const std::optional<timestamp>*> rules[] = {{job_state::completed, &p.completed_before},
                                                                           {job_state::cancelled, &p.cancelled_before},
                                                                           {job_state::discarded, &p.discarded_before}};
    for (auto [state, before] : rules) {
        if (!*before || n >= p.limit) continue;
        auto st = conn_.cached("DELETE FROM kongflow_job WHERE id IN (SELECT id FROM kongflow_job WHERE state >= 4 "
                               "AND state = ?1 AND finalized_at < ?2 LIMIT ?3)");
        if (!st) return st.error();
        (*st)->bind_all(static_cast<int>(state), endpoints::detail::to_millis(**before),
                        static_cast<std::int64_t>(p.limit - n));
        if (auto r = (*st)->run(); !r) return r.error();
        n += static_cast<std::size_t>(conn_.changes());
    }
    if (auto c = tx->commit(); !c) return c.error();
    return n;
}

KONGFLOW_ENDPOINTS_DECL result<queue_stats> queue::stats(timestamp now) {
    queue_stats s;
    std::lock_guard lk(conn_mtx_);
    // One read transaction so that counts and the oldest age agree.
    auto tx = detail::transaction::begin(conn_, detail::tx_mode::deferred);
    if (!tx) return tx.error();
    // Counted here while the rows stream by, not with GROUP BY: no index has (queue, state), so
    // SQLite would sort every row of the table (finished jobs stay for their retention) in memory
    // (temp_store=MEMORY) on each call: a /metrics scrape cost memory in proportion to the table,
    // which the allocator then kept (the soak saw the daemon's RSS grow with every million jobs).
    auto st = conn_.cached("SELECT queue, state, run_at FROM kongflow_job");
    if (!st) return st.error();
    const auto now_ms = endpoints::detail::to_millis(now);
    std::optional<std::int64_t> oldest;
    queue_counts* current = nullptr; // the last row's queue: rows of one queue often come together
    std::string current_name;
    for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) break;
        auto state = (*st)->get_int64(1);
        const auto run_at = (*st)->get_int64(2);
        // Available now (0), scheduled (1: pending, not yet due), the others as stored.
        const bool due = state <= 2 && run_at <= now_ms;
        if (due)
            state = 0;
        else if (state == 0)
            state = 1;
        if (state < 0 || state >= job_state_count) continue;
        const auto name = (*st)->get_text(0);
        if (!current || name != current_name) {
            current_name = std::string(name);
            current = &s.queues[current_name];
        }
        ++current->by_state[state];
        ++s.totals.by_state[state];
        if (due && (!oldest || run_at < *oldest)) oldest = run_at;
    }
    if (oldest) s.oldest_available_run_at = endpoints::detail::from_millis(*oldest);
    if (s.oldest_available_run_at) s.oldest_available_age = now - *s.oldest_available_run_at;
    return s;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<job_row>> queue::list_jobs(const list_jobs_params& p) {
    static const std::string sql = "SELECT " + std::string(sqi::row_columns) +
                                   " FROM kongflow_job WHERE (?1 >> state) & 1 = 1 AND (?2 IS NULL OR queue = ?2) "
                                   "ORDER BY coalesce(finalized_at, attempted_at, created_at) DESC, id DESC LIMIT ?3";
    std::vector<job_row> out;
    if (p.limit == 0) return out;
    std::lock_guard lk(conn_mtx_);
    auto st = conn_.cached(sql);
    if (!st) return st.error();
    (*st)->bind(1, static_cast<std::int64_t>(endpoints::detail::state_mask(p.states)));
    (*st)->bind(2, p.queue);
    (*st)->bind(3, static_cast<std::int64_t>(std::min<std::size_t>(p.limit, 1u << 30)));
    for (;;) {
        auto row = (*st)->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(sqi::read_row(**st));
    }
    return out;
}

} // namespace kongflow::endpoints::sqlite

#endif
