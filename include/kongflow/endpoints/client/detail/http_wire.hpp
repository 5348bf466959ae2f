// Sans-io part of the HTTP transport: URL validation, header checks and request serialisation.
// No sockets here, so all of it is unit-tested directly.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_DETAIL_HTTP_WIRE_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_DETAIL_HTTP_WIRE_HPP

#include <kongflow/endpoints/client/http_message.hpp>
#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace kongflow::endpoints::detail {

/// What the transport needs from a request URL.
struct http_target {
    bool tls = false;
    std::string host; ///< lower-case name or IP literal (IPv6 without brackets)
    std::uint16_t port = 0;
    bool ip_literal = false; ///< no DNS, no SNI
    std::string host_header; ///< `host[:port]`, IPv6 in brackets, default port omitted
    std::string target;      ///< origin-form request target: path and query, "/" when empty
    std::string origin;      ///< pool key: `scheme://host:port`
};

/// Parses an absolute http(s) URL. Errors: errc::invalid_url with a message in `diag`.
KONGFLOW_ENDPOINTS_DECL result<http_target> parse_http_url(std::string_view url, diagnostics& diag);

/// RFC 9110 token (a method or a header name).
KONGFLOW_ENDPOINTS_DECL bool is_http_token(std::string_view s) noexcept;

/// A header value we agree to send: no CR, LF or NUL (header injection).
KONGFLOW_ENDPOINTS_DECL bool is_safe_header_value(std::string_view s) noexcept;

/// Checks the method and caller headers. Errors: errc::invalid_header_value (CR/LF/NUL or a name
/// that is not a token), errc::invalid_argument (a bad method, or a header the transport owns:
/// host, content-length, transfer-encoding, connection).
KONGFLOW_ENDPOINTS_DECL error_code validate_request(const http_request& req, diagnostics& diag);

/// Appends the request line and headers (up to and including the blank line) to `out`.
/// The body is written separately. `validate_request` must have succeeded.
KONGFLOW_ENDPOINTS_DECL void serialize_request_head(const http_request& req, const http_target& target,
                                                    std::string_view user_agent, std::string& out);

} // namespace kongflow::endpoints::detail

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/client/impl/http_wire.ipp>
#endif

#endif
