#ifndef KONGFLOW_ENDPOINTS_MEMORY_IMPL_REPOSITORY_IPP
#define KONGFLOW_ENDPOINTS_MEMORY_IMPL_REPOSITORY_IPP

#include <kongflow/endpoints/detail/ids.hpp>
#include <kongflow/endpoints/memory/repository.hpp>

#include <algorithm>

namespace kongflow::endpoints::memory {
namespace detail {

inline error fail(errc e, std::string message) { return error(make_error_code(e), diagnostics(std::move(message))); }

// ---- primitives: the only places that change the tables ----

KONGFLOW_ENDPOINTS_DECL void core::put_organization(organization v) {
    auto it = organizations_.find(v.id);
    if (it == organizations_.end())
        record([this, id = v.id] { organizations_.erase(id); });
    else
        record([this, old = it->second] { organizations_[old.id] = old; });
    organizations_[v.id] = std::move(v);
}

KONGFLOW_ENDPOINTS_DECL void core::put_project(project v) {
    auto it = projects_.find(v.id);
    if (it == projects_.end())
        record([this, id = v.id] { projects_.erase(id); });
    else
        record([this, old = it->second] { projects_[old.id] = old; });
    projects_[v.id] = std::move(v);
}

KONGFLOW_ENDPOINTS_DECL void core::put_environment(environment v) {
    auto it = environments_.find(v.id);
    if (it == environments_.end()) {
        record([this, id = v.id, key = v.api_key] {
            environments_.erase(id);
            api_keys_.erase(key);
        });
    } else {
        api_keys_.erase(it->second.api_key);
        record([this, old = it->second, key = v.api_key] {
            api_keys_.erase(key);
            api_keys_[old.api_key] = old.id;
            environments_[old.id] = old;
        });
    }
    api_keys_[v.api_key] = v.id;
    environments_[v.id] = std::move(v);
}

KONGFLOW_ENDPOINTS_DECL void core::put_endpoint(endpoint v) {
    // environment_id and slug never change after creation, so the slug index only grows.
    auto it = endpoints_.find(v.id);
    if (it == endpoints_.end()) {
        record([this, id = v.id, key = std::make_pair(v.environment_id, v.slug)] {
            endpoints_.erase(id);
            endpoint_slugs_.erase(key);
        });
        endpoint_slugs_[{v.environment_id, v.slug}] = v.id;
    } else {
        record([this, old = it->second] { endpoints_[old.id] = old; });
    }
    endpoints_[v.id] = std::move(v);
}

KONGFLOW_ENDPOINTS_DECL void core::put_index(stored_index v) {
    auto it = indexes_.find(v.value.id);
    if (it == indexes_.end()) {
        record([this, id = v.value.id] {
            auto i = indexes_.find(id);
            if (i == indexes_.end()) return;
            indexes_by_endpoint_[i->second.value.endpoint_id].erase(
                index_key{i->second.value.created_at, i->second.seq, id});
            indexes_.erase(i);
        });
        indexes_by_endpoint_[v.value.endpoint_id].insert(index_key{v.value.created_at, v.seq, v.value.id});
        indexes_.emplace(v.value.id, std::move(v));
    } else {
        // created_at never changes, so the ordering set stays valid.
        record([this, old = it->second] { indexes_.insert_or_assign(old.value.id, old); });
        it->second = std::move(v);
    }
}

KONGFLOW_ENDPOINTS_DECL void core::erase_index(const std::string& id) {
    auto it = indexes_.find(id);
    if (it == indexes_.end()) return;
    record([this, old = it->second] {
        indexes_by_endpoint_[old.value.endpoint_id].insert(index_key{old.value.created_at, old.seq, old.value.id});
        indexes_.emplace(old.value.id, old);
    });
    auto set = indexes_by_endpoint_.find(it->second.value.endpoint_id);
    if (set != indexes_by_endpoint_.end()) {
        set->second.erase(index_key{it->second.value.created_at, it->second.seq, id});
        if (set->second.empty()) indexes_by_endpoint_.erase(set);
    }
    indexes_.erase(it);
}

KONGFLOW_ENDPOINTS_DECL void core::put_job(registered_job v) {
    auto key = std::make_pair(v.endpoint_id, v.slug);
    auto it = jobs_.find(key);
    if (it == jobs_.end())
        record([this, key] { jobs_.erase(key); });
    else
        record([this, key, old = it->second] { jobs_[key] = old; });
    jobs_[key] = std::move(v);
}

KONGFLOW_ENDPOINTS_DECL void core::put_registration(registration v) {
    auto key = std::make_tuple(v.endpoint_id, v.kind, v.key);
    auto it = registrations_.find(key);
    if (it == registrations_.end())
        record([this, key] { registrations_.erase(key); });
    else
        record([this, key, old = it->second] { registrations_[key] = old; });
    registrations_[key] = std::move(v);
}

KONGFLOW_ENDPOINTS_DECL void
core::erase_registration(const std::tuple<std::string, registration_kind, std::string>& key) {
    auto it = registrations_.find(key);
    if (it == registrations_.end()) return;
    record([this, key, old = it->second] { registrations_[key] = old; });
    registrations_.erase(it);
}

// ---- organizations, projects, environments ----

KONGFLOW_ENDPOINTS_DECL result<organization> core::create_organization(const create_organization_params& p) {
    if (p.slug.empty()) return fail(errc::invalid_argument, "an organization needs a slug");
    for (const auto& [id, o] : organizations_)
        if (o.slug == p.slug) return fail(errc::already_exists, "organization slug already exists: " + p.slug);
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    organization o{*id, p.slug, p.title, p.now.value_or(now_ms()), {}};
    o.updated_at = o.created_at;
    put_organization(o);
    return o;
}

KONGFLOW_ENDPOINTS_DECL result<organization> core::find_organization(const std::string& id) {
    auto it = organizations_.find(id);
    if (it == organizations_.end()) return fail(errc::not_found, "no organization " + id);
    return it->second;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<organization>> core::list_organizations() {
    std::vector<organization> out;
    for (const auto& [id, o] : organizations_) out.push_back(o);
    std::sort(out.begin(), out.end(), [](const organization& a, const organization& b) { return a.slug < b.slug; });
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<project> core::create_project(const create_project_params& p) {
    if (p.slug.empty()) return fail(errc::invalid_argument, "a project needs a slug");
    if (!organizations_.count(p.organization_id)) return fail(errc::not_found, "no organization " + p.organization_id);
    for (const auto& [id, pr] : projects_)
        if (pr.organization_id == p.organization_id && pr.slug == p.slug)
            return fail(errc::already_exists, "project slug already exists: " + p.slug);
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    project pr{*id, p.organization_id, p.slug, p.name, p.now.value_or(now_ms()), {}};
    pr.updated_at = pr.created_at;
    put_project(pr);
    return pr;
}

KONGFLOW_ENDPOINTS_DECL result<project> core::find_project(const std::string& id) {
    auto it = projects_.find(id);
    if (it == projects_.end()) return fail(errc::not_found, "no project " + id);
    return it->second;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<project>> core::list_projects(const std::string& organization_id) {
    std::vector<project> out;
    for (const auto& [id, pr] : projects_)
        if (pr.organization_id == organization_id) out.push_back(pr);
    std::sort(out.begin(), out.end(), [](const project& a, const project& b) { return a.slug < b.slug; });
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<environment> core::create_environment(const create_environment_params& p) {
    if (p.slug.empty()) return fail(errc::invalid_argument, "an environment needs a slug");
    if (p.api_key.empty()) return fail(errc::invalid_argument, "an environment needs an API key");
    if (!organizations_.count(p.organization_id)) return fail(errc::not_found, "no organization " + p.organization_id);
    if (!projects_.count(p.project_id)) return fail(errc::not_found, "no project " + p.project_id);
    if (api_keys_.count(p.api_key)) return fail(errc::already_exists, "the API key is already in use");
    for (const auto& [id, e] : environments_)
        if (e.project_id == p.project_id && e.slug == p.slug)
            return fail(errc::already_exists, "environment slug already exists: " + p.slug);
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    environment e{*id, p.organization_id, p.project_id, p.slug, p.type, p.api_key, p.now.value_or(now_ms()), {}};
    e.updated_at = e.created_at;
    put_environment(e);
    return e;
}

KONGFLOW_ENDPOINTS_DECL result<environment> core::find_environment(const std::string& id) {
    auto it = environments_.find(id);
    if (it == environments_.end()) return fail(errc::not_found, "no environment " + id);
    return it->second;
}

KONGFLOW_ENDPOINTS_DECL result<environment> core::find_environment_by_api_key(const std::string& api_key) {
    auto it = api_keys_.find(api_key);
    if (it == api_keys_.end()) return fail(errc::not_found, "no environment has this API key");
    return environments_.at(it->second);
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<environment>> core::list_environments(const std::string& project_id) {
    std::vector<environment> out;
    for (const auto& [id, e] : environments_)
        if (e.project_id == project_id) out.push_back(e);
    std::sort(out.begin(), out.end(), [](const environment& a, const environment& b) { return a.slug < b.slug; });
    return out;
}

// ---- endpoints ----

KONGFLOW_ENDPOINTS_DECL result<endpoint> core::find_endpoint(const std::string& id) {
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) return fail(errc::not_found, "no endpoint " + id);
    return it->second;
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> core::find_endpoint_by_slug(const std::string& environment_id,
                                                                     const std::string& slug) {
    auto it = endpoint_slugs_.find({environment_id, slug});
    if (it == endpoint_slugs_.end()) return fail(errc::not_found, "no endpoint " + slug + " in this environment");
    return endpoints_.at(it->second);
}

KONGFLOW_ENDPOINTS_DECL result<upsert_endpoint_result> core::upsert_endpoint(const upsert_endpoint_params& p) {
    if (p.slug.empty()) return fail(errc::invalid_argument, "an endpoint needs a slug");
    if (p.url.empty()) return fail(errc::invalid_argument, "an endpoint needs a url");
    const timestamp now = p.now.value_or(now_ms());
    auto slug = endpoint_slugs_.find({p.environment_id, p.slug});
    if (slug != endpoint_slugs_.end()) {
        endpoint e = endpoints_.at(slug->second);
        e.url = p.url; // revives a soft-deleted row
        if (p.version) e.version = *p.version;
        e.updated_at = now;
        put_endpoint(e);
        return upsert_endpoint_result{std::move(e), false};
    }
    if (!environments_.count(p.environment_id)) return fail(errc::not_found, "no environment " + p.environment_id);
    if (!organizations_.count(p.organization_id)) return fail(errc::not_found, "no organization " + p.organization_id);
    if (!projects_.count(p.project_id)) return fail(errc::not_found, "no project " + p.project_id);
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    std::string hook = p.indexing_hook_identifier;
    if (hook.empty()) {
        auto h = endpoints::detail::new_hook_identifier();
        if (!h) return h.error();
        hook = std::move(*h);
    }
    endpoint e;
    e.id = std::move(*id);
    e.slug = p.slug;
    e.url = p.url;
    e.environment_id = p.environment_id;
    e.organization_id = p.organization_id;
    e.project_id = p.project_id;
    e.indexing_hook_identifier = std::move(hook);
    e.version = p.version.value_or(std::string(unknown_version));
    e.created_at = e.updated_at = now;
    put_endpoint(e);
    return upsert_endpoint_result{std::move(e), true};
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> core::update_endpoint(const update_endpoint_params& p) {
    auto it = endpoints_.find(p.id);
    if (it == endpoints_.end()) return fail(errc::not_found, "no endpoint " + p.id);
    endpoint e = it->second;
    if (p.url) e.url = *p.url;
    if (p.version) e.version = *p.version;
    if (p.sdk_version) e.sdk_version = *p.sdk_version;
    if (p.run_chunk_execution_limit) e.run_chunk_execution_limit = *p.run_chunk_execution_limit;
    e.updated_at = p.now.value_or(now_ms());
    put_endpoint(e);
    return e;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint>> core::list_endpoints(const std::string& environment_id) {
    std::vector<endpoint> out;
    for (auto it = endpoint_slugs_.lower_bound({environment_id, std::string()});
         it != endpoint_slugs_.end() && it->first.first == environment_id; ++it)
        out.push_back(endpoints_.at(it->second));
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<endpoint> core::delete_endpoint(const std::string& id) {
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) return fail(errc::not_found, "no endpoint " + id);
    endpoint e = it->second;
    e.url.reset();
    e.updated_at = now_ms();
    put_endpoint(e);
    return e;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint>>
core::find_endpoints_for_recurring_index(const recurring_index_params& p) {
    std::vector<endpoint> out;
    for (const auto& [id, e] : endpoints_) {
        if (!e.url) continue;
        auto env = environments_.find(e.environment_id);
        if (env == environments_.end()) continue;
        if (std::find(p.types.begin(), p.types.end(), env->second.type) == p.types.end()) continue;
        auto set = indexes_by_endpoint_.find(id);
        if (set != indexes_by_endpoint_.end() && !set->second.empty() && std::get<0>(*set->second.rbegin()) > p.since)
            continue;
        out.push_back(e);
    }
    return out;
}

// ---- indexes ----

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> core::create_index(const create_index_params& p) {
    if (!endpoints_.count(p.endpoint_id)) return fail(errc::not_found, "no endpoint " + p.endpoint_id);
    auto id = endpoints::detail::new_id();
    if (!id) return id.error();
    endpoint_index ix;
    ix.id = std::move(*id);
    ix.endpoint_id = p.endpoint_id;
    ix.source = p.source;
    ix.source_data = p.source_data;
    ix.reason = p.reason;
    ix.status = p.status;
    ix.created_at = ix.updated_at = p.now.value_or(now_ms());
    put_index(stored_index{ix, next_seq_++});
    return ix;
}

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> core::update_index(const update_index_params& p) {
    auto it = indexes_.find(p.id);
    if (it == indexes_.end()) return fail(errc::not_found, "no endpoint index " + p.id);
    stored_index s = it->second;
    if (p.status) s.value.status = *p.status;
    if (p.stats) s.value.stats = *p.stats;
    if (p.data) s.value.data = *p.data;
    if (p.error) s.value.error = *p.error;
    s.value.updated_at = p.now.value_or(now_ms());
    endpoint_index out = s.value;
    put_index(std::move(s));
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<endpoint_index> core::find_index(const std::string& id) {
    auto it = indexes_.find(id);
    if (it == indexes_.end()) return fail(errc::not_found, "no endpoint index " + id);
    return it->second.value;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint_index>> core::list_indexes(const std::string& endpoint_id,
                                                                               std::size_t limit) {
    return last_indexes(last_indexes_params{endpoint_id, limit, std::nullopt});
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<endpoint_index>> core::last_indexes(const last_indexes_params& p) {
    std::vector<endpoint_index> out;
    auto set = indexes_by_endpoint_.find(p.endpoint_id);
    if (set == indexes_by_endpoint_.end()) return out;
    for (auto it = set->second.rbegin(); it != set->second.rend() && out.size() < p.n; ++it) {
        const auto& id = std::get<2>(*it);
        if (p.excluding_index_id && *p.excluding_index_id == id) continue;
        out.push_back(indexes_.at(id).value);
    }
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<std::size_t> core::purge_indexes_older_than(timestamp cutoff) {
    std::vector<std::string> doomed;
    for (const auto& [endpoint_id, set] : indexes_by_endpoint_)
        for (const auto& key : set) {
            if (std::get<0>(key) >= cutoff) break; // ordered by created_at
            doomed.push_back(std::get<2>(key));
        }
    for (const auto& id : doomed) erase_index(id);
    return doomed.size();
}

// ---- registrations ----

KONGFLOW_ENDPOINTS_DECL result<registered_job> core::upsert_job(const upsert_job_params& p) {
    if (p.slug.empty()) return fail(errc::invalid_argument, "a job needs a slug");
    if (!endpoints_.count(p.endpoint_id)) return fail(errc::not_found, "no endpoint " + p.endpoint_id);
    const timestamp now = p.now.value_or(now_ms());
    registered_job j;
    auto it = jobs_.find({p.endpoint_id, p.slug});
    if (it != jobs_.end()) {
        j = it->second;
    } else {
        auto id = endpoints::detail::new_id();
        if (!id) return id.error();
        j.id = std::move(*id);
        j.endpoint_id = p.endpoint_id;
        j.slug = p.slug;
        j.created_at = now;
    }
    j.version = p.version;
    j.definition = p.definition;
    j.enabled = p.enabled;
    j.internal = p.internal;
    j.updated_at = now;
    put_job(j);
    return j;
}

KONGFLOW_ENDPOINTS_DECL result<bool> core::disable_job(const disable_job_params& p) {
    auto it = jobs_.find({p.endpoint_id, p.slug});
    if (it == jobs_.end()) return {boost::system::in_place_error, fail(errc::not_found, "no job " + p.slug)};
    if (!it->second.enabled || (p.version && *p.version != it->second.version)) return false;
    registered_job j = it->second;
    j.enabled = false;
    j.updated_at = p.now.value_or(now_ms());
    put_job(std::move(j));
    return true;
}

KONGFLOW_ENDPOINTS_DECL result<registered_job> core::find_job(const std::string& endpoint_id, const std::string& slug) {
    auto it = jobs_.find({endpoint_id, slug});
    if (it == jobs_.end()) return fail(errc::not_found, "no job " + slug);
    return it->second;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<registered_job>> core::list_jobs(const std::string& endpoint_id) {
    std::vector<registered_job> out;
    for (auto it = jobs_.lower_bound({endpoint_id, std::string()}); it != jobs_.end() && it->first.first == endpoint_id;
         ++it)
        out.push_back(it->second);
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<registration> core::upsert_registration(const upsert_registration_params& p) {
    if (p.key.empty()) return fail(errc::invalid_argument, "a registration needs a key");
    if (!endpoints_.count(p.endpoint_id)) return fail(errc::not_found, "no endpoint " + p.endpoint_id);
    const timestamp now = p.now.value_or(now_ms());
    registration r;
    auto it = registrations_.find({p.endpoint_id, p.kind, p.key});
    if (it != registrations_.end()) {
        r = it->second;
    } else {
        auto id = endpoints::detail::new_id();
        if (!id) return id.error();
        r.id = std::move(*id);
        r.endpoint_id = p.endpoint_id;
        r.kind = p.kind;
        r.key = p.key;
        r.created_at = now;
    }
    r.definition = p.definition;
    r.enabled = p.enabled;
    r.updated_at = now;
    put_registration(r);
    return r;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<registration>>
core::list_registrations(const std::string& endpoint_id, std::optional<registration_kind> kind) {
    std::vector<registration> out;
    for (auto it = registrations_.lower_bound({endpoint_id, registration_kind::source, std::string()});
         it != registrations_.end() && std::get<0>(it->first) == endpoint_id; ++it)
        if (!kind || *kind == it->second.kind) out.push_back(it->second);
    return out;
}

KONGFLOW_ENDPOINTS_DECL result<void> core::delete_registration(const std::string& endpoint_id, registration_kind kind,
                                                               const std::string& key) {
    auto k = std::make_tuple(endpoint_id, kind, key);
    if (!registrations_.count(k)) return fail(errc::not_found, "no registration " + key);
    erase_registration(k);
    return {};
}

} // namespace detail

// ---- repository: the same, under the mutex ----

template <class F>
auto repository::locked(F&& f) -> decltype(f(std::declval<detail::core&>())) {
    using R = decltype(f(std::declval<detail::core&>()));
    if (owner_.load(std::memory_order_acquire) == std::this_thread::get_id())
        return R(
            boost::system::in_place_error,
            detail::fail(errc::conflict, "this thread holds a unit of work on this store: use the unit's repository"));
    std::lock_guard<std::mutex> lock(mu_);
    return f(core_);
}

#define KONGFLOW_ENDPOINTS_MEMORY_FORWARD(ret, name, params, args)                                                     \
    KONGFLOW_ENDPOINTS_DECL ret repository::name params {                                                              \
        return locked([&](detail::core& c) -> ret { return c.name args; });                                            \
    }

KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<organization>, create_organization, (const create_organization_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<organization>, find_organization, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<organization>>, list_organizations, (), ())
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<project>, create_project, (const create_project_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<project>, find_project, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<project>>, list_projects, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<environment>, create_environment, (const create_environment_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<environment>, find_environment, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<environment>, find_environment_by_api_key, (const std::string& k), (k))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<environment>>, list_environments, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<endpoint>, find_endpoint, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<endpoint>, find_endpoint_by_slug,
                                  (const std::string& env, const std::string& slug), (env, slug))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<upsert_endpoint_result>, upsert_endpoint, (const upsert_endpoint_params& p),
                                  (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<endpoint>, update_endpoint, (const update_endpoint_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<endpoint>>, list_endpoints, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<endpoint>, delete_endpoint, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<endpoint>>, find_endpoints_for_recurring_index,
                                  (const recurring_index_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<endpoint_index>, create_index, (const create_index_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<endpoint_index>, update_index, (const update_index_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<endpoint_index>, find_index, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<endpoint_index>>, list_indexes,
                                  (const std::string& id, std::size_t limit), (id, limit))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<endpoint_index>>, last_indexes, (const last_indexes_params& p),
                                  (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::size_t>, purge_indexes_older_than, (timestamp cutoff), (cutoff))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<registered_job>, upsert_job, (const upsert_job_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<bool>, disable_job, (const disable_job_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<registered_job>, find_job, (const std::string& id, const std::string& slug),
                                  (id, slug))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<registered_job>>, list_jobs, (const std::string& id), (id))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<registration>, upsert_registration, (const upsert_registration_params& p), (p))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<std::vector<registration>>, list_registrations,
                                  (const std::string& id, std::optional<registration_kind> kind), (id, kind))
KONGFLOW_ENDPOINTS_MEMORY_FORWARD(result<void>, delete_registration,
                                  (const std::string& id, registration_kind kind, const std::string& key),
                                  (id, kind, key))

#undef KONGFLOW_ENDPOINTS_MEMORY_FORWARD

} // namespace kongflow::endpoints::memory

#endif
