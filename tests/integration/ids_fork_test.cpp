// Buffered randomness across fork(): a child must not reuse the bytes its parent had buffered,
// or both processes would make the same ids.
#include "catch.hpp"

#include <kongflow/endpoints/detail/ids.hpp>

#include <array>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace kf = kongflow::endpoints;

TEST_CASE("a forked child does not hand out its parent's buffered random bytes", "[integration][ids]") {
    // Fill this thread's buffer, so that the next ids would come from it in both processes.
    REQUIRE(kf::detail::new_id());
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::string ids;
        for (int i = 0; i < 4; ++i) ids += kf::detail::new_id().value();
        const auto n = ::write(fds[1], ids.data(), ids.size());
        ::_exit(n == static_cast<ssize_t>(ids.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string mine;
    for (int i = 0; i < 4; ++i) mine += kf::detail::new_id().value();
    std::array<char, 256> buf{};
    std::string theirs;
    for (ssize_t n; (n = ::read(fds[0], buf.data(), buf.size())) > 0;)
        theirs.append(buf.data(), static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(theirs.size() == mine.size());
    // Compare the random tails (the first 9 characters are the time, which may match).
    for (std::size_t i = 0; i < 4; ++i) CHECK(theirs.substr(i * 25 + 9, 16) != mine.substr(i * 25 + 9, 16));
}
