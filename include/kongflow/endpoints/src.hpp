// Include this in exactly one translation unit to build the library's compiled part yourself
// (the kongflow::endpoints CMake target does it in src/endpoints.cpp).
#ifndef KONGFLOW_ENDPOINTS_SRC_HPP
#define KONGFLOW_ENDPOINTS_SRC_HPP

#ifndef KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION
#error "define KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION to build the compiled library"
#endif

#include <kongflow/endpoints/impl/error.ipp>
#include <kongflow/endpoints/impl/version.ipp>

#endif
