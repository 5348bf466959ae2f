// kongflow-endpointsd: the reference host of the library. See docs/daemon.md.
#include "bootstrap.hpp"
#include "config.hpp"
#include "daemon.hpp"
#include "logging.hpp"

#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include <sys/resource.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kfd = kongflow::endpointsd;
namespace kfe = kongflow::endpoints;

namespace {

int fail(const std::string& what) {
    std::fprintf(stderr, "kongflow-endpointsd: %s\n", what.c_str());
    return 2;
}

std::string describe(const kfe::error_code& ec, const kfe::diagnostics& diag) {
    std::string out = ec.message();
    if (!diag.client_message().empty()) out = std::string(diag.client_message()) + " (" + out + ")";
    return out;
}

int environments_command(const kfd::command_line& cl) {
    kfe::diagnostics diag;
    auto st = kfd::open_store(cl.config);
    if (!st)
        return fail("cannot open " + kfd::db_display_name(cl.config) + ": " + describe(st.error(), st.error().diag()));
    auto& repo = (*st)->repo();
    if (cl.kind == kfd::command_kind::environments_list) {
        auto envs = kfd::list_environments(repo);
        if (!envs) return fail("cannot list environments: " + envs.error().message());
        std::cout << boost::json::serialize(*envs) << "\n";
        return 0;
    }
    kfd::create_environment_command c{cl.env_type, cl.api_key, cl.org, cl.project};
    auto env = kfd::create_environment(repo, c, diag);
    if (!env) return fail("cannot create the environment: " + describe(env.error(), diag));
    auto org = repo.find_organization(env->organization_id);
    auto project = repo.find_project(env->project_id);
    if (!org || !project) return fail("the environment was created but its owners cannot be read");
    std::cout << boost::json::serialize(kfd::environment_output(*env, *org, *project)) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = kfd::parse_command_line(args, kfd::process_environment());
    if (!parsed.value) return fail(parsed.error + "\nRun kongflow-endpointsd --help for usage.");
    const auto& cl = *parsed.value;
    switch (cl.kind) {
    case kfd::command_kind::help: std::cout << kfd::help_text(); return 0;
    case kfd::command_kind::version:
        std::cout << "kongflow-endpointsd " KONGFLOW_ENDPOINTS_VERSION_STRING "\n";
        return 0;
    case kfd::command_kind::environments_create:
    case kfd::command_kind::environments_list: return environments_command(cl);
    case kfd::command_kind::serve: break;
    }

#if defined(__GLIBC__)
    // glibc returns memory to the kernel once 128 KiB are free at the top of a thread's heap.
    // SQLite allocates and frees a 64 KiB statement journal around every write, so under load
    // each write paid an madvise (a TLB shootdown) and page faults afterwards: about a third of
    // the create throughput. Keeping up to 32 MiB per heap costs little and stops that churn.
    mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
#endif
    // Each client connection is a descriptor: take all the hard limit allows (the usual soft
    // limit, 1024, would cap max_client_connections; the daemon logs when it lowers it).
    if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &lim);
    }
    // A file-size limit (ulimit -f) reached by the database: a failed write (the create fails
    // with the store's error, and succeeds again once the limit is raised), not a killed daemon.
    std::signal(SIGXFSZ, SIG_IGN);
    auto sink = std::make_shared<kfd::json_log_sink>(stderr);
    try {
        kfd::daemon_app app(cl.config, sink);
        kfe::diagnostics diag;
        if (auto r = app.open(diag); !r) return fail("cannot start: " + describe(r.error(), diag));
        if (const auto& env = app.bootstrapped()) {
            // First start: hand out the development key, as a self-hosted Trigger.dev does.
            std::cout << "Created organization '" << cl.config.bootstrap_org << "', project '"
                      << cl.config.bootstrap_project << "' and a DEVELOPMENT environment.\n"
                      << "Its API key (TRIGGER_API_KEY): " << env->api_key << "\n"
                      << std::flush;
        }
        auto ep = app.local_endpoint();
        app.handle_signals();
        if (auto r = app.start(); !r) return fail("cannot start the worker: " + r.error().message());
        std::cout << "kongflow-endpointsd listening on http://" << ep.address().to_string() << ":" << ep.port() << "\n"
                  << std::flush;
        app.wait();
    } catch (const std::exception& e) {
        return fail(std::string("fatal: ") + e.what());
    }
    return 0;
}
