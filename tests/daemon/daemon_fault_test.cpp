// kongflow-endpointsd while its SQLite file cannot be written (issue #24 §3): a full disk (a
// file-size limit on this process, which holds the in-process daemon: every write past the limit
// fails as on a full disk) and a file made read-only (immutable, the only way to stop writes
// through descriptors already open, even as root). Creates fail with the store's error; once the
// condition clears the same daemon serves creates again without a restart; an index whose job met
// the fault ends in FAILURE with the reason (none stays STARTED); the file stays intact. And an
// index performed inline by a daemon that stopped mid-way is finished by its recovery job.
#include "catch.hpp"
#include "daemon_fixture.hpp"
#include "daemon_process.hpp"
#include "fake_endpoint.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

#include <boost/json/value.hpp>

#include <csignal>
#include <fstream>
#include <functional>
#include <string>

#include <fcntl.h>
#include <linux/fs.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace kf_daemon_test;

namespace {

std::string integrity_check(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return "cannot open";
    }
    std::string out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

reply create(unsigned short port, const fake_endpoint& ep) {
    return post(port, "/api/v1/endpoints", R"({"url":")" + ep.url() + R"(","id":"fault-app"})", dev_key);
}

/// The statuses of the endpoint's newest indexes.
std::vector<boost::json::object> indexes_of(unsigned short port) {
    std::vector<boost::json::object> out;
    auto r = get(port, "/api/v1/endpoints/fault-app/indexes?limit=100", dev_key);
    if (r.status != 200) return out;
    auto body = r.json(); // named: a range-for over a temporary's member would dangle
    for (auto& v : body.at("indexes").as_array()) out.push_back(v.as_object());
    return out;
}

bool all_finished(unsigned short port) {
    auto list = indexes_of(port);
    if (list.empty()) return false;
    for (auto& ix : list)
        if (ix.at("status") != "SUCCESS" && ix.at("status") != "FAILURE") return false;
    return true;
}

/// Runs one fault while an index job is inside its INDEX call: `on(db)` starts the fault, `off(db)`
/// ends it.
void fault_while_serving(const kf_test::temp_dir& dir, const std::function<void(const std::string&)>& on,
                         const std::function<void(const std::string&)>& off) {
    const auto db = dir.file("db.sqlite");
    fake_endpoint ep("fault-app", dev_key);
    running_daemon d(db);

    auto first = create(d.port, ep);
    REQUIRE(first.status == 200);
    REQUIRE(eventually([&] { return all_finished(d.port); }));

    // The next index's job will be inside INDEX (its STARTED committed) when the fault begins,
    // so its SUCCESS cannot be written.
    ep.index_delay_ms = 600;
    const int indexes_before = ep.indexes.load();
    auto second = create(d.port, ep);
    REQUIRE(second.status == 200);
    const std::string caught_id(second.json().at("endpointIndex").at("id").as_string());
    REQUIRE(eventually([&] { return ep.indexes.load() > indexes_before; }));
    on(db);
    auto failed = create(d.port, ep);
    auto failed_again = create(d.port, ep);
    auto health = get(d.port, "/healthz");
    std::this_thread::sleep_for(std::chrono::milliseconds(800)); // the INDEX reply arrives meanwhile
    off(db);
    ep.index_delay_ms = 0;

    INFO(failed.body);
    CHECK(failed.status == 400); // Trigger.dev's FAILED_UPSERT status, with the store's own message
    const std::string message(failed.json().at("error").as_string());
    CHECK((message.find("disk I/O error") != std::string::npos ||
           message.find("database or disk is full") != std::string::npos ||
           message.find("readonly") != std::string::npos));
    CHECK(failed_again.status == 400);
    CHECK(health.status == 200);

    // The same daemon, no restart: creates succeed again.
    reply recovered;
    CHECK(eventually([&] { return (recovered = create(d.port, ep)).status == 200; }, std::chrono::seconds(10)));
    INFO(recovered.body);
    CHECK(get(d.port, "/readyz").status == 200);
    // Nothing stays unfinished: the caught index ends in FAILURE with the reason once it can be
    // written (DEVELOPMENT gives its job one attempt), the new one in SUCCESS.
    CHECK(eventually([&] { return all_finished(d.port); }));
    auto caught = get(d.port, "/api/v1/endpointindex/" + caught_id, dev_key).json();
    INFO(boost::json::serialize(caught));
    if (caught.at("status") == "FAILURE")
        CHECK(
            std::string(caught.at("error").at("message").as_string()).starts_with("The index could not be processed"));
    else
        CHECK(caught.at("status") == "SUCCESS"); // the write happened to land before the fault
    CHECK(integrity_check(db) == "ok");
}

/// Sets or clears the immutable attribute; false when not allowed (no CAP_LINUX_IMMUTABLE) or not
/// supported by the file system.
bool set_immutable(const std::string& path, bool on) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    if (ok) {
        flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
        ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    ::close(fd);
    return ok;
}

} // namespace

TEST_CASE("a full disk: creates fail with the store's error, the same daemon recovers, no index stays STARTED",
          "[integration][daemon]") {
    // Past RLIMIT_FSIZE write(2) fails with EFBIG (SIGXFSZ ignored, as the daemon's main does):
    // for SQLite the same failed write as ENOSPC. Only regular files count: the test's output
    // (pipes) is not limited.
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    struct restore {
        rlimit lim;
        decltype(old_handler) handler;
        ~restore() {
            ::setrlimit(RLIMIT_FSIZE, &lim);
            std::signal(SIGXFSZ, handler);
        }
    } guard{saved, old_handler};
    kf_test::temp_dir dir;
    fault_while_serving(
        dir,
        [&](const std::string&) {
            rlimit full{1, saved.rlim_max};
            REQUIRE(::setrlimit(RLIMIT_FSIZE, &full) == 0);
        },
        [&](const std::string&) { REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0); });
}

TEST_CASE("a database file made read-only: creates fail, the same daemon recovers once it is writable",
          "[integration][daemon]") {
    // chmod does not stop writes through descriptors already open (nor root); the immutable
    // attribute does, on ext4 and others, and needs CAP_LINUX_IMMUTABLE.
    kf_test::temp_dir probe_dir;
    const auto probe = probe_dir.file("probe");
    { std::ofstream(probe) << "x"; }
    if (!set_immutable(probe, true)) {
        WARN("skipped: cannot set the immutable attribute here (needs CAP_LINUX_IMMUTABLE, i.e. root, and a file "
             "system that has it); chmod alone would not stop the daemon's open descriptors");
        return;
    }
    set_immutable(probe, false);
    kf_test::temp_dir dir; // removed after the guard below has made its files writable again
    std::vector<std::string> frozen;
    struct thaw {
        std::vector<std::string>& files;
        ~thaw() {
            for (auto& f : files) set_immutable(f, false);
        }
    } guard{frozen};
    // The database and its WAL; the -shm index is shared memory, not written with write(2).
    fault_while_serving(
        dir,
        [&](const std::string& db) {
            for (const auto& f : {db, db + "-wal"}) {
                REQUIRE(set_immutable(f, true));
                frozen.push_back(f);
            }
        },
        [&](const std::string&) {
            for (const auto& f : frozen) REQUIRE(set_immutable(f, false));
            frozen.clear();
        });
}

#ifdef KONGFLOW_ENDPOINTSD_EXE
TEST_CASE("an index performed inline by a daemon killed mid-way is finished by its recovery job",
          "[integration][daemon]") {
    kf_test::temp_dir dir;
    fake_endpoint ep("fault-app", dev_key);
    const std::vector<std::string> args{"--db",
                                        dir.file("db.sqlite"),
                                        "--bootstrap-api-key",
                                        dev_key,
                                        "--log-level",
                                        "warn",
                                        "--inline-index-recovery-ms",
                                        "2000",
                                        "--job-lease-ms",
                                        "1000",
                                        "--job-rescue-interval-ms",
                                        "200"};
    std::string caught_log;
    {
        daemon_process d(KONGFLOW_ENDPOINTSD_EXE, args, dir.file("first"));
        REQUIRE(create(d.port, ep).status == 200);
        REQUIRE(eventually([&] { return all_finished(d.port); }));
        // POST .../index performs the index inside the request; the daemon dies during its INDEX.
        ep.index_delay_ms = 20'000;
        const int before = ep.indexes.load();
        std::thread client([port = d.port] {
            try {
                post(port, "/api/v1/endpoints/fault-app/index", "{}", dev_key);
            } catch (const std::exception&) {
                // the connection dies with the daemon
            }
        });
        REQUIRE(eventually([&] { return ep.indexes.load() > before; }));
        d.stop(SIGKILL);
        client.join();
    }
    ep.index_delay_ms = 0;
    daemon_process d(KONGFLOW_ENDPOINTSD_EXE, args, dir.file("second"));
    auto left = indexes_of(d.port);
    REQUIRE(left.size() == 2);
    CHECK(left.at(0).at("source") == "API");
    CHECK(left.at(0).at("status") == "STARTED"); // what the killed daemon left
    // The recovery job (2 s after the index was recorded) performs it; before the fix it stayed
    // STARTED for ever.
    INFO(d.log());
    CHECK(eventually([&] { return all_finished(d.port); }));
    CHECK(indexes_of(d.port).at(0).at("status") == "SUCCESS");
    CHECK(d.stop(SIGTERM) == 0);
}
#endif
