#include "router.hpp"

#include <kongflow/endpoints/json_text.hpp>

#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <chrono>

#include <openssl/sha.h>

namespace kongflow::endpointsd {

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    if (!path.empty() && path.front() == '/') i = 1;
    while (i <= path.size()) {
        auto j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        out.emplace_back(path.substr(i, j - i));
        i = j + 1;
    }
    // "/a/b/" and "/a/b" are the same route.
    if (out.size() > 1 && out.back().empty()) out.pop_back();
    return out;
}

std::string_view env_slug(kfe::environment_type t) {
    switch (t) {
    case kfe::environment_type::development: return "dev";
    case kfe::environment_type::production: return "prod";
    case kfe::environment_type::staging: return "stg";
    case kfe::environment_type::preview: return "prev";
    }
    return "dev";
}

const char* method_name(http::verb v) {
    auto s = http::to_string(v);
    return s.data();
}

} // namespace

http_response json_response(unsigned status, const boost::json::value& body) {
    http_response res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.body() = kfe::json_text(body); // valid JSON even with 1e400 in stored data
    res.keep_alive(true);
    return res;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
    std::size_t i = 0;
    while (i <= query.size()) {
        auto j = query.find('&', i);
        if (j == std::string_view::npos) j = query.size();
        auto part = query.substr(i, j - i);
        auto eq = part.find('=');
        auto key = part.substr(0, eq);
        if (key == name) return percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
        i = j + 1;
    }
    return std::nullopt;
}

std::string public_api_key(const kfe::environment& env) {
    std::string input = "kongflow-endpoints public key:" + env.api_key;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "pk_" + std::string(env_slug(env.type)) + "_";
    for (int i = 0; i < 12; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

boost::json::object environment_json(const kfe::environment& env) {
    auto v = boost::json::value_from(env);
    auto& o = v.as_object();
    // Trigger.dev returns the whole environment row; we keep the secret key out of responses
    // and logs, and give the public key as its row does.
    o.erase("apiKey");
    o["pkApiKey"] = public_api_key(env);
    return std::move(o);
}

void router::add(http::verb method, std::string pattern, bool auth, route_fn fn) {
    auto segs = split_path(pattern);
    routes_.push_back(route{method, std::move(pattern), std::move(segs), auth, std::move(fn)});
}

asio::awaitable<http_response> router::handle(http_request& req) {
    auto start = std::chrono::steady_clock::now();
    std::string route_name = "unmatched";
    http_response res;
    try {
        res = co_await dispatch(req, route_name);
    } catch (const std::exception& e) {
        deps_.log.log(kfe::log_level::error, "request failed", {{"route", route_name}, {"error", e.what()}});
        res = json_response(500, boost::json::object{{"error", "Something went wrong"}});
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    if (deps_.metrics) {
        deps_.metrics->inc(metric_http_requests, {{"route", route_name},
                                                  {"method", method_name(req.method())},
                                                  {"status", std::to_string(res.result_int())}});
        deps_.metrics->observe(metric_http_duration, {{"route", route_name}}, elapsed);
    }
    if (deps_.log.enabled(kfe::log_level::debug))
        deps_.log.log(kfe::log_level::debug, "http request",
                      {{"method", method_name(req.method())},
                       {"route", route_name}, // the template: never the raw path (hook identifiers)
                       {"status", std::to_string(res.result_int())},
                       {"duration_us", std::to_string(elapsed.count())}});
    co_return res;
}

asio::awaitable<http_response> router::dispatch(http_request& req, std::string& route_name) {
    std::string_view target(req.target().data(), req.target().size());
    // RFC 9112 §3.2.2: a server must accept the absolute form ("http://host/path?q"), which some
    // clients send through proxies; the authority is ignored, as Host is for the origin form.
    std::string origin_form;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() > scheme.size() && boost::beast::iequals(target.substr(0, scheme.size()), scheme)) {
            auto rest = target.substr(scheme.size());
            auto end = rest.find_first_of("/?");
            origin_form = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
            if (origin_form.front() == '?') origin_form.insert(0, 1, '/');
            target = origin_form;
            break;
        }
    }
    std::string_view path = target, query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        query = target.substr(q + 1);
    }
    if (path.empty() || path.front() != '/')
        co_return json_response(400, boost::json::object{{"error", "Request target must be an absolute path"}});
    auto segs = split_path(path);

    const route* found = nullptr;
    std::vector<std::string> params;
    std::string allow;
    for (const auto& r : routes_) {
        if (r.segments.size() != segs.size()) continue;
        std::vector<std::string> p;
        bool match = true;
        for (std::size_t i = 0; i < segs.size() && match; ++i) {
            const auto& want = r.segments[i];
            if (!want.empty() && want.front() == ':') {
                auto decoded = percent_decode(segs[i]);
                if (!decoded || decoded->empty())
                    match = false;
                else
                    p.push_back(std::move(*decoded));
            } else if (want != segs[i]) {
                match = false;
            }
        }
        if (!match) continue;
        route_name = r.pattern;
        bool method_ok = r.method == req.method() || (r.method == http::verb::get && req.method() == http::verb::head);
        if (method_ok) {
            found = &r;
            params = std::move(p);
            break;
        }
        if (!allow.empty()) allow += ", ";
        allow += method_name(r.method);
    }
    if (!found) {
        if (!allow.empty()) {
            auto res = json_response(405, boost::json::object{{"error", "Method not allowed"}});
            res.set(http::field::allow, allow);
            co_return res;
        }
        route_name = "unmatched";
        co_return json_response(404, boost::json::object{{"error", "Not found"}});
    }

    request_context ctx{req, deps_, std::move(params), std::string(query), std::nullopt};
    if (found->auth) {
        auto h = req[http::field::authorization];
        std::string_view header(h.data(), h.size());
        // Exactly Trigger.dev's getApiKeyFromHeader: `authorization.replace(/^Bearer /, "")`. Only
        // "Bearer " with that case and one space is stripped; the rest, spaces included, is the
        // key, so a bare key works and "bearer <key>" is an unknown key. (The HTTP parser has
        // already trimmed the value's ends, as Node's does.)
        if (header.starts_with("Bearer ")) header.remove_prefix(7);
        std::string key(header);
        if (key.empty() || key.size() > 512)
            co_return json_response(401, boost::json::object{{"error", "Invalid or Missing API key"}});
        std::optional<kfe::environment> known;
        if (deps_.keys) known = deps_.keys->find(key, api_key_cache::clock::now());
        kfe::result<kfe::environment> env = kfe::errc::not_found;
        if (known) {
            env = std::move(*known);
        } else {
            auto lookup = [repo = deps_.repo, key] { return repo->find_environment_by_api_key(key); };
            env = co_await offload(deps_.blocking, lookup);
            if (env && deps_.keys) deps_.keys->remember(key, *env, api_key_cache::clock::now());
        }
        if (!env) {
            if (env.error() == kfe::errc::not_found)
                co_return json_response(401, boost::json::object{{"error", "Invalid or Missing API key"}});
            deps_.log.log(kfe::log_level::error, "api key lookup failed", {{"error", log_text(env.error())}});
            co_return json_response(500, boost::json::object{{"error", "Something went wrong"}});
        }
        ctx.env = std::move(*env);
    }
    co_return co_await found->fn(ctx);
}

} // namespace kongflow::endpointsd
