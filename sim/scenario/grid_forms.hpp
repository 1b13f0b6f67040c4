// Grid forms, {"$grid": [v1, v2, ...]}: a field that `treedoc-sim sweep` takes through each value
// in turn, one grid axis per form (docs/scenarios.md, "Parameter grids"). A plain run refuses them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/base/json_path_steps.hpp"

namespace treedoc::sim {

inline constexpr const char* kGridKey = "$grid";
// An axis lists at most this many values, and a file holds at most this many grid forms: a grid
// is a study's few settings, and its points multiply.
inline constexpr size_t kGridValuesMax = 1024;
inline constexpr size_t kGridFormsMax = 16;

// One {"$grid": [...]} of a file: where it stands and the values it lists.
struct GridForm {
  std::string path;  // as json_path.hpp writes it: "topology.latency.core-core.base_ms"
  std::vector<JsonStep> steps;
  std::vector<nlohmann::json> values;
};

// The file's grid forms in the order a walk of its keys meets them (object keys sorted). Throws
// InputError(file, path, ...) for a form with another key beside "$grid", values that are not a
// non-empty array of at most kGridValuesMax distinct values, a form inside another's values, at
// the top level or as the seed, or more than kGridFormsMax forms.
std::vector<GridForm> find_grid_forms(const std::string& file, const nlohmann::json& root);

// Throws InputError naming the first grid form, saying a plain run takes one value per field and
// a grid is run with `treedoc-sim sweep`; does nothing for a file without one.
void reject_grid_forms(const std::string& file, const nlohmann::json& root);

}  // namespace treedoc::sim
