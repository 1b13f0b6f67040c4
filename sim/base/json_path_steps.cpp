// JSON path steps: a small parser for `a.b[3]`, its text, and setting a value where it points.
#include "sim/base/json_path_steps.hpp"

#include <charconv>

#include "sim/base/json_path.hpp"

namespace treedoc::sim {

namespace {

// Reads `[N]` at `text[*at]`; false when it is not a whole number in brackets.
bool read_index(const std::string& text, size_t* at, size_t* index) {
  const size_t close = text.find(']', *at);
  if (close == std::string::npos || close == *at + 1) return false;
  const char* first = text.data() + *at + 1;
  const char* last = text.data() + close;
  const auto [end, error] = std::from_chars(first, last, *index);
  if (error != std::errc() || end != last) return false;
  *at = close + 1;
  return true;
}

std::string kind_of(const nlohmann::json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  return "null";
}

}  // namespace

std::optional<std::vector<JsonStep>> parse_json_path(const std::string& text) {
  std::vector<JsonStep> steps;
  size_t at = 0;
  while (at < text.size()) {
    if (steps.size() >= kJsonPathStepsMax) return std::nullopt;
    if (text[at] == '[') {
      size_t index = 0;
      if (steps.empty() || !read_index(text, &at, &index)) return std::nullopt;
      steps.push_back({"", index});
      continue;
    }
    if (!steps.empty()) {
      if (text[at] != '.') return std::nullopt;
      ++at;
    }
    const size_t end = text.find_first_of(".[", at);
    const std::string key = text.substr(at, end == std::string::npos ? end : end - at);
    if (!is_bare_json_key(key)) return std::nullopt;
    steps.push_back({key, std::nullopt});
    at = end == std::string::npos ? text.size() : end;
  }
  if (steps.empty()) return std::nullopt;
  return steps;
}

std::string json_path_text(const std::vector<JsonStep>& steps) {
  std::string text;
  for (const JsonStep& step : steps) {
    text = step.index ? json_element_path(text, *step.index) : json_child_path(text, step.key);
  }
  return text;
}

std::string set_json_path(nlohmann::json* root, const std::vector<JsonStep>& steps,
                          const nlohmann::json& value) {
  nlohmann::json* at = root;
  std::string path;
  for (const JsonStep& step : steps) {
    const std::string where = path.empty() ? "the top level" : path;
    if (step.index) {
      if (!at->is_array()) return where + " is " + kind_of(*at) + ", not an array";
      if (*step.index >= at->size()) {
        return where + " has " + std::to_string(at->size()) + " elements, so no [" +
               std::to_string(*step.index) + "]";
      }
      at = &(*at)[*step.index];
      path = json_element_path(path, *step.index);
      continue;
    }
    if (at->is_null()) *at = nlohmann::json::object();  // a section left to its defaults
    if (!at->is_object()) return where + " is " + kind_of(*at) + ", not an object";
    at = &(*at)[step.key];
    path = json_child_path(path, step.key);
  }
  *at = value;
  return "";
}

}  // namespace treedoc::sim
