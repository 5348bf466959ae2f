// Hooks the host gives the services to see what they do: a structured logger and a metrics sink.
// Both are optional; secrets (API keys, hook identifiers) never reach them.
#ifndef KONGFLOW_ENDPOINTS_SERVICES_OBSERVABILITY_HPP
#define KONGFLOW_ENDPOINTS_SERVICES_OBSERVABILITY_HPP

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kongflow::endpoints {

enum class log_level { debug, info, warn, error };

constexpr std::string_view to_string(log_level l) noexcept {
    switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    }
    return "info";
}

/// One structured field of a log record.
struct log_field {
    std::string key;
    std::string value;
};

/// An injected logger (Boost.Redis's model): a level and a sink. No global state.
struct logger {
    log_level level = log_level::info;
    std::function<void(log_level, std::string_view message, const std::vector<log_field>& fields)> sink;

    bool enabled(log_level l) const noexcept { return sink && static_cast<int>(l) >= static_cast<int>(level); }
    void log(log_level l, std::string_view message, const std::vector<log_field>& fields = {}) const {
        if (enabled(l)) sink(l, message, fields);
    }
};

/// Where the services report what they count and time. Every member is optional.
struct metrics_sink {
    /// An endpoint was created or updated by create / validate-create.
    std::function<void(bool created)> endpoint_upserted;
    /// A PING (or VALIDATE) finished: outcome "ok" or "failed", and how long it took.
    std::function<void(std::string_view outcome, std::chrono::microseconds)> ping_finished;
    /// An index finished: outcome "success" or "failure", and how long perform-index took.
    std::function<void(std::string_view outcome, std::chrono::microseconds)> index_finished;
};

/// Redacts a secret for logs: keeps a short prefix so operators can tell keys apart.
inline std::string redact(std::string_view secret) {
    if (secret.size() <= 8) return "[redacted]";
    return std::string(secret.substr(0, 7)) + "…[redacted]";
}

} // namespace kongflow::endpoints

#endif
