// Sweep plans: the grid's points written out as concrete scenarios and each checked once.
#include "sim/cli/sweep_plan.hpp"

#include <filesystem>
#include <set>

#include "models/treedoc/fnv_hash.hpp"
#include "sim/base/bounded_file_reader.hpp"
#include "sim/base/input_error.hpp"
#include "sim/scenario/limits.hpp"
#include "sim/scenario/replay_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/swarm_resolver.hpp"
#include "sim/world/event_log.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string sweep_hash(const std::string& file_text, const SweepGrid& grid) {
  Fnv64 hash;
  hash.add_bytes(file_text);
  hash.add_byte(0);  // no file text and grid text can run together into another pair's
  hash.add_bytes(grid.text());
  return hash_hex(hash.value());
}

// "(grid point 3: {"flatten.policy":"abort"})", to follow a message about that point.
std::string point_note(const SweepGrid& grid, uint64_t point) {
  return "(grid point " + std::to_string(point) + ": " + grid.parameters(point).dump() + ")";
}

// Loads `file` for `seed` to check it, blaming the sweep's own `path` and `point`.
void check_point(const std::string& path, const SweepGrid& grid, uint64_t point,
                 const std::string& file, uint64_t seed) {
  try {
    (void)load_scenario(file, seed);
  } catch (const InputError& e) {
    if (grid.axes().empty()) throw;
    throw InputError(path, e.where(), e.what_text() + " " + point_note(grid, point));
  }
}

}  // namespace

json SweepPlan::drawn(uint64_t point, uint64_t seed) const {
  if (!swarm() || swarm_points[point].is_null()) return json::object();
  return swarm_draws(swarm_points[point], seed);
}

SweepPlan plan_sweep(const std::string& path, const std::vector<std::string>& set_flags,
                     uint64_t first_seed, const std::string& points_dir) {
  const std::string text =
      read_file_bounded(path, kScenarioFileBytesMax, "16 MiB limit for scenario files");
  const json root = read_scenario_json(path);
  SweepPlan plan;
  plan.grid = make_sweep_grid(path, root, set_flags);
  plan.scenario_hash = sweep_hash(text, plan.grid);
  const bool grid = !plan.grid.axes().empty();
  if (grid) fs::create_directories(points_dir);
  std::set<std::string> drawn_paths;
  for (uint64_t point = 0; point < plan.points(); ++point) {
    json scenario = plan.grid.scenario_at(path, root, point);
    std::string file = path;
    if (grid) {
      make_trace_path_absolute(&scenario, path);
      file = (fs::path(points_dir) / ("point-" + std::to_string(point) + ".json")).string();
      write_scenario_json(scenario, file);
    }
    check_point(path, plan.grid, point, file, first_seed);
    plan.point_files.push_back(file);
    const bool swarm = check_swarm_forms(path, scenario) > 0;
    if (swarm) {
      const json draws = swarm_draws(scenario, first_seed);
      for (auto it = draws.begin(); it != draws.end(); ++it) drawn_paths.insert(it.key());
    }
    plan.swarm_points.push_back(swarm ? std::move(scenario) : json());
  }
  plan.drawn_paths.assign(drawn_paths.begin(), drawn_paths.end());
  if (!plan.swarm()) plan.swarm_points.clear();
  return plan;
}

}  // namespace treedoc::sim
