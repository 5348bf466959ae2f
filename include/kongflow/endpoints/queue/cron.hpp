// Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC.
// Supports *, lists (1,5,9), ranges (1-5), steps (*/15, 10-50/10), month and weekday names
// (jan..dec, sun..sat), 7 as Sunday, and @yearly @monthly @weekly @daily @hourly. As in Vixie
// cron, when both day fields are restricted a day matches if either matches.
#ifndef KONGFLOW_ENDPOINTS_QUEUE_CRON_HPP
#define KONGFLOW_ENDPOINTS_QUEUE_CRON_HPP

#include <kongflow/endpoints/detail/config.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/queue/job.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kongflow::endpoints {

class cron_schedule {
public:
    /// errc::invalid_argument for a bad expression; `diag.client_message()` says which field and why.
    static KONGFLOW_ENDPOINTS_DECL result<cron_schedule> parse(std::string_view expr, diagnostics& diag);
    static result<cron_schedule> parse(std::string_view expr) {
        diagnostics d;
        return parse(expr, d);
    }

    /// The first fire time strictly after `t` (whole minutes, UTC), or none if the expression can
    /// never fire (such as "0 0 30 2 *") within the next 8 years, or
    /// before the year 10000 (`t` must be in the years 1 to 9999 too).
    KONGFLOW_ENDPOINTS_DECL std::optional<timestamp> next_after(timestamp t) const;

    const std::string& expression() const noexcept { return expr_; }

private:
    std::string expr_;
    std::uint64_t minutes_ = 0; // bit m: minute m (0-59)
    std::uint32_t hours_ = 0;   // bit h (0-23)
    std::uint32_t days_ = 0;    // bit d (1-31)
    std::uint16_t months_ = 0;  // bit m (1-12)
    std::uint8_t weekdays_ = 0; // bit d (0-6, Sunday = 0)
    bool days_restricted_ = false;
    bool weekdays_restricted_ = false;
};

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/queue/impl/cron.ipp>
#endif

#endif
