// The `treedoc-sim shrink` subcommand: delta debugging of a failing scenario down to a smaller one
// that still breaks the same invariant, each candidate run in its own process.
#pragma once

#include <cstdint>
#include <string>

namespace treedoc::sim {

// Candidate runs a shrink may spend, by default and at most: each is a process of up to a few
// hundred milliseconds, so the default bounds a shrink to about a minute.
inline constexpr uint32_t kShrinkAttemptsDefault = 400;
inline constexpr uint32_t kShrinkAttemptsMax = 100'000;

struct ShrinkRequest {
  std::string path;      // a failing scenario, e.g. a sweep's replay file
  std::string out_path;  // default: the input with ".shrunk.json" for ".json"
  uint32_t attempts_max = kShrinkAttemptsDefault;
};

// Shrinks the scenario and writes the smallest one found; prints the sizes before and after.
// Returns 0 when it wrote the result, 3 when the input is bad or does not fail.
int run_shrink(const ShrinkRequest& request);

}  // namespace treedoc::sim
