// fuzz_redirects: Location values and base URLs through the redirect step (replies::next_hop,
// resolve_location, index_redirect_url), the transport's URL check (detail::parse_http_url and
// the request head it leads to), the create service's URL rules (check_input, effective_url), and
// whole redirect chains through api_client with a scripted fake endpoint.
//
// Oracles: a followed redirect goes to an absolute http(s) URL with a host, no user info and no
// fragment, stable when resolved again; fetch's method rules hold (301/302 of a POST and 303 of
// anything but GET/HEAD become a bodiless GET, 307/308 resend as is); a refusal has a reason;
// more than 20 hops fail; a URL the transport accepts gives a request head that parses back to
// the same target and Host and has no injected line; a URL the service accepts is still accepted
// after the localhost rewrite; a chain sends at most 21 requests, each to a URL as above.
#include "fuzz_check.hpp"

#include <kongflow/endpoints/client/detail/http_wire.hpp>
#include <kongflow/endpoints/client/replies.hpp>
#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/testing/fake_api_client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kfe = kongflow::endpoints;
namespace http = boost::beast::http;
namespace urls = boost::urls;

namespace {

/// The input is text, one field per line (seeds stay readable): see each mode below.
struct lines {
    std::string_view rest;
    std::string_view next() {
        auto nl = rest.find('\n');
        auto line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        return line;
    }
    unsigned number(unsigned fallback) {
        auto l = next();
        unsigned v = fallback;
        auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), v);
        (void)p;
        return ec == std::errc() ? v : fallback;
    }
};

/// A followed hop's URL: what resolve_location promises.
void check_target_url(const std::string& url, const std::string& context) {
    auto u = urls::parse_uri(url);
    KF_FUZZ_CHECK(u.has_value(), "not an absolute URI: " + kf_fuzz::show(url) + context);
    KF_FUZZ_CHECK(u->scheme_id() == urls::scheme::http || u->scheme_id() == urls::scheme::https,
                  "not http(s): " + kf_fuzz::show(url) + context);
    KF_FUZZ_CHECK(u->has_authority() && !u->encoded_host().empty(), "no host: " + kf_fuzz::show(url) + context);
    KF_FUZZ_CHECK(!u->has_userinfo(), "user info kept: " + kf_fuzz::show(url) + context);
    KF_FUZZ_CHECK(!u->has_fragment(), "fragment kept: " + kf_fuzz::show(url) + context);
    auto again = kfe::replies::resolve_location(url, url);
    KF_FUZZ_CHECK(again && *again == url, "not stable when resolved again: " + kf_fuzz::show(url) + " gave " +
                                              (again ? kf_fuzz::show(*again) : std::string("nothing")) + context);
}

/// The transport's view of a URL: either a clear refusal, or a head that parses back as sent.
void check_transport(const std::string& url, const kfe::http_request& req) {
    kfe::diagnostics diag;
    auto t = kfe::detail::parse_http_url(url, diag);
    if (!t) {
        KF_FUZZ_CHECK(t.error() == kfe::errc::invalid_url, "unexpected error " + t.error().message());
        KF_FUZZ_CHECK(!diag.client_message().empty(), "URL refused without a reason");
        return;
    }
    KF_FUZZ_CHECK(!t->target.empty() && t->target.front() == '/', "target not in origin form: " + t->target);
    kfe::diagnostics vdiag;
    if (kfe::detail::validate_request(req, vdiag)) return;
    std::string head;
    kfe::detail::serialize_request_head(req, *t, "kongflow-fuzz", head);
    std::size_t expected = 1 + req.headers.size(); // host + ours (+ user-agent, content-length below)
    bool has_ua = false;
    for (const auto& h : req.headers) has_ua = has_ua || kfe::iequals_ascii(h.name, "user-agent");
    if (!has_ua) ++expected;
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") ++expected;

    // The head's shape, by hand: fetch (and so the transport) only refuses CR, LF and NUL in
    // values, so a value may hold other control bytes that strict parsers refuse; what must hold
    // is that nothing adds a line or moves the target.
    std::vector<std::string_view> head_lines;
    for (std::string_view rest = head; !rest.empty();) {
        auto crlf = rest.find("\r\n");
        KF_FUZZ_CHECK(crlf != std::string_view::npos, "a head line without CRLF: " + kf_fuzz::show(head));
        head_lines.push_back(rest.substr(0, crlf));
        rest.remove_prefix(crlf + 2);
    }
    KF_FUZZ_CHECK(head_lines.size() == expected + 2 && head_lines.back().empty(),
                  "lines added to the head: " + kf_fuzz::show(head));
    KF_FUZZ_CHECK(head_lines[0] == req.method + " " + t->target + " HTTP/1.1",
                  "the request line moved: " + kf_fuzz::show(head));
    for (char c : t->target)
        KF_FUZZ_CHECK(c > 0x20 && c < 0x7f, "a control byte or space in the target: " + kf_fuzz::show(head));
    KF_FUZZ_CHECK(head_lines[1] == "host: " + t->host_header, "Host moved: " + kf_fuzz::show(head));
    for (char c : t->host_header)
        KF_FUZZ_CHECK(c > 0x20 && c < 0x7f, "a control byte or space in Host: " + kf_fuzz::show(head));

    // With values a strict parser takes, Beast reads the head back as sent.
    bool strict = true;
    for (const auto& h : req.headers)
        for (unsigned char c : h.value) strict = strict && (c >= 0x20 || c == '\t') && c != 0x7f;
    if (!strict) return;
    http::request_parser<http::empty_body> p;
    p.eager(false);
    p.skip(true);
    boost::system::error_code ec;
    p.put(boost::asio::buffer(head), ec);
    KF_FUZZ_CHECK(!ec && p.is_header_done(),
                  "request head does not parse (" + ec.message() + "): " + kf_fuzz::show(head));
    const auto& m = p.get();
    KF_FUZZ_CHECK(std::string_view(m.target().data(), m.target().size()) == t->target,
                  "target changed on the wire: " + kf_fuzz::show(head));
    std::size_t fields = 0;
    for (auto it = m.begin(); it != m.end(); ++it) ++fields;
    KF_FUZZ_CHECK(fields == expected, "header count changed on the wire: " + kf_fuzz::show(head));
}

void pure_step(lines in) {
    kfe::action_request sent;
    sent.url = std::string(in.next());
    std::string location(in.next());
    bool has_location = location != "-";
    kfe::http_response reply;
    reply.status = in.number(308);
    if (has_location) reply.headers.push_back({"Location", location});
    auto method = in.next();
    sent.method = method.empty() ? "POST" : std::string(method);
    unsigned followed = in.number(0);
    sent.body = std::string(in.next());
    while (!in.rest.empty()) {
        auto h = in.next();
        auto colon = h.find(':');
        if (colon == std::string_view::npos) continue;
        auto value = h.substr(colon + 1);
        if (value.starts_with(' ')) value.remove_prefix(1);
        sent.headers.push_back({std::string(h.substr(0, colon)), std::string(value)});
    }

    std::string context = " (base " + kf_fuzz::show(sent.url) + ", location " + kf_fuzz::show(location) + ")";
    kfe::diagnostics diag;
    auto step = kfe::replies::next_hop(sent, reply, followed, diag);
    using kind = kfe::replies::redirect_step::kind;
    if (!kfe::is_redirect(reply.status) || !has_location) {
        KF_FUZZ_CHECK(step.what == kind::deliver, "a reply that is no redirect was not delivered" + context);
    } else if (followed >= kfe::replies::max_redirects) {
        KF_FUZZ_CHECK(step.what == kind::fail && step.ec == kfe::errc::too_many_redirects,
                      "hop past the limit was not refused" + context);
    } else {
        KF_FUZZ_CHECK(step.what != kind::deliver, "a redirect with Location was delivered" + context);
    }
    if (step.what == kind::fail) {
        KF_FUZZ_CHECK(step.ec && !diag.client_message().empty(), "refused without a reason" + context);
    }
    if (step.what == kind::follow) {
        check_target_url(step.next.url, context);
        auto resolved = kfe::replies::resolve_location(sent.url, location);
        KF_FUZZ_CHECK(resolved && *resolved == step.next.url, "next_hop and resolve_location disagree" + context);
        bool to_get = ((reply.status == 301 || reply.status == 302) && sent.method == "POST") ||
                      (reply.status == 303 && sent.method != "GET" && sent.method != "HEAD");
        if (to_get) {
            KF_FUZZ_CHECK(step.next.method == "GET" && step.next.body.empty(), "not a bodiless GET" + context);
            for (const auto& h : step.next.headers)
                KF_FUZZ_CHECK(!kfe::iequals_ascii(h.name, "content-type"), "body header kept" + context);
        } else {
            KF_FUZZ_CHECK(step.next.method == sent.method && step.next.body == sent.body &&
                              step.next.headers == sent.headers,
                          "the request changed on a " + std::to_string(reply.status) + context);
        }
        check_transport(step.next.url, step.next);
    }

    // INDEX_ENDPOINT's stored URL: relative references resolved, the rest verbatim.
    auto moved = kfe::replies::index_redirect_url(sent.url, location);
    auto ref = urls::parse_uri_reference(location);
    if (!ref || ref->has_scheme() || !kfe::replies::resolve_location(sent.url, location))
        KF_FUZZ_CHECK(moved == location, "index_redirect_url changed a Location it should keep" + context);
    else
        check_target_url(moved, context);

    check_transport(sent.url, sent);
}

struct service_fixture {
    boost::asio::io_context ctx;
    kfe::memory::store store;
    kfe::testing::fake_api_client client{ctx.get_executor()};
    kfe::endpoint_service service{ctx.get_executor(), store, client, params()};
    static kfe::endpoint_service_params params() {
        kfe::endpoint_service_params p;
        p.rewrite_localhost_to = "host.docker.internal";
        return p;
    }
};

/// "S" lines: a URL given to create.
void service_rules(lines in) {
    static service_fixture f;
    std::string url(in.next());
    kfe::service_error err;
    if (!f.service.check_input(url, "my-app", err)) {
        KF_FUZZ_CHECK(err.code == kfe::errc::invalid_request && !err.message.empty() && err.details.contains("url"),
                      "a refused URL without its reason: " + kf_fuzz::show(url));
        return;
    }
    auto effective = f.service.effective_url(url);
    kfe::service_error err2;
    KF_FUZZ_CHECK(f.service.check_input(effective, "my-app", err2),
                  "the localhost rewrite made an accepted URL invalid: " + kf_fuzz::show(url) + " became " +
                      kf_fuzz::show(effective) + " (" + err2.message + ")");
    kfe::http_request req;
    req.url = effective;
    check_transport(effective, req);
}

/// "C" lines: the endpoint URL, then one hop per line: "<status> <Location>".
void chain(lines in) {
    boost::asio::io_context ctx;
    kfe::testing::fake_api_client client(ctx.get_executor());
    kfe::endpoint_target target{std::string(in.next()), "tr_dev_fuzz", std::nullopt};
    std::vector<kfe::http_response> script;
    while (!in.rest.empty() && script.size() < 30) {
        auto l = in.next();
        kfe::http_response r;
        auto sp = l.find(' ');
        auto status = l.substr(0, sp);
        std::from_chars(status.data(), status.data() + status.size(), r.status);
        if (sp != std::string_view::npos) r.headers.push_back({"location", std::string(l.substr(sp + 1))});
        r.body = R"({"ok":true})";
        script.push_back(std::move(r));
    }
    std::size_t hop = 0;
    client.on(kfe::endpoint_action::ping,
              [&](const kfe::action_request& req) -> kfe::testing::fake_api_client::outcome {
                  if (hop > 0) check_target_url(req.url, " (hop " + std::to_string(hop) + ")");
                  if (hop < script.size()) return script[hop++];
                  ++hop;
                  return boost::system::error_code(kfe::errc::connect_failed);
              });
    kfe::diagnostics diag;
    bool done = false;
    client.async_ping(target, "my-app", diag, [&](kfe::error_code ec, kfe::ping_result r) {
        done = true;
        if (ec) KF_FUZZ_CHECK(!diag.client_message().empty() || !r.error.empty(), "a failed chain without a reason");
    });
    for (int i = 0; i < 10000 && ctx.poll_one(); ++i) {}
    KF_FUZZ_CHECK(done, "the redirect chain never completed");
    KF_FUZZ_CHECK(client.requests().size() <= 1 + kfe::replies::max_redirects, "more than 21 requests in a chain");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lines in{std::string_view(reinterpret_cast<const char*>(data), size)};
    auto mode = in.next();
    if (mode == "P")
        pure_step(in);
    else if (mode == "S")
        service_rules(in);
    else if (mode == "C")
        chain(in);
    return 0;
}
