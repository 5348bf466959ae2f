// Compiled part of the PostgreSQL backend (kongflow::endpoints_postgres).
#include <kongflow/endpoints/postgres/src.hpp>
