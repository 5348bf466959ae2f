// The one error family of the services: Trigger.dev's typed errors (CreateEndpointError's
// FAILED_PING / FAILED_UPSERT, and ours), JSON-serialisable as {"code","message","details"}.
#ifndef KONGFLOW_ENDPOINTS_SERVICES_SERVICE_ERROR_HPP
#define KONGFLOW_ENDPOINTS_SERVICES_SERVICE_ERROR_HPP

#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>

#include <boost/json/conversion.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace kongflow::endpoints {

struct service_error {
    /// errc::failed_ping, failed_upsert, failed_index, invalid_request or endpoint_not_found;
    /// empty when there was no error.
    error_code code;
    /// The user-facing message, exactly as Trigger.dev words it where it has one
    /// (e.g. the pong's error for FAILED_PING). May quote endpoint text.
    std::string message;
    /// invalid_request: one entry per bad field ({"url": "…", "id": "…"}); otherwise extra context.
    boost::json::object details;
    /// What went wrong underneath (a transport error, an SQLite code…), when there is one.
    error_code cause;
    /// The diagnostics of `cause`: our message, and the other side's own text (SQLite's errmsg,
    /// an endpoint's body), untrusted.
    diagnostics diag;

    explicit operator bool() const noexcept { return static_cast<bool>(code); }
    void clear() {
        code = {};
        message.clear();
        details.clear();
        cause = {};
        diag.clear();
    }
};

/// "FAILED_PING", "FAILED_UPSERT", "FAILED_INDEX", "INVALID_REQUEST", "NOT_FOUND" (or the
/// error_code's message for anything else).
inline std::string code_name(const service_error& e) { return e.code ? e.code.message() : std::string(); }

/// {"code": "FAILED_PING", "message": "…", "details": {…}}
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const service_error& e) {
    jv = {{"code", code_name(e)}, {"message", e.message}, {"details", e.details}};
}

/// The exception a throwing caller gets: keeps the whole service_error.
class service_exception : public error_with_diagnostics {
public:
    explicit service_exception(service_error e)
            : error_with_diagnostics(e.code, diagnostics(e.message)), error_(std::move(e)) {}
    const service_error& error() const noexcept { return error_; }

private:
    service_error error_;
};

} // namespace kongflow::endpoints

#endif
