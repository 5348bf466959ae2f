// Context for an error_code. The client message is ours; the server message is text that came
// from the other side (an endpoint's body, SQLite's errmsg) and must be treated as untrusted.
#ifndef KONGFLOW_ENDPOINTS_DIAGNOSTICS_HPP
#define KONGFLOW_ENDPOINTS_DIAGNOSTICS_HPP

#include <string>
#include <string_view>
#include <utility>

namespace kongflow::endpoints {

class diagnostics {
public:
    diagnostics() = default;
    diagnostics(std::string client_message, std::string server_message = {})
            : client_message_(std::move(client_message)), server_message_(std::move(server_message)) {}

    /// A message written by this library, safe to show and log.
    std::string_view client_message() const noexcept { return client_message_; }
    /// Text received from the remote side, verbatim. Untrusted: escape before rendering it.
    std::string_view server_message() const noexcept { return server_message_; }

    void set_client_message(std::string m) { client_message_ = std::move(m); }
    void set_server_message(std::string m) { server_message_ = std::move(m); }
    void clear() noexcept {
        client_message_.clear();
        server_message_.clear();
    }

    friend bool operator==(const diagnostics&, const diagnostics&) = default;

private:
    std::string client_message_;
    std::string server_message_;
};

} // namespace kongflow::endpoints

#endif
