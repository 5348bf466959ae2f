// Umbrella header of the SQLite backend (target kongflow::endpoints_sqlite): the store, its
// repository and queue, their settings and the "kongflow.sqlite" error category.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_HPP

#include <kongflow/endpoints/sqlite/error.hpp>
#include <kongflow/endpoints/sqlite/params.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>
#include <kongflow/endpoints/sqlite/repository.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>

#endif
