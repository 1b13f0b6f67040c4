// Replay scenarios: the drawn JSON, its seed and absolute trace path, written for a later run.
#include "sim/scenario/replay_scenario.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "sim/base/input_error.hpp"
#include "sim/base/parent_folders.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/swarm_resolver.hpp"

namespace treedoc::sim {

namespace fs = std::filesystem;

nlohmann::json replay_scenario_json(const std::string& path, uint64_t seed,
                                    const std::string& note) {
  const nlohmann::json raw = read_scenario_json(path);
  nlohmann::json drawn = check_swarm_forms(path, raw) > 0 ? resolve_swarm(raw, seed) : raw;
  if (!drawn.is_object()) return drawn;  // the loader says what is wrong when it is run
  drawn["seed"] = seed;
  make_trace_path_absolute(&drawn, path);
  if (drawn.contains("description") && drawn["description"].is_string() && !note.empty()) {
    drawn["description"] = drawn["description"].get<std::string>() + " " + note;
  }
  return drawn;
}

void make_trace_path_absolute(nlohmann::json* scenario, const std::string& path) {
  if (!scenario->is_object() || !scenario->contains("workload")) return;
  nlohmann::json& workload = (*scenario)["workload"];
  if (!workload.is_object() || !workload.contains("file") || !workload["file"].is_string()) return;
  // A relative trace path is relative to the scenario's folder, which the copy leaves.
  const fs::path trace = workload["file"].get<std::string>();
  if (trace.is_relative())
    workload["file"] = fs::absolute(fs::path(path).parent_path() / trace).string();
}

void write_scenario_json(const nlohmann::json& scenario, const std::string& out_path) {
  make_parent_folders(out_path);
  std::ofstream out(out_path);
  out << scenario.dump(2) << "\n";
  if (!out) throw InputError(out_path, "", "cannot write the scenario file");
}

}  // namespace treedoc::sim
