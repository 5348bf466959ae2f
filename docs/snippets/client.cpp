// Snippets of docs/client.md. Compiled (tests/docs: kongflow_doc_snippets), never run.
#include <kongflow/endpoints/client/address_policy.hpp>
#include <kongflow/endpoints/client/http_api_client.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include <iostream>
#include <memory>

namespace asio = boost::asio;
namespace kf = kongflow::endpoints;

namespace client_snippets {

// [address_policy]
std::unique_ptr<kf::http_api_client> shared_deployment_client(asio::any_io_executor ex) {
    kf::http_api_client_params params;
    params.transport.addresses.deny_private = true; // loopback, private, link-local... refused
    params.transport.addresses.allow = kf::parse_cidr_list("10.1.0.0/16, fd00:1::/32").value(); // but these
    params.transport.on_address_refused = [](const asio::ip::address& a, kf::address_scope s) {
        // Count it, log it; the request fails with errc::address_not_allowed.
        std::clog << "refused " << a.to_string() << " (" << kf::to_string(s) << ")\n";
    };
    return std::make_unique<kf::http_api_client>(ex, std::move(params));
}
// [address_policy]

} // namespace client_snippets
