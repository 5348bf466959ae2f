// docs/extending.md, run against an endpoint: the services with an api_client and a registrar of
// our own (logging_api_client, counting_registrar), on the in-memory store.
//
// usage: kongflow-extending URL ID API_KEY
// Prints one line per exchange with the endpoint and what the registrar saw; exits 0 when the
// index succeeded and the registrar counted every job of the stats.
#include "counting_registrar.hpp"
#include "logging_api_client.hpp"

#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>

#include <boost/asio.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace kf = kongflow::endpoints;

asio::awaitable<int> run(kf::endpoint_service& endpoints, kf::index_endpoint_service& indexes,
                         example::counting_registrar& counter, kf::environment env, std::string url, std::string id) {
    kf::service_error err;
    kf::create_endpoint_request request{std::move(env), std::move(url), std::move(id)};
    auto create = endpoints.async_create(std::move(request), err, asio::deferred);
    auto [ec, created] = co_await std::move(create)(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        std::cout << boost::json::serialize(boost::json::value_from(err)) << "\n";
        co_return 1;
    }
    // [perform_now]
    // No worker here: perform the queued index ourselves, as the worker's handler would.
    auto perform = indexes.async_perform_index(created.index.id, err, asio::deferred);
    auto [pec, index] = co_await std::move(perform)(asio::as_tuple(asio::use_awaitable));
    // [perform_now]
    if (pec) {
        std::cout << "perform-index: " << err.message << "\n";
        co_return 1;
    }
    std::cout << "index " << kf::to_string(index.status) << " " << boost::json::serialize(index.stats) << "\n";
    std::cout << "registrar counted " << counter.jobs << " jobs\n";
    bool ok = index.status == kf::index_status::success && index.stats.at("jobs").to_number<int>() == counter.jobs;
    co_return ok ? 0 : 1;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: kongflow-extending URL ID API_KEY\n";
        return 2;
    }
    const std::string url = argv[1], id = argv[2]; // named: coroutine parameters (GCC 12)
    kf::memory::store st;
    auto org = st.repo().create_organization({.slug = "acme", .title = "Acme"}).value();
    auto proj = st.repo().create_project({.organization_id = org.id, .slug = "web", .name = "Web"}).value();
    auto env = st.repo()
                   .create_environment({.organization_id = org.id,
                                        .project_id = proj.id,
                                        .slug = "dev",
                                        .type = kf::environment_type::development,
                                        .api_key = argv[3]})
                   .value();

    asio::io_context ctx;
    // [plug_in]
    example::logging_api_client client(ctx.get_executor(), [](std::string_view line) { std::cout << line << "\n"; });
    kf::repository_registrar rows;
    example::counting_registrar counter(rows);
    kf::endpoint_service endpoints(ctx.get_executor(), st, client);
    kf::index_endpoint_service indexes(ctx.get_executor(), st, client, counter);
    // [plug_in]

    int status = 1;
    asio::co_spawn(ctx, run(endpoints, indexes, counter, env, url, id), [&](std::exception_ptr e, int rc) {
        status = e ? 1 : rc;
        client.transport().close();
    });
    ctx.run();
    return status;
}
