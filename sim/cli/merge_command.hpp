// The `treedoc-sim merge` subcommand: the --json files of a sweep's shards joined into what the
// unsharded sweep would have written (its rows, outcome counts and hashes), after checking they
// are shards of one sweep with no run in common.
#pragma once

#include <string>
#include <vector>

namespace treedoc::sim {

struct MergeRequest {
  std::vector<std::string> shard_paths;         // the shards' `sweep --json` files
  std::string json_path, csv_path, junit_path;  // the merged results; empty: none
  bool budget_ok = false;  // a shard cut by its --time-budget leaves the exit code 0, not 4
};

// Merges; returns the exit code the unsharded sweep would have (sweep_report.hpp), 3 for a file
// that is not a sweep's --json or an unwritable output, 5 for shards of different sweeps (another
// scenario text or grid) or that share a seed.
int run_merge(const MergeRequest& request);

}  // namespace treedoc::sim
