// Loading of scenario files: JSON text in, a typed and validated Scenario out (docs/scenarios.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/scenario/limits.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// Reads, parses and validates the scenario file at `path`. Relative workload.file paths are
// resolved against the scenario file's folder, and the trace must exist and be readable (it is
// not parsed here). Throws InputError (sim/input_error.hpp) with one line naming the file, the
// JSON path (`faults[3].partition.groups[1]`), what was expected and what was found, for any
// unreadable, oversized, empty, binary, non-UTF-8 or non-JSON file, duplicate keys, nesting past
// kScenarioJsonDepthMax, and every field that is unknown, missing, mistyped or out of range.
// A swarm file (sim/swarm_resolver.hpp) is drawn for `seed`, else for its own seed, first. A file
// with a grid form (sim/scenario/grid_forms.hpp) is refused, naming `treedoc-sim sweep`.
Scenario load_scenario(const std::string& path, std::optional<uint64_t> seed = std::nullopt);

// load_scenario() of `root`, the file at `path` as read_scenario_json() returned it: a caller that
// loads one swarm file for many seeds (validate) parses it once.
Scenario load_scenario_json(const std::string& path, const nlohmann::json& root,
                            std::optional<uint64_t> seed = std::nullopt);

// The draw for `seed` of a swarm file's `root` that load_scenario_json() has accepted once: its
// grid and swarm forms are not checked again (validate draws 100 seeds of one file).
Scenario load_swarm_draw(const std::string& path, const nlohmann::json& root, uint64_t seed);

// The file's JSON as written: read within kScenarioFileBytesMax and parsed strictly, not yet
// checked against the schema nor drawn.
nlohmann::json read_scenario_json(const std::string& path);

}  // namespace treedoc::sim
