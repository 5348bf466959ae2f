// A thin RAII layer over libpq, shaped like the SQLite one: a connection with a cache of prepared
// statements (text parameters; the SQL text is the cache key), result rows, the mapping of
// PostgreSQL's failures to our errors, and a pool of connections per process.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_CONNECTION_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_DETAIL_CONNECTION_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/postgres/params.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <libpq-fe.h>

namespace kongflow::endpoints::postgres::detail {

// ---- errors ----

inline error pg_failure(errc e, std::string message, std::string server = {}) {
    return error(make_error_code(e), diagnostics(std::move(message), std::move(server)));
}

inline std::string trimmed(const char* s) {
    std::string out = s ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

/// Expected outcomes are written so that they do not raise (a raised error aborts the whole
/// transaction); what still raises maps as in SQLite: a unique violation is already_exists, a
/// foreign key not_found, a serialization failure or deadlock conflict, the rest storage_failure.
/// PostgreSQL's text and SQLSTATE stay in the diagnostics.
inline error result_error(PGconn* c, const PGresult* r, std::string_view what) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string primary = r ? trimmed(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)) : std::string();
    std::string server = r ? trimmed(PQresultErrorMessage(r)) : std::string();
    if (server.empty() && c) server = trimmed(PQerrorMessage(c));
    if (primary.empty()) primary = server.empty() ? "no answer from the server" : server;
    errc e = errc::storage_failure;
    std::string_view s = state ? state : "";
    if (s == "23505")
        e = errc::already_exists;
    else if (s == "23503")
        e = errc::not_found;
    else if (s == "40001" || s == "40P01")
        e = errc::conflict;
    std::string msg = std::string(what) + ": " + primary;
    if (!s.empty())
        msg += " (SQLSTATE " + std::string(s) + ")";
    else if (c && PQstatus(c) != CONNECTION_OK)
        msg += " (connection lost)";
    return pg_failure(e, std::move(msg), std::move(server));
}

// ---- parameters (text format) ----

/// Bytes for a bytea column (sent hex-encoded): text that may hold NUL bytes or invalid UTF-8.
struct bytes {
    const std::string& value;
};

/// UTF-8 as PostgreSQL accepts it (no overlong forms, no surrogates, at most U+10FFFF).
inline bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    const auto n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + static_cast<std::size_t>(len) > n) return false;
        for (int k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += static_cast<std::size_t>(len);
    }
    return true;
}

class param_list {
public:
    param_list() = default;
    template <class... A>
    explicit param_list(const A&... a) {
        (add(a), ...);
    }

    void add(std::nullptr_t) { push(std::nullopt); }
    void add(const std::string& s) { add(std::string_view(s)); }
    void add(std::string_view s) {
        // Text parameters travel as C strings and PostgreSQL's text holds UTF-8 only: refuse what
        // would be cut short or make the server raise (and abort the caller's transaction).
        if (s.find('\0') != std::string_view::npos)
            bad_ = "a text value holds a NUL byte, which PostgreSQL text cannot store";
        else if (!valid_utf8(s))
            bad_ = "a text value is not valid UTF-8, which PostgreSQL text requires";
        push(std::string(s));
    }
    void add(const char* s) {
        if (s)
            add(std::string_view(s));
        else
            push(std::nullopt);
    }
    void add(bytes b) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string out = "\\x";
        out.reserve(2 + 2 * b.value.size());
        for (unsigned char c : b.value) {
            out += hex[c >> 4];
            out += hex[c & 15];
        }
        push(std::move(out));
    }
    void add(const std::optional<bytes>& b) {
        if (b)
            add(*b);
        else
            push(std::nullopt);
    }
    void add(bool b) { push(std::string(b ? "t" : "f")); }
    void add(int v) { push(std::to_string(v)); }
    void add(long v) { push(std::to_string(v)); }
    void add(long long v) { push(std::to_string(v)); }
    void add(unsigned long v) { push(std::to_string(v)); }
    void add(unsigned long long v) { push(std::to_string(v)); }
    template <class T>
    void add(const std::optional<T>& v) {
        if (v)
            add(*v);
        else
            push(std::nullopt);
    }

    int size() const noexcept { return static_cast<int>(values_.size()); }
    /// Why a value cannot be sent, or empty.
    const std::string& problem() const noexcept { return bad_; }
    /// Pointers into this object: valid while it lives and is not changed.
    const char* const* pointers() {
        ptrs_.clear();
        for (const auto& v : values_) ptrs_.push_back(v ? v->c_str() : nullptr);
        return ptrs_.data();
    }

private:
    void push(std::optional<std::string> v) { values_.push_back(std::move(v)); }
    std::vector<std::optional<std::string>> values_;
    std::vector<const char*> ptrs_;
    std::string bad_;
};

// ---- results ----

struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

/// The rows of a successful statement.
class rows {
public:
    rows() = default;
    explicit rows(result_ptr r) : r_(std::move(r)) {}
    int size() const noexcept { return r_ ? PQntuples(r_.get()) : 0; }
    bool empty() const noexcept { return size() == 0; }
    bool is_null(int row, int col) const noexcept { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string_view text(int row, int col) const noexcept {
        return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    std::optional<std::string> optional_text(int row, int col) const {
        if (is_null(row, col)) return std::nullopt;
        return std::string(text(row, col));
    }
    /// A bytea column (hex output, PostgreSQL's default since 9.0).
    std::optional<std::string> optional_bytes(int row, int col) const {
        if (is_null(row, col)) return std::nullopt;
        auto t = text(row, col);
        if (t.size() >= 2 && t[0] == '\\' && t[1] == 'x') t.remove_prefix(2);
        auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return 0;
        };
        std::string out;
        out.reserve(t.size() / 2);
        for (std::size_t i = 0; i + 1 < t.size(); i += 2)
            out += static_cast<char>(nibble(t[i]) << 4 | nibble(t[i + 1]));
        return out;
    }
    std::int64_t integer(int row, int col) const noexcept {
        auto t = text(row, col);
        std::int64_t v = 0;
        std::from_chars(t.data(), t.data() + t.size(), v);
        return v;
    }
    std::optional<std::int64_t> optional_integer(int row, int col) const noexcept {
        if (is_null(row, col)) return std::nullopt;
        return integer(row, col);
    }
    bool boolean(int row, int col) const noexcept {
        auto t = text(row, col);
        return !t.empty() && t[0] == 't';
    }
    /// The command tag ("COMMIT", "ROLLBACK", "UPDATE 3" ...).
    std::string_view command() const noexcept { return r_ ? PQcmdStatus(r_.get()) : ""; }
    /// Rows an INSERT, UPDATE or DELETE changed.
    std::size_t affected() const noexcept {
        if (!r_) return 0;
        const char* n = PQcmdTuples(r_.get());
        std::size_t v = 0;
        if (n) std::from_chars(n, n + std::char_traits<char>::length(n), v);
        return v;
    }

private:
    result_ptr r_;
};

// ---- connection ----

/// What every connection of a pool is opened with: libpq's keywords, and our schema.
struct conn_settings {
    std::vector<std::pair<std::string, std::string>> options;
    std::string schema;
};

inline bool valid_schema_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > 63) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(s[0])) return false;
    return std::all_of(s.begin(), s.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

/// Checks the parameters and parses the connection string once: a wrong URI or an unknown key is
/// refused here, with libpq's reason, before any connection is tried.
inline result<conn_settings> make_settings(const connection_params& p) {
    if (!valid_schema_name(p.schema))
        return pg_failure(errc::invalid_argument,
                          "invalid PostgreSQL schema name \"" + p.schema +
                              "\": use letters, digits and _, starting with a letter or _, at most 63 characters");
    if (p.max_connections == 0) return pg_failure(errc::invalid_argument, "max_connections must be at least 1");
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(p.conninfo.c_str(), &err);
    if (!opts) {
        std::string why = err ? trimmed(err) : "out of memory";
        if (err) PQfreemem(err);
        return pg_failure(errc::invalid_argument, "invalid PostgreSQL connection string: " + why);
    }
    conn_settings s;
    s.schema = p.schema;
    bool timeout = false, app = false;
    for (auto* o = opts; o->keyword; ++o) {
        if (!o->val) continue;
        std::string_view k = o->keyword;
        timeout |= k == "connect_timeout";
        app |= k == "application_name";
        s.options.emplace_back(o->keyword, o->val);
    }
    PQconninfoFree(opts);
    if (!timeout) {
        auto secs = std::max<std::int64_t>(2, (p.connect_timeout.count() + 999) / 1000);
        s.options.emplace_back("connect_timeout", std::to_string(secs));
    }
    if (!app && !p.application_name.empty()) s.options.emplace_back("application_name", p.application_name);
    return s;
}

inline std::string quote_identifier(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

class connection {
public:
    connection() = default;
    connection(connection&&) noexcept = default;
    connection& operator=(connection&&) noexcept = default;

    /// Connects (blocking, up to the settings' connect_timeout) and points search_path at the
    /// schema. Failures say why in libpq's words, never with the password.
    static result<connection> open(const conn_settings& s) {
        std::vector<const char*> keys, values;
        for (const auto& [k, v] : s.options) {
            keys.push_back(k.c_str());
            values.push_back(v.c_str());
        }
        keys.push_back(nullptr);
        values.push_back(nullptr);
        connection c;
        c.c_.reset(PQconnectdbParams(keys.data(), values.data(), 0));
        if (!c.c_) return pg_failure(errc::storage_failure, "cannot connect to PostgreSQL: out of memory");
        if (PQstatus(c.c_.get()) != CONNECTION_OK) {
            auto why = trimmed(PQerrorMessage(c.c_.get()));
            return pg_failure(errc::storage_failure, "cannot connect to PostgreSQL: " + why, why);
        }
        // Notices (CREATE ... IF NOT EXISTS, "there is no transaction in progress") are not errors:
        // libpq would print them on stderr.
        PQsetNoticeProcessor(
            c.c_.get(), [](void*, const char*) {}, nullptr);
        if (auto r = c.exec("SET client_encoding TO 'UTF8'; SET search_path TO " + quote_identifier(s.schema),
                            "setting up the connection");
            !r)
            return r.error();
        return c;
    }

    explicit operator bool() const noexcept { return c_ != nullptr; }
    PGconn* native() const noexcept { return c_.get(); }
    bool ok() const noexcept { return c_ && PQstatus(c_.get()) == CONNECTION_OK; }
    /// Not inside a transaction (and not broken).
    bool idle() const noexcept { return ok() && PQtransactionStatus(c_.get()) == PQTRANS_IDLE; }
    bool in_transaction() const noexcept {
        if (!c_) return false;
        auto s = PQtransactionStatus(c_.get());
        return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
    }

    /// Simple query protocol: no parameters, several statements allowed.
    result<rows> exec(const std::string& sql, std::string_view what = "running a statement") {
        result_ptr r(PQexec(c_.get(), sql.c_str()));
        return check(std::move(r), what);
    }

    /// A prepared statement (prepared on first use on this connection) with text parameters.
    template <class... A>
    result<rows> query(std::string_view sql, const A&... args) {
        param_list p(args...);
        return query_params(sql, p);
    }

    result<rows> query_params(std::string_view sql, param_list& p, std::string_view what = "running a statement") {
        if (!p.problem().empty()) return pg_failure(errc::invalid_argument, p.problem());
        auto it = prepared_.find(std::string(sql));
        if (it == prepared_.end()) {
            std::string name = "kf" + std::to_string(prepared_.size() + 1);
            result_ptr r(PQprepare(c_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr));
            if (auto ok = check(std::move(r), "preparing a statement"); !ok) return ok.error();
            it = prepared_.emplace(std::string(sql), std::move(name)).first;
        }
        result_ptr r(PQexecPrepared(c_.get(), it->second.c_str(), p.size(), p.pointers(), nullptr, nullptr, 0));
        return check(std::move(r), what);
    }

private:
    struct finisher {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };

    result<rows> check(result_ptr r, std::string_view what) {
        auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return rows(std::move(r));
        return result_error(c_.get(), r.get(), what);
    }

    std::unique_ptr<PGconn, finisher> c_;
    std::unordered_map<std::string, std::string> prepared_;
};

// ---- pool ----

/// The connections of one process to one database. Connections open on demand up to
/// max_connections; a broken one (the server restarted, the network dropped) is discarded when
/// returned, so the next caller gets a fresh one: the pool recovers without a restart.
class pool {
public:
    pool(conn_settings s, std::size_t max, std::chrono::milliseconds acquire_timeout)
            : settings_(std::move(s)), max_(max), acquire_timeout_(acquire_timeout) {}

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

    result<lease> acquire() {
        {
            std::unique_lock lk(mu_);
            auto ready = [&] { return !idle_.empty() || open_ < max_; };
            if (!cv_.wait_for(lk, acquire_timeout_, ready))
                return pg_failure(errc::storage_failure, "no PostgreSQL connection free after " +
                                                             std::to_string(acquire_timeout_.count()) +
                                                             " ms (max_connections " + std::to_string(max_) + ")");
            if (!idle_.empty()) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                return lease(this, std::move(c));
            }
            ++open_;
        }
        auto c = connection::open(settings_);
        if (!c) {
            std::lock_guard lk(mu_);
            --open_;
            cv_.notify_one();
            return c.error();
        }
        return lease(this, std::move(*c));
    }

    const conn_settings& settings() const noexcept { return settings_; }

    /// Closes idle connections (after the server restarted, say); the rest close when returned.
    void drop_idle() {
        std::lock_guard lk(mu_);
        open_ -= idle_.size();
        idle_.clear();
        cv_.notify_all();
    }

private:
    void release(connection c) {
        if (c.in_transaction()) (void)c.exec("ROLLBACK");
        std::lock_guard lk(mu_);
        if (c.idle())
            idle_.push_back(std::move(c));
        else
            --open_;
        cv_.notify_one();
    }

    conn_settings settings_;
    std::size_t max_;
    std::chrono::milliseconds acquire_timeout_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<connection> idle_;
    std::size_t open_ = 0;
};

/// A pool on the settings, with the schema migrated (defined in impl/repository.ipp). Declared
/// here rather than in detail/access.hpp: impl/queue.ipp calls it, and in header-only mode it can
/// be compiled in the middle of access.hpp (access.hpp -> queue.hpp -> impl/queue.ipp).
KONGFLOW_ENDPOINTS_DECL result<std::shared_ptr<pool>> open_pool(const connection_params& p);

} // namespace kongflow::endpoints::postgres::detail

#endif
