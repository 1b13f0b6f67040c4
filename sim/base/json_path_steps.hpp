// JSON paths as steps (`topology.latency.core-core.base_ms`, `faults[2].at_s`): parsed from a flag,
// written back as text, and used to set one value inside a document.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// A path holds at most this many steps: a scenario is nested far less deep.
inline constexpr size_t kJsonPathStepsMax = 64;

// One step: a key of an object, or (index set) an element of an array.
struct JsonStep {
  std::string key;
  std::optional<size_t> index;
  bool operator==(const JsonStep&) const = default;
};

// Parses `a.b[3].c`: bare keys (letters, digits, '_' and '-', as json_path.hpp writes them) and
// whole-number indices. Returns the steps, or std::nullopt when the text is not such a path.
std::optional<std::vector<JsonStep>> parse_json_path(const std::string& text);

// The steps as json_path.hpp writes a path: the inverse of parse_json_path for bare keys.
std::string json_path_text(const std::vector<JsonStep>& steps);

// Sets the value at `steps` inside `root` to `value`. A missing key of an object is added (objects
// on the way are made), so a field left to its default can be set; an index must name an element
// that exists. Returns "" on success, else what stood in the way ("topology.core is a number, not
// an object").
std::string set_json_path(nlohmann::json* root, const std::vector<JsonStep>& steps,
                          const nlohmann::json& value);

}  // namespace treedoc::sim
