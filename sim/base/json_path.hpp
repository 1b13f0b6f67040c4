// JSON paths for messages, in the style `faults[3].partition.groups[1]`, shared by every loader.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// A key is written bare when it is made of letters, digits, '_' and '-' (every key a scenario
// allows); any other key is written JSON-quoted, so a path stays one unambiguous line.
inline bool is_bare_json_key(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    const bool bare = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-';
    if (!bare) return false;
  }
  return true;
}

// The path of `key` inside the object at `parent` ("" for the top level).
inline std::string json_child_path(const std::string& parent, std::string_view key) {
  const std::string written =
      is_bare_json_key(key) ? std::string(key)
                            : nlohmann::json(std::string(key))
                                  .dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  return parent.empty() ? written : parent + "." + written;
}

// The path of element `index` of the array at `parent`.
inline std::string json_element_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace treedoc::sim
