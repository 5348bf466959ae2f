// Units of work on the SQLite store: the store conformance suite on a temporary file per check.
#include "catch.hpp"
#include "sqlite_pragma.hpp"
#include "temp_dir.hpp"

#include <kongflow/endpoints/sqlite/detail/access.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>
#include <kongflow/endpoints/testing/store_conformance.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <thread>

namespace kf = kongflow::endpoints;

namespace {

/// The store conformance suite on a fresh file per check, opened with `p`.
void run_store_conformance(const kf::sqlite::store_params& p) {
    kf_test::temp_dir dir;
    int n = 0;
    auto factory = [&]() -> std::unique_ptr<kf::store> {
        auto s = kf::sqlite::store::open(dir.file("store-" + std::to_string(n++) + ".db"), p);
        if (!s) throw std::runtime_error("open failed: " + s.error().message() + " " + s.error().what());
        return std::move(*s);
    };
    for (const auto& check : kf::testing::store_conformance_checks()) {
        DYNAMIC_SECTION(check.name) {
            auto r = kf::testing::run_store_conformance_check(check, factory);
            INFO(r.message);
            CHECK(r.passed);
        }
    }
}

} // namespace

TEST_CASE("sqlite::store passes the store conformance suite", "[integration][storage][sqlite]") {
    run_store_conformance({});
}

TEST_CASE("sqlite::store without pipelined sync passes the store conformance suite", "[integration][storage][sqlite]") {
    kf::sqlite::store_params p;
    p.pipelined_sync = false;
    run_store_conformance(p);
}

TEST_CASE("sqlite::store pipelined sync: FULL units complete after a WAL sync; NORMAL and off need none",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto run = [&](const std::string& name, kf::sqlite::store_params p) {
        auto s = kf::sqlite::store::open(dir.file(name), p);
        REQUIRE(s.has_value());
        auto w = kf::testing::detail::make_world((*s)->repo());
        std::vector<kf::transact_work> works;
        for (int i = 0; i < 100; ++i)
            works.push_back(kf::testing::detail::create_endpoint_work(w.prod, "p" + std::to_string(i)));
        auto out = kf::testing::detail::transact_all(**s, std::move(works), 8);
        for (const auto& o : out) CHECK(!o.ec);
        CHECK((*s)->jobs().stats(kf::now_ms())->totals.total() == 100);
        CHECK((*s)->repo().list_endpoints(w.prod.id)->size() == 100);
        return (*s)->group_commits();
    };
    auto full = run("full.db", {});
    CHECK(full.units == 100);
    // One sync covers every group committed before it started.
    CHECK(full.syncs >= 1);
    CHECK(full.syncs <= full.transactions);

    kf::sqlite::store_params off;
    off.pipelined_sync = false;
    CHECK(run("off.db", off).syncs == 0);

    kf::sqlite::store_params normal;
    normal.file.synchronous = "NORMAL";
    CHECK(run("normal.db", normal).syncs == 0);
}

TEST_CASE("sqlite storage refuses a synchronous level or page size SQLite would not apply, before creating the file",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    const auto path = dir.file("never.db");
    // SQLite would read every one of these as NORMAL; the last would have been pasted into SQL.
    // One rule for the file, whichever component opens it.
    auto refused = [&](const kf::sqlite::file_params& fp, const std::string& message) {
        auto repo = kf::sqlite::repository::open(path, fp);
        REQUIRE(!repo);
        CHECK(repo.error() == kf::make_error_code(kf::errc::invalid_argument));
        CHECK(repo.error().diag().client_message() == path + ": " + message);
        auto q = kf::sqlite::queue::open(path, fp);
        REQUIRE(!q);
        CHECK(q.error() == kf::make_error_code(kf::errc::invalid_argument));
        CHECK(q.error().diag().client_message() == path + ": " + message);
        kf::sqlite::store_params sp;
        sp.file = fp;
        auto st = kf::sqlite::store::open(path, sp);
        REQUIRE(!st);
        CHECK(st.error() == kf::make_error_code(kf::errc::invalid_argument));
        CHECK(st.error().diag().client_message() == path + ": " + message);
        CHECK(!std::filesystem::exists(path));
    };
    for (std::string bad : {"FUL", "", "fast", "4", " FULL", "FULL; DROP TABLE kf_endpoints"}) {
        INFO("synchronous='" << bad << "'");
        kf::sqlite::file_params fp;
        fp.synchronous = bad;
        refused(fp, "synchronous must be OFF, NORMAL, FULL or EXTRA (or 0-3), got '" + bad + "'");
    }
    // SQLite ignores these without a word (the file would get 4 KiB pages).
    for (int bad : {1000, 256, 131072, -4096}) {
        INFO("page_size=" << bad);
        kf::sqlite::file_params fp;
        fp.page_size = bad;
        refused(fp, "page_size must be 0 (SQLite's default) or a power of two from 512 to 65536, got " +
                        std::to_string(bad));
    }
}

TEST_CASE("sqlite storage takes a synchronous level in any case or as its number", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    struct spelling {
        const char* text;
        int level; // PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
    };
    int n = 0;
    for (auto [text, level] : {spelling{"full", 2}, spelling{"Full", 2}, spelling{"2", 2}, spelling{"normal", 1},
                               spelling{"1", 1}, spelling{"Extra", 3}, spelling{"off", 0}}) {
        INFO("synchronous='" << text << "'");
        kf::sqlite::store_params p;
        p.file.synchronous = text;
        auto s = kf::sqlite::store::open(dir.file("s" + std::to_string(n++) + ".db"), p);
        REQUIRE(s.has_value());
        CHECK(kf::sqlite::detail::access::with_connection((*s)->jobs(), kf_test::synchronous_level_of) == level);
        // FULL and EXTRA commit groups without waiting inside COMMIT and sync the WAL after:
        // the spelling must not turn that off (nor turn it on for the levels without a sync).
        auto w = kf::testing::detail::make_world((*s)->repo());
        std::vector<kf::transact_work> works;
        for (int i = 0; i < 4; ++i)
            works.push_back(kf::testing::detail::create_endpoint_work(w.prod, "e" + std::to_string(i)));
        for (const auto& o : kf::testing::detail::transact_all(**s, std::move(works), 4)) CHECK(!o.ec);
        if (level >= 2)
            CHECK((*s)->group_commits().syncs >= 1);
        else
            CHECK((*s)->group_commits().syncs == 0);
    }
}

TEST_CASE("sqlite::store pipelined sync: a WAL that cannot be synced fails its units clearly",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto path = dir.file("lost-wal.db");
    auto s = kf::sqlite::store::open(path);
    REQUIRE(s.has_value());
    auto w = kf::testing::detail::make_world((*s)->repo());
    std::vector<kf::transact_work> first;
    first.push_back(kf::testing::detail::create_endpoint_work(w.prod, "before"));
    REQUIRE(!kf::testing::detail::transact_all(**s, std::move(first), 1)[0].ec);
    // Someone removes the WAL from under the store: the commit cannot be made durable any more.
    REQUIRE(std::remove((path + "-wal").c_str()) == 0);
    std::vector<kf::transact_work> second;
    second.push_back(kf::testing::detail::create_endpoint_work(w.prod, "after"));
    auto out = kf::testing::detail::transact_all(**s, std::move(second), 1);
    CHECK(out[0].ec == kf::make_error_code(kf::errc::storage_failure));
    INFO(out[0].diag.client_message());
    CHECK(out[0].diag.client_message().find("could not be made durable") != std::string_view::npos);
    CHECK(out[0].ids.empty());
}

TEST_CASE("sqlite::store group-commits concurrent async_transact units", "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite::store::open(dir.file("group.db"));
    REQUIRE(s.has_value());
    auto& st = **s;
    auto& repo = st.repo();
    auto w = kf::testing::detail::make_world(repo);
    std::vector<kf::transact_work> works;
    for (int i = 0; i < 200; ++i)
        works.push_back(kf::testing::detail::create_endpoint_work(w.prod, "g" + std::to_string(i), i % 10 == 3));
    auto out = kf::testing::detail::transact_all(st, std::move(works), 8);
    int failed = 0;
    for (const auto& o : out) failed += o.ec ? 1 : 0;
    CHECK(failed == 20);
    auto stats = st.group_commits();
    CHECK(stats.units == 200);
    // Units posted at once wait while a group commits, then share the next transaction.
    CHECK(stats.transactions < stats.units);
    CHECK(stats.transactions >= 1);
    auto n = st.jobs().stats(kf::now_ms());
    REQUIRE(n.has_value());
    CHECK(n->totals.total() == 180);
}

TEST_CASE("sqlite::store async_transact: a failing unit reports the store's message",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite::store::open(dir.file("missing-env.db"));
    REQUIRE(s.has_value());
    kf::environment ghost;
    ghost.id = "no-such-environment";
    ghost.organization_id = "no-such-org";
    ghost.project_id = "no-such-project";
    std::vector<kf::transact_work> works;
    works.push_back(kf::testing::detail::create_endpoint_work(ghost, "x"));
    auto out = kf::testing::detail::transact_all(**s, std::move(works), 1);
    // An unknown environment is not_found, with the repository's explanation in the diagnostics.
    CHECK(out[0].ec == kf::make_error_code(kf::errc::not_found));
    INFO(out[0].diag.client_message());
    CHECK(out[0].diag.client_message().find("environment") != std::string_view::npos);
    CHECK((*s)->jobs().stats(kf::now_ms())->totals.total() == 0);
}

TEST_CASE("sqlite::store async_transact keeps the handler's io_context running until it completes",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite::store::open(dir.file("work.db"));
    REQUIRE(s.has_value());
    auto w = kf::testing::detail::make_world((*s)->repo());
    boost::asio::io_context io;
    boost::asio::thread_pool blocking(1);
    bool done = false;
    kf::error_code result_ec = kf::make_error_code(kf::errc::storage_failure);
    kf::diagnostics diag;
    auto slow = kf::testing::detail::create_endpoint_work(w.prod, "slow");
    // The unit runs on the pool while io has nothing else to do: io.run() must wait for the
    // completion (the store holds outstanding work on the handler's executor) and run it on io.
    (*s)->async_transact(
        blocking.get_executor(),
        [&](kf::unit_of_work& u) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            return slow(u);
        },
        diag, boost::asio::bind_executor(io, [&](kf::error_code ec, std::vector<kf::job_id>) {
            result_ec = ec;
            done = true;
        }));
    io.run();
    CHECK(done);
    CHECK(!result_ec);
    blocking.join();
}

TEST_CASE("sqlite::store async_transact: a unit that wrote hundreds of pages rolls back alone",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite::store::open(dir.file("big-unit.db"));
    REQUIRE(s.has_value());
    auto& st = **s;
    // Statement journals stay in memory (temp_store=MEMORY): a savepoint far larger than SQLite's
    // 64 KiB spill threshold must still roll back exactly.
    auto temp_store = kf::sqlite::detail::access::with_connection(st.jobs(), [](kf::sqlite::detail::connection& c) {
        auto q = c.prepare("PRAGMA temp_store");
        if (!q) return std::int64_t{-1};
        auto row = q->step();
        return row && *row ? q->get_int64(0) : std::int64_t{-1};
    });
    CHECK(temp_store == 2);
    auto w = kf::testing::detail::make_world(st.repo());
    std::vector<kf::transact_work> works;
    works.push_back(kf::testing::detail::create_endpoint_work(w.prod, "kept-1"));
    works.push_back([&](kf::unit_of_work& u) -> kf::result<void> {
        auto created = kf::testing::detail::create_endpoint_work(w.prod, "big")(u);
        if (!created) return created;
        auto ep = u.repo().find_endpoint_by_slug(w.prod.id, "big");
        if (!ep) return ep.error();
        const std::string blob(4000, 'x');
        for (int i = 0; i < 300; ++i) { // ~1.2 MB of job definitions
            auto r = u.repo().upsert_job(
                {ep->id, "job-" + std::to_string(i), "1", boost::json::object{{"blob", blob}}, true, false, {}});
            if (!r) return r.error();
        }
        return kf::make_error_code(kf::errc::invalid_argument); // then fail: all of it goes
    });
    works.push_back(kf::testing::detail::create_endpoint_work(w.prod, "kept-2"));
    auto out = kf::testing::detail::transact_all(st, std::move(works), 1);
    CHECK(!out[0].ec);
    CHECK(out[1].ec == kf::make_error_code(kf::errc::invalid_argument));
    CHECK(!out[2].ec);
    CHECK(st.repo().find_endpoint_by_slug(w.prod.id, "kept-1").has_value());
    CHECK(st.repo().find_endpoint_by_slug(w.prod.id, "kept-2").has_value());
    CHECK(st.repo().find_endpoint_by_slug(w.prod.id, "big").error() == kf::errc::not_found);
    CHECK(st.jobs().stats(kf::now_ms())->totals.total() == 2);
}

namespace {

/// Runs `works` through async_transact as one group: a first unit holds the leader until all of
/// them are queued, so they reach the store together and form the next group.
std::vector<kf::testing::detail::transact_outcome> transact_as_one_group(kf::sqlite::store& st,
                                                                         std::vector<kf::transact_work> works,
                                                                         std::vector<kf::transact_mode> modes) {
    boost::asio::thread_pool pool(1);
    std::promise<void> started, release;
    auto released = release.get_future().share();
    kf::diagnostics hold_diag;
    std::promise<void> hold_done;
    st.async_transact(
        pool.get_executor(),
        [&](kf::unit_of_work&) -> kf::result<void> {
            started.set_value();
            released.wait();
            return {};
        },
        hold_diag, [&](kf::error_code, std::vector<kf::job_id>) { hold_done.set_value(); });
    REQUIRE(started.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    std::vector<kf::testing::detail::transact_outcome> out(works.size());
    std::vector<std::promise<void>> done(works.size());
    for (std::size_t i = 0; i < works.size(); ++i)
        st.async_transact(pool.get_executor(), modes[i], std::move(works[i]), out[i].diag,
                          [&, i](kf::error_code ec, std::vector<kf::job_id> ids) {
                              out[i].ec = ec;
                              out[i].ids = std::move(ids);
                              done[i].set_value();
                          });
    release.set_value();
    for (auto& d : done) REQUIRE(d.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    REQUIRE(hold_done.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    pool.join();
    return out;
}

/// create_endpoint_work that counts its runs.
kf::transact_work counted(kf::transact_work work, std::atomic<int>& runs) {
    return [work = std::move(work), &runs](kf::unit_of_work& u) {
        ++runs;
        return work(u);
    };
}

} // namespace

TEST_CASE("sqlite::store async_transact: repeatable units run once without savepoints, and again with "
          "savepoints when one of them fails",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite::store::open(dir.file("repeatable.db"));
    REQUIRE(s.has_value());
    auto& st = **s;
    auto w = kf::testing::detail::make_world(st.repo());
    using kf::testing::detail::create_endpoint_work;
    constexpr int n = 6;
    std::array<std::atomic<int>, n> runs{};
    const std::vector<kf::transact_mode> repeatable(n, kf::transact_mode::repeatable);

    SECTION("all succeed: one run each, one transaction, no rerun") {
        std::vector<kf::transact_work> works;
        for (int i = 0; i < n; ++i)
            works.push_back(counted(create_endpoint_work(w.prod, "ok-" + std::to_string(i)), runs[i]));
        const auto before = st.group_commits();
        auto out = transact_as_one_group(st, std::move(works), repeatable);
        const auto after = st.group_commits();
        for (int i = 0; i < n; ++i) {
            CHECK(!out[i].ec);
            CHECK(out[i].ids.size() == 1);
            CHECK(runs[i] == 1);
        }
        CHECK(after.reruns == before.reruns);
        CHECK(after.transactions - before.transactions == 2); // the holding unit's, then the group's
        CHECK(st.jobs().stats(kf::now_ms())->totals.total() == n);
    }
    SECTION("one fails: the group runs again with savepoints; the others are kept once, it is not") {
        std::vector<kf::transact_work> works;
        for (int i = 0; i < n; ++i)
            works.push_back(counted(create_endpoint_work(w.prod, "g-" + std::to_string(i), i == 3), runs[i]));
        const auto before = st.group_commits();
        auto out = transact_as_one_group(st, std::move(works), repeatable);
        CHECK(st.group_commits().reruns == before.reruns + 1);
        std::vector<kf::job_id> ids;
        for (int i = 0; i < n; ++i) {
            INFO("unit " << i);
            // Units up to the failing one ran in the first pass, all of them in the second.
            CHECK(runs[i] == (i <= 3 ? 2 : 1));
            auto found = st.repo().find_endpoint_by_slug(w.prod.id, "g-" + std::to_string(i));
            if (i == 3) {
                CHECK(out[i].ec == kf::make_error_code(kf::errc::not_found));
                CHECK(out[i].ids.empty());
                CHECK(!found);
            } else {
                CHECK(!out[i].ec);
                CHECK(out[i].diag.client_message().empty());
                REQUIRE(out[i].ids.size() == 1);
                CHECK(found.has_value());
                auto job = st.jobs().get(out[i].ids.front()); // the id of the run that was kept
                CHECK(job.has_value());
                ids.push_back(out[i].ids.front());
            }
        }
        CHECK(st.jobs().stats(kf::now_ms())->totals.total() == n - 1);
        auto indexes = st.repo().list_indexes(st.repo().find_endpoint_by_slug(w.prod.id, "g-0")->id, 10);
        CHECK(indexes->size() == 1);
    }
    SECTION("a unit that runs once in the group: savepoints from the start, every work runs once") {
        std::vector<kf::transact_work> works;
        for (int i = 0; i < n; ++i)
            works.push_back(counted(create_endpoint_work(w.prod, "m-" + std::to_string(i), i == 4), runs[i]));
        auto modes = repeatable;
        modes[1] = kf::transact_mode::once;
        const auto before = st.group_commits();
        auto out = transact_as_one_group(st, std::move(works), modes);
        CHECK(st.group_commits().reruns == before.reruns);
        for (int i = 0; i < n; ++i) {
            CHECK(runs[i] == 1);
            CHECK(static_cast<bool>(out[i].ec) == (i == 4));
        }
        CHECK(st.jobs().stats(kf::now_ms())->totals.total() == n - 1);
    }
}

TEST_CASE("sqlite::store async_transact: a unit alone in its group runs once, and its failure keeps nothing",
          "[integration][storage][sqlite]") {
    kf_test::temp_dir dir;
    auto s = kf::sqlite::store::open(dir.file("alone.db"));
    REQUIRE(s.has_value());
    auto& st = **s;
    auto w = kf::testing::detail::make_world(st.repo());
    for (auto mode : {kf::transact_mode::once, kf::transact_mode::repeatable}) {
        const std::string slug = mode == kf::transact_mode::once ? "once" : "repeatable";
        std::atomic<int> runs{0};
        std::vector<kf::transact_work> works;
        works.push_back(counted(kf::testing::detail::create_endpoint_work(w.prod, slug, true), runs));
        const auto before = st.group_commits();
        auto out = kf::testing::detail::transact_all(st, std::move(works), 1, mode);
        CHECK(runs == 1);
        CHECK(out[0].ec == kf::make_error_code(kf::errc::not_found));
        CHECK(!out[0].diag.client_message().empty());
        CHECK(st.group_commits().reruns == before.reruns);
        CHECK(!st.repo().find_endpoint_by_slug(w.prod.id, slug));
    }
    CHECK(st.jobs().stats(kf::now_ms())->totals.total() == 0);
}
