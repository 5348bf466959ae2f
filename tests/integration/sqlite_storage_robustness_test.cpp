// SQLite storage specifics: reopening, schema versions, corrupt and read-only files, a full disk,
// and concurrent writers (threads and processes) on one file.
#include "catch.hpp"
#include "temp_dir.hpp"

#include <kongflow/endpoints/sqlite/detail/access.hpp>
#include <kongflow/endpoints/sqlite/detail/schema.hpp>
#include <kongflow/endpoints/sqlite/repository.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>
#include <kongflow/endpoints/testing/repository_conformance.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <span>
#include <thread>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kf = kongflow::endpoints;

namespace {

struct world {
    kf::organization org;
    kf::project proj;
    kf::environment env;
};

world make_world(kf::repository& repo) {
    world w;
    w.org = repo.create_organization({"org", "Org", std::nullopt}).value();
    w.proj = repo.create_project({w.org.id, "proj", "Proj", std::nullopt}).value();
    w.env =
        repo.create_environment({w.org.id, w.proj.id, "prod", kf::environment_type::production, "key", std::nullopt})
            .value();
    return w;
}

kf::upsert_endpoint_params endpoint_params(const kf::environment& env, std::string slug) {
    kf::upsert_endpoint_params p;
    p.environment_id = env.id;
    p.organization_id = env.organization_id;
    p.project_id = env.project_id;
    p.slug = std::move(slug);
    p.url = "http://127.0.0.1:3000/api/trigger";
    return p;
}

kf::sqlite::repository open_repo(const std::string& path, const kf::sqlite::file_params& p = {}) {
    auto r = kf::sqlite::repository::open(path, p);
    auto diag = r ? kf::diagnostics() : r.error().diag();
    INFO(diag.client_message() << " / " << diag.server_message());
    REQUIRE(r.has_value());
    return std::move(*r);
}

std::string integrity_check(const std::string& path) {
    auto c = kf::sqlite::detail::connection::open(path);
    if (!c) return "open failed: " + c.error().message();
    auto st = c->prepare("PRAGMA integrity_check");
    if (!st) return "prepare failed";
    auto row = st->step();
    if (!row || !*row) return "no answer";
    return std::string(st->get_text(0));
}

std::int64_t count_rows(const std::string& path, const char* table) {
    auto c = kf::sqlite::detail::connection::open(path);
    REQUIRE(c.has_value());
    auto st = c->prepare(std::string("SELECT count(*) FROM ") + table);
    REQUIRE(st.has_value());
    REQUIRE(st->step().value());
    return st->get_int64(0);
}

void write_file(const std::string& path, const std::string& bytes, std::ios::openmode mode = std::ios::trunc) {
    std::ofstream f(path, std::ios::binary | std::ios::out | mode);
    f << bytes;
}

/// Waits for a forked child and returns its exit status (or -signal).
int wait_child(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return -1000;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -999;
}

/// A file as the first release (storage schema 1) left it: one endpoint with two indexes.
void write_v1_file(const std::string& path) {
    auto c = kf::sqlite::detail::connection::open(path).value();
    auto steps = std::span(kf::sqlite::detail::storage_migrations).first(1);
    REQUIRE(kf::sqlite::detail::migrate(c, "storage", steps).value() == 1);
    REQUIRE(
        c.exec("INSERT INTO kf_organizations VALUES('o', 'org', 'Org', 1, 1);"
               "INSERT INTO kf_projects VALUES('p', 'o', 'proj', 'Proj', 1, 1);"
               "INSERT INTO kf_environments VALUES('e', 'o', 'p', 'prod', 'PRODUCTION', 'key', 1, 1);"
               "INSERT INTO kf_endpoints(id, slug, url, environment_id, organization_id, project_id, created_at, "
               "updated_at) VALUES('ep', 'a', 'http://127.0.0.1:1/api', 'e', 'o', 'p', 1, 1);"
               "INSERT INTO kf_endpoint_indexes(id, endpoint_id, source, source_data, reason, status, stats, "
               "created_at, updated_at) VALUES('i1', 'ep', 'HOOK', '{\"x\":1}', 'r', 'SUCCESS', '{\"jobs\":3}', 5, 6);"
               "INSERT INTO kf_endpoint_indexes(id, endpoint_id, source, status, error, created_at, updated_at) "
               "VALUES('i2', 'ep', 'API', 'FAILURE', '{\"message\":\"m\"}', 7, 8);")
            .has_value());
}

} // namespace

TEST_CASE("sqlite::repository: data survives reopening", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("reopen.db");
    std::string endpoint_id, index_id;
    {
        auto repo = open_repo(path);
        auto w = make_world(repo);
        auto e = repo.upsert_endpoint(endpoint_params(w.env, "a")).value();
        endpoint_id = e.value.id;
        index_id = repo.create_index({e.value.id,
                                      kf::index_source::hook,
                                      std::string("r"),
                                      boost::json::parse(R"({"x":[1,2]})"),
                                      {},
                                      {}})
                       .value()
                       .id;
    }
    auto repo = open_repo(path);
    auto e = repo.find_endpoint(endpoint_id);
    REQUIRE(e.has_value());
    CHECK(e->slug == "a");
    auto ix = repo.find_index(index_id);
    REQUIRE(ix.has_value());
    CHECK(ix->source_data == boost::json::parse(R"({"x":[1,2]})"));
    CHECK(ix->reason == std::optional<std::string>("r"));
    CHECK(kf::sqlite::repository::schema_version() == 2);
}

TEST_CASE("sqlite::repository: a version 1 database is migrated to version 2 with its indexes intact",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("v1.db");
    write_v1_file(path);
    auto repo = open_repo(path);
    auto indexes = repo.list_indexes("ep", 10);
    REQUIRE(indexes.has_value());
    REQUIRE(indexes->size() == 2);
    auto i1 = repo.find_index("i1").value();
    CHECK(i1.source == kf::index_source::hook);
    CHECK(i1.status == kf::index_status::success);
    CHECK(i1.source_data == boost::json::parse(R"({"x":1})"));
    CHECK(i1.stats == boost::json::parse(R"({"jobs":3})"));
    CHECK(i1.reason == std::optional<std::string>("r"));
    CHECK(i1.created_at == kf::timestamp(std::chrono::milliseconds(5)));
    CHECK(repo.find_index("i2").value().error == boost::json::parse(R"({"message":"m"})"));
    // New rows keep their order after the copied ones, and the rules still hold.
    auto i3 = repo.create_index({"ep", kf::index_source::internal, std::nullopt, nullptr, {}, {}});
    REQUIRE(i3.has_value());
    CHECK(repo.list_indexes("ep", 10).value().size() == 3);
    CHECK(integrity_check(path) == "ok");
    auto c = kf::sqlite::detail::connection::open(path).value();
    CHECK_FALSE(c.exec("INSERT INTO kf_endpoint_indexes(id, endpoint_id, source, status, created_at, updated_at) "
                       "VALUES('bad', 'ep', 'API', 'DONE', 1, 1)")
                    .has_value());
    CHECK_FALSE(c.exec("UPDATE kf_endpoint_indexes SET source = 'ELSEWHERE' WHERE id = 'i1'").has_value());
    CHECK_FALSE(c.exec("INSERT INTO kf_endpoint_indexes(id, endpoint_id, source, status, created_at, updated_at) "
                       "VALUES('orphan', 'nope', 'API', 'PENDING', 1, 1)")
                    .has_value());
    auto v = c.prepare("SELECT version FROM kongflow_schema WHERE component = 'storage'").value();
    REQUIRE(v.step().value());
    CHECK(v.get_int64(0) == 2);
}

TEST_CASE("sqlite::repository: a version 1 file opened read-only says it needs upgrading",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("v1-ro.db");
    write_v1_file(path);
    kf::sqlite::file_params p;
    p.read_only = true;
    auto r = kf::sqlite::repository::open(path, p);
    auto diag = r ? kf::diagnostics() : r.error().diag();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == kf::errc::storage_failure);
    INFO(diag.client_message());
    CHECK(std::string(diag.client_message()).find("upgrading the storage schema from version 1 to 2") !=
          std::string::npos);
    // Nothing was changed: a writable open still migrates it.
    auto repo = open_repo(path);
    CHECK(repo.list_indexes("ep", 10).value().size() == 2);
}

TEST_CASE("sqlite::repository: a database from a newer version is refused", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("newer.db");
    { (void)open_repo(path); }
    {
        auto c = kf::sqlite::detail::connection::open(path).value();
        REQUIRE(c.exec("UPDATE kongflow_schema SET version = version + 1 WHERE component = 'storage'").has_value());
    }
    auto r = kf::sqlite::repository::open(path);
    auto diag = r ? kf::diagnostics() : r.error().diag();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == kf::errc::schema_too_new);
    CHECK(std::string(diag.client_message()).find("schema version 3") != std::string::npos);
    CHECK(std::string(diag.client_message()).find(path) != std::string::npos);

    auto s = kf::sqlite::store::open(path);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error() == kf::errc::schema_too_new);
}

TEST_CASE("sqlite::repository: a file that is not a database gives a clear error", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("garbage.db");
    std::string garbage;
    for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xff));
    write_file(path, garbage);
    auto r = kf::sqlite::repository::open(path);
    auto diag = r ? kf::diagnostics() : r.error().diag();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == kf::errc::storage_failure);
    CHECK(std::string(diag.client_message()).find("file is not a database") != std::string::npos);
    auto s = kf::sqlite::store::open(path);
    REQUIRE_FALSE(s.has_value());
}

TEST_CASE("sqlite::repository: damaged pages give errors, not crashes", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("damaged.db");
    {
        auto repo = open_repo(path);
        auto w = make_world(repo);
        auto e = repo.upsert_endpoint(endpoint_params(w.env, "a")).value();
        boost::json::array big;
        for (int i = 0; i < 500; ++i) big.push_back(boost::json::string(std::string(100, 'x')));
        for (int i = 0; i < 20; ++i)
            REQUIRE(repo.create_index({e.value.id, kf::index_source::api, {}, big, {}, {}}).has_value());
    }
    // Checkpointed and closed: overwrite every page after the first (the header stays valid).
    std::string junk(4096 * 16, '\x5a');
    {
        std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(4096);
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    auto r = kf::sqlite::repository::open(path);
    auto diag = r ? kf::diagnostics() : r.error().diag();
    if (!r) {
        CHECK(r.error() == kf::errc::storage_failure);
        CHECK_FALSE(diag.client_message().empty());
        return;
    }
    // Opened (the schema page survived): every call answers, successfully or with an error.
    auto envs = r->find_environment_by_api_key("key");
    auto list = r->list_endpoints("x");
    auto purge = r->purge_indexes_older_than(kf::now_ms());
    bool any_error = !envs || !list || !purge;
    CHECK(any_error);
    for (auto ec : {envs ? kf::error_code() : envs.error(), purge ? kf::error_code() : purge.error()})
        if (ec) CHECK((ec == kf::errc::storage_failure || ec == kf::errc::not_found));
}

TEST_CASE("sqlite::repository: a read-only database reads fine and refuses writes clearly",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("ro.db");
    std::string env_id;
    {
        auto repo = open_repo(path);
        env_id = make_world(repo).env.id;
    }
    kf::sqlite::file_params p;
    p.read_only = true;
    auto repo = open_repo(path, p);
    auto env = repo.find_environment_by_api_key("key");
    REQUIRE(env.has_value());
    CHECK(env->id == env_id);
    auto w = repo.upsert_endpoint(endpoint_params(*env, "a"));
    REQUIRE_FALSE(w.has_value());
    CHECK(w.error() == kf::errc::storage_failure);
    auto diag = w.error().diag(); // error() returns a copy
    INFO(diag.client_message());
    CHECK(std::string(diag.client_message()).find("readonly") != std::string::npos);
    CHECK(repo.find_endpoint_by_slug(env_id, "a").error() == kf::errc::not_found);

    // A read-only open of a file that does not exist fails at open, clearly.
    auto missing = kf::sqlite::repository::open(dir.file("missing.db"), p);
    auto d2 = missing ? kf::diagnostics() : missing.error().diag();
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error() == kf::errc::storage_failure);
    INFO(d2.client_message());
    CHECK(std::string(d2.client_message()).find("unable to open") != std::string::npos);
}

TEST_CASE("sqlite::repository: a full disk fails writes clearly and loses nothing committed",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("full.db");
    std::string endpoint_id;
    {
        auto repo = open_repo(path);
        auto w = make_world(repo);
        endpoint_id = repo.upsert_endpoint(endpoint_params(w.env, "a")).value().value.id;
    }
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // Child: a 512 KiB file-size limit stands in for a full disk. SIGXFSZ would kill us; with
        // it ignored, write(2) fails with EFBIG, which SQLite reports as SQLITE_FULL.
        ::close(fds[0]);
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit lim{512 * 1024, 512 * 1024};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(90);
        std::string report;
        int committed = 0;
        {
            auto repo = kf::sqlite::repository::open(path);
            if (!repo) ::_exit(91);
            boost::json::array big;
            for (int i = 0; i < 40; ++i) big.push_back(boost::json::string(std::string(100, 'y')));
            for (int i = 0; i < 1000; ++i) {
                auto r = repo->create_index({endpoint_id, kf::index_source::api, {}, big, {}, {}});
                if (!r) {
                    auto d = r.error().diag();
                    report = r.error().message() + "|" + std::string(d.client_message());
                    break;
                }
                ++committed;
            }
        }
        report = std::to_string(committed) + "|" + report;
        (void)!::write(fds[1], report.data(), report.size());
        ::close(fds[1]);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string report;
    char buf[1024];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    REQUIRE(wait_child(pid) == 0);
    INFO(report);
    auto bar = report.find('|');
    REQUIRE(bar != std::string::npos);
    int committed = std::stoi(report.substr(0, bar));
    CHECK(committed > 0);
    CHECK(committed < 1000); // the limit was hit
    CHECK(report.find("the store failed") != std::string::npos);
    // ENOSPC is SQLITE_FULL; the EFBIG of a file-size limit surfaces as SQLITE_IOERR_WRITE.
    CHECK((report.find("database or disk is full") != std::string::npos ||
           report.find("disk I/O error") != std::string::npos));

    CHECK(integrity_check(path) == "ok");
    auto repo = open_repo(path);
    auto indexes = repo.list_indexes(endpoint_id, 100000);
    REQUIRE(indexes.has_value());
    CHECK(static_cast<int>(indexes->size()) == committed); // every committed write, nothing else
    CHECK(repo.create_index({endpoint_id, kf::index_source::api, {}, nullptr, {}, {}}).has_value());
}

TEST_CASE("sqlite::store: a full disk during a unit of work keeps neither row nor job",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("full-store.db");
    std::string env_id;
    {
        auto s = kf::sqlite::store::open(path).value();
        env_id = make_world(s->repo()).env.id;
    }
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit lim{384 * 1024, 384 * 1024};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(90);
        auto s = kf::sqlite::store::open(path);
        if (!s) ::_exit(91);
        auto env = (*s)->repo().find_environment(env_id);
        if (!env) ::_exit(92);
        boost::json::array big;
        for (int i = 0; i < 40; ++i) big.push_back(boost::json::string(std::string(100, 'z')));
        for (int i = 0; i < 1000; ++i) {
            auto u = (*s)->begin();
            if (!u) ::_exit(10); // failing to begin is a clear error too
            auto e = (*u)->repo().upsert_endpoint(endpoint_params(*env, "e" + std::to_string(i)));
            if (!e) ::_exit(11);
            auto ix = (*u)->repo().create_index({e->value.id, kf::index_source::internal, {}, big, {}, {}});
            if (!ix) ::_exit(12);
            kf::job_request job;
            job.kind = "performEndpointIndexing";
            job.payload = {{"id", ix->id}, {"pad", std::string(2000, 'p')}};
            if (!(*u)->enqueue(job)) ::_exit(13);
            auto c = (*u)->commit();
            if (!c) ::_exit(c.error() == kf::errc::storage_failure ? 14 : 15);
        }
        ::_exit(0);
    }
    int code = wait_child(pid);
    CHECK(code >= 10);
    CHECK(code <= 14); // a clean failure at some step
    CHECK(integrity_check(path) == "ok");
    // Each committed unit has exactly one endpoint, one index and one job: the counts agree.
    auto endpoints = count_rows(path, "kf_endpoints");
    CHECK(endpoints > 0);
    CHECK(count_rows(path, "kf_endpoint_indexes") == endpoints);
    auto s = kf::sqlite::store::open(path).value();
    CHECK(s->jobs().stats(kf::now_ms()).value().totals.total() == endpoints);
}

TEST_CASE("sqlite::repository: threads writing to one repository all land", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("threads.db");
    auto repo = open_repo(path);
    auto w = make_world(repo);
    auto e = repo.upsert_endpoint(endpoint_params(w.env, "a")).value().value;
    constexpr int threads = 4, per_thread = 50;
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                if (!repo.create_index({e.id, kf::index_source::api, {}, nullptr, {}, {}})) ++failures;
                if (!repo.upsert_endpoint(
                        endpoint_params(w.env, "t" + std::to_string(t) + "-" + std::to_string(i % 7))))
                    ++failures;
                if (!repo.list_indexes(e.id, 5)) ++failures;
            }
        });
    for (auto& th : pool) th.join();
    CHECK(failures == 0);
    CHECK(repo.list_indexes(e.id, 1000).value().size() == threads * per_thread);
    CHECK(repo.list_endpoints(w.env.id).value().size() == 1 + threads * 7);
}

TEST_CASE("sqlite::store: units of work from several threads all commit", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite::store::open(dir.file("units.db")).value();
    auto w = make_world(s->repo());
    constexpr int threads = 4, per_thread = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto u = s->begin();
                if (!u) {
                    ++failures;
                    continue;
                }
                auto e = (*u)->repo().upsert_endpoint(endpoint_params(w.env, "e" + std::to_string(t * 1000 + i)));
                auto ix = e ? (*u)->repo().create_index({e->value.id, kf::index_source::internal, {}, nullptr, {}, {}})
                            : kf::result<kf::endpoint_index>(kf::errc::storage_failure);
                kf::job_request job;
                job.kind = "performEndpointIndexing";
                job.payload = {{"id", ix ? ix->id : std::string()}};
                if (!ix || !(*u)->enqueue(job) || !(*u)->commit()) ++failures;
            }
        });
    for (auto& th : pool) th.join();
    CHECK(failures == 0);
    CHECK(s->repo().list_endpoints(w.env.id).value().size() == threads * per_thread);
    CHECK(s->jobs().stats(kf::now_ms()).value().totals.total() == threads * per_thread);
}

TEST_CASE("sqlite::repository: two processes writing to one file all land", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("procs.db");
    std::string endpoint_id;
    world w;
    {
        auto repo = open_repo(path);
        w = make_world(repo);
        endpoint_id = repo.upsert_endpoint(endpoint_params(w.env, "shared")).value().value.id;
    }
    constexpr int children = 2, per_child = 150;
    std::vector<pid_t> pids;
    for (int c = 0; c < children; ++c) {
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            // Each process opens the file itself (never reuse a connection across fork).
            kf::sqlite::file_params p;
            p.busy_timeout = std::chrono::milliseconds(10000);
            auto repo = kf::sqlite::repository::open(path, p);
            if (!repo) ::_exit(50);
            int failed = 0;
            for (int i = 0; i < per_child; ++i) {
                if (!repo->create_index({endpoint_id, kf::index_source::api, {}, nullptr, {}, {}})) ++failed;
                if (!repo->upsert_endpoint(
                        endpoint_params(w.env, "p" + std::to_string(c) + "-" + std::to_string(i % 10))))
                    ++failed;
            }
            ::_exit(failed == 0 ? 0 : 60);
        }
        pids.push_back(pid);
    }
    // The parent writes at the same time.
    {
        auto repo = open_repo(path);
        for (int i = 0; i < per_child; ++i)
            CHECK(repo.create_index({endpoint_id, kf::index_source::manual, {}, nullptr, {}, {}}).has_value());
    }
    for (auto pid : pids) CHECK(wait_child(pid) == 0);
    auto repo = open_repo(path);
    CHECK(repo.list_indexes(endpoint_id, 100000).value().size() == (children + 1) * per_child);
    CHECK(repo.list_endpoints(w.env.id).value().size() == 1 + children * 10);
    CHECK(integrity_check(path) == "ok");
}

TEST_CASE("sqlite::store: units of work from two processes all commit, rows and jobs together",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("procs-units.db");
    std::string env_id;
    {
        auto s = kf::sqlite::store::open(path).value();
        env_id = make_world(s->repo()).env.id;
    }
    constexpr int children = 2, per_child = 40;
    std::vector<pid_t> pids;
    for (int c = 0; c < children; ++c) {
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            auto s = kf::sqlite::store::open(path);
            if (!s) ::_exit(50);
            auto env = (*s)->repo().find_environment(env_id);
            if (!env) ::_exit(51);
            int failed = 0;
            for (int i = 0; i < per_child; ++i) {
                auto u = (*s)->begin();
                if (!u) {
                    ++failed;
                    continue;
                }
                auto e = (*u)->repo().upsert_endpoint(
                    endpoint_params(*env, "c" + std::to_string(c) + "-" + std::to_string(i)));
                auto ix = e ? (*u)->repo().create_index({e->value.id, kf::index_source::internal})
                            : kf::result<kf::endpoint_index>(kf::errc::storage_failure);
                if (!ix || !(*u)->enqueue(kf::make_job_request("performEndpointIndexing", {{"id", ix->id}}))) {
                    ++failed;
                    continue;
                }
                // Every third unit is abandoned: its rows and job must vanish.
                if (i % 3 == 2) continue;
                if (!(*u)->commit()) ++failed;
            }
            ::_exit(failed == 0 ? 0 : 60);
        }
        pids.push_back(pid);
    }
    for (auto pid : pids) CHECK(wait_child(pid) == 0);
    const std::int64_t committed = children * (per_child - per_child / 3);
    CHECK(count_rows(path, "kf_endpoints") == committed);
    CHECK(count_rows(path, "kf_endpoint_indexes") == committed);
    auto s = kf::sqlite::store::open(path).value();
    CHECK(s->jobs().stats(kf::now_ms()).value().totals.total() == committed);
    CHECK(integrity_check(path) == "ok");
}

TEST_CASE("sqlite: the page size applies to new files only", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto page_size = [](kf::sqlite::detail::connection& c) {
        auto st = c.prepare("PRAGMA page_size");
        REQUIRE(st.has_value());
        REQUIRE(st->step().value());
        return st->get_int64(0);
    };
    auto path = dir.file("pages.db");
    {
        kf::sqlite::file_params p;
        p.page_size = 16384;
        auto q = kf::sqlite::queue::open(path, p);
        REQUIRE(q.has_value());
        CHECK(kf::sqlite::detail::access::with_connection(**q, page_size) == 16384);
        REQUIRE((*q)->enqueue("k", boost::json::object{{"i", 1}}).has_value());
    }
    {
        // Reopened with another size: the file keeps its own, and its data.
        kf::sqlite::file_params p;
        p.page_size = 4096;
        auto q = kf::sqlite::queue::open(path, p);
        REQUIRE(q.has_value());
        CHECK(kf::sqlite::detail::access::with_connection(**q, page_size) == 16384);
        CHECK((*q)->stats(kf::now_ms()).value().totals.total() == 1);
    }
    {
        // The default for a new store file.
        auto s = kf::sqlite::store::open(dir.file("default.db"));
        REQUIRE(s.has_value());
        auto c = kf::sqlite::detail::connection::open(dir.file("default.db"));
        REQUIRE(c.has_value());
        CHECK(page_size(*c) == 4096);
    }
}

TEST_CASE("sqlite: writers let a blocking checkpoint take the write lock first", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("gate.db");
    auto writer = kf::sqlite::detail::connection::open(path);
    REQUIRE(writer.has_value());
    auto gate = kf::sqlite::detail::write_gate::for_file(sqlite3_db_filename(writer->native(), "main"));
    using clock = std::chrono::steady_clock;
    auto begin_and_commit = [&] {
        auto t0 = clock::now();
        auto tx = kf::sqlite::detail::transaction::begin(*writer, kf::sqlite::detail::tx_mode::immediate);
        auto waited = clock::now() - t0;
        if (tx) (void)tx->commit();
        return std::pair{tx.has_value(), waited};
    };
    SECTION("no checkpoint waiting: BEGIN IMMEDIATE goes ahead") {
        auto [ok, waited] = begin_and_commit();
        CHECK(ok);
        CHECK(waited < std::chrono::milliseconds(40));
    }
    SECTION("a checkpoint waiting: BEGIN IMMEDIATE waits until it is done") {
        gate->priority_begin();
        std::atomic<bool> ended{false};
        std::thread checkpoint([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(60));
            ended = true;
            gate->priority_end();
        });
        auto tx = kf::sqlite::detail::transaction::begin(*writer, kf::sqlite::detail::tx_mode::immediate);
        const bool began_after_the_checkpoint = ended.load();
        checkpoint.join();
        REQUIRE(tx.has_value());
        CHECK(tx->commit().has_value());
        CHECK(began_after_the_checkpoint);
    }
}

// The queue's checkpointer syncs the database file before a RESTART, outside any lock.
TEST_CASE("sqlite: sync_database_file syncs a file database without a transaction", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("sync.db");
    auto c = kf::sqlite::detail::connection::open(path);
    REQUIRE(c.has_value());
    REQUIRE(c->exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)").has_value());
    // Copy the WAL into the database file (not synced by a pass that is not the last), then sync.
    int log = -1, done = -1;
    REQUIRE(c->checkpoint(SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK);
    CHECK(done == log);
    CHECK(c->sync_database_file() == SQLITE_OK);
    CHECK_FALSE(c->in_transaction());

    auto mem = kf::sqlite::detail::connection::open(":memory:");
    REQUIRE(mem.has_value());
    CHECK(mem->sync_database_file() == SQLITE_OK); // nothing to sync
}

// An endpoint's reply with 1e400 in it (Infinity once parsed) was stored as the text "Infinity",
// which the row reader then refused as invalid JSON (tests/fuzz/corpus/index_reply/regression-infinity).
TEST_CASE("sqlite::repository: JSON with a number that is not finite reads back (as null)",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto repo = open_repo(dir.file("infinity.db"));
    auto w = make_world(repo);
    auto e = repo.upsert_endpoint(endpoint_params(w.env, "a")).value();
    auto created = repo.create_index(
        {e.value.id, kf::index_source::api, std::nullopt, boost::json::parse(R"({"limit":1e400,"n":1})"), {}, {}});
    REQUIRE(created.has_value());
    auto ix = repo.find_index(created->id);
    REQUIRE(ix.has_value());
    CHECK(ix->source_data == boost::json::parse(R"({"limit":null,"n":1})"));
}
