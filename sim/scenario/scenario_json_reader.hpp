// Typed, range-checked reads of scenario JSON values. Every failed check throws one InputError
// naming the file, the JSON path, what was expected and what was found, so the loader itself reads
// as a list of fields and their limits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/site/time_us.hpp"
#include "models/vocabulary/named_enum.hpp"

namespace treedoc::sim {

// The unit a time field is written in: its key ends in `_s` or `_ms`.
enum class TimeUnit : uint8_t { kSeconds, kMilliseconds };
// Whether a time of zero means something (an offset, "none") or is a mistake (a period).
enum class ZeroTime : uint8_t { kAllowed, kRejected };

// A registry's names for a message: "a, b, c", or with `last` before the final one ("a, b or c").
template <typename Enum, size_t N>
std::string names_of(const NamedEnum<Enum, N>& registry, std::string_view last = ", ") {
  std::string out;
  for (size_t k = 0; k < N; ++k) {
    if (k > 0) out += k + 1 == N ? last : std::string_view(", ");
    out += registry.name_at(k);
  }
  return out;
}

// Reads single values, each at a path given by the caller.
class ScenarioValueReader {
 public:
  explicit ScenarioValueReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  [[noreturn]] void fail(const std::string& where, const std::string& what) const;

  // "found ..." text: the value itself for scalars (strings quoted and cut), the type otherwise.
  static std::string describe(const nlohmann::json& value);

  // A JSON integer in [min, max]; a fraction or exponent (3.0, 1e3) is not a whole number.
  uint64_t whole_number(const nlohmann::json& value, const std::string& path, uint64_t min,
                        uint64_t max) const;
  // Any JSON number in [min, max].
  double number(const nlohmann::json& value, const std::string& path, double min, double max) const;
  // Any JSON number strictly greater than `above`.
  double number_above(const nlohmann::json& value, const std::string& path, double above) const;
  double probability(const nlohmann::json& value, const std::string& path) const;
  // A non-negative number of `unit`s, rounded to whole microseconds, at most site::kTimeUsMax.
  site::TimeUs time(const nlohmann::json& value, const std::string& path, TimeUnit unit,
                    ZeroTime zero) const;
  bool boolean(const nlohmann::json& value, const std::string& path) const;
  const std::string& string(const nlohmann::json& value, const std::string& path) const;
  const nlohmann::json& array(const nlohmann::json& value, const std::string& path) const;

  // One of the names in `choices`, returned as its enumerator.
  template <typename Enum>
  Enum choice(const nlohmann::json& value, const std::string& path,
              std::initializer_list<std::pair<std::string_view, Enum>> choices) const {
    return choice(value, path, std::vector<std::pair<std::string_view, Enum>>(choices));
  }
  template <typename Enum>
  Enum choice(const nlohmann::json& value, const std::string& path,
              const std::vector<std::pair<std::string_view, Enum>>& choices) const {
    if (value.is_string()) {
      for (const auto& [name, enumerator] : choices) {
        if (value.get_ref<const std::string&>() == name) return enumerator;
      }
    }
    std::string names;
    for (const auto& choice : choices) {
      names += (names.empty() ? "\"" : ", \"") + std::string(choice.first) + "\"";
    }
    fail(path, "expected one of " + names + ", found " + describe(value));
  }
  // One of the names of a registry (models/vocabulary/named_enum.hpp), but those in `except`.
  template <typename Enum, size_t N>
  Enum choice(const nlohmann::json& value, const std::string& path,
              const NamedEnum<Enum, N>& registry, std::initializer_list<Enum> except = {}) const {
    return choice(value, path, choices_of(registry, except));
  }
  template <typename Enum, size_t N>
  static std::vector<std::pair<std::string_view, Enum>> choices_of(
      const NamedEnum<Enum, N>& registry, std::initializer_list<Enum> except = {}) {
    std::vector<std::pair<std::string_view, Enum>> choices;
    for (size_t k = 0; k < N; ++k) {
      const Enum e = registry.value(k);
      if (std::find(except.begin(), except.end(), e) == except.end()) {
        choices.emplace_back(registry.name(e), e);
      }
    }
    return choices;
  }

 private:
  std::string file_;
};

// One JSON object: its keys are checked against the allowed ones when it is opened, so an unknown
// or misspelt field is reported before anything else; then its fields are read by key. The
// read_* methods leave `out` as it is (the default) when the field is absent.
class ScenarioObjectReader {
 public:
  ScenarioObjectReader(const ScenarioValueReader& values, const nlohmann::json& value,
                       std::string path, std::initializer_list<std::string_view> allowed);

  const ScenarioValueReader& values() const { return values_; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const;

  // The field, or nullptr when it is absent.
  const nlohmann::json* find(std::string_view key) const;
  // The field; absent, it is an error saying `expected`.
  const nlohmann::json& require(std::string_view key, const std::string& expected) const;

  template <typename Unsigned>
  void read_whole_number(std::string_view key, Unsigned& out, uint64_t min, uint64_t max) const {
    if (const nlohmann::json* v = find(key)) {
      out = static_cast<Unsigned>(values_.whole_number(*v, path_of(key), min, max));
    }
  }
  void read_number(std::string_view key, double& out, double min, double max) const;
  void read_probability(std::string_view key, double& out) const;
  void read_time(std::string_view key, site::TimeUs& out, TimeUnit unit, ZeroTime zero) const;
  void read_boolean(std::string_view key, bool& out) const;
  template <typename Enum, size_t N>
  void read_choice(std::string_view key, Enum& out, const NamedEnum<Enum, N>& registry,
                   std::initializer_list<Enum> except = {}) const {
    if (const nlohmann::json* v = find(key)) {
      out = values_.choice(*v, path_of(key), registry, except);
    }
  }

 private:
  const ScenarioValueReader& values_;
  const nlohmann::json& object_;
  std::string path_;
};

}  // namespace treedoc::sim
