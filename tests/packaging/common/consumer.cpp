// A program that uses kongflow-endpoints the way an application would. Every packaging test builds
// it (find_package, the build-tree export, add_subdirectory, FetchContent, pkg-config, the vcpkg
// port) in the compiled and the header-only mode, and runs it.
//
// Usage: consumer <expected version> <compiled|header-only>
// Exits non-zero when the library's version, the build mode or the error category is not the
// expected one, so that a consumer linked to the wrong target or the wrong installation fails.
#include <kongflow/endpoints.hpp>

#include <cstdio>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
    namespace kf = kongflow::endpoints;
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <expected version> <compiled|header-only>\n", argv[0]);
        return 2;
    }
    const std::string_view expected_version = argv[1];
    const std::string_view expected_mode = argv[2];
#ifdef KONGFLOW_ENDPOINTS_HEADER_ONLY
    const std::string_view mode = "header-only";
#else
    const std::string_view mode = "compiled";
#endif

    // With the compiled library, version() and the error category live in the linked binary.
    const kf::error_code ec = kf::errc::not_found;
    const std::string message = ec.message();
    std::printf("kongflow-endpoints %.*s (%.*s): %s:%d %s\n", static_cast<int>(kf::version().size()),
                kf::version().data(), static_cast<int>(mode.size()), mode.data(), ec.category().name(), ec.value(),
                message.c_str());

    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        if (!ok) {
            std::fprintf(stderr, "FAILED: %s\n", what);
            ++failures;
        }
    };
    check(kf::version() == expected_version, "version() is the expected version");
    check(kf::version() == KONGFLOW_ENDPOINTS_VERSION_STRING, "version() matches the headers");
    check(mode == expected_mode, "the build mode is the expected one");
    check(std::string_view(ec.category().name()) == "kongflow.endpoints", "errc has its category");
    check(message == "not found", "errc::not_found has its message");
    check(ec == kf::make_error_code(kf::errc::not_found), "make_error_code agrees");
    return failures == 0 ? 0 : 1;
}
