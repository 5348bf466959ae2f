// Reads a whole file (a fixture) into a string for the tests; empty when it cannot be read.
#ifndef KONGFLOW_TESTS_COMMON_TEXT_FILE_HPP
#define KONGFLOW_TESTS_COMMON_TEXT_FILE_HPP

#include <fstream>
#include <iterator>
#include <string>

namespace kf_test {

inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace kf_test

#endif
