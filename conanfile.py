# Conan 2 recipe: `conan create .` builds the package from this checkout and runs test_package/.
# The CMake options common to every package build live in cmake/package-build.cmake, shared with
# the vcpkg port; tests/packaging configures, builds and installs with that file and this recipe's
# per-option CMake variables, then builds test_package/ against the installed tree.
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir

required_conan_version = ">=2.0"


class KongflowEndpointsConan(ConanFile):
    name = "kongflow-endpoints"
    description = "Trigger.dev v2 Endpoints service for C++ hosts"
    license = "Apache-2.0"
    topics = ("trigger.dev", "job-queue", "asio", "beast", "http-client")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "header_only": [True, False],
        "with_sqlite": [True, False],
        "with_postgres": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "header_only": False,
        "with_sqlite": True,
        # Off by default, as the vcpkg port's feature "postgres": SQLite is the store a program
        # gets by default, the PostgreSQL backend (several processes on one database) brings libpq.
        "with_postgres": False,
    }
    # What building the library needs, and nothing else (no tests, examples or docs).
    # tests/packaging builds its FetchContent consumer from an archive of exactly these paths.
    exports_sources = ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*")

    def set_version(self):
        # One source for the version: include/kongflow/endpoints/version.hpp.
        if self.version:
            return
        text = load(self, os.path.join(self.recipe_folder, "include", "kongflow", "endpoints", "version.hpp"))
        parts = []
        for part in ("MAJOR", "MINOR", "PATCH"):
            match = re.search(rf"^#define KONGFLOW_ENDPOINTS_VERSION_{part} (\d+)$", text, re.MULTILINE)
            parts.append(match.group(1))
        self.version = ".".join(parts)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.header_only:
            self.package_type = "header-library"
            self.options.rm_safe("shared")
            self.options.rm_safe("fPIC")
        elif self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self, src_folder=".")

    def requirements(self):
        # The public headers include Boost, OpenSSL, (SQLite part) sqlite3.h and (PostgreSQL
        # backend) libpq-fe.h.
        self.requires("boost/[>=1.81.0 <2]", transitive_headers=True, transitive_libs=True)
        self.requires("openssl/[>=3 <4]", transitive_headers=True, transitive_libs=True)
        if self.options.with_sqlite:
            self.requires("sqlite3/[>=3.40.0 <4]", transitive_headers=True, transitive_libs=True)
        if self.options.with_postgres:
            self.requires("libpq/[>=15 <17]", transitive_headers=True, transitive_libs=True)

    def validate(self):
        check_min_cppstd(self, 20)

    def package_id(self):
        if self.info.options.header_only:
            # The same headers for every configuration; with_sqlite and with_postgres still decide
            # which.
            self.info.settings.clear()

    def generate(self):
        # Per-option CMake variables (the vcpkg port maps its features the same way); the options
        # common to all package builds come from cmake/package-build.cmake in build().
        # BUILD_SHARED_LIBS and position-independent code follow shared/fPIC through the toolchain.
        # KONGFLOW_ENDPOINTS_WITH_POSTGRES is ON or OFF, never its default AUTO (which would build
        # the backend whenever some libpq is found).
        tc = CMakeToolchain(self)
        tc.cache_variables["KONGFLOW_ENDPOINTS_WITH_SQLITE"] = bool(self.options.with_sqlite)
        tc.cache_variables["KONGFLOW_ENDPOINTS_WITH_POSTGRES"] = bool(self.options.with_postgres)
        tc.cache_variables["KONGFLOW_ENDPOINTS_BUILD_COMPILED"] = not self.options.header_only
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure(cli_args=["-C", os.path.join(self.source_folder, "cmake", "package-build.cmake")])
        cmake.build()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()
        # Conan writes the CMake config and .pc files from package_info() instead.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        # The same file, target and pkg-config names as the CMake package and .pc files this
        # project installs, so that consumers build the same way with or without Conan.
        self.cpp_info.set_property("cmake_file_name", "kongflow_endpoints")
        deps = ["boost::headers", "boost::json", "boost::url", "openssl::ssl", "openssl::crypto"]
        system_libs = ["pthread"] if self.settings.os in ("Linux", "FreeBSD") else []
        defines = ["BOOST_ASIO_NO_DEPRECATED"]

        header_only = self.cpp_info.components["endpoints_header_only"]
        header_only.set_property("cmake_target_name", "kongflow::endpoints_header_only")
        header_only.defines = list(defines)
        header_only.requires = list(deps)
        header_only.system_libs = list(system_libs)
        header_only.bindirs = []
        header_only.libdirs = []

        if not self.options.header_only:
            compiled = self.cpp_info.components["endpoints"]
            compiled.set_property("cmake_target_name", "kongflow::endpoints")
            compiled.set_property("pkg_config_name", "kongflow-endpoints")
            compiled.libs = ["kongflow_endpoints"]
            compiled.defines = defines + ["KONGFLOW_ENDPOINTS_SEPARATE_COMPILATION"]
            compiled.requires = list(deps)
            compiled.system_libs = list(system_libs)

        if self.options.with_sqlite:
            sqlite_header_only = self.cpp_info.components["endpoints_sqlite_header_only"]
            sqlite_header_only.set_property("cmake_target_name", "kongflow::endpoints_sqlite_header_only")
            sqlite_header_only.requires = ["endpoints_header_only", "sqlite3::sqlite"]
            sqlite_header_only.bindirs = []
            sqlite_header_only.libdirs = []
            if not self.options.header_only:
                sqlite = self.cpp_info.components["endpoints_sqlite"]
                sqlite.set_property("cmake_target_name", "kongflow::endpoints_sqlite")
                sqlite.set_property("pkg_config_name", "kongflow-endpoints-sqlite")
                sqlite.libs = ["kongflow_endpoints_sqlite"]
                sqlite.requires = ["endpoints", "sqlite3::sqlite"]

        if self.options.with_postgres:
            postgres_header_only = self.cpp_info.components["endpoints_postgres_header_only"]
            postgres_header_only.set_property("cmake_target_name", "kongflow::endpoints_postgres_header_only")
            postgres_header_only.requires = ["endpoints_header_only", "libpq::pq"]
            postgres_header_only.bindirs = []
            postgres_header_only.libdirs = []
            if not self.options.header_only:
                postgres = self.cpp_info.components["endpoints_postgres"]
                postgres.set_property("cmake_target_name", "kongflow::endpoints_postgres")
                postgres.set_property("pkg_config_name", "kongflow-endpoints-postgres")
                postgres.libs = ["kongflow_endpoints_postgres"]
                postgres.requires = ["endpoints", "libpq::pq"]
