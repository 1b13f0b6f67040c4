// Typed scenario JSON reads: type, range and unit checks with one-line messages.
#include "sim/scenario/scenario_json_reader.hpp"

#include <cmath>
#include <limits>

#include "sim/base/input_error.hpp"
#include "sim/base/json_path.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// Quoted user strings in messages are cut to this many bytes so one line stays one line.
constexpr size_t kQuotedStringBytesMax = 40;
// Below this magnitude a whole double prints exactly as an integer.
constexpr double kExactIntegerMax = 1e15;

// A limit as people write it: 1000, not 1000.0.
std::string number_text(double value) {
  if (std::trunc(value) == value && std::fabs(value) < kExactIntegerMax) {
    return std::to_string(static_cast<int64_t>(value));
  }
  return json(value).dump();
}

const char* unit_name(TimeUnit unit) {
  return unit == TimeUnit::kSeconds ? "seconds" : "milliseconds";
}

site::TimeUs us_per_unit(TimeUnit unit) {
  return unit == TimeUnit::kSeconds ? site::kUsPerS : site::kUsPerMs;
}

}  // namespace

void ScenarioValueReader::fail(const std::string& where, const std::string& what) const {
  throw InputError(file_, where, what);
}

std::string ScenarioValueReader::describe(const json& value) {
  switch (value.type()) {
    case json::value_t::string: {
      const auto& raw = value.get_ref<const std::string&>();
      const bool cut = raw.size() > kQuotedStringBytesMax;
      // dump() escapes quotes and control characters; `replace` survives a cut mid-UTF-8.
      return json(cut ? raw.substr(0, kQuotedStringBytesMax) : raw)
                 .dump(-1, ' ', false, json::error_handler_t::replace) +
             (cut ? "..." : "");
    }
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return value.dump();  // null, true, false, and numbers as written
  }
}

uint64_t ScenarioValueReader::whole_number(const json& value, const std::string& path, uint64_t min,
                                           uint64_t max) const {
  // The parser stores non-negative integers as unsigned; "-0" is a signed zero.
  const bool whole =
      value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() == 0);
  const uint64_t n = whole ? (value.is_number_unsigned() ? value.get<uint64_t>() : 0) : 0;
  if (!whole || n < min || n > max) {
    fail(path, "expected a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", found " + describe(value));
  }
  return n;
}

double ScenarioValueReader::number(const json& value, const std::string& path, double min,
                                   double max) const {
  const double x = value.is_number() ? value.get<double>() : std::nan("");
  // Written so that NaN fails too.
  if (!(x >= min && x <= max)) {
    fail(path, "expected a number from " + number_text(min) + " to " + number_text(max) +
                   ", found " + describe(value));
  }
  return x;
}

double ScenarioValueReader::number_above(const json& value, const std::string& path,
                                         double above) const {
  const double x = value.is_number() ? value.get<double>() : std::nan("");
  if (!(x > above && std::isfinite(x))) {
    fail(path,
         "expected a number greater than " + number_text(above) + ", found " + describe(value));
  }
  return x;
}

double ScenarioValueReader::probability(const json& value, const std::string& path) const {
  const double x = value.is_number() ? value.get<double>() : std::nan("");
  if (!(x >= 0 && x <= 1)) {
    fail(path, "expected a probability from 0 to 1, found " + describe(value));
  }
  return x;
}

site::TimeUs ScenarioValueReader::time(const json& value, const std::string& path, TimeUnit unit,
                                       ZeroTime zero) const {
  const site::TimeUs per_unit = us_per_unit(unit);
  const double max = static_cast<double>(site::kTimeUsMax / per_unit);
  const double x = value.is_number() ? value.get<double>() : std::nan("");
  const std::string expected =
      std::string("expected a time in ") + unit_name(unit) +
      (zero == ZeroTime::kAllowed ? " from 0 to " : " greater than 0 and at most ") +
      number_text(max) + ", found ";
  if (!(x >= 0 && x <= max)) fail(path, expected + describe(value));
  // x * per_unit <= kTimeUsMax (1e12) is exact enough that rounding is well defined everywhere.
  const auto us = static_cast<site::TimeUs>(std::llround(x * static_cast<double>(per_unit)));
  if (zero == ZeroTime::kRejected && us == 0) {
    fail(path, expected + describe(value) + (x > 0 ? " (rounds to 0 microseconds)" : ""));
  }
  return us;
}

bool ScenarioValueReader::boolean(const json& value, const std::string& path) const {
  if (!value.is_boolean()) fail(path, "expected true or false, found " + describe(value));
  return value.get<bool>();
}

const std::string& ScenarioValueReader::string(const json& value, const std::string& path) const {
  if (!value.is_string()) fail(path, "expected a string, found " + describe(value));
  return value.get_ref<const std::string&>();
}

const json& ScenarioValueReader::array(const json& value, const std::string& path) const {
  if (!value.is_array()) fail(path, "expected an array, found " + describe(value));
  return value;
}

ScenarioObjectReader::ScenarioObjectReader(const ScenarioValueReader& values, const json& value,
                                           std::string path,
                                           std::initializer_list<std::string_view> allowed)
    : values_(values), object_(value), path_(std::move(path)) {
  if (!value.is_object()) {
    values.fail(path_, "expected an object, found " + ScenarioValueReader::describe(value));
  }
  for (const auto& item : value.items()) {
    bool known = false;
    for (const std::string_view name : allowed) known = known || item.key() == name;
    if (known) continue;
    std::string names;
    for (const std::string_view name : allowed) {
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    values.fail(json_child_path(path_, item.key()),
                names.empty() ? "unknown field; this object takes no fields"
                              : "unknown field; expected one of: " + names);
  }
}

std::string ScenarioObjectReader::path_of(std::string_view key) const {
  return json_child_path(path_, key);
}

const json* ScenarioObjectReader::find(std::string_view key) const {
  const auto found = object_.find(key);
  return found == object_.end() ? nullptr : &*found;
}

const json& ScenarioObjectReader::require(std::string_view key, const std::string& expected) const {
  const json* value = find(key);
  if (value == nullptr) values_.fail(path_of(key), "missing; expected " + expected);
  return *value;
}

void ScenarioObjectReader::read_number(std::string_view key, double& out, double min,
                                       double max) const {
  if (const json* v = find(key)) out = values_.number(*v, path_of(key), min, max);
}

void ScenarioObjectReader::read_probability(std::string_view key, double& out) const {
  if (const json* v = find(key)) out = values_.probability(*v, path_of(key));
}

void ScenarioObjectReader::read_time(std::string_view key, site::TimeUs& out, TimeUnit unit,
                                     ZeroTime zero) const {
  if (const json* v = find(key)) out = values_.time(*v, path_of(key), unit, zero);
}

void ScenarioObjectReader::read_boolean(std::string_view key, bool& out) const {
  if (const json* v = find(key)) out = values_.boolean(*v, path_of(key));
}

}  // namespace treedoc::sim
