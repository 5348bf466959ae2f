// RAII over sqlite3 connections, statements and transactions (SQLiteCpp's model, snake_case and
// error_code instead of exceptions). Shared by the SQLite repository and the SQLite queue so that
// one unit of work can span both on one connection.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_DETAIL_CONNECTION_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_DETAIL_CONNECTION_HPP

#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/sqlite/detail/wal_buffer.hpp>
#include <kongflow/endpoints/sqlite/error.hpp>
#include <kongflow/endpoints/sqlite/params.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <sqlite3.h>

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace kongflow::endpoints::sqlite::detail {

/// A failure of `db` with SQLite's own text (sqlite3_errmsg, untrusted) as the server message.
inline error failure(sqlite3* db, int rc) {
    return error(make_error(rc), diagnostics({}, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

class statement {
public:
    statement() = default;
    statement(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
    statement(statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}
    statement& operator=(statement&& o) noexcept {
        if (this != &o) {
            if (stmt_) sqlite3_finalize(stmt_);
            db_ = o.db_;
            stmt_ = std::exchange(o.stmt_, nullptr);
        }
        return *this;
    }
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    ~statement() {
        if (stmt_) sqlite3_finalize(stmt_);
    }

    bool valid() const noexcept { return stmt_ != nullptr; }
    sqlite3_stmt* native() const noexcept { return stmt_; }

    // Binding: 1-based indexes as in sqlite3_bind_*. Text is copied (SQLITE_TRANSIENT) so callers
    // may pass temporaries.
    statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    statement& bind(int i, int v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    statement& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
    statement& bind(int i, bool v) { return check(sqlite3_bind_int(stmt_, i, v ? 1 : 0)); }
    statement& bind(int i, std::string_view v) {
        return check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    }
    statement& bind(int i, const char* v) { return v ? bind(i, std::string_view(v)) : bind_null(i); }
    statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    statement& bind(int i, std::nullopt_t) { return bind_null(i); }
    template <class T>
    statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }
    statement& bind_blob(int i, std::span<const unsigned char> v) {
        return check(sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT));
    }
    statement& bind_null(int i) { return check(sqlite3_bind_null(stmt_, i)); }

    /// Binds every argument in order, starting at 1.
    template <class... Args>
    statement& bind_all(const Args&... args) {
        int i = 0;
        (bind(++i, args), ...);
        return *this;
    }

    /// The first bind error, if any (checked by step so call sites stay linear).
    error_code bind_error() const noexcept { return bind_error_; }

    /// Steps once: true when a row is available, false when done.
    result<bool> step() {
        // result<bool> cannot be built implicitly from an error_code (bool converts from it).
        if (bind_error_) return {boost::system::in_place_error, failure(nullptr, bind_error_.value())};
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        return {boost::system::in_place_error, failure(db_, sqlite3_extended_errcode(db_))};
    }

    /// Steps to completion, for statements that return no rows.
    result<void> run() {
        for (;;) {
            auto r = step();
            if (!r) return r.error();
            if (!*r) return {};
        }
    }

    void reset() noexcept {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        bind_error_ = {};
    }

    int column_count() const noexcept { return sqlite3_column_count(stmt_); }
    bool is_null(int col) const noexcept { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::int64_t get_int64(int col) const noexcept { return sqlite3_column_int64(stmt_, col); }
    double get_double(int col) const noexcept { return sqlite3_column_double(stmt_, col); }
    std::string_view get_text(int col) const noexcept {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view{};
    }
    std::optional<std::string> get_optional_text(int col) const {
        if (is_null(col)) return std::nullopt;
        return std::string(get_text(col));
    }

private:
    statement& check(int rc) {
        if (rc != SQLITE_OK && !bind_error_) bind_error_ = make_error(rc);
        return *this;
    }

    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    error_code bind_error_;
};

/// Resets a cached statement when the borrower is done with it.
class statement_lease {
public:
    explicit statement_lease(statement& s) noexcept : s_(&s) {}
    statement_lease(statement_lease&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    statement_lease& operator=(statement_lease&&) = delete;
    ~statement_lease() {
        if (s_) s_->reset();
    }
    statement* operator->() const noexcept { return s_; }
    statement& operator*() const noexcept { return *s_; }

private:
    statement* s_;
};

/// The writers of one database file in this process wake each other when a write transaction
/// ends, instead of sleeping in SQLite's default busy handler, whose steps (1, 2, 5 ... 100 ms)
/// add tens of milliseconds of idle time to every contended write. Writers in other processes
/// send no signal: a waiter also retries every millisecond.
class write_gate {
public:
    /// The gate shared by every connection of this process to `file` (an absolute path).
    static std::shared_ptr<write_gate> for_file(const std::string& file) {
        static std::mutex mtx;
        static std::unordered_map<std::string, std::weak_ptr<write_gate>> gates;
        std::lock_guard lk(mtx);
        auto& slot = gates[file];
        auto g = slot.lock();
        if (!g) {
            g = std::make_shared<write_gate>();
            slot = g;
        }
        // Forget the files nobody has open any more, so the map does not grow with every file.
        if (gates.size() > 64) std::erase_if(gates, [](const auto& kv) { return kv.second.expired(); });
        return g;
    }

    std::uint64_t generation() {
        std::lock_guard lk(mtx_);
        return generation_;
    }
    void released() {
        {
            std::lock_guard lk(mtx_);
            ++generation_;
        }
        cv_.notify_all();
    }
    void wait_for_change(std::uint64_t seen, std::chrono::steady_clock::time_point until) {
        std::unique_lock lk(mtx_);
        cv_.wait_until(lk, until, [&] { return generation_ != seen; });
    }

    // A checkpoint that needs the write lock (RESTART) asks this process's writers to let it go
    // first. Otherwise it races them for the lock between their transactions and, woken later
    // than a writer that never slept, loses several rounds in a row: writers then stall for the
    // whole race instead of one short checkpoint.
    void priority_begin() {
        std::lock_guard lk(mtx_);
        priority_.fetch_add(1, std::memory_order_release);
    }
    void priority_end() {
        {
            std::lock_guard lk(mtx_);
            priority_.fetch_sub(1, std::memory_order_release);
        }
        cv_.notify_all();
    }
    /// Called before a write transaction begins: waits while a priority checkpoint is under way.
    void yield_to_priority(std::chrono::steady_clock::time_point until) {
        if (priority_.load(std::memory_order_acquire) == 0) return;
        std::unique_lock lk(mtx_);
        cv_.wait_until(lk, until, [&] { return priority_.load(std::memory_order_relaxed) == 0; });
    }

private:
    std::mutex mtx_;
    std::condition_variable cv_;
    std::uint64_t generation_ = 0;
    std::atomic<int> priority_{0};
};

/// sqlite3_busy_handler state of one connection: waits on the file's write_gate up to the
/// connection's busy timeout.
struct busy_waiter {
    std::shared_ptr<write_gate> gate;
    std::chrono::milliseconds timeout{0};
    std::chrono::steady_clock::time_point deadline{};
    std::uint64_t seen = 0;

    static int on_busy(void* self, int count) {
        auto& w = *static_cast<busy_waiter*>(self);
        const auto now = std::chrono::steady_clock::now();
        if (count == 0) {
            // Note the generation, then retry at once: a release from now on is seen by the wait.
            w.deadline = now + w.timeout;
            w.seen = w.gate->generation();
            return 1;
        }
        if (now >= w.deadline) return 0;
        w.gate->wait_for_change(w.seen, std::min(w.deadline, now + std::chrono::milliseconds(1)));
        w.seen = w.gate->generation();
        return 1;
    }
};

/// The name SQLite gives a `synchronous` level written as a name in any case or as its number
/// (OFF, NORMAL, FULL, EXTRA); empty for anything else. SQLite itself reads an unknown value as
/// NORMAL, so a typo of FULL would silently give up durability: callers refuse it instead.
inline std::string_view synchronous_level(std::string_view s) noexcept {
    static constexpr std::string_view names[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
    for (std::size_t i = 0; i < std::size(names); ++i) {
        if (s.size() == 1 && s[0] == static_cast<char>('0' + i)) return names[i];
        if (s.size() != names[i].size()) continue;
        bool same = true;
        for (std::size_t k = 0; k < s.size() && same; ++k)
            same = (s[k] >= 'a' && s[k] <= 'z' ? static_cast<char>(s[k] - 'a' + 'A') : s[k]) == names[i][k];
        if (same) return names[i];
    }
    return {};
}

/// Why `page_size` is refused, or empty: 0 (SQLite's default) or a power of two from 512 to
/// 65536. SQLite ignores any other value without a word.
inline std::string page_size_error(int n) {
    if (n == 0 || (n >= 512 && n <= 65536 && (n & (n - 1)) == 0)) return {};
    return "page_size must be 0 (SQLite's default) or a power of two from 512 to 65536, got " + std::to_string(n);
}

/// Why a file's `synchronous` and `page_size` settings are refused (for diagnostics), or empty.
/// The public open functions check them before they create anything.
inline std::string settings_error(std::string_view synchronous, int page_size) {
    if (synchronous_level(synchronous).empty())
        return "synchronous must be OFF, NORMAL, FULL or EXTRA (or 0-3), got '" + std::string(synchronous) + "'";
    return page_size_error(page_size);
}

/// One sqlite3 connection with a prepared-statement cache. Not thread-safe: one thread at a time.
class connection {
public:
    connection() = default;
    connection(connection&&) noexcept = default;
    connection& operator=(connection&&) noexcept = default;

    static result<connection> open(const std::string& path, const file_params& p = {}) {
        sqlite3* raw = nullptr;
        int flags = SQLITE_OPEN_NOMUTEX | (p.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
        if (!p.read_only && p.create) flags |= SQLITE_OPEN_CREATE;
        if (path.rfind("file:", 0) == 0) flags |= SQLITE_OPEN_URI;
        const char* vfs = p.buffer_wal_writes && p.wal && !p.read_only ? wal_buffer_vfs::ensure_registered() : nullptr;
        int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
        connection c;
        c.db_.reset(raw);
        if (rc != SQLITE_OK) return failure(raw, raw ? sqlite3_extended_errcode(raw) : rc);
        sqlite3_extended_result_codes(raw, 1);
        if (const char* file = sqlite3_db_filename(raw, "main"); file && *file) {
            c.busy_ = std::make_unique<busy_waiter>();
            c.busy_->gate = write_gate::for_file(file);
            c.busy_->timeout = p.busy_timeout;
            sqlite3_busy_handler(raw, &busy_waiter::on_busy, c.busy_.get());
        } else {
            sqlite3_busy_timeout(raw, static_cast<int>(p.busy_timeout.count())); // in-memory, temporary
        }
        std::string pragmas = "PRAGMA foreign_keys=ON;";
        if (p.temp_store_memory) pragmas += "PRAGMA temp_store=MEMORY;";
        if (!p.read_only) {
            // The public open functions refuse bad settings first, with settings_error's message;
            // synchronous goes into SQL only as a known level's own name.
            if (!settings_error(p.synchronous, p.page_size).empty()) return make_error(SQLITE_MISUSE);
            // Before journal_mode: a new file's page size is fixed once WAL mode writes its header.
            if (p.page_size > 0) pragmas += "PRAGMA page_size=" + std::to_string(p.page_size) + ";";
            if (p.wal) pragmas += "PRAGMA journal_mode=WAL;";
            pragmas += "PRAGMA synchronous=" + std::string(synchronous_level(p.synchronous)) + ";";
        }
        if (auto r = c.exec(pragmas); !r) return r.error();
        // A file that is not a database only fails on first read: find out now, with a clear error.
        if (auto r = c.exec("SELECT count(*) FROM sqlite_master"); !r) return r.error();
        return c;
    }

    sqlite3* native() const noexcept { return db_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(db_); }

    result<void> exec(std::string_view sql) {
        std::string s(sql);
        char* err = nullptr;
        const bool was_in_transaction = in_transaction();
        int rc = sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &err);
        if (was_in_transaction && busy_ && !in_transaction()) busy_->gate->released();
        if (rc != SQLITE_OK) {
            error e(make_error(sqlite3_extended_errcode(db_.get())), diagnostics({}, err ? err : sqlite3_errstr(rc)));
            sqlite3_free(err);
            return e;
        }
        return {};
    }

    /// exec() for one statement that runs often (BEGIN, COMMIT, SAVEPOINT ...): prepared once and
    /// kept in the cache, so it is not parsed again each time. The text is the cache's key: use it
    /// for a few fixed statements, not for generated SQL.
    result<void> exec_cached(std::string_view sql) {
        const bool was_in_transaction = in_transaction();
        auto st = cached(sql);
        if (!st) return st.error();
        int rc = SQLITE_ROW;
        while (rc == SQLITE_ROW) rc = sqlite3_step((*st)->native());
        if (was_in_transaction && busy_ && !in_transaction()) busy_->gate->released();
        if (rc != SQLITE_DONE) return failure(db_.get(), sqlite3_extended_errcode(db_.get()));
        return {};
    }

    result<statement> prepare(std::string_view sql) {
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
        if (rc != SQLITE_OK) return failure(db_.get(), sqlite3_extended_errcode(db_.get()));
        return statement(db_.get(), stmt);
    }

    /// A statement from the cache (prepared on first use), reset when the lease ends.
    /// The SQL text is the key: pass string literals or other stable strings.
    result<statement_lease> cached(std::string_view sql) {
        auto it = cache_.find(sql);
        if (it == cache_.end()) {
            auto st = prepare(sql);
            if (!st) return st.error();
            it = cache_.emplace(std::string(sql), std::move(*st)).first;
        }
        return statement_lease(it->second);
    }

    /// sqlite3_wal_checkpoint_v2 on "main". A blocking mode holds the write lock for a while:
    /// the waiting writers of this process are woken as soon as it is released.
    int checkpoint(int mode, int* log_frames = nullptr, int* checkpointed = nullptr) {
        const bool blocking = busy_ && mode != SQLITE_CHECKPOINT_PASSIVE;
        if (blocking) busy_->gate->priority_begin();
        int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, mode, log_frames, checkpointed);
        if (blocking) {
            busy_->gate->priority_end();
            busy_->gate->released();
        }
        return rc;
    }

    /// Flushes the main database file to disk without any lock: SQLite itself syncs it only at
    /// the end of a checkpoint that reaches the end of the WAL, under the write lock for a RESTART.
    /// SQLITE_OK for an in-memory database (nothing to sync).
    int sync_database_file() {
        sqlite3_file* f = nullptr;
        int rc = sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_FILE_POINTER, &f);
        if (rc != SQLITE_OK || !f || !f->pMethods) return rc;
        return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
    }

    /// Before BEGIN IMMEDIATE: lets a blocking checkpoint of this process take the write lock
    /// first (bounded by the busy timeout, at most 100 ms; it holds the lock only briefly).
    void yield_to_checkpoint() {
        if (!busy_) return;
        busy_->gate->yield_to_priority(std::chrono::steady_clock::now() +
                                       std::min(busy_->timeout, std::chrono::milliseconds(100)));
    }

    /// The SQLite code of the last failure a repository call mapped on this connection (0: none);
    /// its retry loop reads it to tell SQLITE_BUSY from other storage failures.
    int failure_rc() const noexcept { return failure_rc_; }
    void set_failure_rc(int rc) noexcept { failure_rc_ = rc; }

    std::int64_t changes() const noexcept { return sqlite3_changes64(db_.get()); }
    bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_.get()) == 0; }

private:
    struct closer {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    // Declared before db_: it must outlive the connection that calls it.
    std::unique_ptr<busy_waiter> busy_;
    // Declared before db_ so that statements are finalized before the connection closes.
    std::unique_ptr<sqlite3, closer> db_;
    std::unordered_map<std::string, statement, string_hash, std::equal_to<>> cache_;
    int failure_rc_ = 0;

public:
    ~connection() { cache_.clear(); }
};

/// Makes a database's WAL durable from outside SQLite. A commit made under synchronous=NORMAL has
/// written its frames without syncing them; once sync() returns, every frame written before it
/// was called is on disk, as synchronous=FULL would have made it inside COMMIT. So a writer can
/// commit, release the write lock, and sync while the next writer already works. Thread-safe.
class wal_sync {
public:
    explicit wal_sync(std::string wal_path) : path_(std::move(wal_path)) {}
    wal_sync(const wal_sync&) = delete;
    wal_sync& operator=(const wal_sync&) = delete;
    ~wal_sync() {
#if !defined(_WIN32)
        if (fd_ >= 0) ::close(fd_);
#endif
    }

    /// The WAL file's path when `c` is a file database in WAL mode (what this class can sync);
    /// empty otherwise (in-memory, rollback journal, or a platform without fdatasync).
    static std::string path_for(connection& c) {
#if defined(_WIN32)
        (void)c;
        return {};
#else
        const char* file = sqlite3_db_filename(c.native(), "main");
        if (!file || !*file) return {};
        auto st = c.prepare("PRAGMA journal_mode");
        if (!st) return {};
        auto row = st->step();
        if (!row || !*row || st->get_text(0) != "wal") return {};
        return sqlite3_filename_wal(file);
#endif
    }

    const std::string& path() const noexcept { return path_; }

    /// fdatasync of the WAL (errno as a system error_code). SQLite recreates the WAL when every
    /// connection to the file (in any process) has closed: the path is followed, not a stale
    /// descriptor, and a new file's directory entry is synced once, as SQLite's own first sync does.
    error_code sync() {
#if defined(_WIN32)
        return make_error_code(errc::not_supported);
#else
        auto sys = [] { return error_code(errno, boost::system::system_category()); };
        int fd = -1;
        {
            std::lock_guard lk(mu_);
            struct stat st {};
            if (::stat(path_.c_str(), &st) != 0) return sys();
            if (fd_ < 0 || static_cast<std::uint64_t>(st.st_ino) != ino_) {
                int nfd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
                if (nfd < 0) return sys();
                if (fd_ >= 0) ::close(fd_); // a sync running on it still holds its own reference
                fd_ = nfd;
                ino_ = static_cast<std::uint64_t>(st.st_ino);
                auto slash = path_.find_last_of('/');
                std::string dir = slash == std::string::npos ? std::string(".") : path_.substr(0, slash ? slash : 1);
                int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd >= 0) {
                    (void)::fsync(dfd);
                    ::close(dfd);
                }
            }
            fd = ::dup(fd_); // the sync runs unlocked: other threads may sync (or reopen) meanwhile
            if (fd < 0) return sys();
        }
        int rc = ::fdatasync(fd);
        auto ec = rc == 0 ? error_code() : sys();
        ::close(fd);
        return ec;
#endif
    }

private:
    std::string path_;
    std::mutex mu_;
    int fd_ = -1;
    std::uint64_t ino_ = 0;
};

/// The PRAGMA that sets `setting` (a `synchronous` value, by name or number) when that level
/// syncs the WAL inside COMMIT (FULL or EXTRA); nullptr for the levels that do not.
inline const char* commit_sync_pragma(std::string_view setting) noexcept {
    const auto level = synchronous_level(setting);
    if (level == "FULL") return "PRAGMA synchronous=FULL";
    if (level == "EXTRA") return "PRAGMA synchronous=EXTRA";
    return nullptr;
}

/// Runs a connection under synchronous=NORMAL for a scope, then restores its level with
/// `restore` (a commit_sync_pragma). A commit inside writes the WAL without syncing it: for a
/// write that may be lost (a lease), or one that wal_sync makes durable after the write lock is
/// released. With `restore` null it does nothing.
class normal_sync_scope {
public:
    normal_sync_scope(connection& c, const char* restore) {
        if (!restore) return;
        if (auto r = c.exec_cached("PRAGMA synchronous=NORMAL"); !r) {
            error_ = r.error(); // the connection keeps syncing inside COMMIT
            return;
        }
        c_ = &c;
        restore_ = restore;
    }
    ~normal_sync_scope() {
        if (c_) (void)c_->exec_cached(restore_);
    }
    normal_sync_scope(const normal_sync_scope&) = delete;
    normal_sync_scope& operator=(const normal_sync_scope&) = delete;

    /// Why the level could not be lowered.
    error_code error() const noexcept { return error_; }

private:
    connection* c_ = nullptr;
    const char* restore_ = nullptr;
    error_code error_;
};

enum class tx_mode { deferred, immediate, exclusive };

/// A transaction that rolls back unless committed.
class transaction {
public:
    static result<transaction> begin(connection& c, tx_mode m = tx_mode::immediate) {
        const char* sql = m == tx_mode::deferred    ? "BEGIN DEFERRED"
                          : m == tx_mode::immediate ? "BEGIN IMMEDIATE"
                                                    : "BEGIN EXCLUSIVE";
        if (m != tx_mode::deferred) c.yield_to_checkpoint();
        if (auto r = c.exec(sql); !r) return r.error();
        return transaction(c);
    }
    transaction(transaction&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
    transaction& operator=(transaction&&) = delete;
    ~transaction() {
        if (c_) (void)c_->exec("ROLLBACK");
    }

    result<void> commit() {
        if (!c_) return make_error_code(errc::invalid_argument);
        auto r = c_->exec("COMMIT");
        if (!r) {
            (void)c_->exec("ROLLBACK");
        }
        c_ = nullptr;
        return r;
    }
    void rollback() {
        if (c_) (void)std::exchange(c_, nullptr)->exec("ROLLBACK");
    }

private:
    explicit transaction(connection& c) noexcept : c_(&c) {}
    connection* c_;
};

/// One versioned schema migration. Each component (storage, queue) owns its own sequence, so the
/// two can evolve independently in one file.
struct migration {
    int version;
    std::string_view sql;
};

/// Applies the component's pending migrations in one transaction; refuses a database written by a
/// newer version (errc::schema_too_new) rather than guessing.
inline result<int> migrate(connection& c, std::string_view component, std::span<const migration> steps) {
    auto tx = transaction::begin(c, tx_mode::immediate);
    if (!tx) return tx.error();
    if (auto r = c.exec("CREATE TABLE IF NOT EXISTS kongflow_schema ("
                        "component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        !r)
        return r.error();
    int current = 0;
    {
        auto st = c.prepare("SELECT version FROM kongflow_schema WHERE component = ?1");
        if (!st) return st.error();
        st->bind(1, component);
        auto row = st->step();
        if (!row) return row.error();
        if (*row) current = static_cast<int>(st->get_int64(0));
    }
    int latest = steps.empty() ? 0 : steps.back().version;
    if (current > latest) return make_error_code(errc::schema_too_new);
    for (const auto& m : steps) {
        if (m.version <= current) continue;
        if (auto r = c.exec(m.sql); !r) return r.error();
        current = m.version;
    }
    {
        auto st = c.prepare("INSERT INTO kongflow_schema(component, version) VALUES(?1, ?2) "
                            "ON CONFLICT(component) DO UPDATE SET version = excluded.version");
        if (!st) return st.error();
        st->bind_all(component, current);
        if (auto r = st->run(); !r) return r.error();
    }
    if (auto r = tx->commit(); !r) return r.error();
    return current;
}

} // namespace kongflow::endpoints::sqlite::detail

#endif
