// address_policy, cidr and classify_address: pure functions, every denied range at its edges.
#include "catch.hpp"

#include <kongflow/endpoints/client/address_policy.hpp>
#include <kongflow/endpoints/client/replies.hpp>

#include <string>
#include <vector>

using namespace kongflow::endpoints;
namespace ip = boost::asio::ip;

namespace {

ip::address addr(const char* s) { return ip::make_address(s); }

cidr block(const char* s) {
    auto c = parse_cidr(s);
    INFO(s);
    REQUIRE(c.has_value());
    return *c;
}

address_policy deny(std::vector<cidr> allow = {}) { return address_policy{true, std::move(allow)}; }

} // namespace

TEST_CASE("classify_address: each IPv4 range and its edges", "[unit][address_policy]") {
    struct row {
        const char* a;
        address_scope s;
    };
    const row rows[] = {
        {"0.0.0.0", address_scope::unspecified},
        {"0.255.255.255", address_scope::unspecified},
        {"1.0.0.0", address_scope::global},
        {"9.255.255.255", address_scope::global},
        {"10.0.0.0", address_scope::private_network},
        {"10.0.0.5", address_scope::private_network},
        {"10.255.255.255", address_scope::private_network},
        {"11.0.0.0", address_scope::global},
        {"100.63.255.255", address_scope::global},
        {"100.64.0.0", address_scope::shared},
        {"100.127.255.255", address_scope::shared},
        {"100.128.0.0", address_scope::global},
        {"126.255.255.255", address_scope::global},
        {"127.0.0.0", address_scope::loopback},
        {"127.0.0.1", address_scope::loopback},
        {"127.0.0.2", address_scope::loopback},
        {"127.255.255.255", address_scope::loopback},
        {"128.0.0.0", address_scope::global},
        {"169.253.255.255", address_scope::global},
        {"169.254.0.0", address_scope::link_local},
        {"169.254.169.254", address_scope::link_local},
        {"169.254.255.255", address_scope::link_local},
        {"169.255.0.0", address_scope::global},
        {"172.15.255.255", address_scope::global},
        {"172.16.0.0", address_scope::private_network},
        {"172.31.255.255", address_scope::private_network},
        {"172.32.0.0", address_scope::global},
        {"192.167.255.255", address_scope::global},
        {"192.168.0.0", address_scope::private_network},
        {"192.168.255.255", address_scope::private_network},
        {"192.169.0.0", address_scope::global},
        {"8.8.8.8", address_scope::global},
        {"223.255.255.255", address_scope::global},
        {"224.0.0.0", address_scope::multicast},
        {"239.255.255.255", address_scope::multicast},
        {"240.0.0.0", address_scope::reserved},
        {"255.255.255.255", address_scope::reserved},
    };
    for (const auto& r : rows) {
        INFO(r.a);
        CHECK(classify_address(addr(r.a)) == r.s);
    }
}

TEST_CASE("classify_address: each IPv6 range and its edges", "[unit][address_policy]") {
    struct row {
        const char* a;
        address_scope s;
    };
    const row rows[] = {
        {"::", address_scope::unspecified},
        {"::1", address_scope::loopback},
        {"::2", address_scope::unspecified}, // IPv4-compatible ::0.0.0.2
        {"2001:db8::1", address_scope::global},
        {"2606:4700::1111", address_scope::global},
        {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", address_scope::global},
        {"fc00::", address_scope::private_network},
        {"fd12:3456::1", address_scope::private_network},
        {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", address_scope::private_network},
        {"fe00::", address_scope::global},
        {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", address_scope::global},
        {"fe80::", address_scope::link_local},
        {"fe80::1", address_scope::link_local},
        {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", address_scope::link_local},
        {"fec0::", address_scope::private_network}, // site-local (deprecated)
        {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", address_scope::private_network},
        {"ff00::", address_scope::multicast},
        {"ff02::1", address_scope::multicast},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", address_scope::multicast},
        // IPv4-mapped: the IPv4 address's scope.
        {"::ffff:10.0.0.1", address_scope::private_network},
        {"::ffff:127.0.0.1", address_scope::loopback},
        {"::ffff:169.254.169.254", address_scope::link_local},
        {"::ffff:100.64.0.1", address_scope::shared},
        {"::ffff:0.0.0.0", address_scope::unspecified},
        {"::ffff:224.0.0.1", address_scope::multicast},
        {"::ffff:8.8.8.8", address_scope::global},
        // IPv4-compatible (deprecated) and NAT64 (64:ff9b::/96): the same.
        {"::10.0.0.1", address_scope::private_network},
        {"::127.0.0.1", address_scope::loopback},
        {"::8.8.8.8", address_scope::global},
        {"64:ff9b::a9fe:a9fe", address_scope::link_local}, // 169.254.169.254
        {"64:ff9b::10.0.0.5", address_scope::private_network},
        {"64:ff9b::8.8.8.8", address_scope::global},
        {"64:ff9b:0:0:0:1::", address_scope::global}, // outside the /96
        // Not unwrapped (reachable only through public relays): 6to4 of 10.0.0.5, Teredo.
        {"2002:a00:5::1", address_scope::global},
        {"2001:0:a00:5::1", address_scope::global},
    };
    for (const auto& r : rows) {
        INFO(r.a);
        CHECK(classify_address(addr(r.a)) == r.s);
    }
}

TEST_CASE("address_scope names", "[unit][address_policy]") {
    CHECK(to_string(address_scope::global) == "public");
    CHECK(to_string(address_scope::unspecified) == "unspecified");
    CHECK(to_string(address_scope::loopback) == "loopback");
    CHECK(to_string(address_scope::private_network) == "private network");
    CHECK(to_string(address_scope::link_local) == "link-local");
    CHECK(to_string(address_scope::shared) == "carrier-grade NAT");
    CHECK(to_string(address_scope::multicast) == "multicast");
    CHECK(to_string(address_scope::reserved) == "reserved");
}

TEST_CASE("the default policy allows everything", "[unit][address_policy]") {
    address_policy p;
    for (const char* a : {"127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1", "8.8.8.8"}) {
        INFO(a);
        CHECK(p.allows(addr(a)));
        CHECK_FALSE(p.refusal(addr(a)));
    }
    // The allow list means nothing without deny_private.
    p.allow.push_back(block("10.0.0.0/8"));
    CHECK(p.allows(addr("192.168.1.1")));
}

TEST_CASE("deny_private refuses every special range, with its scope", "[unit][address_policy]") {
    auto p = deny();
    CHECK(p.refusal(addr("127.0.0.1")) == address_scope::loopback);
    CHECK(p.refusal(addr("10.0.0.5")) == address_scope::private_network);
    CHECK(p.refusal(addr("172.16.0.1")) == address_scope::private_network);
    CHECK(p.refusal(addr("192.168.1.1")) == address_scope::private_network);
    CHECK(p.refusal(addr("169.254.169.254")) == address_scope::link_local);
    CHECK(p.refusal(addr("100.64.0.1")) == address_scope::shared);
    CHECK(p.refusal(addr("0.0.0.0")) == address_scope::unspecified);
    CHECK(p.refusal(addr("224.0.0.1")) == address_scope::multicast);
    CHECK(p.refusal(addr("255.255.255.255")) == address_scope::reserved);
    CHECK(p.refusal(addr("::")) == address_scope::unspecified);
    CHECK(p.refusal(addr("::1")) == address_scope::loopback);
    CHECK(p.refusal(addr("fd00::1")) == address_scope::private_network);
    CHECK(p.refusal(addr("fe80::1")) == address_scope::link_local);
    CHECK(p.refusal(addr("ff02::1")) == address_scope::multicast);
    CHECK(p.refusal(addr("::ffff:10.0.0.1")) == address_scope::private_network);
    CHECK(p.refusal(addr("::ffff:169.254.169.254")) == address_scope::link_local);
    CHECK(p.refusal(addr("64:ff9b::a9fe:a9fe")) == address_scope::link_local);
    CHECK(p.allows(addr("8.8.8.8")));
    CHECK(p.allows(addr("2606:4700::1111")));
    CHECK(p.allows(addr("::ffff:8.8.8.8")));
}

TEST_CASE("the allow list overrides deny_private, exactly to its blocks", "[unit][address_policy]") {
    auto p = deny({block("127.0.0.1/32"), block("10.1.0.0/16"), block("fd00:1::/32")});
    CHECK(p.allows(addr("127.0.0.1")));
    CHECK(p.refusal(addr("127.0.0.2")) == address_scope::loopback);
    CHECK(p.refusal(addr("127.0.0.0")) == address_scope::loopback);
    CHECK(p.allows(addr("10.1.0.0")));
    CHECK(p.allows(addr("10.1.255.255")));
    CHECK(p.refusal(addr("10.0.255.255")) == address_scope::private_network);
    CHECK(p.refusal(addr("10.2.0.0")) == address_scope::private_network);
    CHECK(p.allows(addr("fd00:1::5")));
    CHECK(p.refusal(addr("fd00:2::5")) == address_scope::private_network);
    // An IPv4 block covers the IPv6 forms of its addresses ...
    CHECK(p.allows(addr("::ffff:127.0.0.1")));
    CHECK(p.allows(addr("::ffff:10.1.2.3")));
    CHECK(p.allows(addr("64:ff9b::10.1.2.3")));
    CHECK(p.refusal(addr("::ffff:127.0.0.2")) == address_scope::loopback);
    // ... but ::1 is not 127.0.0.1.
    CHECK(p.refusal(addr("::1")) == address_scope::loopback);
    CHECK(deny({block("::1/128")}).allows(addr("::1")));
    // Everything allowed: 0.0.0.0/0 and ::/0 (then deny_private changes nothing).
    auto all = deny({block("0.0.0.0/0"), block("::/0")});
    for (const char* a : {"127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1"}) {
        INFO(a);
        CHECK(all.allows(addr(a)));
    }
}

TEST_CASE("parse_cidr: blocks and bare addresses", "[unit][address_policy]") {
    auto c = block("10.0.0.0/8");
    CHECK(c.network() == addr("10.0.0.0"));
    CHECK(c.prefix_length() == 8);
    CHECK(c.to_string() == "10.0.0.0/8");
    CHECK(block("127.0.0.1").to_string() == "127.0.0.1/32");
    CHECK(block("::1").to_string() == "::1/128");
    CHECK(block("fc00::/7").to_string() == "fc00::/7");
    CHECK(block("0.0.0.0/0").to_string() == "0.0.0.0/0");
    CHECK(block("::/0").to_string() == "::/0");
    CHECK(block("FD00::/8") == block("fd00::/8"));
    CHECK(block("192.168.0.0/16").contains(addr("192.168.255.255")));
    CHECK_FALSE(block("192.168.0.0/16").contains(addr("192.169.0.0")));
    CHECK(block("fe80::/10").contains(addr("febf::1")));
    CHECK_FALSE(block("fe80::/10").contains(addr("fec0::1")));
    CHECK_FALSE(block("127.0.0.0/8").contains(addr("::ffff:127.0.0.1"))); // families are not mixed
    CHECK_FALSE(block("::/0").contains(addr("127.0.0.1")));
    CHECK(block("10.0.0.0/31").contains(addr("10.0.0.1")));
    CHECK_FALSE(block("10.0.0.0/31").contains(addr("10.0.0.2")));
}

TEST_CASE("parse_cidr: bad text is an error that names it", "[unit][address_policy]") {
    for (const char* bad : {"",
                            "10.0.0.0/33",
                            "::/129",
                            "1.2.3",
                            "1.2.3/8",
                            "10/8",
                            "010.0.0.0/8",
                            "10.0.0.0/",
                            "/8",
                            "10.0.0.0/8x",
                            "10.0.0.0/8 ",
                            " 10.0.0.0/8",
                            "10.0.0.0/+8",
                            "10.0.0.0/-1",
                            "10.0.0.0/0008",
                            "10.0.0.0/8/8",
                            "10.0.0.5/8",
                            "fd00::1/8",
                            "fe80::1%1/128",
                            "[::1]/128",
                            "localhost",
                            "10.0.0.0 /8",
                            "256.0.0.0/8"}) {
        INFO("'" << bad << "'");
        auto r = parse_cidr(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == errc::invalid_argument);
        CHECK(r.error().diag().client_message().starts_with("invalid CIDR block '" + std::string(bad) + "': "));
    }
    CHECK(parse_cidr("10.0.0.0/33").error().diag().client_message() ==
          "invalid CIDR block '10.0.0.0/33': the prefix length must be 0..32 for IPv4");
    CHECK(parse_cidr("::/129").error().diag().client_message() ==
          "invalid CIDR block '::/129': the prefix length must be 0..128 for IPv6");
    CHECK(parse_cidr("10.0.0.5/8").error().diag().client_message() ==
          "invalid CIDR block '10.0.0.5/8': 10.0.0.5 has bits set past the prefix length 8");
    CHECK(parse_cidr("1.2.3").error().diag().client_message() ==
          "invalid CIDR block '1.2.3': not an IPv4 or IPv6 address");
    CHECK(parse_cidr("").error().diag().client_message() == "invalid CIDR block '': empty");
    // Control characters are not echoed.
    CHECK(parse_cidr("1\n2").error().diag().client_message() ==
          "invalid CIDR block '1?2': not an IPv4 or IPv6 address");
}

TEST_CASE("cidr::make checks the length and the host bits", "[unit][address_policy]") {
    CHECK(cidr::make(addr("10.0.0.0"), 8).has_value());
    CHECK(cidr::make(addr("10.0.0.0"), 33).error() == errc::invalid_argument);
    CHECK(cidr::make(addr("::"), 129).error() == errc::invalid_argument);
    CHECK(cidr::make(addr("10.0.0.1"), 31).error() == errc::invalid_argument);
    CHECK(cidr::make(addr("10.0.0.1"), 32).has_value());
    CHECK(cidr::make(addr("fd00::"), 8).has_value());
    CHECK(cidr::make(addr("fd00::1"), 127).error() == errc::invalid_argument);
}

TEST_CASE("parse_cidr_list: comma-separated, spaces ignored", "[unit][address_policy]") {
    auto l = parse_cidr_list("127.0.0.1/32, 10.1.0.0/16 ,fd00::/8");
    REQUIRE(l.has_value());
    REQUIRE(l->size() == 3);
    CHECK((*l)[0].to_string() == "127.0.0.1/32");
    CHECK((*l)[1].to_string() == "10.1.0.0/16");
    CHECK((*l)[2].to_string() == "fd00::/8");
    CHECK(parse_cidr_list("").value().empty());
    CHECK(parse_cidr_list("  ").value().empty());
    CHECK(parse_cidr_list("10.0.0.0/8").value().size() == 1);
    for (const char* bad : {"10.0.0.0/8,", ",10.0.0.0/8", "10.0.0.0/8,,fd00::/8", "10.0.0.0/8, "}) {
        INFO(bad);
        auto r = parse_cidr_list(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().diag().client_message() == "invalid CIDR block '': empty");
    }
    auto bad = parse_cidr_list("10.0.0.0/8, 10.0.0.0/33");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().diag().client_message() ==
          "invalid CIDR block '10.0.0.0/33': the prefix length must be 0..32 for IPv4");
}

TEST_CASE("a refused address reads as no response, with the reason", "[unit][address_policy][client]") {
    const std::string url = "http://10.0.0.5:5432/api/trigger";
    const std::string why = "Endpoint address 10.0.0.5 is not allowed (private network)";
    const std::string message = "Could not connect to endpoint " + url + ". " + why;
    SECTION("PING (create)") {
        diagnostics diag(why);
        ping_result out;
        CHECK(replies::read_ping(url, errc::address_not_allowed, {}, out, diag) == errc::address_not_allowed);
        CHECK(out.error == message);
        CHECK(diag.client_message() == message);
    }
    SECTION("INDEX_ENDPOINT") {
        diagnostics diag(why);
        index_result out;
        CHECK(replies::read_index(url, errc::address_not_allowed, {}, out, diag) == errc::address_not_allowed);
        CHECK(out.kind == index_result::outcome::failure);
        CHECK(out.error.message == message);
        CHECK(diag.client_message() == message);
    }
    SECTION("the strict actions") {
        diagnostics diag(why);
        webhook_delivery_response out;
        CHECK(replies::read_webhook(url, errc::address_not_allowed, {}, out, diag) == errc::address_not_allowed);
        CHECK(diag.client_message() == message);
        diagnostics init_diag(why);
        register_trigger_body body;
        CHECK(replies::read_initialize_trigger(url, errc::address_not_allowed, {}, body, init_diag) ==
              errc::address_not_allowed);
        CHECK(init_diag.client_message() == message);
    }
    SECTION("EXECUTE_JOB: retried like any connection failure, the reason in parentheses") {
        diagnostics diag(why);
        execute_job_result out;
        CHECK(replies::read_execute_job(url, errc::address_not_allowed, {}, out, diag) == errc::address_not_allowed);
        CHECK(out.kind == execute_job_result::outcome::retry);
        CHECK(diag.client_message() ==
              "Connection could not be established to the endpoint (" + url + ") (" + why + ")");
    }
    SECTION("other transport errors keep Trigger.dev's message") {
        diagnostics diag("could not connect to 10.0.0.5:5432: Connection refused");
        ping_result out;
        CHECK(replies::read_ping(url, errc::connect_failed, {}, out, diag) == errc::connect_failed);
        CHECK(out.error == "Could not connect to endpoint " + url);
    }
}

TEST_CASE("address_not_allowed has a message", "[unit][address_policy][error]") {
    error_code ec = errc::address_not_allowed;
    CHECK(ec.value() == 14);
    CHECK(ec.message() == "the endpoint's address is not allowed by the address policy");
}
