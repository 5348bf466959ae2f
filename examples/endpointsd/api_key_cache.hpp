// Which environment an API key authenticates, remembered for a short while: most requests then
// skip the database lookup and the two thread hand-offs it costs (to the blocking pool and
// back), about a tenth of a create's cost under load.
#ifndef KONGFLOW_ENDPOINTSD_API_KEY_CACHE_HPP
#define KONGFLOW_ENDPOINTSD_API_KEY_CACHE_HPP

#include <kongflow/endpoints/model.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace kongflow::endpointsd {

namespace kfe = kongflow::endpoints;

/// Thread-safe. Only keys the database accepted are kept: an unknown key always reaches the
/// database. A key changed or removed in the database (by another process, or by hand) keeps
/// authenticating until its entry expires, at most `ttl` after the lookup that stored it.
class api_key_cache {
public:
    using clock = std::chrono::steady_clock;

    /// `capacity` entries at most: when full, expired entries go first, then all of them (a
    /// lookup each refills it; this bounds memory against a flood of distinct valid keys).
    api_key_cache(std::chrono::milliseconds ttl, std::size_t capacity) : ttl_(ttl), capacity_(capacity) {}

    std::optional<kfe::environment> find(const std::string& key, clock::time_point now);
    void remember(const std::string& key, const kfe::environment& env, clock::time_point now);
    std::size_t size() const;

private:
    struct entry {
        kfe::environment env;
        clock::time_point expires;
    };
    const std::chrono::milliseconds ttl_;
    const std::size_t capacity_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, entry> entries_;
};

} // namespace kongflow::endpointsd

#endif
