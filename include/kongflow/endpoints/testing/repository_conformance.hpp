// The repository conformance suite: one set of checks, written once, run against every
// repository implementation (River's riverdrivertest). It depends on no test framework: each
// check throws conformance_error on failure, and run_repository_conformance reports results
// through a callback. Run it on your own repository:
//
//     auto results = kongflow::endpoints::testing::run_repository_conformance(
//         [] { return std::make_unique<my_repository>(/* a fresh, empty store */); });
//     for (auto& r : results) if (!r.passed) std::cerr << r.name << ": " << r.message << '\n';
//
// Or, with a framework, iterate repository_conformance_checks() and make one test per check.
#ifndef KONGFLOW_ENDPOINTS_TESTING_REPOSITORY_CONFORMANCE_HPP
#define KONGFLOW_ENDPOINTS_TESTING_REPOSITORY_CONFORMANCE_HPP

#include <kongflow/endpoints/storage/repository.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kongflow::endpoints::testing {

/// Thrown by a failing check.
class conformance_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Makes a fresh, empty repository for one check.
using repository_factory = std::function<std::unique_ptr<repository>()>;

struct conformance_check {
    std::string name;
    std::function<void(repository&)> run;
};

struct conformance_result {
    std::string name;
    bool passed = false;
    std::string message; ///< why it failed
};

namespace detail {

[[noreturn]] inline void conformance_fail(const char* file, int line, const std::string& what) {
    throw conformance_error(std::string(file) + ":" + std::to_string(line) + ": " + what);
}

inline std::string describe(const error& ec) {
    const auto& d = ec.diag();
    std::string s = ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
    if (!d.client_message().empty()) s += " - " + std::string(d.client_message());
    if (!d.server_message().empty()) s += " (" + std::string(d.server_message()) + ")";
    return s;
}

template <class T>
T conformance_value(result<T> r, const char* expr, const char* file, int line) {
    if (!r) conformance_fail(file, line, std::string(expr) + " failed: " + describe(r.error()));
    return std::move(*r);
}
inline void conformance_value(result<void> r, const char* expr, const char* file, int line) {
    if (!r) conformance_fail(file, line, std::string(expr) + " failed: " + describe(r.error()));
}

template <class T>
void conformance_error_is(const result<T>& r, errc expected, const char* expr, const char* file, int line) {
    if (r)
        conformance_fail(file, line, std::string(expr) + " succeeded; expected " + make_error_code(expected).message());
    if (r.error() != make_error_code(expected))
        conformance_fail(file, line,
                         std::string(expr) + " gave '" + r.error().message() + "'; expected '" +
                             make_error_code(expected).message() + "'");
}

} // namespace detail

#define KF_CONF_CHECK(cond)                                                                                            \
    do {                                                                                                               \
        if (!(cond)) ::kongflow::endpoints::testing::detail::conformance_fail(__FILE__, __LINE__, "CHECK(" #cond ")"); \
    } while (0)
#define KF_CONF_OK(expr) ::kongflow::endpoints::testing::detail::conformance_value((expr), #expr, __FILE__, __LINE__)
#define KF_CONF_ERR(expr, code)                                                                                        \
    ::kongflow::endpoints::testing::detail::conformance_error_is((expr), ::kongflow::endpoints::errc::code, #expr,     \
                                                                 __FILE__, __LINE__)

namespace detail {

/// An organization, a project and one environment of each type.
struct conformance_world {
    organization org;
    project proj;
    environment dev, prod, staging, preview;
};

inline conformance_world make_world(repository& repo, const std::string& tag = "") {
    conformance_world w;
    w.org = KF_CONF_OK(repo.create_organization({"org" + tag, "Org " + tag, std::nullopt}));
    w.proj = KF_CONF_OK(repo.create_project({w.org.id, "proj" + tag, "Project " + tag, std::nullopt}));
    auto env = [&](const char* slug, environment_type t) {
        return KF_CONF_OK(
            repo.create_environment({w.org.id, w.proj.id, slug, t, std::string("key_") + slug + tag, std::nullopt}));
    };
    w.dev = env("dev", environment_type::development);
    w.prod = env("prod", environment_type::production);
    w.staging = env("staging", environment_type::staging);
    w.preview = env("preview", environment_type::preview);
    return w;
}

inline upsert_endpoint_params endpoint_params(const environment& env, std::string slug, std::string url,
                                              std::optional<std::string> version = std::nullopt,
                                              std::string hook = "hook000001") {
    upsert_endpoint_params p;
    p.environment_id = env.id;
    p.organization_id = env.organization_id;
    p.project_id = env.project_id;
    p.slug = std::move(slug);
    p.url = std::move(url);
    p.version = std::move(version);
    p.indexing_hook_identifier = std::move(hook);
    return p;
}

inline timestamp at(std::int64_t ms) { return timestamp(std::chrono::milliseconds(ms)); }

// 2024-01-02T03:04:05.678Z: a fixed clock so results do not depend on when the suite runs.
inline constexpr std::int64_t t0 = 1704164645678;

inline bool url_safe(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.' || c == '~';
    });
}

inline std::vector<std::string> ids_of(const std::vector<endpoint_index>& v) {
    std::vector<std::string> out;
    for (auto& x : v) out.push_back(x.id);
    return out;
}

// ---------------------------------------------------------------------------------------------

inline void check_organizations_projects_environments(repository& repo) {
    auto org = KF_CONF_OK(repo.create_organization({"acme", "Acme Inc", at(t0)}));
    KF_CONF_CHECK(url_safe(org.id));
    KF_CONF_CHECK(org.slug == "acme" && org.title == "Acme Inc");
    KF_CONF_CHECK(org.created_at == at(t0) && org.updated_at == at(t0));
    KF_CONF_CHECK(KF_CONF_OK(repo.find_organization(org.id)) == org);
    KF_CONF_ERR(repo.create_organization({"acme", "Again", std::nullopt}), already_exists);
    KF_CONF_ERR(repo.create_organization({"", "No slug", std::nullopt}), invalid_argument);
    KF_CONF_ERR(repo.find_organization("missing"), not_found);
    auto org_b = KF_CONF_OK(repo.create_organization({"a-first", "First by slug", at(t0)}));
    auto orgs = KF_CONF_OK(repo.list_organizations());
    KF_CONF_CHECK(orgs.size() == 2 && orgs[0] == org_b && orgs[1] == org); // by slug

    auto p1 = KF_CONF_OK(repo.create_project({org.id, "web", "Web", at(t0)}));
    auto p0 = KF_CONF_OK(repo.create_project({org.id, "api", "API", at(t0)}));
    KF_CONF_CHECK(p1.organization_id == org.id && p1.name == "Web");
    KF_CONF_CHECK(KF_CONF_OK(repo.find_project(p1.id)) == p1);
    KF_CONF_ERR(repo.create_project({org.id, "web", "Web again", std::nullopt}), already_exists);
    KF_CONF_ERR(repo.create_project({"missing", "x", "X", std::nullopt}), not_found);
    KF_CONF_ERR(repo.find_project("missing"), not_found);
    auto projects = KF_CONF_OK(repo.list_projects(org.id));
    KF_CONF_CHECK(projects.size() == 2 && projects[0] == p0 && projects[1] == p1); // by slug
    KF_CONF_CHECK(KF_CONF_OK(repo.list_projects("missing")).empty());

    auto prod = KF_CONF_OK(
        repo.create_environment({org.id, p1.id, "prod", environment_type::production, "tr_prod_secret", at(t0)}));
    auto dev = KF_CONF_OK(
        repo.create_environment({org.id, p1.id, "dev", environment_type::development, "tr_dev_secret", at(t0)}));
    KF_CONF_CHECK(prod.type == environment_type::production && prod.api_key == "tr_prod_secret");
    KF_CONF_CHECK(prod.organization_id == org.id && prod.project_id == p1.id && prod.created_at == at(t0));
    KF_CONF_CHECK(KF_CONF_OK(repo.find_environment(prod.id)) == prod);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_environment_by_api_key("tr_prod_secret")) == prod);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_environment_by_api_key("tr_dev_secret")) == dev);
    KF_CONF_ERR(repo.find_environment_by_api_key("tr_prod_secre"), not_found);
    KF_CONF_ERR(repo.find_environment_by_api_key("tr_prod_secretx"), not_found);
    KF_CONF_ERR(repo.find_environment_by_api_key(""), not_found);
    KF_CONF_ERR(repo.find_environment("missing"), not_found);
    // The API key is unique across the whole store, even in another project.
    KF_CONF_ERR(
        repo.create_environment({org.id, p0.id, "prod", environment_type::production, "tr_prod_secret", std::nullopt}),
        already_exists);
    KF_CONF_ERR(repo.create_environment({org.id, p1.id, "prod", environment_type::staging, "tr_other", std::nullopt}),
                already_exists);
    KF_CONF_ERR(repo.create_environment({org.id, p1.id, "x", environment_type::staging, "", std::nullopt}),
                invalid_argument);
    KF_CONF_ERR(repo.create_environment({org.id, "missing", "x", environment_type::staging, "k1", std::nullopt}),
                not_found);
    KF_CONF_ERR(repo.create_environment({"missing", p1.id, "y", environment_type::staging, "k2", std::nullopt}),
                not_found);
    auto envs = KF_CONF_OK(repo.list_environments(p1.id));
    KF_CONF_CHECK(envs.size() == 2 && envs[0] == dev && envs[1] == prod);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_environments(p0.id)).empty());
}

inline void check_ids_are_distinct_and_url_safe(repository& repo) {
    auto w = make_world(repo);
    std::set<std::string> ids{w.org.id, w.proj.id, w.dev.id, w.prod.id, w.staging.id, w.preview.id};
    for (int i = 0; i < 20; ++i) {
        auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "e" + std::to_string(i), "http://h/")));
        auto ix = KF_CONF_OK(repo.create_index({e.value.id, index_source::internal, {}, nullptr, {}, {}}));
        KF_CONF_CHECK(url_safe(e.value.id) && url_safe(ix.id));
        ids.insert(e.value.id);
        ids.insert(ix.id);
    }
    KF_CONF_CHECK(ids.size() == 6 + 40);
}

inline void check_upsert_creates(repository& repo) {
    auto w = make_world(repo);
    auto r = KF_CONF_OK(repo.upsert_endpoint([&] {
        auto p = endpoint_params(w.prod, "my-app", "https://example.com/api/trigger");
        p.now = at(t0);
        return p;
    }()));
    KF_CONF_CHECK(r.created);
    const auto& e = r.value;
    KF_CONF_CHECK(url_safe(e.id));
    KF_CONF_CHECK(e.slug == "my-app");
    KF_CONF_CHECK(e.url == std::optional<std::string>("https://example.com/api/trigger"));
    KF_CONF_CHECK(e.environment_id == w.prod.id && e.organization_id == w.org.id && e.project_id == w.proj.id);
    KF_CONF_CHECK(e.indexing_hook_identifier == std::optional<std::string>("hook000001"));
    KF_CONF_CHECK(e.version == "unknown"); // no version on create → the column default
    KF_CONF_CHECK(e.sdk_version == "unknown");
    KF_CONF_CHECK(e.run_chunk_execution_limit == 60000);
    KF_CONF_CHECK(e.created_at == at(t0) && e.updated_at == at(t0));
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint(e.id)) == e);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint_by_slug(w.prod.id, "my-app")) == e);
    KF_CONF_ERR(repo.find_endpoint_by_slug(w.dev.id, "my-app"), not_found);
    KF_CONF_ERR(repo.find_endpoint("missing"), not_found);

    auto v = KF_CONF_OK(repo.upsert_endpoint(
        endpoint_params(w.dev, "my-app", "http://localhost:3000/api/trigger", std::string("2023-09-29"))));
    KF_CONF_CHECK(v.created && v.value.id != e.id); // unique per (environment, slug), not per slug
    KF_CONF_CHECK(v.value.version == "2023-09-29");
}

inline void check_upsert_updates_keeping_hook_identifier(repository& repo) {
    auto w = make_world(repo);
    auto p = endpoint_params(w.prod, "my-app", "https://one.example/api", std::string("2023-09-29"), "abcdefghij");
    p.now = at(t0);
    auto first = KF_CONF_OK(repo.upsert_endpoint(p)).value;

    auto q = endpoint_params(w.prod, "my-app", "https://two.example/api", std::nullopt, "zzzzzzzzzz");
    q.now = at(t0 + 1000);
    auto second = KF_CONF_OK(repo.upsert_endpoint(q));
    KF_CONF_CHECK(!second.created);
    KF_CONF_CHECK(second.value.id == first.id);
    KF_CONF_CHECK(second.value.url == std::optional<std::string>("https://two.example/api"));
    KF_CONF_CHECK(second.value.indexing_hook_identifier == std::optional<std::string>("abcdefghij")); // kept
    KF_CONF_CHECK(second.value.version == "2023-09-29"); // absent → unchanged
    KF_CONF_CHECK(second.value.created_at == at(t0) && second.value.updated_at == at(t0 + 1000));

    q.version = "2024-01-01";
    auto third = KF_CONF_OK(repo.upsert_endpoint(q));
    KF_CONF_CHECK(!third.created && third.value.version == "2024-01-01");
    KF_CONF_CHECK(third.value.sdk_version == "unknown"); // never set by the upsert
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint(first.id)) == third.value);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_endpoints(w.prod.id)).size() == 1);
}

inline void check_upsert_generates_hook_identifier(repository& repo) {
    auto w = make_world(repo);
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://h/", std::nullopt, ""))).value;
    KF_CONF_CHECK(e.indexing_hook_identifier.has_value());
    const auto& h = *e.indexing_hook_identifier;
    KF_CONF_CHECK(h.size() == 10);
    KF_CONF_CHECK(std::all_of(h.begin(), h.end(),
                              [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && c != 'w'); }));
}

inline void check_upsert_rejects_bad_input(repository& repo) {
    auto w = make_world(repo);
    KF_CONF_ERR(repo.upsert_endpoint(endpoint_params(w.prod, "", "http://h/")), invalid_argument);
    KF_CONF_ERR(repo.upsert_endpoint(endpoint_params(w.prod, "a", "")), invalid_argument);
    auto p = endpoint_params(w.prod, "a", "http://h/");
    p.environment_id = "missing";
    KF_CONF_ERR(repo.upsert_endpoint(p), not_found);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_endpoints("missing")).empty());
}

inline void check_soft_delete_and_revive(repository& repo) {
    auto w = make_world(repo);
    auto e =
        KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://one/", std::string("v1"), "hookhookho")))
            .value;
    auto ix = KF_CONF_OK(repo.create_index({e.id, index_source::internal, {}, nullptr, {}, {}}));
    auto d = KF_CONF_OK(repo.delete_endpoint(e.id));
    KF_CONF_CHECK(!d.url.has_value());
    KF_CONF_CHECK(d.id == e.id && d.indexing_hook_identifier == e.indexing_hook_identifier);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint(e.id)) == d);                   // the row stays
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint_by_slug(w.prod.id, "a")) == d); // found by slug too
    KF_CONF_CHECK(KF_CONF_OK(repo.list_endpoints(w.prod.id)).size() == 1);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_index(ix.id)) == ix); // indexes stay
    KF_CONF_ERR(repo.delete_endpoint("missing"), not_found);

    auto r = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://two/", std::nullopt, "otherhook0")));
    KF_CONF_CHECK(!r.created);
    KF_CONF_CHECK(r.value.id == e.id);
    KF_CONF_CHECK(r.value.url == std::optional<std::string>("http://two/"));
    KF_CONF_CHECK(r.value.indexing_hook_identifier == std::optional<std::string>("hookhookho"));
    KF_CONF_CHECK(r.value.version == "v1");
}

inline void check_update_endpoint(repository& repo) {
    auto w = make_world(repo);
    auto p = endpoint_params(w.prod, "a", "http://one/");
    p.now = at(t0);
    auto e = KF_CONF_OK(repo.upsert_endpoint(p)).value;

    update_endpoint_params u;
    u.id = e.id;
    u.sdk_version = "2.3.19";
    u.now = at(t0 + 5);
    auto a = KF_CONF_OK(repo.update_endpoint(u));
    KF_CONF_CHECK(a.sdk_version == "2.3.19" && a.version == "unknown" && a.url == e.url);
    KF_CONF_CHECK(a.updated_at == at(t0 + 5) && a.created_at == at(t0));

    update_endpoint_params u2;
    u2.id = e.id;
    u2.url = "http://redirected/";
    u2.version = "2023-09-29";
    u2.run_chunk_execution_limit = 120000;
    auto b = KF_CONF_OK(repo.update_endpoint(u2));
    KF_CONF_CHECK(b.url == std::optional<std::string>("http://redirected/"));
    KF_CONF_CHECK(b.version == "2023-09-29" && b.sdk_version == "2.3.19" && b.run_chunk_execution_limit == 120000);
    KF_CONF_CHECK(b.indexing_hook_identifier == e.indexing_hook_identifier);
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint(e.id)) == b);

    // A url set on a soft-deleted endpoint revives it (the redirect path writes the url).
    (void)KF_CONF_OK(repo.delete_endpoint(e.id));
    update_endpoint_params u3;
    u3.id = e.id;
    u3.url = "http://back/";
    KF_CONF_CHECK(KF_CONF_OK(repo.update_endpoint(u3)).url == std::optional<std::string>("http://back/"));

    update_endpoint_params missing;
    missing.id = "missing";
    missing.url = "http://x/";
    KF_CONF_ERR(repo.update_endpoint(missing), not_found);
}

inline void check_list_endpoints(repository& repo) {
    auto w = make_world(repo);
    for (auto slug : {"charlie", "alpha", "bravo"})
        (void)KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, slug, "http://h/")));
    (void)KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.dev, "delta", "http://h/")));
    auto prod = KF_CONF_OK(repo.list_endpoints(w.prod.id));
    KF_CONF_CHECK(prod.size() == 3);
    KF_CONF_CHECK(prod[0].slug == "alpha" && prod[1].slug == "bravo" && prod[2].slug == "charlie");
    auto dev = KF_CONF_OK(repo.list_endpoints(w.dev.id));
    KF_CONF_CHECK(dev.size() == 1 && dev[0].slug == "delta");
    KF_CONF_CHECK(KF_CONF_OK(repo.list_endpoints(w.staging.id)).empty());
}

inline void check_index_lifecycle(repository& repo) {
    auto w = make_world(repo);
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://h/"))).value;
    auto source_data = boost::json::parse(R"({"deployment":{"name":"x","url":"y"},"n":[1,2.5,true,null,"s"]})");
    create_index_params c;
    c.endpoint_id = e.id;
    c.source = index_source::hook;
    c.reason = "Vercel project x was deployed to y";
    c.source_data = source_data;
    c.now = at(t0);
    auto ix = KF_CONF_OK(repo.create_index(c));
    KF_CONF_CHECK(url_safe(ix.id));
    KF_CONF_CHECK(ix.endpoint_id == e.id && ix.source == index_source::hook && ix.status == index_status::pending);
    KF_CONF_CHECK(ix.reason == c.reason && ix.source_data == source_data);
    KF_CONF_CHECK(ix.stats.is_null() && ix.data.is_null() && ix.error.is_null());
    KF_CONF_CHECK(ix.created_at == at(t0) && ix.updated_at == at(t0));
    KF_CONF_CHECK(KF_CONF_OK(repo.find_index(ix.id)) == ix);

    update_index_params started;
    started.id = ix.id;
    started.status = index_status::started;
    started.now = at(t0 + 10);
    auto s = KF_CONF_OK(repo.update_index(started));
    KF_CONF_CHECK(s.status == index_status::started && s.updated_at == at(t0 + 10) && s.created_at == at(t0));
    KF_CONF_CHECK(s.source_data == source_data && s.stats.is_null());

    auto stats = boost::json::parse(R"({"jobs":2,"sources":0,"webhooks":1,"disabledJobs":0})");
    auto data = boost::json::parse(R"({"jobs":[{"id":"j1","version":"1.0.0"}],"sources":[]})");
    update_index_params done;
    done.id = ix.id;
    done.status = index_status::success;
    done.stats = stats;
    done.data = data;
    auto d = KF_CONF_OK(repo.update_index(done));
    KF_CONF_CHECK(d.status == index_status::success && d.stats == stats && d.data == data && d.error.is_null());
    KF_CONF_CHECK(KF_CONF_OK(repo.find_index(ix.id)) == d);

    update_index_params failed;
    failed.id = ix.id;
    failed.status = index_status::failure;
    failed.error = boost::json::parse(R"({"message":"Could not connect to endpoint http://h/"})");
    failed.data = boost::json::value(nullptr); // explicit null clears
    auto f = KF_CONF_OK(repo.update_index(failed));
    KF_CONF_CHECK(f.status == index_status::failure && f.error == *failed.error);
    KF_CONF_CHECK(f.data.is_null() && f.stats == stats);

    update_index_params missing;
    missing.id = "missing";
    missing.status = index_status::started;
    KF_CONF_ERR(repo.update_index(missing), not_found);
    KF_CONF_ERR(repo.find_index("missing"), not_found);
    c.endpoint_id = "missing";
    KF_CONF_ERR(repo.create_index(c), not_found);

    // Every source and status round-trips.
    for (auto src : {index_source::manual, index_source::api, index_source::internal, index_source::hook}) {
        auto x = KF_CONF_OK(repo.create_index({e.id, src, std::nullopt, nullptr, index_status::started, {}}));
        KF_CONF_CHECK(KF_CONF_OK(repo.find_index(x.id)).source == src);
        KF_CONF_CHECK(KF_CONF_OK(repo.find_index(x.id)).status == index_status::started);
        KF_CONF_CHECK(!KF_CONF_OK(repo.find_index(x.id)).reason.has_value());
    }
}

inline void check_list_indexes_newest_first(repository& repo) {
    auto w = make_world(repo);
    auto a = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://h/"))).value;
    auto b = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "b", "http://h/"))).value;
    std::vector<std::string> made; // in creation order
    // Out-of-order timestamps, and two pairs in the same millisecond (creation order breaks ties).
    for (std::int64_t dt : {30, 10, 20, 20, 40, 40}) {
        made.push_back(KF_CONF_OK(repo.create_index({a.id, index_source::internal, {}, nullptr, {}, at(t0 + dt)})).id);
    }
    (void)KF_CONF_OK(repo.create_index({b.id, index_source::internal, {}, nullptr, {}, at(t0 + 100)}));

    auto all = ids_of(KF_CONF_OK(repo.list_indexes(a.id, 100)));
    std::vector<std::string> expected{made[5], made[4], made[0], made[3], made[2], made[1]};
    KF_CONF_CHECK(all == expected);
    auto two = ids_of(KF_CONF_OK(repo.list_indexes(a.id, 2)));
    KF_CONF_CHECK(two == std::vector<std::string>(expected.begin(), expected.begin() + 2));
    KF_CONF_CHECK(KF_CONF_OK(repo.list_indexes(a.id, 0)).empty());
    KF_CONF_CHECK(KF_CONF_OK(repo.list_indexes("missing", 10)).empty());
    KF_CONF_CHECK(KF_CONF_OK(repo.list_indexes(b.id, 10)).size() == 1);

    auto last = ids_of(KF_CONF_OK(repo.last_indexes({a.id, 3, made[5]})));
    KF_CONF_CHECK(last == std::vector<std::string>({made[4], made[0], made[3]}));
    auto last_mid = ids_of(KF_CONF_OK(repo.last_indexes({a.id, 3, made[0]})));
    KF_CONF_CHECK(last_mid == std::vector<std::string>({made[5], made[4], made[3]}));
    KF_CONF_CHECK(KF_CONF_OK(repo.last_indexes({a.id, 10, std::nullopt})).size() == 6);
    KF_CONF_CHECK(KF_CONF_OK(repo.last_indexes({a.id, 10, made[1]})).size() == 5);
}

inline void check_purge_indexes(repository& repo) {
    auto w = make_world(repo);
    auto a = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://h/"))).value;
    auto b = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.dev, "b", "http://h/"))).value;
    const std::int64_t day = 24LL * 3600 * 1000;
    std::vector<std::string> old, young;
    for (int i = 0; i < 3; ++i)
        old.push_back(
            KF_CONF_OK(repo.create_index({a.id, index_source::internal, {}, nullptr, {}, at(t0 - 8 * day + i)})).id);
    old.push_back(
        KF_CONF_OK(repo.create_index({b.id, index_source::internal, {}, nullptr, {}, at(t0 - 7 * day - 1)})).id);
    young.push_back(
        KF_CONF_OK(repo.create_index({a.id, index_source::internal, {}, nullptr, {}, at(t0 - 7 * day)})).id);
    young.push_back(KF_CONF_OK(repo.create_index({b.id, index_source::internal, {}, nullptr, {}, at(t0)})).id);

    KF_CONF_CHECK(KF_CONF_OK(repo.purge_indexes_older_than(at(t0 - 7 * day))) == 4);
    for (auto& id : old) KF_CONF_ERR(repo.find_index(id), not_found);
    for (auto& id : young) (void)KF_CONF_OK(repo.find_index(id));
    KF_CONF_CHECK(KF_CONF_OK(repo.list_indexes(a.id, 10)).size() == 1);
    KF_CONF_CHECK(KF_CONF_OK(repo.purge_indexes_older_than(at(t0 - 7 * day))) == 0);
    // New indexes after a purge still sort after the survivors.
    auto n = KF_CONF_OK(repo.create_index({a.id, index_source::internal, {}, nullptr, {}, at(t0 - 7 * day)})).id;
    KF_CONF_CHECK(ids_of(KF_CONF_OK(repo.list_indexes(a.id, 10))) == std::vector<std::string>({n, young[0]}));
}

inline void check_recurring_index_selection(repository& repo) {
    auto w = make_world(repo);
    const std::int64_t minute = 60 * 1000;
    const timestamp now = at(t0);
    auto mk = [&](const environment& env, const char* slug) {
        return KF_CONF_OK(repo.upsert_endpoint(endpoint_params(env, slug, "http://h/"))).value;
    };
    auto recent = mk(w.prod, "recent");      // last index T-59 min: skipped
    auto stale = mk(w.prod, "stale");        // last index T-61 min: selected
    auto never = mk(w.prod, "never");        // no index at all: selected
    auto staging = mk(w.staging, "staging"); // STAGING, stale: selected
    auto dev = mk(w.dev, "dev");             // DEVELOPMENT: never
    auto preview = mk(w.preview, "preview"); // PREVIEW: not by default
    auto deleted = mk(w.prod, "deleted");    // url null: never
    auto idx = [&](const endpoint& e, std::int64_t ago) {
        (void)KF_CONF_OK(
            repo.create_index({e.id, index_source::internal, {}, nullptr, {}, now - std::chrono::milliseconds(ago)}));
    };
    idx(recent, 120 * minute);
    idx(recent, 59 * minute);
    idx(stale, 61 * minute);
    idx(staging, 61 * minute);
    idx(dev, 61 * minute);
    idx(preview, 61 * minute);
    idx(deleted, 61 * minute);
    (void)KF_CONF_OK(repo.delete_endpoint(deleted.id));

    recurring_index_params p;
    p.since = now - std::chrono::minutes(60);
    auto found = KF_CONF_OK(repo.find_endpoints_for_recurring_index(p));
    std::set<std::string> got, want{stale.id, never.id, staging.id};
    for (auto& e : found) got.insert(e.id);
    KF_CONF_CHECK(got == want);
    KF_CONF_CHECK(found.size() == 3);
    for (auto& e : found) KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint(e.id)) == e);

    p.types = {environment_type::preview};
    found = KF_CONF_OK(repo.find_endpoints_for_recurring_index(p));
    KF_CONF_CHECK(found.size() == 1 && found[0].id == preview.id);
    p.types = {};
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoints_for_recurring_index(p)).empty());
}

inline void check_jobs(repository& repo) {
    auto w = make_world(repo);
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://h/"))).value;
    auto def = boost::json::parse(R"({"id":"send-email","name":"Send","version":"1.0.0","trigger":{"type":"static"}})");
    upsert_job_params p{e.id, "send-email", "1.0.0", def, true, false, at(t0)};
    auto j = KF_CONF_OK(repo.upsert_job(p));
    KF_CONF_CHECK(url_safe(j.id) && j.endpoint_id == e.id && j.slug == "send-email" && j.version == "1.0.0");
    KF_CONF_CHECK(j.definition == def && j.enabled && !j.internal);
    KF_CONF_CHECK(j.created_at == at(t0) && j.updated_at == at(t0));
    KF_CONF_CHECK(KF_CONF_OK(repo.find_job(e.id, "send-email")) == j);

    auto def2 = boost::json::parse(R"({"id":"send-email","version":"1.1.0"})");
    auto j2 = KF_CONF_OK(repo.upsert_job({e.id, "send-email", "1.1.0", def2, true, true, at(t0 + 1)}));
    KF_CONF_CHECK(j2.id == j.id && j2.version == "1.1.0" && j2.definition == def2 && j2.internal);
    KF_CONF_CHECK(j2.created_at == at(t0) && j2.updated_at == at(t0 + 1));
    auto other = KF_CONF_OK(repo.upsert_job({e.id, "a-first", "0.1.0", nullptr, true, false, std::nullopt}));
    auto jobs = KF_CONF_OK(repo.list_jobs(e.id));
    KF_CONF_CHECK(jobs.size() == 2 && jobs[0] == other && jobs[1] == j2);

    KF_CONF_CHECK(
        !KF_CONF_OK(repo.disable_job({e.id, "send-email", std::string("1.0.0"), std::nullopt}))); // old version
    KF_CONF_CHECK(KF_CONF_OK(repo.disable_job({e.id, "send-email", std::string("1.1.0"), at(t0 + 2)})));
    KF_CONF_CHECK(!KF_CONF_OK(repo.disable_job({e.id, "send-email", std::nullopt, std::nullopt}))); // already
    auto disabled = KF_CONF_OK(repo.find_job(e.id, "send-email"));
    KF_CONF_CHECK(!disabled.enabled && disabled.updated_at == at(t0 + 2) && disabled.version == "1.1.0");
    KF_CONF_CHECK(KF_CONF_OK(repo.disable_job({e.id, "a-first", std::nullopt, std::nullopt})));
    KF_CONF_ERR(repo.disable_job({e.id, "missing", std::nullopt, std::nullopt}), not_found);
    // Registering again re-enables.
    KF_CONF_CHECK(KF_CONF_OK(repo.upsert_job({e.id, "a-first", "0.2.0", nullptr, true, false, std::nullopt})).enabled);

    KF_CONF_ERR(repo.find_job(e.id, "missing"), not_found);
    KF_CONF_ERR(repo.upsert_job({"missing", "x", "1", nullptr, true, false, std::nullopt}), not_found);
    KF_CONF_ERR(repo.upsert_job({e.id, "", "1", nullptr, true, false, std::nullopt}), invalid_argument);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_jobs("missing")).empty());
}

inline void check_registrations(repository& repo) {
    auto w = make_world(repo);
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "a", "http://h/"))).value;
    auto e2 = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "b", "http://h/"))).value;
    const registration_kind kinds[] = {registration_kind::http_endpoint, registration_kind::webhook,
                                       registration_kind::dynamic_schedule, registration_kind::dynamic_trigger,
                                       registration_kind::source};
    for (auto k : kinds) {
        for (auto key : {"zeta", "alpha"}) {
            auto def = boost::json::object{{"key", key}, {"kind", to_string(k)}};
            auto r = KF_CONF_OK(repo.upsert_registration({e.id, k, key, def, true, at(t0)}));
            KF_CONF_CHECK(url_safe(r.id) && r.endpoint_id == e.id && r.kind == k && r.key == key);
            KF_CONF_CHECK(r.definition == boost::json::value(def) && r.enabled && r.created_at == at(t0));
        }
    }
    (void)KF_CONF_OK(repo.upsert_registration({e2.id, registration_kind::source, "alpha", nullptr, true, {}}));
    auto all = KF_CONF_OK(repo.list_registrations(e.id, std::nullopt));
    KF_CONF_CHECK(all.size() == 10);
    for (std::size_t i = 0; i < all.size(); ++i) {
        KF_CONF_CHECK(static_cast<int>(all[i].kind) == static_cast<int>(i / 2)); // enum order
        KF_CONF_CHECK(all[i].key == (i % 2 == 0 ? "alpha" : "zeta"));
    }
    auto hooks = KF_CONF_OK(repo.list_registrations(e.id, registration_kind::webhook));
    KF_CONF_CHECK(hooks.size() == 2 && hooks[0].key == "alpha" && hooks[0].kind == registration_kind::webhook);

    auto first = all[0];
    auto replaced = KF_CONF_OK(
        repo.upsert_registration({e.id, first.kind, first.key, boost::json::parse(R"({"v":2})"), false, at(t0 + 9)}));
    KF_CONF_CHECK(replaced.id == first.id && !replaced.enabled &&
                  replaced.definition == boost::json::parse(R"({"v":2})"));
    KF_CONF_CHECK(replaced.created_at == at(t0) && replaced.updated_at == at(t0 + 9));

    KF_CONF_OK(repo.delete_registration(e.id, registration_kind::webhook, "alpha"));
    KF_CONF_CHECK(KF_CONF_OK(repo.list_registrations(e.id, registration_kind::webhook)).size() == 1);
    KF_CONF_ERR(repo.delete_registration(e.id, registration_kind::webhook, "alpha"), not_found);
    KF_CONF_CHECK(KF_CONF_OK(repo.list_registrations(e2.id, std::nullopt)).size() == 1);
    KF_CONF_ERR(repo.upsert_registration({"missing", registration_kind::source, "k", nullptr, true, {}}), not_found);
    KF_CONF_ERR(repo.upsert_registration({e.id, registration_kind::source, "", nullptr, true, {}}), invalid_argument);
}

inline void check_timestamps_keep_milliseconds(repository& repo) {
    auto w = make_world(repo);
    // A time before 1970 and one far ahead both survive the store unchanged.
    for (std::int64_t ms : {t0 + 1, std::int64_t{-86400001}, std::int64_t{253402300799999}}) {
        auto p = endpoint_params(w.prod, "t" + std::to_string(ms), "http://h/");
        p.now = at(ms);
        auto e = KF_CONF_OK(repo.upsert_endpoint(p)).value;
        KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint(e.id)).created_at == at(ms));
    }
    // Without `now`, the current time is used, to the millisecond.
    auto before = now_ms();
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, "now", "http://h/"))).value;
    auto after = now_ms();
    KF_CONF_CHECK(e.created_at >= before && e.created_at <= after);
}

inline void check_unicode_and_large_values(repository& repo) {
    auto w = make_world(repo);
    std::string slug = "caf\xc3\xa9-\xe2\x9c\x93";
    auto e = KF_CONF_OK(repo.upsert_endpoint(endpoint_params(w.prod, slug, "http://h/\xe2\x9c\x93"))).value;
    KF_CONF_CHECK(KF_CONF_OK(repo.find_endpoint_by_slug(w.prod.id, slug)).id == e.id);
    boost::json::array big;
    for (int i = 0; i < 2000; ++i) big.push_back(boost::json::object{{"i", i}, {"s", std::string(50, 'x')}});
    auto ix = KF_CONF_OK(repo.create_index({e.id, index_source::api, std::string("r\0n", 3), big, {}, {}}));
    auto back = KF_CONF_OK(repo.find_index(ix.id));
    KF_CONF_CHECK(back.source_data == boost::json::value(big));
    KF_CONF_CHECK(back.reason == std::optional<std::string>(std::string("r\0n", 3)));
}

} // namespace detail

/// Every check, in a stable order.
inline std::vector<conformance_check> repository_conformance_checks() {
    using namespace detail;
    return {
        {"organizations, projects and environments", check_organizations_projects_environments},
        {"ids are distinct and URL-safe", check_ids_are_distinct_and_url_safe},
        {"upsert creates an endpoint", check_upsert_creates},
        {"upsert updates url and version, keeps the hook identifier", check_upsert_updates_keeping_hook_identifier},
        {"upsert generates a hook identifier when none is given", check_upsert_generates_hook_identifier},
        {"upsert rejects bad input", check_upsert_rejects_bad_input},
        {"soft delete keeps the row; upsert revives it", check_soft_delete_and_revive},
        {"update endpoint changes only the given fields", check_update_endpoint},
        {"list endpoints per environment, by slug", check_list_endpoints},
        {"index lifecycle and JSON columns", check_index_lifecycle},
        {"indexes newest first, limits, last N excluding one", check_list_indexes_newest_first},
        {"purge indexes older than a cutoff", check_purge_indexes},
        {"recurring index selection", check_recurring_index_selection},
        {"jobs: upsert, find, list, disable", check_jobs},
        {"registrations: upsert, list, delete", check_registrations},
        {"timestamps keep milliseconds", check_timestamps_keep_milliseconds},
        {"unicode and large values", check_unicode_and_large_values},
    };
}

/// Runs one check on a fresh repository; never throws.
inline conformance_result run_conformance_check(const conformance_check& check, const repository_factory& factory) {
    conformance_result r{check.name, false, {}};
    try {
        auto repo = factory();
        if (!repo) {
            r.message = "the factory returned no repository";
            return r;
        }
        check.run(*repo);
        r.passed = true;
    } catch (const std::exception& e) {
        r.message = e.what();
    } catch (...) {
        r.message = "unknown exception";
    }
    return r;
}

/// Runs every check, each on a fresh repository from `factory`; `report` (optional) sees each
/// result as it completes.
inline std::vector<conformance_result>
run_repository_conformance(const repository_factory& factory,
                           const std::function<void(const conformance_result&)>& report = {}) {
    std::vector<conformance_result> out;
    for (const auto& check : repository_conformance_checks()) {
        out.push_back(run_conformance_check(check, factory));
        if (report) report(out.back());
    }
    return out;
}

} // namespace kongflow::endpoints::testing

#endif
