#include "api_key_cache.hpp"

namespace kongflow::endpointsd {

std::optional<kfe::environment> api_key_cache::find(const std::string& key, clock::time_point now) {
    std::lock_guard lk(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (it->second.expires <= now) {
        entries_.erase(it);
        return std::nullopt;
    }
    return it->second.env;
}

void api_key_cache::remember(const std::string& key, const kfe::environment& env, clock::time_point now) {
    if (capacity_ == 0 || ttl_.count() <= 0) return;
    std::lock_guard lk(mu_);
    if (entries_.size() >= capacity_ && !entries_.contains(key)) {
        std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires <= now; });
        if (entries_.size() >= capacity_) entries_.clear();
    }
    entries_.insert_or_assign(key, entry{env, now + ttl_});
}

std::size_t api_key_cache::size() const {
    std::lock_guard lk(mu_);
    return entries_.size();
}

} // namespace kongflow::endpointsd
