// Structured JSON-lines logs: one object per line with timestamp, level, message and fields.
// Secrets never reach the sink: fields named like keys or hook identifiers are redacted here, as a
// second line of defence behind the library's own redaction.
#ifndef KONGFLOW_ENDPOINTSD_LOGGING_HPP
#define KONGFLOW_ENDPOINTSD_LOGGING_HPP

#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/services/observability.hpp>

#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpointsd {

namespace kfe = kongflow::endpoints;

/// "debug", "info", "warn", "error" (case-insensitive); nullopt otherwise.
std::optional<kfe::log_level> parse_log_level(std::string_view s);

/// True for a field whose value must not be logged as is (apiKey, authorization, hook identifiers...).
bool is_secret_field(std::string_view key);

/// Writes JSON lines to a FILE* (stderr by default). Thread-safe: one line per write, under a lock.
class json_log_sink {
public:
    explicit json_log_sink(std::FILE* out = stderr) : out_(out) {}

    void write(kfe::log_level level, std::string_view message, const std::vector<kfe::log_field>& fields);

private:
    std::mutex mu_;
    std::FILE* out_;
};

/// The library's injected logger, writing to `sink` at `level`.
kfe::logger make_logger(std::shared_ptr<json_log_sink> sink, kfe::log_level level);

/// An error for a log line: our message, then the other side's own text (SQLite's errmsg) in
/// brackets when there is one.
std::string log_text(const kfe::error& e);

/// One JSON line (without the newline); exposed for tests.
std::string format_log_line(kfe::log_level level, std::string_view message, const std::vector<kfe::log_field>& fields);

} // namespace kongflow::endpointsd

#endif
