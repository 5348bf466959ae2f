#include "metrics.hpp"

#include <cmath>
#include <cstdio>

namespace kongflow::endpointsd {

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

namespace {

std::string format_number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string format_labels(const labels& l, const char* extra_key = nullptr, const std::string& extra_value = {}) {
    if (l.empty() && !extra_key) return {};
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : l) {
        if (!first) out += ',';
        first = false;
        out += k + "=\"" + escape_label_value(v) + "\"";
    }
    if (extra_key) {
        if (!first) out += ',';
        out += std::string(extra_key) + "=\"" + extra_value + "\"";
    }
    return out + "}";
}

} // namespace

metrics_registry::family* metrics_registry::find(const std::string& name) {
    for (auto& f : families_)
        if (f.name == name) return &f;
    return nullptr;
}

const metrics_registry::family* metrics_registry::find(const std::string& name) const {
    for (auto& f : families_)
        if (f.name == name) return &f;
    return nullptr;
}

void metrics_registry::declare_counter(std::string name, std::string help) {
    std::lock_guard lk(mu_);
    if (find(name)) return;
    families_.push_back({std::move(name), std::move(help), "counter", {}, {}, {}, {}});
}

void metrics_registry::declare_histogram(std::string name, std::string help, std::vector<double> buckets) {
    std::lock_guard lk(mu_);
    if (find(name)) return;
    families_.push_back({std::move(name), std::move(help), "histogram", std::move(buckets), {}, {}, {}});
}

void metrics_registry::declare_gauge(std::string name, std::string help,
                                     std::function<std::vector<std::pair<labels, double>>()> read) {
    std::lock_guard lk(mu_);
    if (find(name)) return;
    families_.push_back({std::move(name), std::move(help), "gauge", {}, {}, {}, std::move(read)});
}

void metrics_registry::inc(const std::string& name, const labels& l, double by) {
    std::lock_guard lk(mu_);
    if (auto* f = find(name)) f->counters[l] += by;
}

void metrics_registry::observe(const std::string& name, const labels& l, double seconds) {
    std::lock_guard lk(mu_);
    auto* f = find(name);
    if (!f) return;
    auto& h = f->histograms[l];
    if (h.counts.empty()) h.counts.assign(f->buckets.size() + 1, 0);
    std::size_t i = 0;
    while (i < f->buckets.size() && seconds > f->buckets[i]) ++i;
    ++h.counts[i];
    h.sum += seconds;
    ++h.count;
}

double metrics_registry::counter_value(const std::string& name, const labels& l) const {
    std::lock_guard lk(mu_);
    auto* f = find(name);
    if (!f) return 0;
    auto it = f->counters.find(l);
    return it == f->counters.end() ? 0 : it->second;
}

std::uint64_t metrics_registry::histogram_count(const std::string& name, const labels& l) const {
    std::lock_guard lk(mu_);
    auto* f = find(name);
    if (!f) return 0;
    auto it = f->histograms.find(l);
    return it == f->histograms.end() ? 0 : it->second.count;
}

std::string metrics_registry::render() const {
    // Gauges read other components (the queue): copy the readers and call them unlocked.
    std::vector<std::pair<std::string, std::function<std::vector<std::pair<labels, double>>()>>> gauges;
    {
        std::lock_guard lk(mu_);
        for (const auto& f : families_)
            if (f.gauge) gauges.emplace_back(f.name, f.gauge);
    }
    std::map<std::string, std::vector<std::pair<labels, double>>> gauge_values;
    for (auto& [name, read] : gauges) gauge_values[name] = read();

    std::string out;
    std::lock_guard lk(mu_);
    for (const auto& f : families_) {
        out += "# HELP " + f.name + " " + f.help + "\n";
        out += "# TYPE " + f.name + " " + f.type + "\n";
        if (f.type == "counter") {
            for (const auto& [l, v] : f.counters) out += f.name + format_labels(l) + " " + format_number(v) + "\n";
        } else if (f.type == "gauge") {
            for (const auto& [l, v] : gauge_values[f.name])
                out += f.name + format_labels(l) + " " + format_number(v) + "\n";
        } else {
            for (const auto& [l, h] : f.histograms) {
                std::uint64_t cumulative = 0;
                for (std::size_t i = 0; i < f.buckets.size(); ++i) {
                    cumulative += h.counts[i];
                    out += f.name + "_bucket" + format_labels(l, "le", format_number(f.buckets[i])) + " " +
                           std::to_string(cumulative) + "\n";
                }
                cumulative += h.counts.back();
                out += f.name + "_bucket" + format_labels(l, "le", "+Inf") + " " + std::to_string(cumulative) + "\n";
                out += f.name + "_sum" + format_labels(l) + " " + format_number(h.sum) + "\n";
                out += f.name + "_count" + format_labels(l) + " " + std::to_string(h.count) + "\n";
            }
        }
    }
    return out;
}

void metrics_registry::declare_standard() {
    const std::vector<double> fast{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    declare_counter(metric_http_requests, "HTTP requests answered, by route template, method and status.");
    declare_histogram(metric_http_duration, "Time to answer an HTTP request, by route template.", fast);
    declare_counter(metric_endpoints_created, "Endpoints upserted by create, by whether the row was new.");
    declare_histogram(metric_ping_duration, "PING round trips to endpoints, by outcome.", fast);
    declare_histogram(metric_index_duration, "Perform-index runs, by outcome.", fast);
    declare_counter(metric_addresses_refused,
                    "Requests to endpoints refused by the address policy, by the scope of the refused address.");
}

kfe::metrics_sink metrics_registry::sink() {
    kfe::metrics_sink s;
    s.endpoint_upserted = [this](bool created) {
        inc(metric_endpoints_created, {{"created", created ? "true" : "false"}});
    };
    s.ping_finished = [this](std::string_view outcome, std::chrono::microseconds d) {
        observe(metric_ping_duration, {{"outcome", std::string(outcome)}}, d);
    };
    s.index_finished = [this](std::string_view outcome, std::chrono::microseconds d) {
        observe(metric_index_duration, {{"outcome", std::string(outcome)}}, d);
    };
    return s;
}

} // namespace kongflow::endpointsd
