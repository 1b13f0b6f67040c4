// Swarm scenarios: values written as ranges or choices, drawn per seed into a concrete scenario
// that the strict loader then reads unchanged (docs/scenarios.md, "Swarm scenarios").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// The keys of the three forms. `$` cannot start a scenario field, so a form never collides with
// one: {"$range": [a, b]}, {"$choice": [v, ...]}, and, as an array element only, {"$maybe": v}.
inline constexpr const char* kSwarmRangeKey = "$range";
inline constexpr const char* kSwarmChoiceKey = "$choice";
inline constexpr const char* kSwarmMaybeKey = "$maybe";
// A choice lists at most this many values; a swarm is a handful of options, not a data file.
inline constexpr size_t kSwarmChoicesMax = 1024;
// A file holds at most this many forms (choices nested in choices count each).
inline constexpr size_t kSwarmFormsMax = 10'000;

// How many forms `root` holds, counting those inside every choice's values; 0 for a concrete
// scenario. Throws InputError(file, path, ...) for a malformed form: another key next to a `$`
// key, an unknown `$` key, a range that is not two numbers low to high, an empty or oversized
// choice, `$maybe` outside an array, a form at the top level or as the seed (the seed is what
// the draws depend on), or more than kSwarmFormsMax forms.
size_t check_swarm_forms(const std::string& file, const nlohmann::json& root);

// The seed a swarm file is drawn for when none is given: its own `seed`, else the default. A
// malformed seed is left for the loader to report.
uint64_t swarm_file_seed(const nlohmann::json& root);

// `root` with every form replaced by its value drawn for `seed` (its own `seed` field is left as
// it is: a replay file sets it). Each form draws from its own stream, split from RandomStream(seed)
// by "swarm" and the form's JSON path, so editing one form leaves every other draw as it was, and
// no simulation stream moves. Whole-number ends draw a whole number, others a real number; a
// `$maybe` element is kept with probability 1/2. Call check_swarm_forms first.
nlohmann::json resolve_swarm(const nlohmann::json& root, uint64_t seed);

// What resolve_swarm(root, seed) drew for each outermost form (one not inside another's values),
// keyed by the form's JSON path in the file: the value it became, or null for a `$maybe` element
// that was dropped. An object with the same keys for every seed; empty for a concrete scenario.
nlohmann::json swarm_draws(const nlohmann::json& root, uint64_t seed);

}  // namespace treedoc::sim
