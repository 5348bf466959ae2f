// Umbrella header: what a host uses, with the in-memory backend. The SQLite backend has its own,
// kongflow/endpoints/sqlite.hpp (it needs SQLite and the kongflow::endpoints_sqlite target).
#ifndef KONGFLOW_ENDPOINTS_HPP
#define KONGFLOW_ENDPOINTS_HPP

#include <kongflow/endpoints/client/address_policy.hpp>
#include <kongflow/endpoints/client/api_client.hpp>
#include <kongflow/endpoints/client/http_api_client.hpp>
#include <kongflow/endpoints/client/http_transport.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/json_text.hpp>
#include <kongflow/endpoints/memory/queue.hpp>
#include <kongflow/endpoints/memory/repository.hpp>
#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/model.hpp>
#include <kongflow/endpoints/queue/cron.hpp>
#include <kongflow/endpoints/queue/queue.hpp>
#include <kongflow/endpoints/queue/retry_policy.hpp>
#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/services/observability.hpp>
#include <kongflow/endpoints/services/registrar.hpp>
#include <kongflow/endpoints/services/service_error.hpp>
#include <kongflow/endpoints/storage/repository.hpp>
#include <kongflow/endpoints/storage/store.hpp>
#include <kongflow/endpoints/storage/unit_of_work.hpp>
#include <kongflow/endpoints/timestamp.hpp>
#include <kongflow/endpoints/version.hpp>

#endif
