# pkg-config files for the compiled library: kongflow-endpoints.pc, with the SQLite part
# kongflow-endpoints-sqlite.pc, and with the PostgreSQL backend kongflow-endpoints-postgres.pc
# (which requires libpq.pc). Included from the top-level CMakeLists.txt inside its install rules.
#
# The prefix is relative to the .pc file (${pcfiledir}) so that an installation can be moved, or
# made with `cmake --install --prefix` elsewhere than CMAKE_INSTALL_PREFIX. Boost has no .pc files,
# so its include directory and libraries are written out as found by find_package(Boost).

if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(_kf_pc_prefix "${CMAKE_INSTALL_PREFIX}")
  set(_kf_pc_libdir "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _kf_pc_up "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
  string(REGEX REPLACE "/$" "" _kf_pc_up "${_kf_pc_up}")
  set(_kf_pc_prefix "\${pcfiledir}/${_kf_pc_up}")
  set(_kf_pc_libdir "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(_kf_pc_includedir "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(_kf_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()

set(_kf_pc_boost_cflags "")
get_target_property(_kf_pc_boost_inc Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
foreach(_kf_dir IN LISTS _kf_pc_boost_inc)
  if(_kf_dir AND NOT _kf_dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
    string(APPEND _kf_pc_boost_cflags " -I${_kf_dir}")
  endif()
endforeach()

set(_kf_pc_boost_libs "")
foreach(_kf_lib Boost::json Boost::url)
  get_target_property(_kf_loc ${_kf_lib} LOCATION)
  if(NOT _kf_loc)
    message(FATAL_ERROR "pkg-config: no library file for ${_kf_lib}")
  endif()
  get_filename_component(_kf_dir "${_kf_loc}" DIRECTORY)
  get_filename_component(_kf_name "${_kf_loc}" NAME_WE)
  string(REGEX REPLACE "^lib" "" _kf_name "${_kf_name}")
  if(NOT _kf_dir IN_LIST CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES)
    string(APPEND _kf_pc_boost_libs " -L${_kf_dir}")
  endif()
  string(APPEND _kf_pc_boost_libs " -l${_kf_name}")
endforeach()

set(_kf_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
configure_file(cmake/kongflow-endpoints.pc.in ${CMAKE_CURRENT_BINARY_DIR}/kongflow-endpoints.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/kongflow-endpoints.pc DESTINATION ${_kf_pc_dir})
if(KONGFLOW_ENDPOINTS_WITH_SQLITE)
  configure_file(cmake/kongflow-endpoints-sqlite.pc.in ${CMAKE_CURRENT_BINARY_DIR}/kongflow-endpoints-sqlite.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/kongflow-endpoints-sqlite.pc DESTINATION ${_kf_pc_dir})
endif()
if(KONGFLOW_ENDPOINTS_HAS_POSTGRES)
  configure_file(cmake/kongflow-endpoints-postgres.pc.in ${CMAKE_CURRENT_BINARY_DIR}/kongflow-endpoints-postgres.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/kongflow-endpoints-postgres.pc DESTINATION ${_kf_pc_dir})
endif()
