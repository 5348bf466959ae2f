// kongflow-endpointsd as a child process for the daemon tests: started with its flags on
// 127.0.0.1:0, its output in files, stopped with a signal of the test's choice (SIGKILL: a crash),
// and its resident memory read from /proc.
#ifndef KONGFLOW_TESTS_DAEMON_DAEMON_PROCESS_HPP
#define KONGFLOW_TESTS_DAEMON_DAEMON_PROCESS_HPP

#include "daemon_fixture.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace kf_daemon_test {

inline std::string read_whole_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class daemon_process {
public:
    /// Starts `exe serve --listen 127.0.0.1:0 args...` and waits (bounded) until it listens.
    daemon_process(const std::string& exe, const std::vector<std::string>& args, const std::string& out_prefix)
            : out_(out_prefix + ".out"), err_(out_prefix + ".log") {
        std::vector<std::string> argv_s{exe, "serve", "--listen", "127.0.0.1:0"};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            if (!std::freopen(out_.c_str(), "w", stdout) || !std::freopen(err_.c_str(), "w", stderr)) ::_exit(126);
            std::vector<char*> argv;
            for (auto& a : argv_s) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(exe.c_str(), argv.data());
            ::_exit(127);
        }
        std::string out;
        bool up = eventually(
            [&] {
                out = read_whole_file(out_);
                return out.find("listening on") != std::string::npos || ::waitpid(pid_, nullptr, WNOHANG) == pid_;
            },
            std::chrono::seconds(30));
        INFO(out << read_whole_file(err_));
        REQUIRE(up);
        REQUIRE(out.find("listening on") != std::string::npos);
        port = static_cast<unsigned short>(std::stoi(out.substr(out.rfind(':') + 1)));
    }
    ~daemon_process() { stop(SIGKILL); }
    daemon_process(const daemon_process&) = delete;
    daemon_process& operator=(const daemon_process&) = delete;

    /// Sends `sig` and reaps the process (SIGKILL after 30 s); returns its wait status.
    int stop(int sig) {
        if (pid_ <= 0) return status_;
        ::kill(pid_, sig);
        bool exited = eventually([&] { return ::waitpid(pid_, &status_, WNOHANG) == pid_; }, std::chrono::seconds(30));
        if (!exited) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status_, 0);
        }
        pid_ = -1;
        return status_;
    }

    /// VmRSS in KiB (0 when unreadable).
    long rss_kib() const {
        std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
        return 0;
    }
    std::string log() const { return read_whole_file(err_); }

    unsigned short port = 0;

private:
    std::string out_, err_;
    pid_t pid_ = -1;
    int status_ = 0;
};

} // namespace kf_daemon_test

#endif
