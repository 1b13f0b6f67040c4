// The `treedoc-sim replay-trace` subcommand: load a trace, replay it, print a summary or JSON.
#pragma once

#include <cstdint>
#include <string>

#include "sim/trace_replay.hpp"

namespace treedoc::sim {

struct ReplayTraceRequest {
  std::string path;
  ReplayOptions options;
  bool json = false;
};

// Runs the command; returns the process exit code (sim/exit_code.hpp). Bad input is reported on
// stderr as one line.
int run_replay_trace(const ReplayTraceRequest& request);

}  // namespace treedoc::sim
