// Umbrella header: everything except the SQLite defaults (include kongflow/endpoints/sqlite.hpp).
#ifndef KONGFLOW_ENDPOINTS_HPP
#define KONGFLOW_ENDPOINTS_HPP

#include <kongflow/endpoints/client/http_transport.hpp>
#include <kongflow/endpoints/diagnostics.hpp>
#include <kongflow/endpoints/error.hpp>
#include <kongflow/endpoints/version.hpp>

#endif
