# cmake -P source_archive.cmake -DSOURCE_DIR=<checkout> -DARCHIVE=<file.tar.gz>
#
# Packs the paths the Conan recipe exports (exports_sources in conanfile.py) into a source archive:
# packaging.fetch_content builds its consumer from it, which checks that those paths are enough
# to build the library.
cmake_minimum_required(VERSION 3.20)
file(READ ${SOURCE_DIR}/conanfile.py _recipe)
if(NOT _recipe MATCHES "exports_sources = \\(([^)]*)\\)")
  message(FATAL_ERROR "conanfile.py: no exports_sources = (...) tuple")
endif()
string(REGEX MATCHALL "\"[^\"]+\"" _patterns "${CMAKE_MATCH_1}")
set(_paths "")
foreach(_pattern IN LISTS _patterns)
  string(REPLACE "\"" "" _pattern "${_pattern}")
  string(REGEX REPLACE "/\\*$" "" _path "${_pattern}") # "include/*" -> "include"
  if(_path MATCHES "[*?]")
    message(FATAL_ERROR "source_archive.cmake understands only 'dir/*' and plain paths, not ${_pattern}")
  endif()
  if(NOT EXISTS ${SOURCE_DIR}/${_path})
    message(FATAL_ERROR "conanfile.py exports ${_pattern}, which does not exist")
  endif()
  list(APPEND _paths ${_path})
endforeach()
message(STATUS "archive of ${_paths} -> ${ARCHIVE}")
file(REMOVE ${ARCHIVE})
execute_process(COMMAND ${CMAKE_COMMAND} -E tar czf ${ARCHIVE} ${_paths}
  WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "cmake -E tar failed (${_rc})")
endif()
