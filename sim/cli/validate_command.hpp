// The `treedoc-sim validate FILE` subcommand: load a scenario and say whether it is valid.
#pragma once

#include <string>

namespace treedoc::sim {

// Loads the scenario at `path`. On success prints one summary line on stdout and returns
// kExitPass; on bad input prints `treedoc-sim: <message>` on stderr and returns kExitBadInput.
int run_validate(const std::string& path);

}  // namespace treedoc::sim
