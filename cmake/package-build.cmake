# Initial cache for package builds: `cmake -C cmake/package-build.cmake <options>`.
#
# The one place for the CMake options a package manager passes. Used by
#   - ports/kongflow-endpoints/portfile.cmake (vcpkg overlay port),
#   - conanfile.py (Conan 2 recipe),
#   - tests/packaging (configures, builds and installs with this file and each recipe's
#     feature options, then builds a consumer against the result).
# Per-package choices are passed after it by each recipe:
#   KONGFLOW_ENDPOINTS_WITH_SQLITE    vcpkg feature "sqlite",   Conan option with_sqlite
#   KONGFLOW_ENDPOINTS_WITH_POSTGRES  vcpkg feature "postgres", Conan option with_postgres
#                                     (ON or OFF, never AUTO: what a package contains does not
#                                     depend on whether the build machine has a libpq)
#   KONGFLOW_ENDPOINTS_BUILD_COMPILED Conan option header_only (inverted)
#   BUILD_SHARED_LIBS                 vcpkg triplet linkage,    Conan option shared
set(KONGFLOW_ENDPOINTS_BUILD_TESTS OFF CACHE BOOL "")
set(KONGFLOW_ENDPOINTS_BUILD_EXAMPLES OFF CACHE BOOL "")
set(KONGFLOW_ENDPOINTS_BUILD_BENCHMARKS OFF CACHE BOOL "")
set(KONGFLOW_ENDPOINTS_BUILD_DOCS OFF CACHE BOOL "")
set(KONGFLOW_ENDPOINTS_INTEROP_TESTS OFF CACHE BOOL "")
set(KONGFLOW_ENDPOINTS_INSTALL ON CACHE BOOL "")
