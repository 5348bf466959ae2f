// Build-mode switch (Boost.MySQL's model): header-only by default; the compiled target defines
// KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION and builds every .ipp once in src/.
#ifndef KONGFLOW_ENDPOINTS_DETAIL_CONFIG_HPP
#define KONGFLOW_ENDPOINTS_DETAIL_CONFIG_HPP

#ifdef KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION
#define KONGFLOW_ENDPOINTS_DECL
#else
#define KONGFLOW_ENDPOINTS_HEADER_ONLY
#define KONGFLOW_ENDPOINTS_DECL inline
#endif

// Every header includes this one, so every header sees the version macros
// (KONGFLOW_ENDPOINTS_VERSION_STRING, ...) of the public version.hpp. Last on purpose: version.hpp
// includes this file and needs KONGFLOW_ENDPOINTS_DECL, whichever of the two comes first.
#include <kongflow/endpoints/version.hpp>

#endif
