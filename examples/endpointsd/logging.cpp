#include "logging.hpp"

#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/timestamp.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

namespace kongflow::endpointsd {

std::optional<kfe::log_level> parse_log_level(std::string_view s) {
    std::string l(s);
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (l == "debug") return kfe::log_level::debug;
    if (l == "info") return kfe::log_level::info;
    if (l == "warn" || l == "warning") return kfe::log_level::warn;
    if (l == "error") return kfe::log_level::error;
    return std::nullopt;
}

bool is_secret_field(std::string_view key) {
    std::string k(key);
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (std::string_view bad : {"apikey", "api_key", "authorization", "hook", "secret", "password", "token"})
        if (k.find(bad) != std::string::npos) return true;
    return false;
}

std::string format_log_line(kfe::log_level level, std::string_view message, const std::vector<kfe::log_field>& fields) {
    boost::json::object o;
    o["timestamp"] = kfe::format_timestamp(kfe::now_ms());
    o["level"] = kfe::to_string(level);
    o["message"] = message;
    if (!fields.empty()) {
        boost::json::object f;
        for (const auto& field : fields)
            f[field.key] = is_secret_field(field.key) ? kfe::redact(field.value) : field.value;
        o["fields"] = std::move(f);
    }
    return boost::json::serialize(o);
}

void json_log_sink::write(kfe::log_level level, std::string_view message, const std::vector<kfe::log_field>& fields) {
    auto line = format_log_line(level, message, fields);
    line.push_back('\n');
    std::lock_guard lk(mu_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

kfe::logger make_logger(std::shared_ptr<json_log_sink> sink, kfe::log_level level) {
    kfe::logger l;
    l.level = level;
    l.sink = [sink = std::move(sink)](kfe::log_level lv, std::string_view msg, const std::vector<kfe::log_field>& f) {
        sink->write(lv, msg, f);
    };
    return l;
}

std::string log_text(const kfe::error& e) {
    std::string out = e.what();
    if (auto server = e.diag().server_message(); !server.empty() && server != out)
        out += " [" + std::string(server) + "]";
    return out;
}

} // namespace kongflow::endpointsd
