# cmake -P package_build.cmake: configure, build and install kongflow-endpoints the way the Conan
# recipe does, from scratch:
#   cmake -C cmake/package-build.cmake <per-package options> ; build ; install
#
# -D variables:
#   SOURCE_DIR, BINARY_DIR, PREFIX      checkout, build directory, installation prefix
#   OPTIONS                             per-package options, separated by '|'
#   GENERATOR, MAKE_PROGRAM, CXX, CXX_FLAGS, EXE_LINKER_FLAGS, SHARED_LINKER_FLAGS, BUILD_TYPE, JOBS
#   EXPECT_SQLITE                       ON/OFF: whether the installed tree must have the SQLite part
#   EXPECT_POSTGRES                     ON/OFF: whether it must have the PostgreSQL backend
#   EXPECT_COMPILED                     ON/OFF: whether it must have the compiled libraries
cmake_minimum_required(VERSION 3.20)
foreach(_var SOURCE_DIR BINARY_DIR PREFIX GENERATOR EXPECT_SQLITE EXPECT_POSTGRES EXPECT_COMPILED)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "package_build.cmake: -D${_var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" OPTIONS "${OPTIONS}")
if(NOT JOBS)
  set(JOBS 2)
endif()

function(run)
  string(REPLACE ";" " " _text "${ARGN}")
  message(STATUS "> ${_text}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "failed (${_rc}): ${_text}")
  endif()
endfunction()

file(REMOVE_RECURSE ${BINARY_DIR} ${PREFIX})
set(_toolchain "")
foreach(_pair "CXX;CMAKE_CXX_COMPILER" "CXX_FLAGS;CMAKE_CXX_FLAGS" "EXE_LINKER_FLAGS;CMAKE_EXE_LINKER_FLAGS"
              "SHARED_LINKER_FLAGS;CMAKE_SHARED_LINKER_FLAGS" "BUILD_TYPE;CMAKE_BUILD_TYPE"
              "MAKE_PROGRAM;CMAKE_MAKE_PROGRAM")
  list(GET _pair 0 _in)
  list(GET _pair 1 _out)
  if(DEFINED ${_in} AND NOT "${${_in}}" STREQUAL "")
    list(APPEND _toolchain "-D${_out}=${${_in}}")
  endif()
endforeach()

run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} -G ${GENERATOR} ${_toolchain}
    -C ${SOURCE_DIR}/cmake/package-build.cmake ${OPTIONS} -DCMAKE_INSTALL_PREFIX=${PREFIX})
run(${CMAKE_COMMAND} --build ${BINARY_DIR} --parallel ${JOBS})
run(${CMAKE_COMMAND} --install ${BINARY_DIR})

# What a package without a part must not contain, and what a package with it must.
file(GLOB_RECURSE _sqlite_files RELATIVE ${PREFIX} ${PREFIX}/*sqlite*)
file(GLOB_RECURSE _postgres_files RELATIVE ${PREFIX} ${PREFIX}/*postgres*)
file(GLOB_RECURSE _libs RELATIVE ${PREFIX} ${PREFIX}/lib*/libkongflow_endpoints*)
file(GLOB_RECURSE _headers RELATIVE ${PREFIX} ${PREFIX}/include/*.hpp)
message(STATUS "installed: ${_libs}; ${_sqlite_files}; ${_postgres_files}")
if(NOT _headers)
  message(FATAL_ERROR "no headers installed under ${PREFIX}/include")
endif()
if(EXPECT_SQLITE AND NOT _sqlite_files)
  message(FATAL_ERROR "the SQLite part is missing from ${PREFIX}")
elseif(NOT EXPECT_SQLITE AND _sqlite_files)
  message(FATAL_ERROR "built without SQLite, yet installed: ${_sqlite_files}")
endif()
if(EXPECT_POSTGRES AND NOT _postgres_files)
  message(FATAL_ERROR "the PostgreSQL backend is missing from ${PREFIX}")
elseif(NOT EXPECT_POSTGRES AND _postgres_files)
  message(FATAL_ERROR "built without the PostgreSQL backend, yet installed: ${_postgres_files}")
endif()
if(EXPECT_COMPILED AND NOT _libs)
  message(FATAL_ERROR "the compiled libraries are missing from ${PREFIX}")
elseif(NOT EXPECT_COMPILED AND _libs)
  message(FATAL_ERROR "header-only package, yet installed: ${_libs}")
endif()
