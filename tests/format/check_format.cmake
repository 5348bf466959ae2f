# cmake -P check_format.cmake -DSOURCE_DIR=<checkout> -DCLANG_FORMAT=<clang-format>
#
# Every C++ file of the project is formatted as .clang-format says (test format.clang_format).
# To fix a failure: clang-format -i <file>... (or the whole list below), then read the diff.
cmake_minimum_required(VERSION 3.20)
set(_files "")
foreach(_dir include src examples tests docs test_package)
  file(GLOB_RECURSE _found ${SOURCE_DIR}/${_dir}/*.hpp ${SOURCE_DIR}/${_dir}/*.ipp ${SOURCE_DIR}/${_dir}/*.cpp)
  list(APPEND _files ${_found})
endforeach()
list(FILTER _files EXCLUDE REGEX "/node_modules/|/build[^/]*/")
list(LENGTH _files _count)
if(_count EQUAL 0)
  message(FATAL_ERROR "no C++ files under ${SOURCE_DIR}")
endif()
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror --style=file ${_files}
  WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message("${_err}")
  message(FATAL_ERROR "files above are not formatted as .clang-format says: run clang-format -i on them")
endif()
message(STATUS "${_count} files formatted as .clang-format says")
