// make_parent_folders: create_directories on a path's parent, errors left to the file's open.
#include "sim/base/parent_folders.hpp"

#include <filesystem>
#include <system_error>

namespace treedoc::sim {

void make_parent_folders(const std::string& path) {
  std::error_code ignored;  // the open that follows reports it, naming the file
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
}

}  // namespace treedoc::sim
