# vcpkg overlay port: builds kongflow-endpoints from this checkout.
#   vcpkg install kongflow-endpoints --overlay-ports=<checkout>/ports
# (or list "<checkout>/ports" under "overlay-ports" in a vcpkg-configuration.json).
# A port for the vcpkg registry would fetch a release with vcpkg_from_github instead.
set(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../..")

# Feature -> CMake option, ON with the feature and OFF without it. The options common to every
# package build (no tests, examples or docs; install rules on) are in cmake/package-build.cmake,
# shared with conanfile.py and exercised by tests/packaging. Linkage follows the triplet (vcpkg
# sets BUILD_SHARED_LIBS). KONGFLOW_ENDPOINTS_WITH_POSTGRES is never left at its default, AUTO:
# without the feature the port builds no PostgreSQL backend even where a libpq happens to be found,
# so that the package depends on its features only.
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    sqlite   KONGFLOW_ENDPOINTS_WITH_SQLITE
    postgres KONGFLOW_ENDPOINTS_WITH_POSTGRES
)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    "-C${SOURCE_PATH}/cmake/package-build.cmake"
    ${FEATURE_OPTIONS}
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME kongflow_endpoints CONFIG_PATH lib/cmake/kongflow_endpoints)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
