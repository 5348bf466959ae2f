// A blocking HTTP/1.1 client for the daemon tests (one connection per call, 127.0.0.1 only).
#ifndef KONGFLOW_TESTS_DAEMON_HTTP_CLIENT_HPP
#define KONGFLOW_TESTS_DAEMON_HTTP_CLIENT_HPP

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace kf_daemon_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct reply {
    unsigned status = 0;
    std::string body;
    http::fields headers;
    boost::json::value json() const {
        boost::system::error_code ec;
        auto v = boost::json::parse(body, ec);
        return ec ? boost::json::value() : v;
    }
};

inline reply call(unsigned short port, http::verb method, const std::string& target, const std::string& body = {},
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    asio::io_context ioc;
    beast::tcp_stream s(ioc);
    s.expires_after(std::chrono::seconds(30));
    s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == http::verb::post) {
        req.body() = body;
        req.set(http::field::content_type, "application/json");
    }
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    p.body_limit(64 * 1024 * 1024);
    if (method == http::verb::head) p.skip(true);
    http::read(s, buf, p);
    reply r;
    r.status = p.get().result_int();
    r.body = p.get().body();
    for (auto& f : p.get()) r.headers.set(f.name_string(), f.value());
    return r;
}

inline reply get(unsigned short port, const std::string& target, const std::string& key = {}) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!key.empty()) h.emplace_back("Authorization", "Bearer " + key);
    return call(port, http::verb::get, target, {}, h);
}

inline reply post(unsigned short port, const std::string& target, const std::string& body,
                  const std::string& key = {}) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!key.empty()) h.emplace_back("Authorization", "Bearer " + key);
    return call(port, http::verb::post, target, body, h);
}

/// Sends raw bytes and returns whatever the server answers before closing (bounded).
inline std::string raw(unsigned short port, const std::string& bytes) {
    asio::io_context ioc;
    beast::tcp_stream s(ioc);
    s.expires_after(std::chrono::seconds(10));
    s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    boost::system::error_code ec;
    asio::write(s, asio::buffer(bytes), ec);
    std::string out;
    char buf[4096];
    for (int i = 0; i < 1000; ++i) {
        auto n = s.read_some(asio::buffer(buf), ec);
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}

} // namespace kf_daemon_test

#endif
