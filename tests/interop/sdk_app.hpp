#pragma once
// The SDK app of the interop tests (tests/interop/sdk-app/server.js): which SDK it runs, and a
// second app of another variant started by a test. Needs KONGFLOW_INTEROP_DIR and KONGFLOW_NODE.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kongflow_test {

/// The SDK version the app sends in its headers. CTest runs the suite twice: on
/// @trigger.dev/sdk 2.3.19 (the default) and on 2.3.3 (KONGFLOW_SDK_VERSION=2.3.3, the apps
/// started with KF_SDK_MODULE=trigger-sdk-2.3.3).
inline std::string expected_sdk_version() {
    const char* v = std::getenv("KONGFLOW_SDK_VERSION");
    return v && *v ? v : "2.3.19";
}

inline std::string read_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

/// The URL of the app the CTest fixture started (its state directory in KONGFLOW_SDK_APP_STATE).
inline std::string fixture_app_url() {
    const char* state = std::getenv("KONGFLOW_SDK_APP_STATE");
    if (!state) throw std::runtime_error("KONGFLOW_SDK_APP_STATE is not set: run the interop tests through ctest");
    auto url = read_line(std::string(state) + "/url");
    if (url.empty()) throw std::runtime_error(std::string("the SDK app fixture wrote no URL in ") + state);
    return url;
}

/// A second SDK app (another variant, its own port), stopped when the test ends.
class sdk_app {
public:
    explicit sdk_app(const std::string& variant, const std::string& id = "my-app") {
        dir_ = std::filesystem::temp_directory_path() / ("kongflow-sdk-" + std::to_string(::getpid()) + "-" + variant);
        std::filesystem::create_directories(dir_);
        std::string port_file = (dir_ / "port").string();
        std::filesystem::remove(port_file);
        std::string script = std::string(KONGFLOW_INTEROP_DIR) + "/sdk-app/server.js";
        std::vector<std::string> args = {KONGFLOW_NODE, script,  "--port", "0", "--port-file",       port_file,
                                         "--variant",   variant, "--id",   id,  "--max-lifetime-ms", "300000"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, KONGFLOW_NODE, nullptr, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("could not start node");
        for (int i = 0; i < 300 && read_line(port_file).empty(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto port = read_line(port_file);
        if (port.empty()) throw std::runtime_error("the SDK app did not start");
        url_ = "http://127.0.0.1:" + port + "/api/trigger";
    }
    ~sdk_app() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        std::filesystem::remove_all(dir_);
    }
    const std::string& url() const { return url_; }

private:
    pid_t pid_ = 0;
    std::filesystem::path dir_;
    std::string url_;
};

} // namespace kongflow_test
