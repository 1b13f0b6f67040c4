// One run of a scenario on SimGrid: a host and an event-loop actor per site, the application-level
// network, the fault schedule, the workload, the checker and the metrics. One run per process
// (SimGrid has one engine per process).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "models/site/coverage_probe.hpp"
#include "sim/checker.hpp"
#include "sim/scenario.hpp"
#include "sim/site_counters.hpp"

namespace treedoc::sim {

struct RunOptions {
  uint64_t seed = 1;
  std::string out_dir;              // empty: no metrics files
  std::FILE* event_text = nullptr;  // one line per event, for --check-determinism
  bool progress = false;            // a progress line on stderr
};

// The flatten protocol over a run (issue 4, metrics): attempts and outcomes, the epoch timeline.
struct FlattenStats {
  struct EpochStart {
    uint64_t epoch = 0;
    TimeUs at_us = 0;  // when the first site entered it
    std::string txid;  // the committed attempt that opened it
    // The coordinator's tree just before and after its flatten.
    std::optional<ReplicaStats> before, after;
  };
  uint64_t attempts = 0;  // decided by a coordinator: commits plus aborts
  uint64_t commits = 0;
  std::array<uint64_t, site::kAbortReasonCount> aborts_by_reason{};  // by site::AbortReason
  std::vector<EpochStart> epochs;                                    // epoch 1 onwards, in order
  uint64_t catch_ups = 0;
  TimeUs catch_up_us_total = 0, catch_up_us_max = 0;
  uint64_t ops_translated = 0;  // over all sites
  uint64_t lost_by_policy = 0;  // distinct ops
};

// The core's membership over a run (issue 5): suspicions and whether they were right, view changes,
// and the timeline of every membership step, which the summary tells as a story.
struct MembershipStats {
  struct Step {
    TimeUs at_us = 0;
    std::string what;    // a MembershipEvent kind, or "rpc-failed"
    SiteIndex by = 0;    // the site that acted (the caller, for an RPC failure)
    SiteIndex site = 0;  // the site it is about
    uint64_t epoch = 0, view = 0;
    std::string detail;  // the suspicion's cause, or the RPC error
    uint64_t ops = 0;    // fenced: ops it alone held at that moment
  };
  uint64_t rpc_failures = 0;  // dispatches that failed and were reported to their caller
  uint64_t suspicions = 0;
  uint64_t wrong_suspicions = 0;  // the suspected site was up at that instant
  uint64_t expulsions = 0, admissions = 0;
  uint64_t halts = 0, demotions = 0, joins = 0;
  // Ops a member held alone when it learned it was expelled, summed over such moments: what the
  // `abort` policy throws away (HBASE-25274's question).
  uint64_t held_alone_when_fenced = 0;
  std::vector<Step> timeline;  // at most kMembershipStepsMax, in time order
  bool timeline_truncated = false;
};

inline constexpr size_t kMembershipStepsMax = 10'000;

struct RunResult {
  std::optional<Violation> violation;        // none: the run passed
  std::optional<Violation> trace_violation;  // a trace workload that did not end at endContent
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
  uint64_t final_epoch = 0;  // of the first live site
};

RunResult run_simulation(const Scenario& scenario, const RunOptions& options);

}  // namespace treedoc::sim
