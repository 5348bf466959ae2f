// The value types of the Endpoints service (protocol.md §D): endpoints, their indexes, the
// environment/organization/project they belong to, and what an endpoint registered. JSON
// conversions use Trigger.dev's camelCase field names so that hosts can serve these as-is.
#ifndef KONGFLOW_ENDPOINTS_MODEL_HPP
#define KONGFLOW_ENDPOINTS_MODEL_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/timestamp.hpp>

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kongflow::endpoints {

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, always 24 characters for years 0000-9999.
KONGFLOW_ENDPOINTS_DECL std::string format_timestamp(timestamp t);

/// Parses ISO-8601 / RFC 3339 in UTC or with an offset: `2024-01-02T03:04:05Z`,
/// `2024-01-02T03:04:05.678Z`, `2024-01-02T03:04:05.678901+02:00` (extra digits are truncated).
/// Anything else gives errc::invalid_argument.
KONGFLOW_ENDPOINTS_DECL result<timestamp> parse_timestamp(std::string_view s);

/// Trigger.dev's RuntimeEnvironmentType.
enum class environment_type { development, production, staging, preview };
/// Trigger.dev's EndpointIndexSource.
enum class index_source { manual, api, internal, hook };
/// Trigger.dev's EndpointIndexStatus: PENDING → STARTED → SUCCESS | FAILURE.
enum class index_status { pending, started, success, failure };
/// What kind of thing an endpoint registered, besides jobs (which carry a version).
enum class registration_kind { source, dynamic_trigger, dynamic_schedule, webhook, http_endpoint };

/// The names Trigger.dev uses: "DEVELOPMENT", "MANUAL", "PENDING"...; registration kinds are
/// "SOURCE", "DYNAMIC_TRIGGER", "DYNAMIC_SCHEDULE", "WEBHOOK", "HTTP_ENDPOINT".
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(environment_type v) noexcept;
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(index_source v) noexcept;
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(index_status v) noexcept;
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(registration_kind v) noexcept;

/// Exact, case-sensitive inverse of to_string; errc::invalid_argument otherwise.
KONGFLOW_ENDPOINTS_DECL result<environment_type> parse_environment_type(std::string_view s) noexcept;
KONGFLOW_ENDPOINTS_DECL result<index_source> parse_index_source(std::string_view s) noexcept;
KONGFLOW_ENDPOINTS_DECL result<index_status> parse_index_status(std::string_view s) noexcept;
KONGFLOW_ENDPOINTS_DECL result<registration_kind> parse_registration_kind(std::string_view s) noexcept;

struct organization {
    std::string id{};
    std::string slug{}; ///< unique
    std::string title{};
    timestamp created_at{};
    timestamp updated_at{};
    friend bool operator==(const organization&, const organization&) = default;
};

struct project {
    std::string id{};
    std::string organization_id{};
    std::string slug{}; ///< unique within the organization
    std::string name{};
    timestamp created_at{};
    timestamp updated_at{};
    friend bool operator==(const project&, const project&) = default;
};

struct environment {
    std::string id{};
    std::string organization_id{};
    std::string project_id{};
    std::string slug{}; ///< unique within the project
    environment_type type = environment_type::development;
    std::string api_key{}; ///< secret; unique across the store
    timestamp created_at{};
    timestamp updated_at{};
    friend bool operator==(const environment&, const environment&) = default;
};

/// A new secret API key for an environment of `type`, in Trigger.dev's form: "tr_" + dev, prod,
/// stg or prev + "_" + 24 random letters and digits (from the OS random source, whose failure is
/// the only error).
KONGFLOW_ENDPOINTS_DECL result<std::string> new_api_key(environment_type type);

inline constexpr std::string_view unknown_version = "unknown";

struct endpoint {
    std::string id{};
    std::string slug{}; ///< unique within the environment
    /// Where actions are POSTed. Empty = deleted or auto-disabled (the row, its hook identifier
    /// and its indexes stay; registering the slug again revives it).
    std::optional<std::string> url{};
    std::string environment_id{};
    std::string organization_id{};
    std::string project_id{};
    std::optional<std::string> indexing_hook_identifier{};
    std::string version{unknown_version};           ///< the endpoint's `trigger-version`
    std::string sdk_version{unknown_version};       ///< the endpoint's `trigger-sdk-version`
    std::int64_t run_chunk_execution_limit = 60000; ///< ms; set by the probe (protocol.md C.8)
    timestamp created_at{};
    timestamp updated_at{};
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

struct endpoint_index {
    std::string id{};
    std::string endpoint_id{};
    index_source source = index_source::manual;
    boost::json::value source_data{}; ///< null when absent
    std::optional<std::string> reason{};
    index_status status = index_status::pending;
    boost::json::value stats{}; ///< null until SUCCESS
    boost::json::value data{};  ///< null until SUCCESS
    boost::json::value error{}; ///< `{message, raw?}` on FAILURE, else null
    timestamp created_at{};
    timestamp updated_at{};
    friend bool operator==(const endpoint_index&, const endpoint_index&) = default;
};

/// A job an endpoint exposes; one row per (endpoint, slug) holding the latest version.
struct registered_job {
    std::string id{};
    std::string endpoint_id{};
    std::string slug{};
    std::string version{};
    boost::json::value definition{}; ///< the job metadata as the endpoint sent it
    bool enabled = true;
    bool internal = false;
    timestamp created_at{};
    timestamp updated_at{};
    friend bool operator==(const registered_job&, const registered_job&) = default;
};

/// A source, dynamic trigger, dynamic schedule, webhook or HTTP endpoint an endpoint exposes;
/// one row per (endpoint, kind, key). `key` is the source key or the id/slug the SDK gives it.
struct registration {
    std::string id{};
    std::string endpoint_id{};
    registration_kind kind = registration_kind::source;
    std::string key{};
    boost::json::value definition{};
    bool enabled = true;
    timestamp created_at{};
    timestamp updated_at{};
    friend bool operator==(const registration&, const registration&) = default;
};

// JSON: value_from / value_to / try_value_to. Optional strings and JSON columns are written as
// null; when reading, absent and null are the same.
#define KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(T)                                                                         \
    KONGFLOW_ENDPOINTS_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const T& v);          \
    KONGFLOW_ENDPOINTS_DECL boost::system::result<T> tag_invoke(boost::json::try_value_to_tag<T>,                      \
                                                                const boost::json::value& jv);

KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(organization)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(project)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(environment)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(endpoint)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(endpoint_index)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(registered_job)
KONGFLOW_ENDPOINTS_JSON_CONVERSIONS(registration)

#undef KONGFLOW_ENDPOINTS_JSON_CONVERSIONS

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/impl/model.ipp>
#endif

#endif
