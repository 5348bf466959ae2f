// Compiled part of the SQLite defaults (kongflow::endpoints_sqlite).
#include <kongflow/endpoints/sqlite/src.hpp>
