// The store conformance suite: units of work that span repository writes and queue enqueues.
// Framework-independent, like repository_conformance.hpp (whose result types it shares).
#ifndef KONGFLOW_ENDPOINTS_TESTING_STORE_CONFORMANCE_HPP
#define KONGFLOW_ENDPOINTS_TESTING_STORE_CONFORMANCE_HPP

#include <kongflow/endpoints/storage/store.hpp>
#include <kongflow/endpoints/testing/repository_conformance.hpp>

#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kongflow::endpoints::testing {

/// Makes a fresh, empty store for one check.
using store_factory = std::function<std::unique_ptr<store>()>;

struct store_conformance_check {
    std::string name;
    std::function<void(store&)> run;
};

namespace detail {

inline std::int64_t total_jobs(store& s) {
    auto st = s.jobs().stats(now_ms());
    if (!st) conformance_fail(__FILE__, __LINE__, "queue stats failed: " + st.error().message());
    return st->totals.total();
}

inline job_request index_job(const std::string& index_id) {
    job_request j;
    j.kind = "performEndpointIndexing";
    j.payload = {{"id", index_id}};
    j.max_attempts = 7;
    return j;
}

/// CreateEndpointService's transaction (protocol.md C.1): upsert, PENDING index, enqueue.
struct create_endpoint_outcome {
    endpoint ep;
    endpoint_index index;
};
inline create_endpoint_outcome create_endpoint_in(unit_of_work& uow, const environment& env, const std::string& slug) {
    repository& repo = uow.repo();
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(env, slug, "http://127.0.0.1:3000/api/trigger")));
    auto ix = KF_CONF_OK(repo.create_index({e.value.id, index_source::internal, {}, nullptr, {}, {}}));
    auto ok = uow.enqueue(index_job(ix.id));
    if (!ok) conformance_fail(__FILE__, __LINE__, "enqueue failed: " + ok.error().message());
    return {e.value, ix};
}

inline std::unique_ptr<unit_of_work> begin(store& s) {
    auto u = s.begin();
    if (!u) conformance_fail(__FILE__, __LINE__, "begin failed: " + describe(u.error()));
    return std::move(*u);
}

inline void check_commit_keeps_rows_and_jobs(store& s) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    auto uow = begin(s);
    auto out = create_endpoint_in(*uow, w.prod, "my-app");
    // The unit's repository sees its own writes.
    KF_CONF_CHECK(KF_CONF_OK(uow->repo().find_index(out.index.id)) == out.index);
    auto ids = uow->commit();
    if (!ids) conformance_fail(__FILE__, __LINE__, "commit failed: " + describe(ids.error()));
    KF_CONF_CHECK(ids->size() == 1);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint_by_slug(w.prod.id, "my-app")) == out.ep);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_index(out.index.id)) == out.index);
    auto job = s.jobs().get(ids->front());
    if (!job) conformance_fail(__FILE__, __LINE__, "the committed job is missing: " + job.error().message());
    KF_CONF_CHECK(job->kind == "performEndpointIndexing");
    KF_CONF_CHECK(job->payload.at("id") == boost::json::value(out.index.id));
    KF_CONF_CHECK(job->max_attempts == 7);
    KF_CONF_CHECK(total_jobs(s) == 1);
}

inline void check_destroyed_unit_leaves_nothing(store& s) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    std::string index_id;
    {
        auto uow = begin(s);
        auto out = create_endpoint_in(*uow, w.prod, "my-app");
        index_id = out.index.id;
        // The step after the enqueue fails; the caller gives up and the unit is destroyed.
        KF_CONF_ERR(uow->repo().create_index({"missing", index_source::internal, {}, nullptr, {}, {}}), not_found);
    }
    KF_CONF_ERR(repo.find_endpoint_by_slug(w.prod.id, "my-app"), not_found);
    KF_CONF_ERR(repo.find_index(index_id), not_found);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_endpoints(w.prod.id)).empty());
    KF_CONF_CHECK(total_jobs(s) == 0);
    // The store is usable afterwards.
    auto uow = begin(s);
    create_endpoint_in(*uow, w.prod, "my-app");
    KF_CONF_CHECK(uow->commit().has_value());
    KF_CONF_CHECK(total_jobs(s) == 1);
}

inline void check_rollback_restores_exactly(store& s) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://one/", std::string("v1")))).value;
    std::vector<std::string> ix;
    for (int i = 0; i < 3; ++i)
        ix.push_back(KF_CONF_OK(repo.create_index({e.id, index_source::internal, {}, nullptr, {}, at(t0 + i)})).id);
    (void)KF_CONF_OK(repo.upsert_job({e.id, "job", "1", nullptr, true, false, {}}));
    (void)KF_CONF_OK(repo.upsert_registration({e.id, registration_kind::webhook, "w", nullptr, true, {}}));
    auto before_ep = KF_CONF_OK(repo.find_endpoint(e.id));
    auto before_ix = KF_CONF_OK(repo.list_indexes(e.id, 10));
    auto before_jobs = KF_CONF_OK(repo.list_jobs(e.id));
    auto before_regs = KF_CONF_OK(repo.list_registrations(e.id, std::nullopt));

    auto uow = begin(s);
    repository& r = uow->repo();
    (void)KF_CONF_OK(r.upsert_endpoint(endpoint_params(w.prod, "a", "http://two/", std::string("v2"))));
    (void)KF_CONF_OK(r.delete_endpoint(e.id));
    update_index_params u;
    u.id = ix[1];
    u.status = index_status::failure;
    u.error = boost::json::parse(R"({"message":"x"})");
    (void)KF_CONF_OK(r.update_index(u));
    KF_CONF_CHECK(KF_CONF_OK(r.purge_indexes_older_than(at(t0 + 2))) == 2);
    (void)KF_CONF_OK(r.create_index({e.id, index_source::api, {}, nullptr, {}, at(t0 + 5)}));
    KF_CONF_CHECK(KF_CONF_OK(r.disable_job({e.id, "job", std::nullopt, std::nullopt})));
    KF_CONF_OK(r.delete_registration(e.id, registration_kind::webhook, "w"));
    (void)KF_CONF_OK(r.upsert_registration({e.id, registration_kind::source, "s", nullptr, true, {}}));
    (void)KF_CONF_OK(r.upsert_endpoint(endpoint_params(w.dev, "new", "http://new/")));
    KF_CONF_CHECK(uow->enqueue(index_job("x")).has_value());
    uow->rollback();

    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint(e.id)) == before_ep);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_indexes(e.id, 10)) == before_ix);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_jobs(e.id)) == before_jobs);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_registrations(e.id, std::nullopt)) == before_regs);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_endpoints(w.dev.id)).empty());
    KF_CONF_CHECK(total_jobs(s) == 0);
    // New writes after the rollback still order after the restored rows.
    auto n = KF_CONF_OK(repo.create_index({e.id, index_source::internal, {}, nullptr, {}, at(t0 + 2)})).id;
    KF_CONF_CHECK(KF_CONF_OK(repo.list_indexes(e.id, 1)).front().id == n);
}

inline void check_finished_unit_refuses_calls(store& s) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    auto uow = begin(s);
    create_endpoint_in(*uow, w.prod, "a");
    KF_CONF_CHECK(uow->commit().has_value());
    auto again = uow->commit();
    KF_CONF_CHECK(!again && again.error() == make_error_code(errc::invalid_argument));
    auto late = uow->enqueue(index_job("y"));
    KF_CONF_CHECK(!late && late.error() == make_error_code(errc::invalid_argument));
    uow->rollback(); // harmless
    KF_CONF_CHECK(total_jobs(s) == 1);
    KF_CONF_CHECK(KF_CONF_OK(s.repo().find_endpoint_by_slug(w.prod.id, "a")).url.has_value());

    auto second = begin(s);
    second->rollback();
    KF_CONF_CHECK(!second->commit());
}

inline void check_invalid_job_refused_at_enqueue(store& s) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    auto uow = begin(s);
    job_request bad;
    bad.payload = {{"id", "x"}}; // no kind
    auto r = uow->enqueue(bad);
    KF_CONF_CHECK(!r && r.error() == make_error_code(errc::unknown_job_kind));
    job_request bad2 = index_job("x");
    bad2.max_attempts = 0;
    r = uow->enqueue(bad2);
    KF_CONF_CHECK(!r && r.error() == make_error_code(errc::invalid_argument));
    // The unit is still usable and commits only the good job.
    create_endpoint_in(*uow, w.prod, "a");
    auto ids = uow->commit();
    KF_CONF_CHECK(ids && ids->size() == 1);
    KF_CONF_CHECK(total_jobs(s) == 1);
}

inline void check_units_in_sequence(store& s) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    std::size_t committed = 0;
    for (int i = 0; i < 10; ++i) {
        auto uow = begin(s);
        create_endpoint_in(*uow, w.prod, "e" + std::to_string(i));
        if (i % 2 == 0) {
            KF_CONF_CHECK(uow->commit().has_value());
            ++committed;
        }
    }
    KF_CONF_CHECK(KF_CONF_OK(s.repo().list_endpoints(w.prod.id)).size() == committed);
    KF_CONF_CHECK(total_jobs(s) == static_cast<std::int64_t>(committed));
}

// ---- async_transact ----

struct transact_outcome {
    error_code ec;
    std::vector<job_id> ids;
    diagnostics diag;
};

/// The work of CreateEndpointService's unit for async_transact: upsert, PENDING index, enqueue;
/// `fail_after_enqueue` makes it fail as its last step.
inline transact_work create_endpoint_work(const environment& env, std::string slug, bool fail_after_enqueue = false) {
    return [env, slug = std::move(slug), fail_after_enqueue](unit_of_work& uow) -> result<void> {
        auto e = uow.repo().upsert_endpoint(endpoint_params(env, slug, "http://127.0.0.1:3000/api/trigger"));
        if (!e) return e.error();
        auto ix = uow.repo().create_index({e->value.id, index_source::internal, {}, nullptr, {}, {}});
        if (!ix) return ix.error();
        if (auto r = uow.enqueue(index_job(ix->id)); !r) return r.error();
        if (fail_after_enqueue)
            return uow.repo().create_index({"missing", index_source::internal, {}, nullptr, {}, {}}).error();
        return {};
    };
}

/// Runs units through async_transact from `threads` threads at once and waits for all of them.
inline std::vector<transact_outcome> transact_all(store& s, std::vector<transact_work> works, int threads = 4,
                                                  transact_mode mode = transact_mode::once) {
    boost::asio::thread_pool pool(static_cast<std::size_t>(threads));
    std::vector<transact_outcome> out(works.size());
    std::vector<std::promise<void>> done(works.size());
    for (std::size_t i = 0; i < works.size(); ++i) {
        s.async_transact(pool.get_executor(), mode, std::move(works[i]), out[i].diag,
                         [&, i](error_code ec, std::vector<job_id> ids) {
                             out[i].ec = ec;
                             out[i].ids = std::move(ids);
                             done[i].set_value();
                         });
    }
    for (auto& d : done)
        if (d.get_future().wait_for(std::chrono::seconds(30)) != std::future_status::ready)
            conformance_fail(__FILE__, __LINE__, "async_transact did not complete within 30 s");
    pool.join();
    return out;
}

inline void check_transact_commits(store& s) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    std::vector<transact_work> works;
    works.push_back(create_endpoint_work(w.prod, "my-app"));
    auto out = transact_all(s, std::move(works), 1);
    KF_CONF_CHECK(!out[0].ec);
    KF_CONF_CHECK(out[0].ids.size() == 1);
    auto ep = KF_CONF_OK(repo.find_endpoint_by_slug(w.prod.id, "my-app"));
    KF_CONF_CHECK(KF_CONF_OK(repo.list_indexes(ep.id, 10)).size() == 1);
    auto job = s.jobs().get(out[0].ids.front());
    KF_CONF_CHECK(job.has_value() && job->kind == "performEndpointIndexing");
}

inline void check_transact_failed_unit_rolls_back_alone(store& s, transact_mode mode) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    std::vector<transact_work> works;
    for (int i = 0; i < 30; ++i) works.push_back(create_endpoint_work(w.prod, "e" + std::to_string(i), i % 3 == 1));
    auto out = transact_all(s, std::move(works), 4, mode);
    std::int64_t kept = 0;
    for (int i = 0; i < 30; ++i) {
        auto found = repo.find_endpoint_by_slug(w.prod.id, "e" + std::to_string(i));
        if (i % 3 == 1) {
            KF_CONF_CHECK(out[static_cast<std::size_t>(i)].ec == make_error_code(errc::not_found));
            KF_CONF_CHECK(out[static_cast<std::size_t>(i)].ids.empty());
            KF_CONF_CHECK(!found && found.error() == make_error_code(errc::not_found));
        } else {
            KF_CONF_CHECK(!out[static_cast<std::size_t>(i)].ec);
            KF_CONF_CHECK(out[static_cast<std::size_t>(i)].ids.size() == 1);
            KF_CONF_CHECK(found.has_value());
            ++kept;
        }
    }
    KF_CONF_CHECK(total_jobs(s) == kept);
}

inline void check_transact_work_exceptions_and_rollback(store& s, transact_mode mode) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    std::vector<transact_work> works;
    works.push_back([&](unit_of_work& uow) -> result<void> {
        (void)create_endpoint_work(w.prod, "thrower")(uow);
        throw std::runtime_error("boom");
    });
    works.push_back([&](unit_of_work& uow) -> result<void> {
        if (auto r = create_endpoint_work(w.prod, "rolled-back")(uow); !r) return r;
        uow.rollback();
        return {};
    });
    works.push_back(create_endpoint_work(w.prod, "kept"));
    auto out = transact_all(s, std::move(works), 1, mode);
    KF_CONF_CHECK(out[0].ec == make_error_code(errc::storage_failure));
    KF_CONF_CHECK(out[0].diag.client_message().find("boom") != std::string_view::npos);
    KF_CONF_CHECK(!out[1].ec && out[1].ids.empty());
    KF_CONF_CHECK(!out[2].ec && out[2].ids.size() == 1);
    KF_CONF_CHECK(!repo.find_endpoint_by_slug(w.prod.id, "thrower"));
    KF_CONF_CHECK(!repo.find_endpoint_by_slug(w.prod.id, "rolled-back"));
    KF_CONF_CHECK(repo.find_endpoint_by_slug(w.prod.id, "kept").has_value());
    KF_CONF_CHECK(total_jobs(s) == 1);
}

inline void check_transact_many_concurrent_units(store& s, transact_mode mode) {
    repository& repo = s.repo();
    auto w = make_world(repo);
    std::vector<transact_work> works;
    for (int i = 0; i < 200; ++i) works.push_back(create_endpoint_work(w.prod, "c" + std::to_string(i % 150)));
    auto out = transact_all(s, std::move(works), 8, mode);
    std::vector<job_id> ids;
    for (const auto& o : out) {
        KF_CONF_CHECK(!o.ec);
        KF_CONF_CHECK(o.ids.size() == 1);
        ids.insert(ids.end(), o.ids.begin(), o.ids.end());
    }
    std::sort(ids.begin(), ids.end());
    KF_CONF_CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    // 150 slugs, 50 of them upserted twice: one row each, every unit's index and job kept.
    KF_CONF_CHECK(KF_CONF_OK(repo.list_endpoints(w.prod.id)).size() == 150);
    KF_CONF_CHECK(total_jobs(s) == 200);
}

} // namespace detail

inline std::vector<store_conformance_check> store_conformance_checks() {
    using namespace detail;
    return {
        {"a committed unit keeps the rows and the job", check_commit_keeps_rows_and_jobs},
        {"a unit that fails after the enqueue leaves neither row nor job", check_destroyed_unit_leaves_nothing},
        {"rollback restores the repository exactly", check_rollback_restores_exactly},
        {"a finished unit refuses further calls", check_finished_unit_refuses_calls},
        {"an invalid job is refused at enqueue", check_invalid_job_refused_at_enqueue},
        {"units in sequence", check_units_in_sequence},
        {"async_transact commits the unit and returns its job ids", check_transact_commits},
        {"async_transact: a failed unit rolls back alone among concurrent units",
         [](store& s) { check_transact_failed_unit_rolls_back_alone(s, transact_mode::once); }},
        {"async_transact: a throwing work fails, a work that rolls back keeps nothing",
         [](store& s) { check_transact_work_exceptions_and_rollback(s, transact_mode::once); }},
        {"async_transact: 200 concurrent units from 8 threads",
         [](store& s) { check_transact_many_concurrent_units(s, transact_mode::once); }},
        {"async_transact, repeatable units: a failed unit rolls back alone among concurrent units",
         [](store& s) { check_transact_failed_unit_rolls_back_alone(s, transact_mode::repeatable); }},
        {"async_transact, repeatable units: a throwing work fails, a work that rolls back keeps nothing",
         [](store& s) { check_transact_work_exceptions_and_rollback(s, transact_mode::repeatable); }},
        {"async_transact, repeatable units: 200 concurrent units from 8 threads",
         [](store& s) { check_transact_many_concurrent_units(s, transact_mode::repeatable); }},
    };
}

inline conformance_result run_store_conformance_check(const store_conformance_check& check,
                                                      const store_factory& factory) {
    conformance_result r{check.name, false, {}};
    try {
        auto s = factory();
        if (!s) {
            r.message = "the factory returned no store";
            return r;
        }
        check.run(*s);
        r.passed = true;
    } catch (const std::exception& e) {
        r.message = e.what();
    } catch (...) {
        r.message = "unknown exception";
    }
    return r;
}

inline std::vector<conformance_result>
run_store_conformance(const store_factory& factory, const std::function<void(const conformance_result&)>& report = {}) {
    std::vector<conformance_result> out;
    for (const auto& check : store_conformance_checks()) {
        out.push_back(run_store_conformance_check(check, factory));
        if (report) report(out.back());
    }
    return out;
}

} // namespace kongflow::endpoints::testing

#endif
