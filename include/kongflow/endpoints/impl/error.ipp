#ifndef KONGFLOW_ENDPOINTS_IMPL_ERROR_IPP
#define KONGFLOW_ENDPOINTS_IMPL_ERROR_IPP

#include <kongflow/endpoints/error.hpp>

#include <string>

namespace kongflow::endpoints {
namespace detail {

class errc_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "kongflow.endpoints"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::connect_failed: return "could not connect to the endpoint";
        case errc::timeout: return "the operation timed out";
        case errc::redirect_without_location: return "the endpoint redirects without a Location header";
        case errc::too_many_redirects: return "the endpoint redirects too many times";
        case errc::body_too_large: return "the response body exceeds the configured limit";
        case errc::header_too_large: return "the response header exceeds the configured limit";
        case errc::invalid_url: return "the URL is not an absolute http or https URL with a host";
        case errc::invalid_header_value: return "a header value contains CR, LF or NUL";
        case errc::unauthorized: return "the endpoint rejected the API key (401)";
        case errc::bad_status: return "the endpoint answered with an unexpected status code";
        case errc::invalid_json: return "the response is not valid JSON";
        case errc::invalid_response: return "the response does not match the expected schema";
        case errc::endpoint_error: return "the endpoint reported an error";
        case errc::address_not_allowed: return "the endpoint's address is not allowed by the address policy";
        case errc::not_found: return "not found";
        case errc::already_exists: return "already exists";
        case errc::conflict: return "conflicting concurrent change";
        case errc::schema_too_new: return "the database schema is newer than this library supports";
        case errc::storage_failure: return "the store failed";
        case errc::unknown_job_kind: return "no worker is registered for this job kind";
        case errc::invalid_payload: return "the job payload must be a JSON object";
        case errc::queue_stopped: return "the queue is stopped";
        case errc::job_not_cancellable: return "the job has already finished";
        case errc::job_cancel: return "the job handler cancelled the job";
        case errc::job_discard: return "the job handler discarded the job";
        case errc::job_failed: return "the job handler threw or dropped its completion";
        case errc::failed_ping: return "FAILED_PING";
        case errc::failed_upsert: return "FAILED_UPSERT";
        case errc::failed_index: return "FAILED_INDEX";
        case errc::invalid_request: return "INVALID_REQUEST";
        case errc::endpoint_not_found: return "NOT_FOUND";
        case errc::invalid_argument: return "invalid argument";
        case errc::not_supported: return "not supported by this implementation";
        }
        return "unknown kongflow.endpoints error " + std::to_string(ev);
    }
};

class http_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "kongflow.http"; }
    std::string message(int ev) const override { return "HTTP status " + std::to_string(ev); }
};

} // namespace detail

KONGFLOW_ENDPOINTS_DECL const boost::system::error_category& get_errc_category() noexcept {
    static const detail::errc_category cat;
    return cat;
}

KONGFLOW_ENDPOINTS_DECL const boost::system::error_category& get_http_category() noexcept {
    static const detail::http_category cat;
    return cat;
}

} // namespace kongflow::endpoints

#endif
