// Reading a typed trace's record fields, and its times as text: what every explain part shares.
#pragma once

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace treedoc::sim::trace_fields {

// A string field, or "" when absent.
inline std::string text(const nlohmann::json& r, const char* key) {
  const auto it = r.find(key);
  return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A whole-number field, or 0 when absent.
inline uint64_t number(const nlohmann::json& r, const char* key) {
  const auto it = r.find(key);
  return it != r.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

// A time as explain prints it, aligned: "  1.540123 s".
inline std::string at(uint64_t t_us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%10.6f s", static_cast<double>(t_us) / 1e6);
  return buf;
}

// One line saying what a record says, for a catch-up's steps and a violation's past.
std::string describe(const nlohmann::json& r);

}  // namespace treedoc::sim::trace_fields
