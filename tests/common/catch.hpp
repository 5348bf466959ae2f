// Catch2 include shim: Debian ships v2 (catch2/catch.hpp); vcpkg and Conan default to v3.
#pragma once
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
