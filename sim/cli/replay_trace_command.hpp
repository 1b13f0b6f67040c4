// The `treedoc-sim replay-trace` subcommand: load a trace, replay it, print a summary or JSON.
#pragma once

#include <cstdint>
#include <string>

#include "sim/workload/trace_replay.hpp"

namespace treedoc::sim {

struct ReplayTraceRequest {
  std::string path;
  ReplayOptions options;  // options.series is filled by the command from the two fields below
  bool json = false;
  std::string series_path;  // empty: no series; else JSON lines (docs/SECTION3.md)
  uint64_t series_every_ops = 1000;
};

// Runs the command; returns the process exit code (sim/exit_code.hpp). Bad input is reported on
// stderr as one line.
int run_replay_trace(const ReplayTraceRequest& request);

}  // namespace treedoc::sim
