#include <kongflow/endpoints/src.hpp>
