// Include in exactly one translation unit to build the PostgreSQL backend yourself
// (the kongflow::endpoints_postgres target does it in src/postgres.cpp).
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_SRC_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_SRC_HPP

#ifndef KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION
#error "define KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION to build the compiled library"
#endif

#include <kongflow/endpoints/postgres/impl/queue.ipp>
#include <kongflow/endpoints/postgres/impl/repository.ipp>
#include <kongflow/endpoints/postgres/impl/store.ipp>

#endif
