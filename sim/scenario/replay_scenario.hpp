// Replay scenarios: a scenario file made self-contained for one run, so a failure found by a
// sweep or kept by a shrink replays alone, without its seed range or swarm file.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// The scenario at `path` as a replay of seed `seed`: drawn for it when it is a swarm, with
// "seed": seed, a trace path that holds from any folder, and `note` appended to its description
// ("[seed 17 of scenarios/x.json]"). Throws InputError when the file cannot be read or parsed.
nlohmann::json replay_scenario_json(const std::string& path, uint64_t seed,
                                    const std::string& note);

// Makes a relative workload.file of `scenario` (a file read from `path`) absolute, so the scenario
// can be written to, and run from, any folder.
void make_trace_path_absolute(nlohmann::json* scenario, const std::string& path);

// Writes `scenario` to `out_path`, making its folder; throws InputError when it cannot.
void write_scenario_json(const nlohmann::json& scenario, const std::string& out_path);

}  // namespace treedoc::sim
