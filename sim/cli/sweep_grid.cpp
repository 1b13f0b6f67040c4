// Sweep grids: --set flags parsed, merged with the file's $grid forms, and points laid out.
#include "sim/cli/sweep_grid.hpp"

#include <algorithm>
#include <set>

#include "models/treedoc/assertion.hpp"
#include "sim/base/input_error.hpp"
#include "sim/cli/sweep_rows.hpp"
#include "sim/scenario/grid_forms.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// A flag's value as JSON when it is a JSON scalar ("10", "true", "\"10\""), else as a string.
json flag_value(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || parsed.is_structured()) return json(text);
  return parsed;
}

// A value as a --set flag takes it back: a number, boolean or null as JSON, a string bare when
// flag_value() reads it back as that string and the shell leaves it alone, else JSON in single
// quotes.
std::string flag_text(const json& value) {
  if (!value.is_string()) return value.is_structured() ? "'" + value.dump() + "'" : value.dump();
  const std::string& text = value.get_ref<const std::string&>();
  const bool bare = flag_value(text) == value && !text.empty() &&
                    text.find_first_of(" ,'\"$\\`*?;&|<>()[]{}!#~") == std::string::npos;
  return bare ? text : "'" + value.dump() + "'";
}

void check_distinct(const std::vector<json>& values, const std::string& flag) {
  std::set<std::string> seen;
  for (const json& v : values) {
    if (!seen.insert(v.dump()).second) {
      throw InputError(flag, "",
                       "--set: each value of an axis must differ, found " + v.dump() + " twice");
    }
  }
}

}  // namespace

SweepGrid::SweepGrid(std::vector<SweepAxis> axes) : axes_(std::move(axes)) {
  for (const SweepAxis& axis : axes_) {
    TD_ASSERT(!axis.values.empty(), "make_sweep_grid() checks every axis has values");
    points_ *= axis.values.size();
  }
}

const json& SweepGrid::value(uint64_t point, size_t axis) const {
  TD_ASSERT(point < points_ && axis < axes_.size(), "a point and an axis of the grid");
  uint64_t stride = 1;
  for (size_t k = axes_.size(); k-- > axis + 1;) stride *= axes_[k].values.size();
  return axes_[axis].values[(point / stride) % axes_[axis].values.size()];
}

json SweepGrid::parameters(uint64_t point) const {
  json out = json::object();
  for (size_t k = 0; k < axes_.size(); ++k) out[axes_[k].path] = value(point, k);
  return out;
}

json SweepGrid::scenario_at(const std::string& file, const json& root, uint64_t point) const {
  json scenario = root;
  for (size_t k = 0; k < axes_.size(); ++k) {
    const std::string error = set_json_path(&scenario, axes_[k].steps, value(point, k));
    if (!error.empty()) {
      throw InputError(file, axes_[k].path, "cannot set this field of the sweep's grid: " + error);
    }
  }
  return scenario;
}

std::string SweepGrid::text() const {
  json axes = json::array();
  for (const SweepAxis& axis : axes_)
    axes.push_back({{"path", axis.path}, {"values", axis.values}});
  return axes.dump();
}

std::string SweepGrid::set_flags(uint64_t point) const {
  std::string flags;
  for (size_t k = 0; k < axes_.size(); ++k) {
    flags +=
        (flags.empty() ? "--set " : " --set ") + axes_[k].path + "=" + flag_text(value(point, k));
  }
  return flags;
}

SweepAxis parse_set_flag(const std::string& text) {
  const std::string flag = "--set " + text;
  const size_t equals = text.find('=');
  const auto steps = parse_json_path(text.substr(0, equals));
  if (equals == std::string::npos || !steps) {
    throw InputError(flag, "",
                     "--set: expected PATH=V1,V2,... with PATH a JSON path such as "
                     "topology.latency.core-core.base_ms or faults[0].at_s");
  }
  SweepAxis axis{json_path_text(*steps), *steps, {}};
  for (size_t at = equals + 1;;) {
    const size_t comma = text.find(',', at);
    const std::string item = text.substr(at, comma == std::string::npos ? comma : comma - at);
    if (item.empty()) throw InputError(flag, "", "--set: an empty value in the list");
    if (axis.values.size() >= kGridValuesMax) {
      throw InputError(flag, "",
                       "--set: at most " + std::to_string(kGridValuesMax) + " values per axis");
    }
    axis.values.push_back(flag_value(item));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  check_distinct(axis.values, flag);
  return axis;
}

namespace {

// Checks that no two axes set one path, nor the seed or a result column's name.
void check_axis_paths(const std::vector<SweepAxis>& axes) {
  std::set<std::string> paths;
  for (const SweepAxis& axis : axes) {
    const std::string flag = "--set " + axis.path;
    if (axis.path == "seed") {
      throw InputError(flag, "", "--set: the seed is swept with --seeds A..B");
    }
    if (is_result_column(axis.path)) {
      throw InputError(flag, "", "--set: this path is also the name of a result column");
    }
    if (!paths.insert(axis.path).second) {
      throw InputError(flag, "", "--set: this path is set twice; give all its values in one --set");
    }
  }
  if (axes.size() > kSweepAxesMax) {
    throw InputError("--set", "",
                     "at most " + std::to_string(kSweepAxesMax) +
                         " grid axes (--set flags and $grid forms together), found " +
                         std::to_string(axes.size()));
  }
}

}  // namespace

SweepGrid make_sweep_grid(const std::string& file, const json& root,
                          const std::vector<std::string>& set_flags) {
  std::vector<SweepAxis> axes;
  for (GridForm& form : find_grid_forms(file, root)) {
    axes.push_back({form.path, form.steps, std::move(form.values)});
  }
  const size_t file_axes = axes.size();
  std::set<std::string> flag_paths;
  for (const std::string& text : set_flags) {
    SweepAxis axis = parse_set_flag(text);
    if (!flag_paths.insert(axis.path).second) {
      throw InputError("--set " + axis.path, "",
                       "--set: this path is set twice; give all its values in one --set");
    }
    // A --set of one of the file's own grid axes gives that axis other values.
    const auto same = std::find_if(axes.begin(), axes.begin() + static_cast<long>(file_axes),
                                   [&](const SweepAxis& a) { return a.path == axis.path; });
    if (same != axes.begin() + static_cast<long>(file_axes)) {
      same->values = std::move(axis.values);
    } else {
      axes.push_back(std::move(axis));
    }
  }
  check_axis_paths(axes);
  uint64_t points = 1;
  for (const SweepAxis& axis : axes) {
    points *= axis.values.size();  // each factor <= kGridValuesMax: checked before it can wrap
    if (points > kSweepPointsMax) {
      throw InputError(file, "",
                       "the sweep's grid has more than " + std::to_string(kSweepPointsMax) +
                           " points (the product of the numbers of values of its axes)");
    }
  }
  return SweepGrid(std::move(axes));
}

}  // namespace treedoc::sim
