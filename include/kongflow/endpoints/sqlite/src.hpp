// Include in exactly one translation unit to build the SQLite backend yourself
// (the kongflow::endpoints_sqlite target does it in src/sqlite.cpp).
#ifndef KONGFLOW_ENDPOINTS_SQLITE_SRC_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_SRC_HPP

#ifndef KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION
#error "define KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION to build the compiled library"
#endif

#include <kongflow/endpoints/sqlite/impl/queue.ipp>
#include <kongflow/endpoints/sqlite/impl/repository.ipp>
#include <kongflow/endpoints/sqlite/impl/store.ipp>

#endif
