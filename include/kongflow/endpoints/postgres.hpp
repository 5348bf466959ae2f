// Umbrella header of the PostgreSQL backend (target kongflow::endpoints_postgres): the store, its
// repository and queue, and their settings.
#ifndef KONGFLOW_ENDPOINTS_POSTGRES_HPP
#define KONGFLOW_ENDPOINTS_POSTGRES_HPP

#include <kongflow/endpoints/postgres/params.hpp>
#include <kongflow/endpoints/postgres/queue.hpp>
#include <kongflow/endpoints/postgres/repository.hpp>
#include <kongflow/endpoints/postgres/store.hpp>

#endif
