# cmake -P pkg_config.cmake: builds tests/packaging/pkg_config/Makefile against an installed tree
# with make and pkg-config, and runs the programs.
#   -DPREFIX=<installed tree> -DSOURCE_DIR=<tests/packaging/pkg_config> -DBINARY_DIR=<work dir>
#   -DMAKE=<make> -DPKG_CONFIG=<pkg-config> -DCXX=<compiler> -DCXXFLAGS=... -DLDFLAGS=...
#   -DEXPECTED_VERSION=<x.y.z> -DWITH_SQLITE=ON|OFF -DWITH_POSTGRES=ON|OFF
cmake_minimum_required(VERSION 3.20)
file(GLOB _pc_dirs ${PREFIX}/lib*/pkgconfig ${PREFIX}/lib/*/pkgconfig ${PREFIX}/share/pkgconfig)
if(NOT _pc_dirs)
  message(FATAL_ERROR "no pkgconfig directory under ${PREFIX}")
endif()
string(REPLACE ";" ":" _pc_path "${_pc_dirs}")
set(ENV{PKG_CONFIG_PATH} "${_pc_path}")
# A shared libkongflow_endpoints is found at run time through LD_LIBRARY_PATH, as .pc files
# carry no run path.
file(GLOB _lib_dirs ${PREFIX}/lib ${PREFIX}/lib64 ${PREFIX}/lib/*-linux-gnu)
string(REPLACE ";" ":" _ld_path "${_lib_dirs}")
set(ENV{LD_LIBRARY_PATH} "${_ld_path}:$ENV{LD_LIBRARY_PATH}")

function(run)
  string(REPLACE ";" " " _text "${ARGN}")
  message(STATUS "> ${_text}")
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${BINARY_DIR} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "failed (${_rc}): ${_text}")
  endif()
endfunction()

file(REMOVE_RECURSE ${BINARY_DIR})
file(MAKE_DIRECTORY ${BINARY_DIR})
run(${PKG_CONFIG} --print-errors --validate kongflow-endpoints)
run(${PKG_CONFIG} --print-errors --modversion kongflow-endpoints)
set(_targets consumer)
if(WITH_SQLITE)
  run(${PKG_CONFIG} --print-errors --validate kongflow-endpoints-sqlite)
  list(APPEND _targets consumer_sqlite)
endif()
if(WITH_POSTGRES)
  run(${PKG_CONFIG} --print-errors --validate kongflow-endpoints-postgres)
  list(APPEND _targets consumer_postgres)
endif()
run(${MAKE} -f ${SOURCE_DIR}/Makefile SRCDIR=${SOURCE_DIR} PKG_CONFIG=${PKG_CONFIG} CXX=${CXX}
    "CXXFLAGS=${CXXFLAGS}" "LDFLAGS=${LDFLAGS}" ${_targets})
run(${BINARY_DIR}/consumer ${EXPECTED_VERSION} compiled)
if(WITH_SQLITE)
  run(${BINARY_DIR}/consumer_sqlite compiled)
endif()
if(WITH_POSTGRES)
  run(${BINARY_DIR}/consumer_postgres compiled)
endif()
