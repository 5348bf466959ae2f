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

#define KONGFLOW_ENDPOINTS_VERSION_STRING "0.1.0"

#endif
