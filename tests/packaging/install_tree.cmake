# cmake -P install_tree.cmake -DBINARY_DIR=<build tree> -DPREFIX=<dir>: a fresh installation of the
# build tree into PREFIX (cmake --install --prefix), for the consumers of an installed tree.
cmake_minimum_required(VERSION 3.20)
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${PREFIX} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BINARY_DIR} --prefix ${PREFIX} failed (${_rc})")
endif()
