// The `treedoc-sim sweep` subcommand: run one scenario over a range of seeds, each in its own
// process (SimGrid has one engine per process), N at a time, and summarise the ensemble.
#pragma once

#include <cstdint>
#include <string>

namespace treedoc::sim {

// Every this many seeds of a sweep run twice, by default, to check they log the same events.
inline constexpr uint32_t kRecheckEveryDefault = 20;

struct SweepRequest {
  std::string path;
  uint64_t seed_first = 1, seed_last = 100;  // inclusive
  uint32_t jobs = 2;
  uint32_t shard_index = 1, shard_count = 1;  // this machine runs shard K of N (1-based)
  std::string json_path;                      // results as JSON; empty: none
  std::string junit_path;                     // results as JUnit XML; empty: none
  double time_budget_s = 0;                   // launch no seed after this long; 0: no budget
  uint64_t failures_max = 0;                  // launch no seed after this many failed; 0: no cap
  // The 1st, (K+1)th, (2K+1)th... seed of this shard runs a second time, and a different
  // event-log hash or exit code fails it; 0: never.
  uint32_t recheck_every = kRecheckEveryDefault;
  std::string failures_dir = "sweep-failures";  // a replay scenario per failing seed goes here
};

// Parses "A..B" (A <= B) into the request; returns an error message, or "" when it is valid.
std::string parse_seed_range(const std::string& text, SweepRequest* request);
// Parses "K/N" (1 <= K <= N); returns an error message, or "".
std::string parse_shard(const std::string& text, SweepRequest* request);

// Runs the sweep; returns 0 when every seed passed, 2 when every failing seed failed liveness
// only, else 1 (a safety violation, a crashed or nondeterministic run); 3 for bad input.
int run_sweep(const SweepRequest& request);

}  // namespace treedoc::sim
