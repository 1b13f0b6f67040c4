// The `treedoc-sim sweep` subcommand: run one scenario over a range of seeds, each in its own
// process (SimGrid has one engine per process), N at a time, and summarise the ensemble.
#pragma once

#include <cstdint>
#include <string>

namespace treedoc::sim {

struct SweepRequest {
  std::string path;
  uint64_t seed_first = 1, seed_last = 100;  // inclusive
  uint32_t jobs = 2;
  uint32_t shard_index = 1, shard_count = 1;  // this machine runs shard K of N (1-based)
  std::string json_path;                      // results as JSON; empty: none
};

// Parses "A..B" (A <= B) into the request; returns an error message, or "" when it is valid.
std::string parse_seed_range(const std::string& text, SweepRequest* request);
// Parses "K/N" (1 <= K <= N); returns an error message, or "".
std::string parse_shard(const std::string& text, SweepRequest* request);

// Runs the sweep; returns 0 when every seed passed, else the worst exit code (1 over 2 over 3).
int run_sweep(const SweepRequest& request);

}  // namespace treedoc::sim
