// fuzz_config: the daemon's config file reader (apply_config_text, what --config reads) on any
// text. Oracles: a refused file says so and names the file; an accepted one yields settings that
// re-validate: written back as a config file (every setting in its canonical form) and read into
// fresh defaults they give the same settings, and reading the same text twice gives the same.
#include "config.hpp"
#include "fuzz_check.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>

namespace kfd = kongflow::endpointsd;
namespace json = boost::json;

namespace {

const std::string path = "fuzz.json";

std::string listen_text(const kfd::daemon_config& c) {
    // parse_listen takes "[v6]:port" when the text starts with '[', else splits at the last ':'.
    bool bracket = c.listen_host.find(':') != std::string::npos || (!c.listen_host.empty() && c.listen_host[0] == '[');
    auto host = bracket ? "[" + c.listen_host + "]" : c.listen_host;
    return host + ":" + std::to_string(c.listen_port);
}

json::object write_config(const kfd::daemon_config& c) {
    json::object o;
    o["db"] = c.db;
    o["synchronous"] = c.synchronous;
    o["listen"] = listen_text(c);
    o["log_level"] = kongflow::endpoints::to_string(c.log_level);
    o["io_threads"] = c.io_threads;
    o["blocking_threads"] = c.blocking_threads;
    o["worker_concurrency"] = c.worker_concurrency;
    o["max_body_bytes"] = c.max_body_bytes;
    o["max_header_bytes"] = c.max_header_bytes;
    o["read_timeout_ms"] = c.read_timeout.count();
    o["shutdown_timeout_ms"] = c.shutdown_timeout.count();
    o["auth_cache_ms"] = c.auth_cache.count();
    if (c.rewrite_localhost_to) o["rewrite_localhost_to"] = *c.rewrite_localhost_to;
    o["bootstrap"] = c.bootstrap;
    o["bootstrap_org"] = c.bootstrap_org;
    o["bootstrap_project"] = c.bootstrap_project;
    if (c.bootstrap_api_key) o["bootstrap_api_key"] = *c.bootstrap_api_key;
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    kfd::daemon_config cfg;
    auto err = kfd::apply_config_text(cfg, text, path);
    if (!err.empty()) {
        KF_FUZZ_CHECK(err.starts_with("config file " + path), "an error that does not name the file: " + err);
        return 0;
    }

    kfd::daemon_config twice;
    KF_FUZZ_CHECK(kfd::apply_config_text(twice, text, path).empty(), "the same text failed the second time");
    auto written = write_config(cfg);
    KF_FUZZ_CHECK(write_config(twice) == written, "reading the same text twice gave different settings");

    auto wire = json::serialize(written);
    kfd::daemon_config fresh;
    auto err2 = kfd::apply_config_text(fresh, wire, path);
    KF_FUZZ_CHECK(err2.empty(), "accepted settings do not re-validate: " + err2 + " in " + kf_fuzz::show(wire));
    auto rewritten = write_config(fresh);
    KF_FUZZ_CHECK(rewritten == written, "settings changed on the way back: " + kf_fuzz::show(wire) + " became " +
                                            kf_fuzz::show(json::serialize(rewritten)));
    return 0;
}
