// The repository conformance suite on memory::repository, plus what is specific to it.
#include "catch.hpp"

#include <kongflow/endpoints/memory/repository.hpp>
#include <kongflow/endpoints/testing/repository_conformance.hpp>

#include <thread>

namespace kf = kongflow::endpoints;

// docs/storage.md quotes this test case.
// [catch2_conformance]
TEST_CASE("memory::repository passes the repository conformance suite", "[unit][storage]") {
    auto factory = [] { return std::make_unique<kf::memory::repository>(); };
    for (const auto& check : kf::testing::repository_conformance_checks()) {
        DYNAMIC_SECTION(check.name) {
            auto r = kf::testing::run_conformance_check(check, factory);
            INFO(r.message);
            CHECK(r.passed);
        }
    }
}
// [catch2_conformance]

TEST_CASE("the conformance suite reports failures of a broken repository", "[unit][storage]") {
    // A repository that forgets to keep the hook identifier on update must fail the suite: the
    // suite is only worth something if it can fail.
    struct broken final : kf::repository {
        kf::memory::repository inner;
#define FWD(ret, name, params, args)                                                                                   \
    ret name params override { return inner.name args; }
        FWD(kf::result<kf::organization>, create_organization, (const kf::create_organization_params& p), (p))
        FWD(kf::result<kf::organization>, find_organization, (const std::string& id), (id))
        FWD(kf::result<std::vector<kf::organization>>, list_organizations, (), ())
        FWD(kf::result<kf::project>, create_project, (const kf::create_project_params& p), (p))
        FWD(kf::result<kf::project>, find_project, (const std::string& id), (id))
        FWD(kf::result<std::vector<kf::project>>, list_projects, (const std::string& id), (id))
        FWD(kf::result<kf::environment>, create_environment, (const kf::create_environment_params& p), (p))
        FWD(kf::result<kf::environment>, find_environment, (const std::string& id), (id))
        FWD(kf::result<kf::environment>, find_environment_by_api_key, (const std::string& k), (k))
        FWD(kf::result<std::vector<kf::environment>>, list_environments, (const std::string& id), (id))
        FWD(kf::result<kf::endpoint>, find_endpoint, (const std::string& id), (id))
        FWD(kf::result<kf::endpoint>, find_endpoint_by_slug, (const std::string& e, const std::string& s), (e, s))
        FWD(kf::result<kf::endpoint>, update_endpoint, (const kf::update_endpoint_params& p), (p))
        FWD(kf::result<std::vector<kf::endpoint>>, list_endpoints, (const std::string& id), (id))
        FWD(kf::result<kf::endpoint>, delete_endpoint, (const std::string& id), (id))
        FWD(kf::result<std::vector<kf::endpoint>>, find_endpoints_for_recurring_index,
            (const kf::recurring_index_params& p), (p))
        FWD(kf::result<kf::endpoint_index>, create_index, (const kf::create_index_params& p), (p))
        FWD(kf::result<kf::endpoint_index>, update_index, (const kf::update_index_params& p), (p))
        FWD(kf::result<kf::endpoint_index>, find_index, (const std::string& id), (id))
        FWD(kf::result<std::vector<kf::endpoint_index>>, list_indexes, (const std::string& id, std::size_t n), (id, n))
        FWD(kf::result<std::vector<kf::endpoint_index>>, last_indexes, (const kf::last_indexes_params& p), (p))
        FWD(kf::result<std::size_t>, purge_indexes_older_than, (kf::timestamp t), (t))
        FWD(kf::result<kf::registered_job>, upsert_job, (const kf::upsert_job_params& p), (p))
        FWD(kf::result<bool>, disable_job, (const kf::disable_job_params& p), (p))
        FWD(kf::result<kf::registered_job>, find_job, (const std::string& e, const std::string& s), (e, s))
        FWD(kf::result<std::vector<kf::registered_job>>, list_jobs, (const std::string& id), (id))
        FWD(kf::result<kf::registration>, upsert_registration, (const kf::upsert_registration_params& p), (p))
        FWD(kf::result<std::vector<kf::registration>>, list_registrations,
            (const std::string& e, std::optional<kf::registration_kind> k), (e, k))
        FWD(kf::result<void>, delete_registration,
            (const std::string& e, kf::registration_kind k, const std::string& key), (e, k, key))
#undef FWD
        kf::result<kf::upsert_endpoint_result> upsert_endpoint(const kf::upsert_endpoint_params& p) override {
            auto r = inner.upsert_endpoint(p);
            if (r && !r->created) {
                // The defect: overwrite what should be kept (as KF's Go port does).
                r->value.indexing_hook_identifier = p.indexing_hook_identifier;
            }
            return r;
        }
    };
    std::vector<kf::testing::conformance_result> failed;
    auto results = kf::testing::run_repository_conformance([] { return std::make_unique<broken>(); },
                                                           [&](const auto& r) {
                                                               if (!r.passed) failed.push_back(r);
                                                           });
    REQUIRE(results.size() == kf::testing::repository_conformance_checks().size());
    REQUIRE_FALSE(failed.empty());
    bool hook_check_failed = false;
    for (auto& f : failed) {
        if (f.name == "upsert updates url and version, keeps the hook identifier") hook_check_failed = true;
        CHECK(f.message.find("indexing_hook_identifier") != std::string::npos);
    }
    CHECK(hook_check_failed);
}

TEST_CASE("memory::repository is safe to share between threads", "[unit][storage]") {
    kf::memory::repository repo;
    auto org = repo.create_organization({"o", "O", std::nullopt}).value();
    auto proj = repo.create_project({org.id, "p", "P", std::nullopt}).value();
    auto env =
        repo.create_environment({org.id, proj.id, "prod", kf::environment_type::production, "k", std::nullopt}).value();
    constexpr int threads = 4, per_thread = 50;
    std::vector<std::thread> pool;
    std::atomic<int> failures{0};
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                kf::upsert_endpoint_params p;
                p.environment_id = env.id;
                p.organization_id = org.id;
                p.project_id = proj.id;
                p.slug = "shared-" + std::to_string(i % 5); // contended slugs
                p.url = "http://t" + std::to_string(t) + "/";
                auto e = repo.upsert_endpoint(p);
                if (!e) {
                    ++failures;
                    continue;
                }
                if (!repo.create_index({e->value.id, kf::index_source::internal, {}, nullptr, {}, {}})) ++failures;
            }
        });
    for (auto& th : pool) th.join();
    CHECK(failures == 0);
    auto endpoints = repo.list_endpoints(env.id).value();
    REQUIRE(endpoints.size() == 5);
    std::size_t indexes = 0;
    for (auto& e : endpoints) indexes += repo.list_indexes(e.id, 1000).value().size();
    CHECK(indexes == threads * per_thread);
}
