// Finds a file shipped with treedoc-sim: first in the sources it was built from, then beside it.
#include "sim/cli/bundled_file.hpp"

#include <system_error>

namespace treedoc::sim {

std::filesystem::path bundled_file(const std::filesystem::path& relative) {
  const std::filesystem::path built_from = std::filesystem::path(TREEDOC_SOURCE_DIR) / relative;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path beside = exe.parent_path().parent_path() / relative;
  for (const std::filesystem::path& candidate : {built_from, beside}) {
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return built_from;
}

}  // namespace treedoc::sim
