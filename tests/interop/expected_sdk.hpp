#pragma once
// Which SDK the interop app runs: the tests check the version headers it sends against this.
// CTest runs the suite twice: on @trigger.dev/sdk 2.3.19 (the default) and on 2.3.3
// (KONGFLOW_SDK_VERSION=2.3.3, the app started with KF_SDK_MODULE=trigger-sdk-2.3.3).
#include <cstdlib>
#include <string>

namespace kongflow_test {

inline std::string expected_sdk_version() {
    const char* v = std::getenv("KONGFLOW_SDK_VERSION");
    return v && *v ? v : "2.3.19";
}

} // namespace kongflow_test
