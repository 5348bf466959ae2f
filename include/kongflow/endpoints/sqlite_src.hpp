// Include in exactly one translation unit to build the SQLite defaults yourself
// (the kongflow::endpoints_sqlite target does it in src/sqlite.cpp).
#ifndef KONGFLOW_ENDPOINTS_SQLITE_SRC_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_SRC_HPP

#ifndef KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION
#error "define KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION to build the compiled library"
#endif

#include <kongflow/endpoints/detail/sqlite.hpp>
#include <kongflow/endpoints/storage/impl/sqlite_repository.ipp>
#include <kongflow/endpoints/queue/impl/sqlite_queue.ipp>
#include <kongflow/endpoints/storage/impl/sqlite_store.ipp>

#endif
