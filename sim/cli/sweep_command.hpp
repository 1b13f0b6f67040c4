// The `treedoc-sim sweep` subcommand: run one scenario over a range of seeds, and over the points
// of a parameter grid, each run in its own process (SimGrid has one engine per process), N at a
// time; stream one row per (point, seed) and summarise the ensemble.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace treedoc::sim {

// Every this many runs of a sweep run twice, by default, to check they log the same events.
inline constexpr uint32_t kRecheckEveryDefault = 20;

struct SweepRequest {
  std::string path;
  std::vector<std::string> set_flags;        // `--set PATH=V1,V2,...`, one grid axis each
  uint64_t seed_first = 1, seed_last = 100;  // inclusive
  uint32_t jobs = 2;
  uint32_t shard_index = 1, shard_count = 1;  // this machine runs shard K of N (1-based)
  std::string json_path;                      // results as JSON; empty: none
  std::string csv_path;                       // one row per run as CSV; empty: none
  std::string junit_path;                     // results as JUnit XML; empty: none
  double time_budget_s = 0;                   // launch no run after this long; 0: no budget
  bool budget_ok = false;                     // a sweep cut by its budget exits 0, not 4
  uint64_t failures_max = 0;                  // launch no run after this many failed; 0: no cap
  // The runs whose index in the whole unsharded sweep, (seed - first) * points + point, is a
  // multiple of this run a second time, and a different event-log hash or exit code fails
  // them; 0: never. The same runs in any sharding, so merged shards equal the whole sweep.
  uint32_t recheck_every = kRecheckEveryDefault;
  std::string failures_dir = "sweep-failures";  // a replay scenario per failing run goes here
};

// Parses "A..B" (A <= B) into the request; returns an error message, or "" when it is valid.
std::string parse_seed_range(const std::string& text, SweepRequest* request);
// Parses "K/N" (1 <= K <= N, 1-based); returns an error message, or "".
std::string parse_shard(const std::string& text, SweepRequest* request);
// Takes the 0-based --shard-index K (0 <= K < N) of --shard-count N, as Slurm's
// SLURM_ARRAY_TASK_ID counts; returns an error message, or "".
std::string set_shard_index(uint64_t index, uint64_t count, SweepRequest* request);

// Runs the sweep; returns 0 when every run passed, 2 when every failing run failed liveness
// only, 1 for a safety violation, a crashed or nondeterministic run, 4 when --time-budget cut
// it short (0 with budget_ok), 3 for bad input.
int run_sweep(const SweepRequest& request);

}  // namespace treedoc::sim
