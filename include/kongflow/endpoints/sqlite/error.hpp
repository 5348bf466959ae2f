// The "kongflow.sqlite" error category: SQLite's (extended) result codes as error_code values.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_ERROR_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_ERROR_HPP

#include <kongflow/endpoints/error.hpp>

#include <boost/system/error_category.hpp>

#include <string>

#include <sqlite3.h>

namespace kongflow::endpoints::sqlite {

namespace detail {
class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "kongflow.sqlite"; }
    std::string message(int ev) const override { return sqlite3_errstr(ev); }
};
} // namespace detail

/// Category of SQLite (extended) result codes; messages come from sqlite3_errstr.
inline const boost::system::error_category& get_category() noexcept {
    static const detail::category cat;
    return cat;
}

/// An SQLite result code as an error_code.
inline error_code make_error(int rc) noexcept { return {rc, get_category()}; }

} // namespace kongflow::endpoints::sqlite

#endif
