// What `treedoc-sim --version` prints: the release, the commit it was built from, the compiler,
// the build type and SimGrid's version, which together say where a run's hash came from.
#pragma once

#include <string>

namespace treedoc::sim {

std::string version_text();

}  // namespace treedoc::sim
