// Which addresses the client may connect to: the guard against server-side request forgery in a
// shared deployment, where anyone who can register an endpoint URL could otherwise make the
// daemon send requests (with an API key) to the cloud metadata service or to internal hosts.
// http_transport applies it to every address it connects to, after DNS, on every request.
#ifndef KONGFLOW_ENDPOINTS_CLIENT_ADDRESS_POLICY_HPP
#define KONGFLOW_ENDPOINTS_CLIENT_ADDRESS_POLICY_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/error.hpp>

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kongflow::endpoints {

/// An address block: IPv4 `10.0.0.0/8` or IPv6 `fc00::/7`. Host bits are always zero.
class cidr {
public:
    /// `network`/`prefix_length`. errc::invalid_argument when the length exceeds 32 (IPv4) or
    /// 128 (IPv6), or when `network` has bits set past it (`10.0.0.5/8`: which block was meant?).
    KONGFLOW_ENDPOINTS_DECL static result<cidr> make(const boost::asio::ip::address& network, unsigned prefix_length);

    const boost::asio::ip::address& network() const noexcept { return network_; }
    unsigned prefix_length() const noexcept { return prefix_; }

    /// `a` is in the block. Families are not mixed: `127.0.0.0/8` does not contain
    /// \::ffff:127.0.0.1 (address_policy unmaps such addresses before asking).
    KONGFLOW_ENDPOINTS_DECL bool contains(const boost::asio::ip::address& a) const noexcept;

    /// `10.0.0.0/8`, `fc00::/7`.
    KONGFLOW_ENDPOINTS_DECL std::string to_string() const;

    friend bool operator==(const cidr& a, const cidr& b) noexcept {
        return a.prefix_ == b.prefix_ && a.network_ == b.network_;
    }

private:
    cidr(boost::asio::ip::address network, unsigned prefix_length) : network_(network), prefix_(prefix_length) {}

    boost::asio::ip::address network_;
    unsigned prefix_ = 0;
};

/// Parses `ADDRESS/LENGTH` (`10.0.0.0/8`, `fd00::/8`) or a bare address (a /32 or /128 block).
/// Strict: no spaces, no IPv6 zone (`%eth0`), no IPv4 shorthand (`10/8`, `1.2.3`), no leading
/// zeros in IPv4 parts, no host bits past the length. Errors: errc::invalid_argument with a
/// client message naming the text.
KONGFLOW_ENDPOINTS_DECL result<cidr> parse_cidr(std::string_view text);

/// Comma-separated blocks (`127.0.0.1/32, 10.1.0.0/16`); spaces around items are ignored, an
/// empty text is an empty list, an empty item is an error (`invalid CIDR block '': empty`).
KONGFLOW_ENDPOINTS_DECL result<std::vector<cidr>> parse_cidr_list(std::string_view text);

/// The special-purpose range an address belongs to (IANA's registries), as far as the policy
/// cares. Everything not listed is `global`.
enum class address_scope {
    global,          ///< none of the below: a public address
    unspecified,     ///< 0.0.0.0/8 ("this network"; 0.0.0.0 reaches the local host), ::
    loopback,        ///< 127.0.0.0/8, ::1
    private_network, ///< 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918), fc00::/7 (ULA), fec0::/10
    link_local,      ///< 169.254.0.0/16 (cloud metadata at 169.254.169.254), fe80::/10
    shared,          ///< 100.64.0.0/10, carrier-grade NAT (RFC 6598)
    multicast,       ///< 224.0.0.0/4, ff00::/8
    reserved,        ///< 240.0.0.0/4 (former class E), 255.255.255.255 included
};

/// "public", "unspecified", "loopback", "private network", "link-local", "carrier-grade NAT",
/// "multicast", "reserved".
KONGFLOW_ENDPOINTS_DECL std::string_view to_string(address_scope s) noexcept;

/// The scope of `a`. IPv6 forms that carry an IPv4 address take the scope of that address:
/// IPv4-mapped \::ffff:a.b.c.d (a dual-stack socket connects to a.b.c.d), IPv4-compatible
/// \::a.b.c.d (deprecated) and NAT64 `64:ff9b::a.b.c.d` (a NAT64 gateway forwards to a.b.c.d).
/// Not unwrapped: 6to4 (2002::/16) and Teredo (2001::/32), which reach the embedded address only
/// through public relays, and local-use NAT64 prefixes (RFC 8215), whose layout is site-specific.
KONGFLOW_ENDPOINTS_DECL address_scope classify_address(const boost::asio::ip::address& a) noexcept;

/// Which addresses endpoints may have. The default allows everything: local development
/// registers `localhost`. A shared deployment sets `deny_private`, and lists in `allow` the
/// blocks it does want to reach (its own cluster network, say).
struct address_policy {
    /// Refuse every address whose scope is not address_scope::global, unless `allow` has it.
    bool deny_private = false;
    /// Blocks allowed despite `deny_private` (ignored without it). An IPv4 block also allows
    /// the IPv6 forms of its addresses listed at classify_address.
    std::vector<cidr> allow{};

    /// Why `a` is refused (its scope), or nothing when it is allowed.
    KONGFLOW_ENDPOINTS_DECL std::optional<address_scope> refusal(const boost::asio::ip::address& a) const;

    bool allows(const boost::asio::ip::address& a) const { return !refusal(a); }
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/client/impl/address_policy.ipp>
#endif

#endif
