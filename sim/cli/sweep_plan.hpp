// What a sweep will run, settled before its first child starts: the grid, a concrete scenario
// file per grid point, the swarm's drawn-value columns, and the hash that names the sweep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cli/sweep_grid.hpp"

namespace treedoc::sim {

struct SweepPlan {
  SweepGrid grid;
  // The file each point's runs are given: the scenario itself for a sweep without a grid, else
  // the point's scenario written concrete into the sweep's temporary folder.
  std::vector<std::string> point_files;
  // Each point's scenario JSON, kept for a swarm file only: its draws are listed for every run.
  std::vector<nlohmann::json> swarm_points;
  std::vector<std::string> drawn_paths;  // the swarm's outermost forms, the drawn:PATH columns
  // FNV-1a 64 over the file's bytes and the grid's axes: shards with the same hash are of one
  // sweep (a --seeds range and --shard apart).
  std::string scenario_hash;

  uint64_t points() const { return grid.points(); }
  bool swarm() const { return !drawn_paths.empty(); }
  // What the swarm drew for `seed` at `point`, by form path; an empty object for a concrete file.
  nlohmann::json drawn(uint64_t point, uint64_t seed) const;
};

// Reads `path`, makes its grid with `set_flags` (sweep_grid.hpp), writes each point's scenario
// into `points_dir` (made when there is a grid), and loads every point for `first_seed` so a bad
// file or point is refused once, before any run. Throws InputError naming the file, the field
// and, for a point, its parameters.
SweepPlan plan_sweep(const std::string& path, const std::vector<std::string>& set_flags,
                     uint64_t first_seed, const std::string& points_dir);

}  // namespace treedoc::sim
