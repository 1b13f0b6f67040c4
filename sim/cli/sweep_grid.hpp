// A sweep's parameter grid: its axes from `--set PATH=V1,V2,...` flags and the file's $grid forms,
// the points of their cartesian product in a fixed order, and each point's concrete scenario.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/base/json_path_steps.hpp"

namespace treedoc::sim {

// A grid holds at most this many axes (--set flags and $grid forms together) and points.
inline constexpr size_t kSweepAxesMax = 16;
inline constexpr uint64_t kSweepPointsMax = 10'000;

struct SweepAxis {
  std::string path;  // "topology.latency.core-core.base_ms"
  std::vector<JsonStep> steps;
  std::vector<nlohmann::json> values;
};

class SweepGrid {
 public:
  SweepGrid() = default;
  explicit SweepGrid(std::vector<SweepAxis> axes);

  const std::vector<SweepAxis>& axes() const { return axes_; }
  uint64_t points() const { return points_; }
  // The value of axis `axis` at point `point`. Points are numbered as nested loops over the axes
  // would meet them: the first axis outermost, each axis's values in the order they are listed.
  const nlohmann::json& value(uint64_t point, size_t axis) const;
  // {path: value} of every axis at `point`; an empty object for a grid without axes.
  nlohmann::json parameters(uint64_t point) const;
  // `root` with each axis's field set to its value at `point`; throws InputError(file, path, ...)
  // when an axis's path cannot be set there.
  nlohmann::json scenario_at(const std::string& file, const nlohmann::json& root,
                             uint64_t point) const;
  // The axes and their values as one JSON text: with the file's text, what makes two sweeps the
  // same sweep (sweep_identity.hpp).
  std::string text() const;
  // `--set PATH=V` flags that pick `point` alone ("" for a grid without axes), for reproduce lines.
  std::string set_flags(uint64_t point) const;

 private:
  std::vector<SweepAxis> axes_;
  uint64_t points_ = 1;
};

// Parses one `--set PATH=V1,V2,...`: each V is read as JSON (a number, string, boolean or null)
// and, when it is not JSON, taken as a string. Returns the axis, or throws InputError naming --set.
SweepAxis parse_set_flag(const std::string& text);

// The grid of the scenario `root` read from `file`: its $grid forms first (in the order of their
// paths), then the --set axes in the order given. A --set of a path that is a $grid form replaces
// that form's values. Throws InputError for a bad flag or form, a path set twice, the seed, a
// path that is also a result column, too many axes or points, or a point that cannot be set.
SweepGrid make_sweep_grid(const std::string& file, const nlohmann::json& root,
                          const std::vector<std::string>& set_flags);

}  // namespace treedoc::sim
