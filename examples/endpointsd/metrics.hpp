// The daemon's metrics in the Prometheus text format 0.0.4: labelled counters, gauges read at
// scrape time, and histograms with fixed buckets. Thread-safe; cheap enough for the request path
// (one short critical section per observation).
#ifndef KONGFLOW_ENDPOINTSD_METRICS_HPP
#define KONGFLOW_ENDPOINTSD_METRICS_HPP

#include <kongflow/endpoints/services/observability.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace kongflow::endpointsd {

namespace kfe = kongflow::endpoints;

/// Label pairs in a fixed order, e.g. {{"route", "/healthz"}, {"status", "200"}}.
using labels = std::vector<std::pair<std::string, std::string>>;

class metrics_registry {
public:
    /// Declares a family (needed for HELP/TYPE lines). `buckets` only for histograms (seconds).
    void declare_counter(std::string name, std::string help);
    void declare_histogram(std::string name, std::string help, std::vector<double> buckets);
    /// A gauge whose samples are computed at scrape time (queue depth...).
    void declare_gauge(std::string name, std::string help,
                       std::function<std::vector<std::pair<labels, double>>()> read);

    void inc(const std::string& name, const labels& l, double by = 1);
    void observe(const std::string& name, const labels& l, double seconds);
    void observe(const std::string& name, const labels& l, std::chrono::microseconds d) {
        observe(name, l, std::chrono::duration<double>(d).count());
    }

    /// The whole exposition, families in declaration order.
    std::string render() const;

    /// A counter's current value (tests); 0 when never incremented.
    double counter_value(const std::string& name, const labels& l) const;
    /// A histogram's observation count (tests).
    std::uint64_t histogram_count(const std::string& name, const labels& l) const;

    /// The library's metrics hook, feeding the standard families (declare_standard() first).
    kfe::metrics_sink sink();
    /// Declares the daemon's families: endpoints created, ping/index durations, HTTP requests,
    /// endpoint addresses refused.
    void declare_standard();

private:
    struct histogram_data {
        std::vector<std::uint64_t> counts; // per bucket, not cumulative; last = +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    struct family {
        std::string name, help, type;
        std::vector<double> buckets;
        std::map<labels, double> counters;
        std::map<labels, histogram_data> histograms;
        std::function<std::vector<std::pair<labels, double>>()> gauge;
    };
    family* find(const std::string& name);
    const family* find(const std::string& name) const;

    mutable std::mutex mu_;
    std::vector<family> families_;
};

/// Prometheus label-value escaping (backslash, quote, newline).
std::string escape_label_value(std::string_view v);

// Family names.
inline constexpr const char* metric_http_requests = "kongflow_http_requests_total";
inline constexpr const char* metric_http_duration = "kongflow_http_request_duration_seconds";
inline constexpr const char* metric_endpoints_created = "kongflow_endpoints_upserted_total";
inline constexpr const char* metric_ping_duration = "kongflow_ping_duration_seconds";
inline constexpr const char* metric_index_duration = "kongflow_index_duration_seconds";
inline constexpr const char* metric_addresses_refused = "kongflow_endpoint_addresses_refused_total";
inline constexpr const char* metric_queue_jobs = "kongflow_queue_jobs";
inline constexpr const char* metric_queue_oldest_age = "kongflow_queue_oldest_available_age_seconds";
inline constexpr const char* metric_http_connections = "kongflow_http_connections";
inline constexpr const char* metric_http_connections_shed = "kongflow_http_connections_shed_total";

} // namespace kongflow::endpointsd

#endif
