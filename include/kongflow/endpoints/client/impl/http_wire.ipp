#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_HTTP_WIRE_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_HTTP_WIRE_IPP

#include <kongflow/endpoints/client/detail/http_wire.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>

namespace kongflow::endpoints::detail {

namespace wire {
inline char lower_ascii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline result<http_target> url_error(diagnostics& diag, std::string_view url, std::string_view why) {
    std::string msg = "invalid URL \"";
    // The URL may be attacker-controlled: keep the message one printable line.
    for (char c : url.substr(0, 200)) msg += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (url.size() > 200) msg += "...";
    msg += "\": ";
    msg += why;
    diag.set_client_message(std::move(msg));
    return error_code(errc::invalid_url);
}
} // namespace wire

KONGFLOW_ENDPOINTS_DECL result<http_target> parse_http_url(std::string_view url, diagnostics& diag) {
    namespace urls = boost::urls;
    auto parsed = urls::parse_uri(url);
    if (!parsed) return wire::url_error(diag, url, "not an absolute URI (" + parsed.error().message() + ")");
    const urls::url_view& u = *parsed;

    http_target t;
    switch (u.scheme_id()) {
    case urls::scheme::http: t.tls = false; break;
    case urls::scheme::https: t.tls = true; break;
    default: return wire::url_error(diag, url, "the scheme must be http or https");
    }
    if (!u.has_authority()) return wire::url_error(diag, url, "no host");
    if (u.has_userinfo()) return wire::url_error(diag, url, "user-info (credentials) in URLs is not supported");

    switch (u.host_type()) {
    case urls::host_type::name: {
        auto h = u.encoded_host();
        if (h.empty()) return wire::url_error(diag, url, "no host");
        if (h.find('%') != std::string_view::npos)
            return wire::url_error(diag, url, "percent-encoded host names are not supported");
        t.host.reserve(h.size());
        for (char c : h) t.host += wire::lower_ascii(c);
        // A trailing dot names the same host; drop it so pool keys and certificates match.
        if (t.host.size() > 1 && t.host.back() == '.') t.host.pop_back();
        break;
    }
    case urls::host_type::ipv4:
        t.host = u.host_ipv4_address().to_string();
        t.ip_literal = true;
        break;
    case urls::host_type::ipv6:
        t.host = u.host_ipv6_address().to_string();
        t.ip_literal = true;
        break;
    default: return wire::url_error(diag, url, "unsupported host form");
    }

    std::uint16_t default_port = t.tls ? 443 : 80;
    t.port = default_port;
    if (u.has_port()) {
        auto p = u.port();
        if (!p.empty()) {
            unsigned v = 0;
            auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
            if (ec != std::errc() || end != p.data() + p.size() || v == 0 || v > 65535)
                return wire::url_error(diag, url, "invalid port");
            t.port = static_cast<std::uint16_t>(v);
        }
    }

    const bool v6 = u.host_type() == urls::host_type::ipv6;
    std::string host_part = v6 ? "[" + t.host + "]" : t.host;
    t.host_header = host_part;
    if (t.port != default_port) {
        t.host_header += ':';
        t.host_header += std::to_string(t.port);
    }
    t.origin.reserve(8 + host_part.size() + 6);
    t.origin = t.tls ? "https://" : "http://";
    t.origin += host_part;
    t.origin += ':';
    t.origin += std::to_string(t.port);

    auto path = u.encoded_path();
    auto query = u.encoded_query();
    if (path.empty())
        t.target = "/";
    else if (path.front() != '/')
        return wire::url_error(diag, url, "the path must be absolute");
    else
        t.target.assign(path.data(), path.size());
    if (u.has_query()) {
        t.target += '?';
        t.target.append(query.data(), query.size());
    }
    return t;
}

KONGFLOW_ENDPOINTS_DECL bool is_http_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!ok) {
            switch (c) {
            case '!':
            case '#':
            case '$':
            case '%':
            case '&':
            case '\'':
            case '*':
            case '+':
            case '-':
            case '.':
            case '^':
            case '_':
            case '`':
            case '|':
            case '~': ok = true; break;
            default: break;
            }
        }
        if (!ok) return false;
    }
    return true;
}

KONGFLOW_ENDPOINTS_DECL bool is_safe_header_value(std::string_view s) noexcept {
    for (char c : s)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
}

KONGFLOW_ENDPOINTS_DECL error_code validate_request(const http_request& req, diagnostics& diag) {
    if (!is_http_token(req.method)) {
        diag.set_client_message("invalid HTTP method");
        return errc::invalid_argument;
    }
    for (const auto& h : req.headers) {
        if (!is_safe_header_value(h.name) || !is_http_token(h.name)) {
            diag.set_client_message("invalid header name (not an HTTP token, or contains CR, LF or NUL)");
            return errc::invalid_header_value;
        }
        if (!is_safe_header_value(h.value)) {
            diag.set_client_message("the value of header \"" + h.name + "\" contains CR, LF or NUL");
            return errc::invalid_header_value;
        }
        if (iequals_ascii(h.name, "host") || iequals_ascii(h.name, "content-length") ||
            iequals_ascii(h.name, "transfer-encoding") || iequals_ascii(h.name, "connection")) {
            diag.set_client_message("header \"" + h.name + "\" is set by the transport");
            return errc::invalid_argument;
        }
    }
    return {};
}

KONGFLOW_ENDPOINTS_DECL void serialize_request_head(const http_request& req, const http_target& target,
                                                    std::string_view user_agent, std::string& out) {
    auto line = [&out](std::string_view name, std::string_view value) {
        out.append(name);
        out.append(": ", 2);
        out.append(value);
        out.append("\r\n", 2);
    };
    out.append(req.method);
    out += ' ';
    out.append(target.target);
    out.append(" HTTP/1.1\r\n", 11);
    line("host", target.host_header);
    bool has_user_agent = false;
    for (const auto& h : req.headers) {
        line(h.name, h.value);
        has_user_agent = has_user_agent || iequals_ascii(h.name, "user-agent");
    }
    if (!has_user_agent && !user_agent.empty()) line("user-agent", user_agent);
    // As fetch does: a body always gets its length; POST and PUT without one say 0 (servers such
    // as Fastify reject a POST without a length), and no content-type is ever invented.
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, req.body.size());
        (void)ec;
        line("content-length", std::string_view(buf, static_cast<std::size_t>(end - buf)));
    }
    out.append("\r\n", 2);
}

} // namespace kongflow::endpoints::detail

#endif
