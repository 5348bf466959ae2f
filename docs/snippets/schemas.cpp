// Snippets of docs/schemas.md. Compiled (tests/docs: kongflow_doc_snippets), never run.
#include <kongflow/endpoints/client/schemas.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <iostream>
#include <string_view>

namespace json = boost::json;
namespace kf = kongflow::endpoints;

namespace schemas_snippets {

// [parse]
void read_index(std::string_view text) {
    json::monotonic_resource arena; // optional: typed values never point into it
    json::value body = json::parse(text, &arena);
    auto r = kf::parse_index_endpoint_response(body);
    if (r.ok()) {
        for (const kf::job_metadata& job : r.value().jobs) std::cout << job.id << "\n";
    } else {
        kf::index_failure f = kf::index_failure_message(body, r.issues());
        // f.message: "Your Jobs have issues:\n- Job \"j1\": Required at \"name\"."  (what users see)
        // f.raw:     "Validation error: Required at \"jobs[0].name\""
        std::cout << f.message << "\n";
    }
}
// [parse]

} // namespace schemas_snippets
