// Error vocabulary shared by every subsystem: one enum in the "kongflow.endpoints" category, a
// category that carries HTTP status codes from endpoints, and the one error rule: a failure is an
// error_code plus diagnostics, passed by the caller to async operations and carried by result<T>.
#ifndef KONGFLOW_ENDPOINTS_ERROR_HPP
#define KONGFLOW_ENDPOINTS_ERROR_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/diagnostics.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <ostream>
#include <type_traits>
#include <utility>

namespace kongflow::endpoints {

using error_code = boost::system::error_code;

/// The error of a result<T>: the code, and the diagnostics that say why (SQLite's text, which
/// constraint). It is an error_code, so `r.error() == errc::not_found` and `error_code ec =
/// r.error()` work; copying it into an error_code keeps the code only.
class error : public error_code {
public:
    error() = default;
    error(error_code ec) noexcept : error_code(ec) {}
    template <class E, std::enable_if_t<boost::system::is_error_code_enum<E>::value, int> = 0>
    error(E e) noexcept : error_code(make_error_code(e)) {}
    error(error_code ec, diagnostics diag) : error_code(ec), diag_(std::move(diag)) {}

    const error_code& code() const noexcept { return *this; }
    const diagnostics& diag() const noexcept { return diag_; }
    diagnostics& diag() noexcept { return diag_; }

    /// The client message when there is one, else the code's message.
    std::string what() const {
        return diag_.client_message().empty() ? message() : std::string(diag_.client_message());
    }

private:
    diagnostics diag_;
};

/// What every synchronous fallible call of the library returns (repositories, queues, stores).
/// Note that boost::system::result::error() returns a copy: keep `auto d = r.error().diag();`,
/// not a reference to it.
template <class T>
using result = boost::system::result<T, error>;

/// Our own error conditions. Values are grouped by subsystem and are stable (they may be stored).
enum class errc : int {
    // Talking to an endpoint (client/).
    connect_failed = 1,        ///< no response: refused, reset, DNS, TLS handshake, closed early
    timeout,                   ///< the per-action connect or total timeout expired
    redirect_without_location, ///< 3xx without a Location header
    too_many_redirects,        ///< more redirects than the configured limit
    body_too_large,            ///< response body over the configured limit
    header_too_large,          ///< response header over the configured limit
    invalid_url,               ///< not an absolute http(s) URL with a host
    invalid_header_value,      ///< a header value contains CR, LF or NUL: refused, never sent
    unauthorized,              ///< the endpoint answered 401
    bad_status,                ///< any other non-2xx status
    invalid_json,              ///< the body is not JSON (or is falsy where an object is required)
    invalid_response,          ///< the JSON does not match the action's schema
    endpoint_error,            ///< the endpoint reported an error of its own (ok:false, ErrorWithStack)
    address_not_allowed,       ///< every address of the endpoint's host is refused by the address_policy

    // Storage (storage/).
    not_found = 100,
    already_exists,
    conflict,        ///< a concurrent writer won, or a state transition is not allowed
    schema_too_new,  ///< the database was written by a newer version of this library
    storage_failure, ///< the store failed; the diagnostics say how

    // Queue (queue/).
    unknown_job_kind = 200,
    invalid_payload,     ///< a job payload must be a JSON object
    queue_stopped,       ///< the queue or worker is shutting down
    job_not_cancellable, ///< the job already finished
    job_cancel,          ///< returned by a job handler: cancel the job, do not retry (River's JobCancel)
    job_discard,         ///< returned by a job handler: fail the job for good, do not retry
    job_failed,          ///< a job handler threw or dropped its completion handler

    // Services (services/): the typed error codes of Trigger.dev's services.
    failed_ping = 300,
    failed_upsert,
    failed_index,
    invalid_request,
    endpoint_not_found,

    // General.
    invalid_argument = 900,
    not_supported, ///< an optional capability this implementation does not offer
};

KONGFLOW_ENDPOINTS_DECL const boost::system::error_category& get_errc_category() noexcept;

/// Category whose values are HTTP status codes received from an endpoint.
KONGFLOW_ENDPOINTS_DECL const boost::system::error_category& get_http_category() noexcept;

inline error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), get_errc_category()}; }

/// The error for a reply with HTTP status `status`. A status line may say 000 (Beast reads any
/// three digits), a value no error_code can carry as a failure: that one is errc::invalid_response,
/// so a reply the readers refuse is never reported as a success (found by tests/fuzz).
inline error_code make_http_error(unsigned status) noexcept {
    if (status == 0) return make_error_code(errc::invalid_response);
    return {static_cast<int>(status), get_http_category()};
}

/// The exception thrown by throwing overloads: a system_error that keeps the diagnostics.
class error_with_diagnostics : public boost::system::system_error {
public:
    error_with_diagnostics(error_code ec, diagnostics diag)
            : boost::system::system_error(ec, std::string(diag.client_message())), diag_(std::move(diag)) {}

    const diagnostics& get_diagnostics() const noexcept { return diag_; }

private:
    diagnostics diag_;
};

inline void throw_on_error(error_code ec, const diagnostics& diag = {}) {
    if (ec) throw error_with_diagnostics(ec, diag);
}

/// result<T>::value() on an error throws error_with_diagnostics (found by argument lookup).
[[noreturn]] inline void throw_exception_from_error(const error& e, const boost::source_location&) {
    throw error_with_diagnostics(e.code(), e.diag());
}

inline std::ostream& operator<<(std::ostream& os, const error& e) {
    os << e.code();
    if (!e.diag().client_message().empty()) os << " (" << e.diag().client_message() << ")";
    return os;
}

} // namespace kongflow::endpoints

namespace boost::system {
template <>
struct is_error_code_enum<::kongflow::endpoints::errc> : std::true_type {};
} // namespace boost::system

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/impl/error.ipp>
#endif

#endif
