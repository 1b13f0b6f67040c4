// A fresh directory under the system temp dir for a test's files, removed again when the test ends.
// The pid and a counter make the name unique without randomness, also when ctest runs tests in
// parallel.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

namespace treedoc::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    static int created = 0;
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(created++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;  // cleanup must not throw from a destructor
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path_of(const std::string& name) const { return (path_ / name).string(); }

  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string file_path = path_of(name);
    std::ofstream out(file_path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
    return file_path;
  }

 private:
  std::filesystem::path path_;
};

// The whole of a file's bytes ("" when it cannot be read: the test's REQUIRE on them says so).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace treedoc::test
