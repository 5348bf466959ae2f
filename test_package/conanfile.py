# Conan's package test (conan-center style): builds test_package.cpp against the package just
# created and runs it. tests/packaging builds the same CMakeLists.txt against trees installed
# with the recipe's options, without Conan.
import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeToolchain, cmake_layout


class TestPackageConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    generators = "CMakeDeps", "VirtualRunEnv"
    test_type = "explicit"

    # [conan_consumer]
    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def generate(self):
        options = self.dependencies["kongflow-endpoints"].options
        tc = CMakeToolchain(self)
        tc.cache_variables["KONGFLOW_TEST_HEADER_ONLY"] = bool(options.header_only)
        tc.cache_variables["KONGFLOW_TEST_SQLITE"] = bool(options.with_sqlite)
        tc.cache_variables["KONGFLOW_TEST_POSTGRES"] = bool(options.with_postgres)
        tc.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()
    # [conan_consumer]

    def test(self):
        if can_run(self):
            self.run(os.path.join(self.cpp.build.bindir, "test_package"), env="conanrun")
