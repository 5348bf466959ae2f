#include "bootstrap.hpp"

#include "router.hpp"

#include <boost/json/value_from.hpp>

namespace kongflow::endpointsd {

namespace {

std::string env_slug_for(kfe::environment_type t) {
    switch (t) {
    case kfe::environment_type::development: return "dev";
    case kfe::environment_type::production: return "prod";
    case kfe::environment_type::staging: return "staging";
    case kfe::environment_type::preview: return "preview";
    }
    return "dev";
}

kfe::result<kfe::organization> find_or_create_org(kfe::repository& repo, const std::optional<std::string>& slug,
                                                  kfe::diagnostics& diag) {
    auto orgs = repo.list_organizations();
    if (!orgs) return orgs.error();
    if (slug) {
        for (auto& o : *orgs)
            if (o.slug == *slug) return o;
        diag = kfe::diagnostics("no organization with slug '" + *slug + "'");
        return make_error_code(kfe::errc::not_found);
    }
    if (orgs->size() == 1) return orgs->front();
    if (orgs->size() > 1) {
        diag = kfe::diagnostics("several organizations exist: choose one with --org SLUG");
        return make_error_code(kfe::errc::invalid_argument);
    }
    return repo.create_organization({"default", "Default", std::nullopt});
}

kfe::result<kfe::project> find_or_create_project(kfe::repository& repo, const kfe::organization& org,
                                                 const std::optional<std::string>& slug, kfe::diagnostics& diag) {
    auto projects = repo.list_projects(org.id);
    if (!projects) return projects.error();
    if (slug) {
        for (auto& p : *projects)
            if (p.slug == *slug) return p;
        diag = kfe::diagnostics("no project with slug '" + *slug + "' in organization '" + org.slug + "'");
        return make_error_code(kfe::errc::not_found);
    }
    if (projects->size() == 1) return projects->front();
    if (projects->size() > 1) {
        diag = kfe::diagnostics("several projects exist in '" + org.slug + "': choose one with --project SLUG");
        return make_error_code(kfe::errc::invalid_argument);
    }
    return repo.create_project({org.id, "default", "Default", std::nullopt});
}

} // namespace

boost::json::object environment_output(const kfe::environment& env, const kfe::organization& org,
                                       const kfe::project& project) {
    auto o = boost::json::value_from(env).as_object();
    o["organization"] = org.slug;
    o["project"] = project.slug;
    return o;
}

kfe::result<std::optional<kfe::environment>> bootstrap_if_empty(kfe::repository& repo, const bootstrap_params& p,
                                                                kfe::diagnostics& diag) {
    auto orgs = repo.list_organizations();
    if (!orgs) return orgs.error();
    if (!orgs->empty()) return std::optional<kfe::environment>();
    auto org = repo.create_organization({p.org_slug, "Default", std::nullopt});
    if (!org) {
        diag = org.error().diag();
        return org.error();
    }
    auto project = repo.create_project({org->id, p.project_slug, "Default", std::nullopt});
    if (!project) {
        diag = project.error().diag();
        return project.error();
    }
    kfe::create_environment_params ep;
    ep.organization_id = org->id;
    ep.project_id = project->id;
    ep.slug = "dev";
    ep.type = kfe::environment_type::development;
    if (p.api_key) {
        ep.api_key = *p.api_key;
    } else {
        auto key = kfe::new_api_key(kfe::environment_type::development);
        if (!key) return key.error();
        ep.api_key = std::move(*key);
    }
    auto env = repo.create_environment(ep);
    if (!env) {
        diag = env.error().diag();
        return env.error();
    }
    return std::optional<kfe::environment>(std::move(*env));
}

kfe::result<std::optional<kfe::environment>> bootstrap_if_empty(kfe::store& store, const bootstrap_params& p,
                                                                kfe::diagnostics& diag) {
    auto unit = store.begin();
    if (!unit) {
        diag = unit.error().diag();
        return unit.error();
    }
    auto env = bootstrap_if_empty((*unit)->repo(), p, diag);
    // Another daemon bootstrapped the same empty database at the same moment: the unique
    // organization slug made it wait for that daemon's commit, then refused the second one.
    auto lost_race = [&](const kfe::error& e) { return e == kfe::errc::already_exists; };
    if (!env) {
        (*unit)->rollback();
        if (lost_race(env.error())) {
            diag = {};
            return std::optional<kfe::environment>();
        }
        return env;
    }
    if (auto c = (*unit)->commit(); !c) {
        if (lost_race(c.error())) return std::optional<kfe::environment>();
        diag = c.error().diag();
        return c.error();
    }
    return env;
}

kfe::result<kfe::environment> create_environment(kfe::repository& repo, const create_environment_command& c,
                                                 kfe::diagnostics& diag) {
    auto org = find_or_create_org(repo, c.org, diag);
    if (!org) return org.error();
    auto project = find_or_create_project(repo, *org, c.project, diag);
    if (!project) return project.error();
    auto existing = repo.list_environments(project->id);
    if (!existing) return existing.error();
    auto base = env_slug_for(c.type);
    auto slug = base;
    for (int n = 2;; ++n) {
        bool taken = false;
        for (auto& e : *existing) taken = taken || e.slug == slug;
        if (!taken) break;
        slug = base + "-" + std::to_string(n);
    }
    kfe::create_environment_params ep;
    ep.organization_id = org->id;
    ep.project_id = project->id;
    ep.slug = slug;
    ep.type = c.type;
    if (c.api_key) {
        ep.api_key = *c.api_key;
    } else {
        auto key = kfe::new_api_key(c.type);
        if (!key) return key.error();
        ep.api_key = std::move(*key);
    }
    auto env = repo.create_environment(ep);
    if (!env) {
        diag = env.error().diag();
        if (env.error() == kfe::errc::already_exists && diag.client_message().empty())
            diag = kfe::diagnostics("an environment with this API key already exists");
        return env.error();
    }
    return env;
}

kfe::result<boost::json::array> list_environments(kfe::repository& repo) {
    boost::json::array out;
    auto orgs = repo.list_organizations();
    if (!orgs) return orgs.error();
    for (auto& org : *orgs) {
        auto projects = repo.list_projects(org.id);
        if (!projects) return projects.error();
        for (auto& p : *projects) {
            auto envs = repo.list_environments(p.id);
            if (!envs) return envs.error();
            for (auto& e : *envs) out.push_back(environment_output(e, org, p));
        }
    }
    return out;
}

} // namespace kongflow::endpointsd
