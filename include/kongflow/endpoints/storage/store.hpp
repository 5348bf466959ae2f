// A store: a repository and a queue that live in one place, so that units of work can span both.
#ifndef KONGFLOW_ENDPOINTS_STORAGE_STORE_HPP
#define KONGFLOW_ENDPOINTS_STORAGE_STORE_HPP

#include <kongflow/endpoints/queue/queue.hpp>
#include <kongflow/endpoints/storage/repository.hpp>
#include <kongflow/endpoints/storage/unit_of_work.hpp>

#include <memory>

namespace kongflow::endpoints {

class store {
public:
    virtual ~store() = default;

    /// The repository, outside any unit of work (each call is its own transaction).
    virtual repository& repo() = 0;
    /// The queue, outside any unit of work (workers claim from it).
    virtual queue& jobs() = 0;
    /// Starts a unit of work (waits for the store's write lock).
    virtual result<std::unique_ptr<unit_of_work>> begin() = 0;
};

} // namespace kongflow::endpoints

#endif
