// Value types of one HTTP exchange with an endpoint: what http_transport sends and receives, and
// what an api_client sends (action_request derives from http_request) and answers with.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_HTTP_MESSAGE_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_HTTP_MESSAGE_HPP

#include <kongflow/endpoints/detail/config.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpoints {

/// One header line. Names keep the case they were given (sent) or received.
struct http_header {
    std::string name;
    std::string value;

    friend bool operator==(const http_header&, const http_header&) = default;
};

/// One request. The transport adds `host`, `content-length` and (unless given here) `user-agent`;
/// every other header is sent in the given order and case.
struct http_request {
    std::string method = "POST";
    std::string url; ///< absolute http(s) URL, no user-info; a fragment is dropped
    std::vector<http_header> headers;
    std::string body;
    std::chrono::milliseconds connect_timeout{10'000}; ///< resolve + connect + TLS handshake; 0 = none
    std::chrono::milliseconds total_timeout{30'000};   ///< whole exchange, pool wait included; 0 = none
    std::size_t max_body_size = 10 * 1024 * 1024;      ///< response body limit
    std::size_t max_header_size = 64 * 1024;           ///< response status line + headers limit
};

/// One response, whatever its status (3xx included: redirects are never followed).
struct http_response {
    unsigned status = 0;
    std::string reason;
    std::vector<http_header> headers; ///< as received
    std::string body;
    std::chrono::microseconds duration{}; ///< from async_send's start to the last byte

    bool ok() const noexcept { return status >= 200 && status < 300; } // fetch's `ok`
    /// The value of the first header called `name` (ASCII case-insensitive), if any.
    /// The view points into this response.
    std::optional<std::string_view> header(std::string_view name) const noexcept;
};

/// True for the statuses Trigger.dev treats as redirects (301, 302, 303, 307, 308).
constexpr bool is_redirect(unsigned status) noexcept {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/// ASCII case-insensitive equality, as header names are compared.
constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

inline std::optional<std::string_view> http_response::header(std::string_view name) const noexcept {
    for (const auto& h : headers)
        if (iequals_ascii(h.name, name)) return std::string_view(h.value);
    return std::nullopt;
}

} // namespace kongflow::endpoints

#endif
