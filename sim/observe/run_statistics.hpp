// What a run counts as it goes: the per-site counters, the flatten protocol's attempts and epochs,
// the core's membership steps, the coverage probes and the host time spent applying ops, kept by
// one observer of the run (RunStatistics).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/site/effects.hpp"
#include "models/treedoc/replica.hpp"
#include "sim/observe/catch_up_records.hpp"
#include "sim/observe/run_observer.hpp"
#include "sim/observe/site_counters.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// The flatten protocol over a run: attempts and outcomes, the epoch timeline.
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
  CatchUpTotals catch_ups;                                           // from CatchUpRecords
  uint64_t ops_translated = 0;                                       // over all sites
  uint64_t lost_by_policy = 0;                                       // distinct ops
};

// The core's membership over a run: suspicions and whether they were right, view changes,
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
  uint64_t wrong_suspicions = 0;                      // the suspected site was up at that instant
  uint64_t view_changes = 0, view_change_aborts = 0;  // attempts of a view change alone
  uint64_t expulsions = 0, admissions = 0;
  uint64_t halts = 0, demotions = 0, joins = 0;
  // Ops a member held alone when it learned it was expelled, summed over such moments: what the
  // `abort` policy throws away (HBASE-25274's question).
  uint64_t held_alone_when_fenced = 0;
  std::vector<Step> timeline;  // at most kMembershipStepsMax, in time order
  bool timeline_truncated = false;
  static constexpr size_t kMembershipStepsMax = 10'000;
  void record(Step step) {
    if (timeline.size() < kMembershipStepsMax) {
      timeline.push_back(std::move(step));
    } else {
      timeline_truncated = true;
    }
  }
};

// Host time the sites spent applying remote ops (per-op apply time), each call's time
// shared equally among the ops it applied: a batch of tree updates with deferred integration
// (Simulation::integrate), else a whole on_message for an ops message. Measured, never decided: it
// reaches summary.json, the human summary and metrics.jsonl's total lines, never the event log, the
// checker or a site, so the event-log hash is the same whatever the host's speed.
struct ApplyTimeStats {
  // Quarter-octave buckets of ns per op: values below 8 ns have a bucket each, and every octave
  // [2^e, 2^(e+1)) above is cut in four, so a quantile is read to within 25%. The last bucket
  // also holds everything beyond 2^40 ns (18 minutes) per op.
  static constexpr size_t kBuckets = 160;
  uint64_t ns_total = 0;                           // over every timed call
  uint64_t ops = 0;                                // ops those calls applied
  uint64_t calls = 0;                              // timed calls that applied at least one op
  std::array<uint64_t, kBuckets> ops_by_bucket{};  // ops, by their call's ns per op

  static size_t bucket_of(uint64_t ns_per_op) {
    if (ns_per_op < 8) return static_cast<size_t>(ns_per_op);
    const int e = std::bit_width(ns_per_op) - 1;  // 2^e <= ns_per_op < 2^(e+1), e >= 3
    const size_t b = 4 * static_cast<size_t>(e - 1) + ((ns_per_op >> (e - 2)) & 3);
    return b < kBuckets ? b : kBuckets - 1;
  }
  // The smallest ns per op bucket b holds.
  static double bucket_floor(size_t b) {
    if (b < 8) return static_cast<double>(b);
    return static_cast<double>((4 + b % 4) << (b / 4 - 1));
  }
  void add(uint64_t ns, uint64_t applied) {
    ns_total += ns;
    ops += applied;
    ++calls;
    ops_by_bucket[bucket_of(ns / applied)] += applied;
  }
  double mean_ns() const {
    return ops ? static_cast<double>(ns_total) / static_cast<double>(ops) : 0.0;
  }
  // The q-quantile (0 < q <= 1) of ns per op over the ops timed, interpolated inside its bucket.
  double quantile_ns(double q) const {
    if (ops == 0) return 0.0;
    const double rank = q * static_cast<double>(ops);
    double below = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      const double here = static_cast<double>(ops_by_bucket[b]);
      if (here > 0 && below + here >= rank) {
        const double floor = bucket_floor(b);
        const double width = b + 1 < kBuckets ? bucket_floor(b + 1) - floor : floor;
        return floor + width * (rank - below) / here;
      }
      below += here;
    }
    return bucket_floor(kBuckets - 1);
  }
};

// The observer that keeps every count above as the run goes.
class RunStatistics final : public RunObserver {
 public:
  explicit RunStatistics(const Scenario& scenario);

  const std::vector<SiteCounters>& counters() const { return counters_; }
  SiteCounters totals() const;
  const FlattenStats& flatten() const { return flatten_; }
  const MembershipStats& membership() const { return membership_; }
  const ApplyTimeStats& apply_time() const { return apply_time_; }
  const site::ProbeCounts& probes() const { return probes_; }
  uint64_t crashes() const { return crashes_; }
  uint64_t restarts() const { return restarts_; }

  void on_local_op(TimeUs now, const LocalOpMade& made) override;
  void on_applied(TimeUs now, const OpApplied& applied) override;
  void on_wrong_epoch(SiteIndex site, uint64_t messages) override;
  void on_commit_step(TimeUs now, const CommitStepTaken& step) override;
  void on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) override;
  void on_lost_by_policy(TimeUs now, SiteIndex site,
                         const std::vector<site::SharedOp>& ops) override;
  void on_membership(TimeUs now, const MembershipStepTaken& step) override;
  void on_apply_timed(SiteIndex site, uint64_t ns, uint64_t ops) override;
  void on_probes(const site::ProbeCounts& fired) override { probes_.add(fired); }
  void on_probe(site::Probe probe, uint64_t times) override { probes_.add(probe, times); }
  void on_send(TimeUs now, const MessageSent& sent) override;
  void on_drop(TimeUs now, const MessageDropped& dropped) override;
  void on_deliver(TimeUs now, const MessageDelivered& delivered) override;
  void on_rpc_failed(TimeUs now, const RpcFailed& failed) override;
  void on_crash(TimeUs now, SiteIndex site, const DotSet* claimed) override;
  void on_restart(TimeUs now, SiteIndex site) override;

 private:
  const Topology& topology_;            // names the attempts that open epochs
  std::vector<SiteCounters> counters_;  // per site
  FlattenStats flatten_;
  MembershipStats membership_;
  ApplyTimeStats apply_time_;
  site::ProbeCounts probes_;
  uint64_t crashes_ = 0, restarts_ = 0;
};

}  // namespace treedoc::sim
