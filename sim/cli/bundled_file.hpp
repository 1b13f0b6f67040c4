// Finds a file shipped with treedoc-sim (analysis/plot.py, the default scenario) from the binary.
#pragma once

#include <filesystem>

namespace treedoc::sim {

// The scenario `treedoc-sim run` runs when given no FILE: the quick start, which shows the whole
// protocol (flattens that commit and abort, epochs, catch-up, crashes and network faults).
inline constexpr const char* kDefaultScenario = "scenarios/quickstart.json";

// `relative` (a path inside the repository) in the sources this binary was built from, else in
// the folder above the binary's own (an installed or copied build folder). When neither exists it
// returns the first, so the caller's error names where the file was expected.
std::filesystem::path bundled_file(const std::filesystem::path& relative);

}  // namespace treedoc::sim
