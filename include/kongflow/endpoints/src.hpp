// Include this in exactly one translation unit to build the library's compiled part yourself
// (the kongflow::endpoints CMake target does it in src/endpoints.cpp).
#ifndef KONGFLOW_ENDPOINTS_SRC_HPP
#define KONGFLOW_ENDPOINTS_SRC_HPP

#ifndef KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION
#error "define KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION to build the compiled library"
#endif

#include <kongflow/endpoints/client/impl/address_policy.ipp>
#include <kongflow/endpoints/client/impl/http_transport.ipp>
#include <kongflow/endpoints/client/impl/http_wire.ipp>
#include <kongflow/endpoints/client/impl/json_actions.ipp>
#include <kongflow/endpoints/client/impl/json_index.ipp>
#include <kongflow/endpoints/client/impl/replies.ipp>
#include <kongflow/endpoints/client/impl/schemas.ipp>
#include <kongflow/endpoints/client/impl/zod.ipp>
#include <kongflow/endpoints/client/impl/zod_schema.ipp>
#include <kongflow/endpoints/impl/error.ipp>
#include <kongflow/endpoints/impl/model.ipp>
#include <kongflow/endpoints/impl/version.ipp>
#include <kongflow/endpoints/memory/impl/queue.ipp>
#include <kongflow/endpoints/memory/impl/repository.ipp>
#include <kongflow/endpoints/memory/impl/store.ipp>
#include <kongflow/endpoints/queue/impl/cron.ipp>
#include <kongflow/endpoints/queue/impl/worker.ipp>
#include <kongflow/endpoints/services/impl/endpoint_service.ipp>
#include <kongflow/endpoints/services/impl/index_endpoint_service.ipp>
#include <kongflow/endpoints/services/impl/registrar.ipp>
#include <kongflow/endpoints/storage/impl/store.ipp>

#endif
