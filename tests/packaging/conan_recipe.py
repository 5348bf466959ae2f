#!/usr/bin/env python3
"""Runs conanfile.py's methods without Conan (packaging.conan.<case>.recipe).

Conan cannot be installed on our machines, so this loads the recipe against small stand-ins for
the parts of the `conan` package it uses, for one option set, and checks:
  - set_version() reads include/kongflow/endpoints/version.hpp;
  - generate() + build() ask CMake for exactly the options that tests/packaging configured, built
    and installed this case with (--expect-cmake), after -C cmake/package-build.cmake;
  - package_info() declares exactly the CMake targets and pkg-config names the installed tree
    (--package) provides, and libraries that exist there;
  - the components link exactly the packages requirements() requires (libpq::pq with
    with_postgres=True), and those reach consumers (transitive headers and libraries).
Usage: conan_recipe.py --source DIR --options "shared=True with_sqlite=False with_postgres=True"
                       --expect-cmake "-DA=ON|-DB=OFF" --package PREFIX --version X.Y.Z
"""
import argparse
import importlib.util
import os
import re
import sys
import types


class Value(str):
    """An option or setting value: compares as a string, is truthy as Conan's are."""

    def __bool__(self):
        return self not in ("False", "None", "")


class Options:
    def __init__(self, definitions, defaults):
        object.__setattr__(self, "_values", {k: Value(str(defaults[k])) for k in definitions})

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"option '{name}' does not exist (or was removed)") from None

    def __setattr__(self, name, value):
        self._values[name] = Value(str(value))

    def __delattr__(self, name):
        del self._values[name]

    def rm_safe(self, name):
        self._values.pop(name, None)

    def __contains__(self, name):
        return name in self._values


class Settings:
    def __init__(self, **values):
        self._values = {k: Value(v) for k, v in values.items()}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._values[name]

    def clear(self):
        self._values.clear()


class Component:
    def __init__(self):
        self.properties = {}
        self.libs = []
        self.defines = []
        self.requires = []
        self.system_libs = []
        self.bindirs = ["bin"]
        self.libdirs = ["lib"]
        self.includedirs = ["include"]

    def set_property(self, name, value):
        self.properties[name] = value


class CppInfo(Component):
    def __init__(self):
        super().__init__()
        self.components = {}

    def __getattr__(self, name):
        raise AttributeError(name)


class ComponentDict(dict):
    def __missing__(self, key):
        self[key] = Component()
        return self[key]


class ConanFile:
    def __init__(self, source_folder, option_values):
        defaults = dict(getattr(self, "default_options", {}))
        for key, value in option_values.items():
            if key not in defaults:
                raise SystemExit(f"unknown option {key}")
            defaults[key] = value
        self.options = Options(getattr(self, "options", {}), defaults)
        self.settings = Settings(os="Linux", arch="x86_64", compiler="gcc", build_type="Release")
        self.recipe_folder = source_folder
        self.source_folder = source_folder
        self.package_folder = "/nonexistent/package"
        self.version = None
        self.requirements_ = []
        self.cmake_calls = []
        self.toolchain = None
        self.cpp_info = CppInfo()
        self.cpp_info.components = ComponentDict()

    def requires(self, ref, **traits):
        self.requirements_.append((ref, traits))


class CMakeToolchain:
    def __init__(self, conanfile):
        self.conanfile = conanfile
        self.cache_variables = {}
        self.variables = {}

    def generate(self):
        self.conanfile.toolchain = self


class CMakeDeps:
    def __init__(self, conanfile):
        pass

    def generate(self):
        pass


class CMake:
    def __init__(self, conanfile):
        self.conanfile = conanfile

    def configure(self, variables=None, cli_args=None, **_):
        self.conanfile.cmake_calls.append(("configure", list(cli_args or []), dict(variables or {})))

    def build(self, **_):
        self.conanfile.cmake_calls.append(("build",))

    def install(self, **_):
        self.conanfile.cmake_calls.append(("install",))


def install_stand_ins():
    conan = types.ModuleType("conan")
    conan.ConanFile = ConanFile
    tools = types.ModuleType("conan.tools")
    build = types.ModuleType("conan.tools.build")
    build.check_min_cppstd = lambda conanfile, version: None
    build.can_run = lambda conanfile: True
    cmake = types.ModuleType("conan.tools.cmake")
    cmake.CMake, cmake.CMakeDeps, cmake.CMakeToolchain = CMake, CMakeDeps, CMakeToolchain
    cmake.cmake_layout = lambda conanfile, **_: None
    files = types.ModuleType("conan.tools.files")
    files.load = lambda conanfile, path: open(path, encoding="utf-8").read()
    files.copy = lambda *args, **kwargs: None
    files.rmdir = lambda *args, **kwargs: None
    for module in (conan, tools, build, cmake, files):
        sys.modules[module.__name__] = module


def cmake_value(value):
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    return str(value)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--options", default="")
    parser.add_argument("--expect-cmake", required=True)
    parser.add_argument("--package", required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args()

    install_stand_ins()
    spec = importlib.util.spec_from_file_location("recipe", os.path.join(args.source, "conanfile.py"))
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    classes = [c for c in vars(recipe).values() if isinstance(c, type) and issubclass(c, ConanFile) and c is not ConanFile]
    if len(classes) != 1:
        raise SystemExit(f"conanfile.py must define one ConanFile class, found {len(classes)}")
    option_values = dict(item.split("=", 1) for item in args.options.split())
    conanfile = classes[0](args.source, option_values)

    errors = []
    conanfile.set_version()
    if conanfile.version != args.version:
        errors.append(f"set_version() gives {conanfile.version}, expected {args.version}")
    conanfile.config_options()
    conanfile.configure()
    conanfile.requirements()
    conanfile.validate()
    conanfile.generate()
    conanfile.build()

    # What CMake receives: the recipe's cli_args and cache variables, plus BUILD_SHARED_LIBS,
    # which CMakeToolchain derives from the shared option when the recipe keeps it.
    configure = [call for call in conanfile.cmake_calls if call[0] == "configure"]
    if len(configure) != 1:
        raise SystemExit(f"build() must configure once, configured {len(configure)} times")
    cli_args = configure[0][1]
    expected_cli = ["-C", os.path.join(args.source, "cmake", "package-build.cmake")]
    if cli_args != expected_cli:
        errors.append(f"build() configures with {cli_args}, expected {expected_cli}")
    given = {}
    for name, value in (conanfile.toolchain.cache_variables if conanfile.toolchain else {}).items():
        given[name] = cmake_value(value)
    if "shared" in conanfile.options:
        given["BUILD_SHARED_LIBS"] = cmake_value(bool(conanfile.options.shared))
    expected = {}
    for option in args.expect_cmake.split("|"):
        match = re.fullmatch(r"-D([A-Za-z0-9_]+)=(.*)", option)
        if not match:
            raise SystemExit(f"--expect-cmake: cannot read {option}")
        expected[match.group(1)] = match.group(2)
    if given != expected:
        errors.append(f"the recipe gives CMake {given}, the test built with {expected}")

    # package_info() against the installed tree.
    conanfile.package_info()
    file_name = conanfile.cpp_info.properties.get("cmake_file_name")
    if file_name != "kongflow_endpoints":
        errors.append(f"cmake_file_name is {file_name}, the CMake package is kongflow_endpoints")
    declared = {c.properties.get("cmake_target_name") for c in conanfile.cpp_info.components.values()}
    exported = set()
    pc_files = set()
    lib_files = []
    for root, _, names in os.walk(args.package):
        for name in names:
            path = os.path.join(root, name)
            if name == "kongflow_endpoints-targets.cmake":
                exported |= set(re.findall(r"add_library\((kongflow::\w+)", open(path, encoding="utf-8").read()))
            elif name.endswith(".pc"):
                pc_files.add(name[: -len(".pc")])
            elif name.startswith("libkongflow_endpoints"):
                lib_files.append(name)
    if not exported:
        errors.append(f"no kongflow_endpoints-targets.cmake under {args.package}")
    if declared != exported:
        errors.append(f"package_info() declares targets {sorted(declared)}, the package exports {sorted(exported)}")
    declared_pc = {c.properties["pkg_config_name"] for c in conanfile.cpp_info.components.values() if "pkg_config_name" in c.properties}
    if declared_pc != pc_files:
        errors.append(f"package_info() declares pkg-config names {sorted(declared_pc)}, the package has {sorted(pc_files)}")
    components = conanfile.cpp_info.components
    required_packages = {ref.split("/")[0] for ref, _ in conanfile.requirements_}
    for name, component in components.items():
        for lib in component.libs:
            if not any(re.fullmatch(rf"lib{re.escape(lib)}\.(a|so(\.[0-9.]+)?|dylib)", f) for f in lib_files):
                errors.append(f"component {name} links {lib}, which is not in the package ({lib_files})")
        for required in component.requires:
            if "::" not in required and required not in components:
                errors.append(f"component {name} requires {required}, which is not a component")
            elif "::" in required and required.split("::")[0] not in required_packages:
                errors.append(f"component {name} requires {required}, but requirements() does not require {required.split('::')[0]}")
    # Every package requirements() asks for is linked by a component (libpq when with_postgres),
    # and reaches consumers (the public headers include them).
    used = {required.split("::")[0] for component in components.values() for required in component.requires if "::" in required}
    for ref, traits in conanfile.requirements_:
        package = ref.split("/")[0]
        if package not in used:
            errors.append(f"requirements() requires {ref}, which no component of package_info() links")
        if not (traits.get("transitive_headers") and traits.get("transitive_libs")):
            errors.append(f"requirements(): {ref} must be transitive_headers and transitive_libs")

    if errors:
        print("conanfile.py with options '%s':" % args.options, file=sys.stderr)
        for error in errors:
            print("  " + error, file=sys.stderr)
        return 1
    print(f"conanfile.py with options '{args.options}': CMake {given}; targets {sorted(declared)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
