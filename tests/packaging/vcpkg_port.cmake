# cmake -P vcpkg_port.cmake: runs ports/kongflow-endpoints/portfile.cmake as vcpkg would, with
# small local stand-ins for the vcpkg helper functions it calls (vcpkg itself downloads its tools
# and dependencies, which this machine cannot). The stand-ins do what vcpkg does with the
# portfile's arguments, release configuration only: the portfile's feature mapping, options,
# install and config fixup run for real, and consumers are then built against the result.
#
# -D variables: SOURCE_DIR (checkout), WORK_DIR, FEATURES ('|'-separated, e.g. "core|sqlite"),
#   GENERATOR, MAKE_PROGRAM, CXX, CXX_FLAGS, EXE_LINKER_FLAGS, SHARED_LINKER_FLAGS, JOBS;
#   EXPECT_POSTGRES (ON/OFF, optional): whether the package must have the PostgreSQL backend.
# The package lands in WORK_DIR/packages (vcpkg's CURRENT_PACKAGES_DIR layout).
#
# With -DDRY_RUN=ON nothing is configured or built: the portfile runs until it configures, and
# the options it passes must include every one of EXPECT_OPTIONS ('|'-separated), which checks its
# feature -> option mapping for feature sets that are not built.
cmake_minimum_required(VERSION 3.20)
foreach(_var SOURCE_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "vcpkg_port.cmake: -D${_var}=... is required")
  endif()
endforeach()
if(NOT JOBS)
  set(JOBS 2)
endif()

set(PORT kongflow-endpoints)
string(REPLACE "|" ";" FEATURES "${FEATURES}")
set(CURRENT_PACKAGES_DIR ${WORK_DIR}/packages)
set(CURRENT_BUILDTREES_DIR ${WORK_DIR}/buildtrees)
file(REMOVE_RECURSE ${WORK_DIR})

function(_kf_run)
  string(REPLACE ";" " " _text "${ARGN}")
  message(STATUS "> ${_text}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "failed (${_rc}): ${_text}")
  endif()
endfunction()

# vcpkg_check_features(OUT_FEATURE_OPTIONS <var> [FEATURES <feature> <option>...]
#                      [INVERTED_FEATURES <feature> <option>...])
function(vcpkg_check_features)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT_FEATURE_OPTIONS;PREFIX" "FEATURES;INVERTED_FEATURES")
  set(_out "")
  foreach(_kind FEATURES INVERTED_FEATURES)
    set(_list ${arg_${_kind}})
    list(LENGTH _list _n)
    math(EXPR _odd "${_n} % 2")
    if(_odd)
      message(FATAL_ERROR "vcpkg_check_features: ${_kind} must be <feature> <option> pairs")
    endif()
    while(_list)
      list(POP_FRONT _list _feature _option)
      if(_feature IN_LIST FEATURES)
        set(_on ON)
      else()
        set(_on OFF)
      endif()
      if(_kind STREQUAL "INVERTED_FEATURES")
        if(_on)
          set(_on OFF)
        else()
          set(_on ON)
        endif()
      endif()
      list(APPEND _out "-D${_option}=${_on}")
    endwhile()
  endforeach()
  set(${arg_OUT_FEATURE_OPTIONS} "${_out}" PARENT_SCOPE)
endfunction()

# vcpkg_cmake_configure(SOURCE_PATH <dir> [OPTIONS ...] [OPTIONS_RELEASE ...] [OPTIONS_DEBUG ...])
function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH" "OPTIONS;OPTIONS_RELEASE;OPTIONS_DEBUG")
  if(DRY_RUN)
    string(REPLACE "|" ";" _expected "${EXPECT_OPTIONS}")
    set(_given ${arg_OPTIONS} ${arg_OPTIONS_RELEASE})
    string(REPLACE ";" " " _given_text "${_given}")
    foreach(_option IN LISTS _expected)
      if(NOT _option IN_LIST _given)
        message(FATAL_ERROR "features ${FEATURES}: the portfile does not pass ${_option} (it passes ${_given_text})")
      endif()
    endforeach()
    message(STATUS "features ${FEATURES}: the portfile passes ${_given_text}")
    set_property(GLOBAL PROPERTY _kf_dry_run_configured ON)
    return()
  endif()
  set(_toolchain "")
  foreach(_pair "CXX;CMAKE_CXX_COMPILER" "CXX_FLAGS;CMAKE_CXX_FLAGS" "EXE_LINKER_FLAGS;CMAKE_EXE_LINKER_FLAGS"
                "SHARED_LINKER_FLAGS;CMAKE_SHARED_LINKER_FLAGS" "MAKE_PROGRAM;CMAKE_MAKE_PROGRAM")
    list(GET _pair 0 _in)
    list(GET _pair 1 _var)
    if(DEFINED ${_in} AND NOT "${${_in}}" STREQUAL "")
      list(APPEND _toolchain "-D${_var}=${${_in}}")
    endif()
  endforeach()
  # A static triplet (x64-linux): vcpkg passes BUILD_SHARED_LIBS from VCPKG_LIBRARY_LINKAGE.
  _kf_run(${CMAKE_COMMAND} -S ${arg_SOURCE_PATH} -B ${CURRENT_BUILDTREES_DIR}/rel -G ${GENERATOR}
    ${_toolchain} -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF
    -DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR} ${arg_OPTIONS} ${arg_OPTIONS_RELEASE})
endfunction()

function(vcpkg_cmake_install)
  if(DRY_RUN)
    return()
  endif()
  _kf_run(${CMAKE_COMMAND} --build ${CURRENT_BUILDTREES_DIR}/rel --parallel ${JOBS})
  _kf_run(${CMAKE_COMMAND} --install ${CURRENT_BUILDTREES_DIR}/rel)
endfunction()

# vcpkg_cmake_config_fixup(PACKAGE_NAME <name> CONFIG_PATH <path>): moves the CMake package to
# share/<name> and corrects the paths computed from the file's location, as vcpkg does.
function(vcpkg_cmake_config_fixup)
  if(DRY_RUN)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "PACKAGE_NAME;CONFIG_PATH" "")
  if(NOT arg_PACKAGE_NAME)
    set(arg_PACKAGE_NAME ${PORT})
  endif()
  set(_from ${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH})
  set(_to ${CURRENT_PACKAGES_DIR}/share/${arg_PACKAGE_NAME})
  if(NOT IS_DIRECTORY ${_from})
    message(FATAL_ERROR "vcpkg_cmake_config_fixup: ${arg_CONFIG_PATH} was not installed")
  endif()
  file(GLOB _files ${_from}/*.cmake)
  file(MAKE_DIRECTORY ${_to})
  foreach(_file IN LISTS _files)
    get_filename_component(_name ${_file} NAME)
    file(READ ${_file} _text)
    # lib/cmake/<name> is three levels below the prefix, share/<name> two.
    string(REPLACE "\${CMAKE_CURRENT_LIST_DIR}/../../../" "\${CMAKE_CURRENT_LIST_DIR}/../../" _text "${_text}")
    string(REGEX REPLACE
      "get_filename_component\\(_IMPORT_PREFIX \"\\\${_IMPORT_PREFIX}\" PATH\\)\n(get_filename_component\\(_IMPORT_PREFIX \"\\\${_IMPORT_PREFIX}\" PATH\\)\n)(get_filename_component\\(_IMPORT_PREFIX \"\\\${_IMPORT_PREFIX}\" PATH\\)\n)"
      "\\1\\2" _text "${_text}")
    file(WRITE ${_to}/${_name} "${_text}")
  endforeach()
  file(REMOVE_RECURSE ${_from})
  file(GLOB _left ${CURRENT_PACKAGES_DIR}/lib/cmake/*)
  if(NOT _left)
    file(REMOVE_RECURSE ${CURRENT_PACKAGES_DIR}/lib/cmake)
  endif()
endfunction()

# vcpkg rewrites the prefix of .pc files to be relative to the file: ours already are; check it.
function(vcpkg_fixup_pkgconfig)
  if(DRY_RUN)
    return()
  endif()
  file(GLOB_RECURSE _pcs ${CURRENT_PACKAGES_DIR}/*.pc)
  foreach(_pc IN LISTS _pcs)
    file(READ ${_pc} _text)
    if(NOT _text MATCHES "prefix=\\\${pcfiledir}")
      message(FATAL_ERROR "${_pc}: the prefix is not relative to the file")
    endif()
  endforeach()
endfunction()

function(vcpkg_install_copyright)
  if(DRY_RUN)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_LIST")
  file(READ ${arg_FILE_LIST} _text) # one file here
  file(WRITE ${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright "${_text}")
endfunction()

if(DRY_RUN)
  # The portfile's own file(...) calls write under WORK_DIR/packages: harmless.
  include(${SOURCE_DIR}/ports/kongflow-endpoints/portfile.cmake)
  get_property(_configured GLOBAL PROPERTY _kf_dry_run_configured)
  if(NOT _configured)
    message(FATAL_ERROR "the portfile never called vcpkg_cmake_configure")
  endif()
  file(REMOVE_RECURSE ${WORK_DIR})
  return()
endif()

include(${SOURCE_DIR}/ports/kongflow-endpoints/portfile.cmake)

foreach(_file share/${PORT}/copyright share/${PORT}/usage share/kongflow_endpoints/kongflow_endpoints-config.cmake)
  if(NOT EXISTS ${CURRENT_PACKAGES_DIR}/${_file})
    message(FATAL_ERROR "the port did not install ${_file}")
  endif()
endforeach()

# Without the feature "postgres" the port must not build the backend, even where a libpq is found.
if(DEFINED EXPECT_POSTGRES)
  file(GLOB_RECURSE _postgres_files RELATIVE ${CURRENT_PACKAGES_DIR} ${CURRENT_PACKAGES_DIR}/*postgres*)
  if(EXPECT_POSTGRES AND NOT _postgres_files)
    message(FATAL_ERROR "features ${FEATURES}: the PostgreSQL backend is missing from the package")
  elseif(NOT EXPECT_POSTGRES AND _postgres_files)
    message(FATAL_ERROR "features ${FEATURES}: no feature postgres, yet the package has ${_postgres_files}")
  endif()
endif()
