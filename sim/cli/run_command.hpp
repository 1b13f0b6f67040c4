// The `treedoc-sim run` subcommand: load a scenario, run it, print the summary, write metrics,
// and report any violation with its seed and a one-line reproduce command.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace treedoc::sim {

struct RunRequest {
  std::string path;
  std::optional<uint64_t> seed;  // overrides the scenario's
  std::string out_dir;           // metrics.jsonl and summary.json; empty: none
  bool quiet = false;            // only the verdict, the hash and any violation
  bool check_determinism = false;
  std::string event_log_path;  // one line per event (what --check-determinism compares)
  bool report = false;  // needs out_dir: events.log there, then analysis/plot.py's report.html
  bool trace = false;   // needs out_dir: the typed trace, trace.jsonl, and its schema there
};

// Runs the command; returns the process exit code (sim/exit_code.hpp).
int run_run(const RunRequest& request);

}  // namespace treedoc::sim
