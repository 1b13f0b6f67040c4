// The `faults` array of a scenario file: timed fault events, each with exactly one verb.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json_reader.hpp"

namespace treedoc::sim {

// Reads `faults` (found at `path`) against `topology`: every event happens no later than
// `safety_us`, the end of the safety phase. Each event's `where` is its path ("faults[3]"); the
// result is sorted stably by at_us, so events at one instant keep their order in the file.
// Throws InputError naming the event, or the field in it, that is wrong.
std::vector<FaultEvent> read_fault_schedule(const ScenarioValueReader& reader,
                                            const Topology& topology, TimeUs safety_us,
                                            const nlohmann::json& faults, const std::string& path);

}  // namespace treedoc::sim
