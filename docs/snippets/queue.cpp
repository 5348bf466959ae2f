// Snippets of docs/queue.md. Compiled (tests/docs: kongflow_doc_snippets), never run.
#include <kongflow/endpoints/queue/worker.hpp>
#include <kongflow/endpoints/sqlite/queue.hpp>
#include <kongflow/endpoints/testing/queue_conformance.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace json = boost::json;
namespace kf = kongflow::endpoints;

namespace queue_snippets {

// [intro]
void intro() {
    asio::io_context io;
    auto q = kf::sqlite::queue::open("jobs.db").value(); // creates or migrates the table
    kf::worker w(io, *q);                                // handlers run on io's executor
    w.register_handler("sendReport", [](kf::job_context ctx) -> asio::awaitable<void> {
        std::string to(ctx.payload().at("to").as_string());
        asio::steady_timer t(ctx.get_executor(), std::chrono::milliseconds(10));
        co_await t.async_wait(asio::use_awaitable); // throw to fail (retried), or return normally
        std::cout << "report sent to " << to << " (attempt " << ctx.attempt() << ")\n";
    });
    w.start().value();
    w.enqueue("sendReport", json::object{{"to", "ops@example.com"}}).value();
    // The worker holds no work on io: keep it running (a guard, a server, a signal_set...).
    auto guard = asio::make_work_guard(io);
    io.run();
}
// [intro]

// [conformance]
void run_suite_on_my_queue(const std::function<std::unique_ptr<kf::queue>()>& make_empty_queue) {
    for (const auto& c : kf::testing::queue_conformance_cases()) {
        auto q = make_empty_queue();
        for (const auto& f : kf::testing::run_queue_conformance_case(c, *q))
            std::cerr << f.test << ": " << f.check << " (queue_conformance.hpp:" << f.line << ")\n";
    }
}
// [conformance]

} // namespace queue_snippets
