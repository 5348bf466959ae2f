// The in-memory repository: the same behaviour as sqlite::repository (unique constraints, soft
// delete, ordering), no files. For tests, examples and hosts that persist nothing.
#ifndef KONGFLOW_ENDPOINTS_MEMORY_REPOSITORY_HPP
#define KONGFLOW_ENDPOINTS_MEMORY_REPOSITORY_HPP

#include <kongflow/endpoints/storage/repository.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kongflow::endpoints::memory {

class store;

namespace detail {

/// The tables and the logic, without locking. Every change goes through put_*/erase_*, which
/// record the previous value in the undo log while one is open (a unit of work), so a rollback
/// restores the state exactly.
class core final : public endpoints::repository {
public:
    result<organization> create_organization(const create_organization_params& p) override;
    result<organization> find_organization(const std::string& id) override;
    result<std::vector<organization>> list_organizations() override;
    result<project> create_project(const create_project_params& p) override;
    result<project> find_project(const std::string& id) override;
    result<std::vector<project>> list_projects(const std::string& organization_id) override;
    result<environment> create_environment(const create_environment_params& p) override;
    result<environment> find_environment(const std::string& id) override;
    result<environment> find_environment_by_api_key(const std::string& api_key) override;
    result<std::vector<environment>> list_environments(const std::string& project_id) override;
    result<endpoint> find_endpoint(const std::string& id) override;
    result<endpoint> find_endpoint_by_slug(const std::string& environment_id, const std::string& slug) override;
    result<upsert_endpoint_result> upsert_endpoint(const upsert_endpoint_params& p) override;
    result<endpoint> update_endpoint(const update_endpoint_params& p) override;
    result<std::vector<endpoint>> list_endpoints(const std::string& environment_id) override;
    result<endpoint> delete_endpoint(const std::string& id) override;
    result<std::vector<endpoint>> find_endpoints_for_recurring_index(const recurring_index_params& p) override;
    result<endpoint_index> create_index(const create_index_params& p) override;
    result<endpoint_index> update_index(const update_index_params& p) override;
    result<endpoint_index> find_index(const std::string& id) override;
    result<std::vector<endpoint_index>> list_indexes(const std::string& endpoint_id, std::size_t limit) override;
    result<std::vector<endpoint_index>> last_indexes(const last_indexes_params& p) override;
    result<std::size_t> purge_indexes_older_than(timestamp cutoff) override;
    result<registered_job> upsert_job(const upsert_job_params& p) override;
    result<bool> disable_job(const disable_job_params& p) override;
    result<registered_job> find_job(const std::string& endpoint_id, const std::string& slug) override;
    result<std::vector<registered_job>> list_jobs(const std::string& endpoint_id) override;
    result<registration> upsert_registration(const upsert_registration_params& p) override;
    result<std::vector<registration>> list_registrations(const std::string& endpoint_id,
                                                         std::optional<registration_kind> kind) override;
    result<void> delete_registration(const std::string& endpoint_id, registration_kind kind,
                                     const std::string& key) override;

    /// Starts recording undo entries (a unit of work begins).
    void begin_undo() {
        undo_.clear();
        recording_ = true;
    }
    /// Keeps the changes (commit).
    void drop_undo() {
        undo_.clear();
        recording_ = false;
    }
    /// Restores the state from before begin_undo (rollback).
    void apply_undo() {
        recording_ = false;
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
        undo_.clear();
    }

private:
    // (created_at, creation sequence, id): newest first is reverse order.
    using index_key = std::tuple<timestamp, std::uint64_t, std::string>;
    struct stored_index {
        endpoint_index value;
        std::uint64_t seq;
    };

    void put_organization(organization v);
    void put_project(project v);
    void put_environment(environment v);
    void put_endpoint(endpoint v);
    void put_index(stored_index v);
    void erase_index(const std::string& id);
    void put_job(registered_job v);
    void put_registration(registration v);
    void erase_registration(const std::tuple<std::string, registration_kind, std::string>& key);
    void record(std::function<void()> undo) {
        if (recording_) undo_.push_back(std::move(undo));
    }

    std::map<std::string, organization> organizations_;
    std::map<std::string, project> projects_;
    std::map<std::string, environment> environments_;
    std::unordered_map<std::string, std::string> api_keys_; // api key -> environment id
    std::map<std::string, endpoint> endpoints_;
    std::map<std::pair<std::string, std::string>, std::string> endpoint_slugs_; // (env, slug) -> id
    std::unordered_map<std::string, stored_index> indexes_;
    std::map<std::string, std::set<index_key>> indexes_by_endpoint_;
    std::map<std::pair<std::string, std::string>, registered_job> jobs_; // (endpoint, slug)
    std::map<std::tuple<std::string, registration_kind, std::string>, registration> registrations_;
    std::uint64_t next_seq_ = 0;
    std::vector<std::function<void()>> undo_;
    bool recording_ = false;
};

} // namespace detail

/// Thread-safe: one mutex serialises every call. While a unit of work from a store is
/// open, other threads wait; the owning thread must use the unit's repository (calling this
/// object directly from that thread returns errc::conflict instead of deadlocking).
class repository final : public endpoints::repository {
public:
    repository() = default;
    repository(const repository&) = delete;
    repository& operator=(const repository&) = delete;

    result<organization> create_organization(const create_organization_params& p) override;
    result<organization> find_organization(const std::string& id) override;
    result<std::vector<organization>> list_organizations() override;
    result<project> create_project(const create_project_params& p) override;
    result<project> find_project(const std::string& id) override;
    result<std::vector<project>> list_projects(const std::string& organization_id) override;
    result<environment> create_environment(const create_environment_params& p) override;
    result<environment> find_environment(const std::string& id) override;
    result<environment> find_environment_by_api_key(const std::string& api_key) override;
    result<std::vector<environment>> list_environments(const std::string& project_id) override;
    result<endpoint> find_endpoint(const std::string& id) override;
    result<endpoint> find_endpoint_by_slug(const std::string& environment_id, const std::string& slug) override;
    result<upsert_endpoint_result> upsert_endpoint(const upsert_endpoint_params& p) override;
    result<endpoint> update_endpoint(const update_endpoint_params& p) override;
    result<std::vector<endpoint>> list_endpoints(const std::string& environment_id) override;
    result<endpoint> delete_endpoint(const std::string& id) override;
    result<std::vector<endpoint>> find_endpoints_for_recurring_index(const recurring_index_params& p) override;
    result<endpoint_index> create_index(const create_index_params& p) override;
    result<endpoint_index> update_index(const update_index_params& p) override;
    result<endpoint_index> find_index(const std::string& id) override;
    result<std::vector<endpoint_index>> list_indexes(const std::string& endpoint_id, std::size_t limit) override;
    result<std::vector<endpoint_index>> last_indexes(const last_indexes_params& p) override;
    result<std::size_t> purge_indexes_older_than(timestamp cutoff) override;
    result<registered_job> upsert_job(const upsert_job_params& p) override;
    result<bool> disable_job(const disable_job_params& p) override;
    result<registered_job> find_job(const std::string& endpoint_id, const std::string& slug) override;
    result<std::vector<registered_job>> list_jobs(const std::string& endpoint_id) override;
    result<registration> upsert_registration(const upsert_registration_params& p) override;
    result<std::vector<registration>> list_registrations(const std::string& endpoint_id,
                                                         std::optional<registration_kind> kind) override;
    result<void> delete_registration(const std::string& endpoint_id, registration_kind kind,
                                     const std::string& key) override;

private:
    friend class store;

    template <class F>
    auto locked(F&& f) -> decltype(f(std::declval<detail::core&>()));

    mutable std::mutex mu_;
    std::atomic<std::thread::id> owner_{}; // the thread holding a unit of work, if any
    detail::core core_;
};

} // namespace kongflow::endpoints::memory

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/memory/impl/repository.ipp>
#endif

#endif
