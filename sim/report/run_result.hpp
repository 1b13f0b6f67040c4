// Everything a run found: its verdict (the first violation, if any), the event-log hash, the
// counters and statistics its observers kept, and the final document.
#pragma once

#include <cstdint>
#include <optional>

#include "models/site/coverage_probe.hpp"
#include "sim/check/checker.hpp"
#include "sim/observe/catch_up_records.hpp"
#include "sim/observe/run_statistics.hpp"
#include "sim/observe/site_counters.hpp"

namespace treedoc::sim {

struct RunResult {
  std::optional<Violation> violation;  // none: the run passed
  uint64_t event_hash = 0;
  uint64_t events = 0;
  TimeUs end_us = 0;
  std::optional<TimeUs> converged_at_us;  // when the liveness phase found every site converged
  SiteCounters totals;
  uint64_t convergence_checks = 0;
  uint64_t state_comparisons = 0;
  uint64_t crashes = 0, restarts = 0;
  // The final document as the first live site holds it.
  uint64_t final_atoms = 0;
  double final_tombstone_ratio = 0;
  double final_tid_bytes_mean = 0;
  uint64_t replica_memory_bytes = 0;  // all live replicas
  double wall_s = 0;                  // host time of the run: a metric, never an input
  site::ProbeCounts probes;           // how often each rare interleaving happened
  FlattenStats flatten;
  MembershipStats membership;
  uint64_t ops_lost = 0;                 // lost for good by any path (Checker::ops_lost)
  uint64_t final_epoch = 0;              // of the first live site
  ApplyTimeStats apply_time;             // host time: a measurement, never an input
  TimeUs safety_us = 0;                  // the scenario's safety phase: faults and edits end
  std::vector<CatchUpRecord> catch_ups;  // in the order they ended
  uint64_t catch_ups_dropped = 0;        // beyond CatchUpRecords::kRecordsMax
};

}  // namespace treedoc::sim
