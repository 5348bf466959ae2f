#ifndef KONGFLOW_ENDPOINTS_CLIENT_IMPL_ADDRESS_POLICY_IPP
#define KONGFLOW_ENDPOINTS_CLIENT_IMPL_ADDRESS_POLICY_IPP

#include <kongflow/endpoints/client/address_policy.hpp>

#include <array>
#include <charconv>
#include <cstdint>

namespace kongflow::endpoints {
namespace detail::addr {

using bytes16 = boost::asio::ip::address_v6::bytes_type;

// The first `bits` bits of `a` and `b` agree.
template <std::size_t N>
bool prefix_equal(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b,
                  unsigned bits) noexcept {
    std::size_t i = 0;
    for (; bits >= 8; bits -= 8, ++i)
        if (a[i] != b[i]) return false;
    if (bits == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - bits));
    return (a[i] & mask) == (b[i] & mask);
}

template <std::size_t N>
bool host_bits_zero(const std::array<unsigned char, N>& a, unsigned bits) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
        unsigned keep = bits >= 8 * (i + 1) ? 8 : (bits > 8 * i ? bits - 8 * static_cast<unsigned>(i) : 0);
        auto host = static_cast<unsigned char>(keep == 8 ? 0 : (0xff >> keep));
        if (a[i] & host) return false;
    }
    return true;
}

inline bool in_v4(std::uint32_t a, std::uint32_t net, unsigned bits) noexcept {
    return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits));
}

// The IPv4 address an IPv6 form carries (see classify_address for which forms, and why).
inline std::optional<boost::asio::ip::address_v4> embedded_v4(const boost::asio::ip::address_v6& a) noexcept {
    const bytes16 b = a.to_bytes();
    auto last4 = [&] { return boost::asio::ip::address_v4({b[12], b[13], b[14], b[15]}); };
    if (a.is_v4_mapped()) return last4();
    static constexpr bytes16 nat64{0x00, 0x64, 0xff, 0x9b}; // 64:ff9b::/96
    if (prefix_equal(b, nat64, 96)) return last4();
    static constexpr bytes16 zero{};
    if (prefix_equal(b, zero, 96)) return last4(); // IPv4-compatible ::a.b.c.d
    return std::nullopt;
}

inline address_scope classify_v4(const boost::asio::ip::address_v4& a) noexcept {
    const std::uint32_t v = a.to_uint();
    if (in_v4(v, 0x00000000, 8)) return address_scope::unspecified;
    if (in_v4(v, 0x7f000000, 8)) return address_scope::loopback;
    if (in_v4(v, 0x0a000000, 8) || in_v4(v, 0xac100000, 12) || in_v4(v, 0xc0a80000, 16))
        return address_scope::private_network;
    if (in_v4(v, 0xa9fe0000, 16)) return address_scope::link_local;
    if (in_v4(v, 0x64400000, 10)) return address_scope::shared;
    if (in_v4(v, 0xe0000000, 4)) return address_scope::multicast;
    if (in_v4(v, 0xf0000000, 4)) return address_scope::reserved;
    return address_scope::global;
}

inline result<cidr> bad_cidr(std::string_view text, std::string_view why) {
    std::string msg = "invalid CIDR block '";
    // Operator input, but echoed into logs: keep it one printable line.
    for (char c : text.substr(0, 100)) msg += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (text.size() > 100) msg += "...";
    msg += "': ";
    msg += why;
    return error(errc::invalid_argument, diagnostics(std::move(msg)));
}

} // namespace detail::addr

KONGFLOW_ENDPOINTS_DECL result<cidr> cidr::make(const boost::asio::ip::address& network, unsigned prefix_length) {
    const unsigned max = network.is_v4() ? 32 : 128;
    if (prefix_length > max)
        return error(errc::invalid_argument,
                     diagnostics("the prefix length of an IPv" + std::string(network.is_v4() ? "4" : "6") +
                                 " block must be 0.." + std::to_string(max)));
    const bool clean = network.is_v4() ? detail::addr::host_bits_zero(network.to_v4().to_bytes(), prefix_length)
                                       : detail::addr::host_bits_zero(network.to_v6().to_bytes(), prefix_length);
    if (!clean)
        return error(errc::invalid_argument, diagnostics(network.to_string() + " has bits set past the prefix length " +
                                                         std::to_string(prefix_length)));
    return cidr(network, prefix_length);
}

KONGFLOW_ENDPOINTS_DECL bool cidr::contains(const boost::asio::ip::address& a) const noexcept {
    if (a.is_v4() != network_.is_v4()) return false;
    if (a.is_v4()) return detail::addr::in_v4(a.to_v4().to_uint(), network_.to_v4().to_uint(), prefix_);
    return detail::addr::prefix_equal(a.to_v6().to_bytes(), network_.to_v6().to_bytes(), prefix_);
}

KONGFLOW_ENDPOINTS_DECL std::string cidr::to_string() const {
    return network_.to_string() + "/" + std::to_string(prefix_);
}

KONGFLOW_ENDPOINTS_DECL result<cidr> parse_cidr(std::string_view text) {
    if (text.empty()) return detail::addr::bad_cidr(text, "empty");
    const auto slash = text.find('/');
    const std::string_view addr_text = text.substr(0, slash);
    if (addr_text.empty()) return detail::addr::bad_cidr(text, "no address");
    // Asio would take an IPv6 zone (fe80::1%eth0) and look the interface up: not a block.
    if (addr_text.find('%') != std::string_view::npos) return detail::addr::bad_cidr(text, "a zone is not allowed");
    boost::system::error_code ec;
    // inet_pton underneath: dotted quads only, no leading zeros, no 10/8-style shorthand.
    const auto network = boost::asio::ip::make_address(std::string(addr_text), ec);
    if (ec) return detail::addr::bad_cidr(text, "not an IPv4 or IPv6 address");
    const unsigned max = network.is_v4() ? 32 : 128;
    unsigned length = max;
    if (slash != std::string_view::npos) {
        const std::string_view len = text.substr(slash + 1);
        const auto* end = len.data() + len.size();
        auto [p, lec] = std::from_chars(len.data(), end, length);
        if (len.empty() || len.size() > 3 || lec != std::errc() || p != end)
            return detail::addr::bad_cidr(text, "the prefix length must be a number");
        if (length > max)
            return detail::addr::bad_cidr(text, "the prefix length must be 0.." + std::to_string(max) + " for IPv" +
                                                    (network.is_v4() ? "4" : "6"));
    }
    auto made = cidr::make(network, length);
    if (!made) return detail::addr::bad_cidr(text, made.error().diag().client_message());
    return made;
}

KONGFLOW_ENDPOINTS_DECL result<std::vector<cidr>> parse_cidr_list(std::string_view text) {
    std::vector<cidr> out;
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    if (trim(text).empty()) return out;
    for (;;) {
        const auto comma = text.find(',');
        auto c = parse_cidr(trim(text.substr(0, comma))); // an empty item: "invalid CIDR block '': empty"
        if (!c) return c.error();
        out.push_back(*c);
        if (comma == std::string_view::npos) return out;
        text.remove_prefix(comma + 1);
    }
}

KONGFLOW_ENDPOINTS_DECL std::string_view to_string(address_scope s) noexcept {
    switch (s) {
    case address_scope::global: return "public";
    case address_scope::unspecified: return "unspecified";
    case address_scope::loopback: return "loopback";
    case address_scope::private_network: return "private network";
    case address_scope::link_local: return "link-local";
    case address_scope::shared: return "carrier-grade NAT";
    case address_scope::multicast: return "multicast";
    case address_scope::reserved: return "reserved";
    }
    return "unknown";
}

KONGFLOW_ENDPOINTS_DECL address_scope classify_address(const boost::asio::ip::address& a) noexcept {
    if (a.is_v4()) return detail::addr::classify_v4(a.to_v4());
    const auto v6 = a.to_v6();
    if (v6.is_unspecified()) return address_scope::unspecified;
    if (v6.is_loopback()) return address_scope::loopback;
    if (auto v4 = detail::addr::embedded_v4(v6)) return detail::addr::classify_v4(*v4);
    const auto b = v6.to_bytes();
    if ((b[0] & 0xfe) == 0xfc) return address_scope::private_network;                 // fc00::/7
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return address_scope::link_local;      // fe80::/10
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return address_scope::private_network; // fec0::/10, site-local
    if (b[0] == 0xff) return address_scope::multicast;                                // ff00::/8
    return address_scope::global;
}

KONGFLOW_ENDPOINTS_DECL std::optional<address_scope> address_policy::refusal(const boost::asio::ip::address& a) const {
    if (!deny_private) return std::nullopt;
    const auto scope = classify_address(a);
    if (scope == address_scope::global) return std::nullopt;
    std::optional<boost::asio::ip::address> inner;
    if (a.is_v6())
        if (auto v4 = detail::addr::embedded_v4(a.to_v6())) inner = boost::asio::ip::address(*v4);
    for (const auto& c : allow)
        if (c.contains(a) || (inner && c.contains(*inner))) return std::nullopt;
    return scope;
}

} // namespace kongflow::endpoints

#endif
