// Grid forms: found by a walk over the whole file, checked, and refused where one value is needed.
#include "sim/scenario/grid_forms.hpp"

#include <set>

#include "sim/base/input_error.hpp"
#include "sim/base/json_path.hpp"
#include "sim/scenario/scenario_json_reader.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

bool has_grid_key(const json& value) { return value.is_object() && value.contains(kGridKey); }

class GridFinder {
 public:
  explicit GridFinder(const std::string& file) : file_(file) {}

  std::vector<GridForm> take() { return std::move(forms_); }

  void walk(const json& value, const std::string& path, std::vector<JsonStep>* steps) {
    if (has_grid_key(value)) {
      add_form(value, path, *steps);
      return;
    }
    if (value.is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        steps->push_back({it.key(), std::nullopt});
        walk(it.value(), json_child_path(path, it.key()), steps);
        steps->pop_back();
      }
    } else if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) {
        steps->push_back({"", i});
        walk(value[i], json_element_path(path, i), steps);
        steps->pop_back();
      }
    }
  }

 private:
  void add_form(const json& value, const std::string& path, const std::vector<JsonStep>& steps) {
    if (path.empty()) fail(path, "the top level must be a scenario object, not a grid");
    if (path == "seed") fail(path, "the seed is swept with `sweep --seeds A..B`, not a $grid");
    if (value.size() != 1) {
      fail(path, "expected {\"$grid\": [values]} alone in its object, found other keys beside it");
    }
    const json& values = value.at(kGridKey);
    const std::string values_path = json_child_path(path, kGridKey);
    if (!values.is_array() || values.empty() || values.size() > kGridValuesMax) {
      fail(values_path, "expected a non-empty array of at most " + std::to_string(kGridValuesMax) +
                            " values, found " + ScenarioValueReader::describe(values));
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < values.size(); ++i) {
      if (contains_grid(values[i])) {
        fail(json_element_path(values_path, i), "a $grid value cannot hold another $grid");
      }
      if (!seen.insert(values[i].dump()).second) {
        fail(json_element_path(values_path, i),
             "each value of a grid axis must differ from the others, found " + values[i].dump() +
                 " twice");
      }
    }
    if (forms_.size() >= kGridFormsMax) {
      fail(path, "more than " + std::to_string(kGridFormsMax) + " $grid forms in one file");
    }
    forms_.push_back({path, steps, values.get<std::vector<json>>()});
  }

  static bool contains_grid(const json& value) {
    if (has_grid_key(value)) return true;
    if (value.is_structured()) {
      for (const json& child : value) {
        if (contains_grid(child)) return true;
      }
    }
    return false;
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw InputError(file_, path, what);
  }

  const std::string& file_;
  std::vector<GridForm> forms_;
};

// The first grid form's path, or "" when there is none; "" also stands for the top level, which
// `found` tells apart.
std::string first_grid_path(const json& value, const std::string& path, bool* found) {
  if (has_grid_key(value)) {
    *found = true;
    return path;
  }
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string at = first_grid_path(it.value(), json_child_path(path, it.key()), found);
      if (*found) return at;
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string at = first_grid_path(value[i], json_element_path(path, i), found);
      if (*found) return at;
    }
  }
  return "";
}

}  // namespace

std::vector<GridForm> find_grid_forms(const std::string& file, const json& root) {
  GridFinder finder(file);
  std::vector<JsonStep> steps;
  finder.walk(root, "", &steps);
  return finder.take();
}

void reject_grid_forms(const std::string& file, const json& root) {
  bool found = false;
  const std::string path = first_grid_path(root, "", &found);
  if (!found) return;
  throw InputError(file, path,
                   "a {\"$grid\": [...]} makes this file a parameter sweep, and a single run takes "
                   "one value per field: run it with `treedoc-sim sweep " +
                       file + "` (docs/scenarios.md, \"Parameter grids\")");
}

}  // namespace treedoc::sim
