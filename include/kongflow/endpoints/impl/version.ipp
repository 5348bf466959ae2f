#ifndef KONGFLOW_ENDPOINTS_IMPL_VERSION_IPP
#define KONGFLOW_ENDPOINTS_IMPL_VERSION_IPP

#include <kongflow/endpoints/version.hpp>

#include <string_view>

namespace kongflow::endpoints {

KONGFLOW_ENDPOINTS_DECL std::string_view version() noexcept { return KONGFLOW_ENDPOINTS_VERSION_STRING; }

} // namespace kongflow::endpoints

#endif
