// Swarm forms ($range, $choice, $maybe): their shapes are checked over every branch, then each is
// replaced by a value drawn from a stream of its own.
#include "sim/scenario/swarm_resolver.hpp"

#include <cstdint>
#include <limits>
#include <string_view>

#include "models/random/random_stream.hpp"
#include "models/treedoc/assertion.hpp"
#include "sim/base/input_error.hpp"
#include "sim/base/json_path.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json_reader.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

constexpr uint64_t kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
constexpr double kDoubleMax = std::numeric_limits<double>::max();

enum class Form : uint8_t { kNone, kRange, kChoice, kMaybe };

// Which form `value` is: an object with exactly one of the three keys. Anything else with a `$`
// key is an error that FormChecker reports before any draw.
Form form_of(const json& value) {
  if (!value.is_object() || value.size() != 1) return Form::kNone;
  const std::string& key = value.begin().key();
  if (key == kSwarmRangeKey) return Form::kRange;
  if (key == kSwarmChoiceKey) return Form::kChoice;
  if (key == kSwarmMaybeKey) return Form::kMaybe;
  return Form::kNone;
}

bool has_dollar_key(const json& value) {
  if (!value.is_object()) return false;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it.key().empty() && it.key()[0] == '$') return true;
  }
  return false;
}

// Both ends whole numbers that one 64-bit type holds: all unsigned, or all within int64.
bool whole_ends(const json& lo, const json& hi) {
  if (!lo.is_number_integer() || !hi.is_number_integer()) return false;
  if (lo.is_number_unsigned() && hi.is_number_unsigned()) return true;
  const auto fits = [](const json& v) {
    return !v.is_number_unsigned() || v.get<uint64_t>() <= kInt64Max;
  };
  return fits(lo) && fits(hi);
}

class FormChecker {
 public:
  explicit FormChecker(const std::string& file) : file_(file) {}

  size_t forms() const { return forms_; }

  void check(const json& value, const std::string& path, bool array_element) {
    if (has_dollar_key(value)) {
      check_form(value, path, array_element);
      return;
    }
    if (value.is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        check(it.value(), json_child_path(path, it.key()), false);
      }
    } else if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) check(value[i], json_element_path(path, i), true);
    }
  }

 private:
  void check_form(const json& value, const std::string& path, bool array_element) {
    const Form form = form_of(value);
    if (form == Form::kNone) {
      fail(path,
           "expected one swarm form, {\"$range\": [low, high]}, {\"$choice\": [values]} or "
           "(in an array) {\"$maybe\": value}, alone in its object; found the keys " +
               keys_of(value));
    }
    if (++forms_ > kSwarmFormsMax) {
      fail(path, "more than " + std::to_string(kSwarmFormsMax) + " swarm forms in one file");
    }
    const json& body = value.begin().value();
    const std::string body_path = json_child_path(path, value.begin().key());
    switch (form) {
      case Form::kRange: check_range(body, body_path); break;
      case Form::kChoice:
        if (!body.is_array() || body.empty() || body.size() > kSwarmChoicesMax) {
          fail(body_path, "expected a non-empty array of at most " +
                              std::to_string(kSwarmChoicesMax) + " values to choose from, found " +
                              ScenarioValueReader::describe(body));
        }
        // A chosen value is resolved where the choice stood, so it may be a $maybe only there.
        for (size_t i = 0; i < body.size(); ++i) {
          check(body[i], json_element_path(body_path, i), array_element);
        }
        break;
      case Form::kMaybe:
        if (!array_element) {
          fail(path, "$maybe keeps or drops an array element, so it may stand only in an array");
        }
        check(body, body_path, false);
        break;
      case Form::kNone: TD_ASSERT(false, "form_of() returned a form above"); break;
    }
  }

  void check_range(const json& body, const std::string& path) const {
    const char* expected = "expected [low, high]: two numbers, low <= high";
    if (!body.is_array() || body.size() != 2 || !body[0].is_number() || !body[1].is_number()) {
      fail(path, std::string(expected) + ", found " + ScenarioValueReader::describe(body));
    }
    const json& lo = body[0];
    const json& hi = body[1];
    bool backwards = false;
    if (lo.is_number_integer() && hi.is_number_integer()) {
      if (!whole_ends(lo, hi)) {
        fail(path, "expected whole-number ends that are both >= 0 or both below 2^63");
      }
      backwards = lo.is_number_unsigned() && hi.is_number_unsigned()
                      ? lo.get<uint64_t>() > hi.get<uint64_t>()
                      : lo.get<int64_t>() > hi.get<int64_t>();
    } else {
      backwards = lo.get<double>() > hi.get<double>();
      if (!backwards && hi.get<double>() - lo.get<double>() > kDoubleMax) {
        fail(path, "expected ends less than the largest double apart");
      }
    }
    if (backwards) fail(path, std::string(expected) + ", found " + lo.dump() + " > " + hi.dump());
  }

  static std::string keys_of(const json& object) {
    std::string keys;
    for (auto it = object.begin(); it != object.end(); ++it) {
      keys += (keys.empty() ? "\"" : ", \"") + it.key() + "\"";
    }
    return keys;
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw InputError(file_, path, what);
  }

  const std::string& file_;
  size_t forms_ = 0;
};

// Where a value sits, as a chain of links up to the top level. Its text is built only where a form
// needs it (its stream's name, its draw's key), not for each plain value of a large file: a
// 1 MB swarm file spent most of its draws writing paths nobody read.
struct PathLink {
  const PathLink* parent = nullptr;  // null: the top level
  const std::string* key = nullptr;  // an object member's key; null: element `index` of an array
  size_t index = 0;

  std::string text() const {
    if (parent == nullptr) return "";
    return key ? json_child_path(parent->text(), *key) : json_element_path(parent->text(), index);
  }
};

class Resolver {
 public:
  // `draws`, when given, receives what each outermost form drew (swarm_draws()).
  explicit Resolver(uint64_t seed, json* draws = nullptr)
      : swarm_(RandomStream(seed).split("swarm")), draws_(draws) {}

  // The value at `at`; `level` tells apart a form and the forms a choice of it yields there.
  json resolve(const json& value, const PathLink& at, uint64_t level) const {
    const Form form = form_of(value);
    if (form != Form::kNone && level == 0 && draws_ && !inside_form_) {
      inside_form_ = true;
      json drawn = resolve(value, at, level);
      inside_form_ = false;
      (*draws_)[at.text()] = drawn;
      return drawn;
    }
    switch (form) {
      case Form::kRange: return draw_range(value.begin().value(), stream(at.text(), level));
      case Form::kChoice: {
        const json& values = value.begin().value();
        const json& chosen = values[stream(at.text(), level).below(values.size())];
        return resolve(chosen, at, level + 1);
      }
      case Form::kMaybe:
        TD_ASSERT(false, "a $maybe is resolved by the array that holds it");
        return json();
      case Form::kNone: break;
    }
    if (value.is_object()) {
      json out = json::object();
      for (auto it = value.begin(); it != value.end(); ++it) {
        out[it.key()] = resolve(it.value(), PathLink{&at, &it.key()}, 0);
      }
      return out;
    }
    if (value.is_array()) {
      json out = json::array();
      for (size_t i = 0; i < value.size(); ++i) {
        // Element paths keep the file's indices, so a dropped element moves no other draw.
        const PathLink element{&at, nullptr, i};
        if (form_of(value[i]) == Form::kNone) {
          out.push_back(resolve(value[i], element, 0));
          continue;
        }
        const std::string path = element.text();
        const bool recorded = draws_ && !inside_form_;
        inside_form_ = inside_form_ || recorded;
        const bool keep = kept(value[i], path);
        if (keep) out.push_back(resolve(unwrapped(value[i], element, path), element, 0));
        if (recorded) {
          inside_form_ = false;
          (*draws_)[path] = keep ? out.back() : json();
        }
      }
      return out;
    }
    return value;
  }

 private:
  RandomStream stream(const std::string& path, uint64_t level) const {
    return swarm_.split(path, level);
  }

  // An array element past its choices: the value they pick, with `level` the stream level it is
  // drawn at. It may be a $maybe, which only an array element can be.
  const json& settled(const json& element, const std::string& path, uint64_t* level) const {
    const json* v = &element;
    while (form_of(*v) == Form::kChoice) {
      const json& values = v->begin().value();
      v = &values[stream(path, (*level)++).below(values.size())];
    }
    return *v;
  }

  // Whether an array element stays: a $maybe, or a choice that yields one, may drop it.
  bool kept(const json& element, const std::string& path) const {
    uint64_t level = 0;
    const json& v = settled(element, path, &level);
    return form_of(v) != Form::kMaybe || stream(path, level).chance(0.5);
  }

  // An element's value once its choices and $maybe are taken (kept() said it stays). Streams
  // are fresh per path and level, so walking the choices again draws the same values.
  json unwrapped(const json& element, const PathLink& at, const std::string& path) const {
    uint64_t level = 0;
    const json& v = settled(element, path, &level);
    if (form_of(v) != Form::kMaybe) return resolve(v, at, level);
    return resolve(v.begin().value(), at, level + 1);
  }

  static json draw_range(const json& ends, RandomStream random) {
    const json& lo = ends[0];
    const json& hi = ends[1];
    if (!whole_ends(lo, hi)) {
      const double a = lo.get<double>();
      const double b = hi.get<double>();
      return a + (b - a) * random.unit();
    }
    // Unsigned arithmetic wraps the same for both types; the offset is below the span + 1.
    const bool is_unsigned = lo.is_number_unsigned() && hi.is_number_unsigned();
    const uint64_t a = is_unsigned ? lo.get<uint64_t>() : static_cast<uint64_t>(lo.get<int64_t>());
    const uint64_t b = is_unsigned ? hi.get<uint64_t>() : static_cast<uint64_t>(hi.get<int64_t>());
    const uint64_t span = b - a;
    const uint64_t offset =
        span == std::numeric_limits<uint64_t>::max() ? random.next() : random.between(0, span);
    if (is_unsigned) return a + offset;
    return static_cast<int64_t>(a + offset);
  }

  const RandomStream swarm_;
  json* const draws_;
  mutable bool inside_form_ = false;  // resolving the values of an outermost form
};

}  // namespace

size_t check_swarm_forms(const std::string& file, const json& root) {
  if (!root.is_object()) return 0;  // the loader says what the top level must be
  FormChecker checker(file);
  if (has_dollar_key(root)) {
    throw InputError(file, "", "the top level must be a scenario object, not a swarm form");
  }
  if (root.is_object() && root.contains("seed") && has_dollar_key(root["seed"])) {
    throw InputError(file, "seed",
                     "expected a whole number: the seed cannot be drawn, every draw depends on it");
  }
  checker.check(root, "", false);
  return checker.forms();
}

uint64_t swarm_file_seed(const json& root) {
  const auto seed = root.find("seed");
  return seed != root.end() && seed->is_number_unsigned() ? seed->get<uint64_t>() : Scenario().seed;
}

json resolve_swarm(const json& root, uint64_t seed) {
  TD_ASSERT(root.is_object(), "check_swarm_forms() rejects a form at the top level");
  return Resolver(seed).resolve(root, PathLink{}, 0);
}

json swarm_draws(const json& root, uint64_t seed) {
  json draws = json::object();
  if (!root.is_object()) return draws;
  (void)Resolver(seed, &draws).resolve(root, PathLink{}, 0);
  return draws;
}

}  // namespace treedoc::sim
