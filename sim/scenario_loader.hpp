// Loading of scenario files: JSON text in, a typed and validated Scenario out (docs/scenarios.md).
#pragma once

#include <string>

#include "sim/scenario.hpp"
#include "sim/scenario_limits.hpp"

namespace treedoc::sim {

// Reads, parses and validates the scenario file at `path`. Relative workload.file paths are
// resolved against the scenario file's folder, and the trace must exist and be readable (it is
// not parsed here). Throws InputError (sim/input_error.hpp) with one line naming the file, the
// JSON path (`faults[3].partition.groups[1]`), what was expected and what was found, for any
// unreadable, oversized, empty, binary, non-UTF-8 or non-JSON file, duplicate keys, nesting past
// kScenarioJsonDepthMax, and every field that is unknown, missing, mistyped or out of range.
Scenario load_scenario(const std::string& path);

}  // namespace treedoc::sim
