// The WAL write buffer (sqlite::detail::wal_buffer_vfs): a committed transaction is in the file
// as soon as COMMIT returns, whatever its size, a failed write fails the COMMIT, and the files
// stay plain SQLite files.
#include "catch.hpp"
#include "temp_dir.hpp"

#include <kongflow/endpoints/sqlite/detail/connection.hpp>

#include <csignal>
#include <string>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kf = kongflow::endpoints;
using kf::sqlite::detail::connection;

namespace {

connection open_buffered(const std::string& path, const std::string& synchronous = "NORMAL", int page_size = 4096) {
    kf::sqlite::file_params op;
    op.synchronous = synchronous;
    op.page_size = page_size;
    REQUIRE(op.buffer_wal_writes);
    auto c = connection::open(path, op);
    REQUIRE(c.has_value());
    return std::move(*c);
}

/// Reads through SQLite's default VFS, as another program would.
struct plain_reader {
    sqlite3* db = nullptr;
    explicit plain_reader(const std::string& path) {
        REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    }
    ~plain_reader() { sqlite3_close_v2(db); }
    std::int64_t scalar(const char* sql) {
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        auto v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
    }
    std::string text(const char* sql) {
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        std::string v(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        sqlite3_finalize(st);
        return v;
    }
};

/// Runs `child` in a forked process (what it returns is the exit code) and gives its wait status.
template <class F>
int run_in_child(F child) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) ::_exit(child());
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return status;
}

std::string wal_vfs_of(connection& c) {
    sqlite3_vfs* v = nullptr;
    REQUIRE(sqlite3_file_control(c.native(), "main", SQLITE_FCNTL_VFS_POINTER, &v) == SQLITE_OK);
    return v ? v->zName : "";
}

} // namespace

TEST_CASE("wal buffer: commits are visible to another reader at once, small and large",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    const auto path = dir.file("wb.db");
    for (int page_size : {1024, 4096, 65536}) {
        const auto file = path + std::to_string(page_size);
        auto c = open_buffered(file, "NORMAL", page_size);
        CHECK(wal_vfs_of(c) == kf::sqlite::detail::wal_buffer_vfs::name);
        REQUIRE(c.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)"));
        plain_reader r(file);
        // One row per transaction, then transactions far larger than the buffer (120 KiB): 4 MiB.
        for (int i = 1; i <= 50; ++i) {
            REQUIRE(c.exec("INSERT INTO t(v) VALUES(randomblob(100))"));
            REQUIRE(r.scalar("SELECT count(*) FROM t") == i);
        }
        REQUIRE(c.exec("BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                       "INSERT INTO t(v) SELECT randomblob(40000) FROM n; COMMIT;"));
        CHECK(r.scalar("SELECT count(*) FROM t") == 150);
        CHECK(r.scalar("SELECT sum(length(v)) FROM t") == 50 * 100 + 100 * 40000);
        CHECK(r.text("PRAGMA integrity_check") == "ok");
    }
}

TEST_CASE("wal buffer: a rolled-back transaction that spilled to the WAL leaves nothing behind",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    const auto path = dir.file("spill.db");
    auto c = open_buffered(path);
    // A tiny page cache makes SQLite write dirty pages to the WAL before COMMIT.
    REQUIRE(c.exec("PRAGMA cache_size=10; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)"));
    REQUIRE(c.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
                   "INSERT INTO t(v) SELECT randomblob(3000) FROM n"));
    REQUIRE(c.exec("BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
                   "INSERT INTO t(v) SELECT randomblob(3000) FROM n; ROLLBACK;"));
    REQUIRE(c.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
                   "INSERT INTO t(v) SELECT randomblob(3000) FROM n"));
    plain_reader r(path);
    CHECK(r.scalar("SELECT count(*) FROM t") == 15);
    CHECK(r.text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("wal buffer: a process killed right after COMMIT loses nothing it committed",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    const auto path = dir.file("crash.db");
    {
        auto c = open_buffered(path);
        REQUIRE(c.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"));
    }
    const int status = run_in_child([&] {
        // NORMAL: COMMIT does not sync, so only the buffer's own flush puts the frames in the file.
        kf::sqlite::file_params op;
        op.synchronous = "NORMAL";
        auto c = connection::open(path, op);
        if (!c) return 2;
        for (int i = 0; i < 200; ++i)
            if (!c->exec("INSERT INTO t(v) VALUES('row " + std::to_string(i) + "')")) return 3;
        ::kill(::getpid(), SIGKILL); // no close, no destructor: as a crash
        return 4;
    });
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    plain_reader r(path);
    CHECK(r.scalar("SELECT count(*) FROM t") == 200);
    CHECK(r.text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("wal buffer: a write that fails fails the COMMIT, and the file stays consistent",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    const auto path = dir.file("full.db");
    {
        auto c = open_buffered(path, "FULL");
        REQUIRE(c.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB); INSERT INTO t(v) VALUES(x'01')"));
    }
    const int status = run_in_child([&] {
        // Files may not grow past 1 MiB in this process: the WAL write of a 3 MiB transaction
        // fails with EFBIG (SIGXFSZ ignored), as a full disk would with ENOSPC.
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit lim{1 << 20, 1 << 20};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return 2;
        kf::sqlite::file_params op;
        op.synchronous = "NORMAL"; // no sync at COMMIT: the buffer's flush is the write that fails
        auto c = connection::open(path, op);
        if (!c) return 3;
        auto r = c->exec("BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
                         "INSERT INTO t(v) SELECT randomblob(100000) FROM n; COMMIT;");
        if (r) return 4; // the COMMIT claimed success
        if (c->in_transaction()) (void)c->exec("ROLLBACK");
        // A small transaction afterwards still works (the WAL is below the limit).
        if (!c->exec("INSERT INTO t(v) VALUES(x'02')")) return 5;
        return 0;
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    plain_reader r(path);
    CHECK(r.scalar("SELECT count(*) FROM t") == 2);
    CHECK(r.scalar("SELECT max(length(v)) FROM t") == 1);
    CHECK(r.text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("wal buffer: off when asked, and for read-only or rollback-journal connections",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    const auto path = dir.file("plain.db");
    kf::sqlite::file_params op;
    op.buffer_wal_writes = false;
    auto c = connection::open(path, op);
    REQUIRE(c.has_value());
    CHECK(wal_vfs_of(*c) != kf::sqlite::detail::wal_buffer_vfs::name);
    op.buffer_wal_writes = true;
    op.wal = false;
    auto j = connection::open(dir.file("journal.db"), op);
    REQUIRE(j.has_value());
    CHECK(wal_vfs_of(*j) != kf::sqlite::detail::wal_buffer_vfs::name);
}
