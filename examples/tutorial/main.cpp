// The tutorial (docs/tutorial.md): register a Trigger.dev endpoint and wait until it is indexed,
// with C++20 coroutines on the caller's io_context.
//
// usage: kongflow-tutorial URL ID API_KEY [DATABASE]
//   URL       the endpoint, e.g. http://127.0.0.1:3000/api/trigger (kongflow-sample-endpoint)
//   ID        the endpoint's id (the SDK client's `id`; the endpoint checks it)
//   API_KEY   the environment's key, which the endpoint checks too (tr_dev_...)
//   DATABASE  an SQLite file; without it everything stays in memory
// Prints the index's final status and stats; exits 0 on SUCCESS.
// [includes]
#include <kongflow/endpoints/client/http_api_client.hpp>
#include <kongflow/endpoints/memory/store.hpp>
#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/services/endpoint_service.hpp>
#include <kongflow/endpoints/services/index_endpoint_service.hpp>
#include <kongflow/endpoints/sqlite/store.hpp>

#include <boost/asio.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace kf = kongflow::endpoints;
using namespace std::chrono_literals;
// [includes]

// [environment]
// The environment that owns the endpoint: found by its API key, or created with an organization
// and a project on first use. Repository calls are synchronous and return result<T>.
kf::result<kf::environment> find_or_create_environment(kf::repository& repo, const std::string& api_key) {
    if (auto env = repo.find_environment_by_api_key(api_key); env || env.error() != kf::errc::not_found) return env;
    auto org = repo.create_organization({.slug = "tutorial", .title = "Tutorial"});
    if (!org) return org.error();
    auto proj = repo.create_project({.organization_id = org->id, .slug = "tutorial", .name = "Tutorial"});
    if (!proj) return proj.error();
    return repo.create_environment({.organization_id = org->id,
                                    .project_id = proj->id,
                                    .slug = "dev",
                                    .type = kf::environment_type::development,
                                    .api_key = api_key});
}
// [environment]

// [wait]
// Polls the index until perform-index (run by the worker) has finished it, for at most 30 s.
asio::awaitable<kf::endpoint_index> wait_for_index(kf::repository& repo, std::string index_id) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 300; ++i) {
        auto index = repo.find_index(index_id);
        if (!index) throw boost::system::system_error(index.error(), "reading the index");
        if (index->status == kf::index_status::success || index->status == kf::index_status::failure) co_return *index;
        timer.expires_after(100ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
    throw boost::system::system_error(kf::make_error_code(kf::errc::timeout), "waiting for the index");
}
// [wait]

// [register]
asio::awaitable<int> register_endpoint(kf::endpoint_service& endpoints, kf::repository& repo, kf::environment env,
                                       std::string url, std::string id) {
    // PING the endpoint, upsert it, record a PENDING index and enqueue its indexing, in one unit
    // of work. The operation is built first and awaited on its own line (GCC 12, see async.md).
    kf::service_error err;
    kf::create_endpoint_request request{std::move(env), std::move(url), std::move(id)};
    auto create = endpoints.async_create(std::move(request), err, asio::deferred);
    auto [ec, created] = co_await std::move(create)(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        // err.code == ec: FAILED_PING, INVALID_REQUEST...; err.message is Trigger.dev's text.
        std::cout << kf::code_name(err) << ": " << err.message << "\n";
        co_return 1;
    }
    std::cout << "endpoint " << created.value.slug << " registered, index " << created.index.id << " "
              << kf::to_string(created.index.status) << "\n";

    kf::endpoint_index index = co_await wait_for_index(repo, created.index.id);
    std::cout << "index " << kf::to_string(index.status) << "\n";
    if (index.status != kf::index_status::success) {
        std::cout << boost::json::serialize(index.error) << "\n";
        co_return 1;
    }
    std::cout << "stats " << boost::json::serialize(index.stats) << "\n";
    auto jobs = repo.list_jobs(created.value.id);
    for (const auto& job : jobs.value()) std::cout << "job " << job.slug << "@" << job.version << "\n";
    co_return 0;
}
// [register]

// [main]
int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: kongflow-tutorial URL ID API_KEY [DATABASE]\n";
        return 2;
    }
    const std::string url = argv[1], id = argv[2], api_key = argv[3];

    // 1. A store: a repository and a job queue that commit together.
    std::unique_ptr<kf::store> st;
    if (argc > 4) {
        auto opened = kf::sqlite::store::open(argv[4]); // creates or migrates the file
        if (!opened) {
            std::cerr << "cannot open " << argv[4] << ": " << opened.error().diag().client_message() << "\n";
            return 1;
        }
        st = std::move(*opened);
    } else {
        st = std::make_unique<kf::memory::store>();
    }
    auto env = find_or_create_environment(st->repo(), api_key);
    if (!env) {
        std::cerr << "environment: " << env.error().message() << "\n";
        return 1;
    }

    // 2. Everything runs on our io_context; the library starts no thread of its own except the
    //    worker's store thread (and the SQLite queue's checkpointer).
    asio::io_context ctx;
    kf::http_api_client client(ctx.get_executor());
    kf::repository_registrar registrar; // what the endpoint exposes becomes repository rows
    kf::endpoint_service endpoints(ctx.get_executor(), *st, client);
    kf::index_endpoint_service indexes(ctx.get_executor(), *st, client, registrar);

    // 3. The worker runs the queued indexing jobs; its handlers run on ctx.
    kf::worker worker(ctx, st->jobs());
    indexes.register_jobs(worker);
    if (auto started = worker.start(); !started) {
        std::cerr << "worker: " << started.error().message() << "\n";
        return 1;
    }

    // 4. Register the endpoint, then shut the worker down and close idle connections, so that
    //    ctx runs out of work and run() returns.
    int status = 1;
    asio::co_spawn(ctx, register_endpoint(endpoints, st->repo(), *env, url, id), [&](std::exception_ptr e, int rc) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "error: " << ex.what() << "\n";
            }
        }
        status = e ? 1 : rc;
        worker.async_shutdown(5s, [&](kf::error_code) { client.transport().close(); });
    });
    ctx.run();
    return status;
}
// [main]
