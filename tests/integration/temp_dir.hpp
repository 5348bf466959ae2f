// A temporary directory removed with its contents at scope exit.
#ifndef KONGFLOW_TESTS_INTEGRATION_TEMP_DIR_HPP
#define KONGFLOW_TESTS_INTEGRATION_TEMP_DIR_HPP

#include <filesystem>
#include <stdexcept>
#include <string>

#include <stdlib.h>

namespace kf_test {

class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "kongflow-test-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const noexcept { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

} // namespace kf_test

#endif
