// The library's version. The macros give the version of the headers a program is compiled with;
// version() gives the version of the library it runs with. The two differ when a program built
// against one release's headers loads another release's shared library.
#ifndef KONGFLOW_ENDPOINTS_VERSION_HPP
#define KONGFLOW_ENDPOINTS_VERSION_HPP

// The single source of the version number: CMakeLists.txt, conanfile.py and the packaging tests
// read these three lines.
#define KONGFLOW_ENDPOINTS_VERSION_MAJOR 0
#define KONGFLOW_ENDPOINTS_VERSION_MINOR 2
#define KONGFLOW_ENDPOINTS_VERSION_PATCH 0

/// The version as one number, for `#if` checks: major * 10000 + minor * 100 + patch.
#define KONGFLOW_ENDPOINTS_VERSION                                                                                     \
    (KONGFLOW_ENDPOINTS_VERSION_MAJOR * 10000 + KONGFLOW_ENDPOINTS_VERSION_MINOR * 100 +                               \
     KONGFLOW_ENDPOINTS_VERSION_PATCH)

#define KONGFLOW_ENDPOINTS_DETAIL_STRINGIZE2(x) #x
#define KONGFLOW_ENDPOINTS_DETAIL_STRINGIZE(x) KONGFLOW_ENDPOINTS_DETAIL_STRINGIZE2(x)

/// The version as "major.minor.patch".
#define KONGFLOW_ENDPOINTS_VERSION_STRING                                                                              \
    KONGFLOW_ENDPOINTS_DETAIL_STRINGIZE(KONGFLOW_ENDPOINTS_VERSION_MAJOR)                                              \
    "." KONGFLOW_ENDPOINTS_DETAIL_STRINGIZE(KONGFLOW_ENDPOINTS_VERSION_MINOR) "." KONGFLOW_ENDPOINTS_DETAIL_STRINGIZE( \
        KONGFLOW_ENDPOINTS_VERSION_PATCH)

// After the macros: detail/config.hpp includes this header, so every header sees the version.
#include <kongflow/endpoints/detail/config.hpp>

#include <string_view>

namespace kongflow::endpoints {

/// The version of the library linked into the program, as "major.minor.patch".
///
/// With the compiled library this is the version of the binary, which may differ from
/// KONGFLOW_ENDPOINTS_VERSION_STRING (the headers) when a shared library is swapped.
KONGFLOW_ENDPOINTS_DECL std::string_view version() noexcept;

} // namespace kongflow::endpoints

#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
#include <kongflow/endpoints/impl/version.ipp>
#endif

#endif
