// One run of a scenario on SimGrid: a host and an event-loop actor per site, the application-level
// network, the fault schedule, the workload, the checker and the metrics. One run per process
// (SimGrid has one engine per process).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/report/run_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

struct RunOptions {
  uint64_t seed = 1;
  std::string out_dir;              // empty: no metrics files
  std::FILE* event_text = nullptr;  // one line per event, for --check-determinism
  std::FILE* trace = nullptr;       // the typed trace, one JSON line per event (--trace)
  bool progress = false;            // a progress line on stderr
};

RunResult run_simulation(const Scenario& scenario, const RunOptions& options);

// The SimGrid version the engine was built against ("3.32").
const char* engine_version();

}  // namespace treedoc::sim
