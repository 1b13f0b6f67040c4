// RunStatistics: the counts of a run, each from the observation that says it happened.
#include "sim/observe/run_statistics.hpp"

#include <algorithm>

namespace treedoc::sim {

RunStatistics::RunStatistics(const Scenario& scenario)
    : topology_(scenario.topology), counters_(scenario.topology.site_count()) {}

SiteCounters RunStatistics::totals() const {
  SiteCounters t;
  for (const SiteCounters& c : counters_) t.add(c);
  return t;
}

void RunStatistics::on_local_op(TimeUs /*now*/, const LocalOpMade& made) {
  counters_[made.site].ops_made += made.op->atoms();  // atoms: a run counts as its members
}

void RunStatistics::on_applied(TimeUs /*now*/, const OpApplied& applied) {
  counters_[applied.site].ops_applied += applied.op->atoms();
}

void RunStatistics::on_wrong_epoch(SiteIndex site, uint64_t messages) {
  counters_[site].wrong_epoch += messages;
}

void RunStatistics::on_commit_step(TimeUs /*now*/, const CommitStepTaken& step) {
  using Phase = site::CommitEvent::Phase;
  SiteCounters& c = counters_[step.site];
  const site::CommitEvent& e = step.step;
  const bool decided_here = e.txid.coordinator == step.state.id();
  if (e.view_only) {  // a view change alone is no flatten: counted with membership
    if (decided_here && e.phase == Phase::kCommitted) ++membership_.view_changes;
    if (decided_here && e.phase == Phase::kAborted) ++membership_.view_change_aborts;
    return;
  }
  switch (e.phase) {
    case Phase::kPrepareSent: ++c.flatten_attempts; break;
    case Phase::kVotedYes:
    case Phase::kVotedNo: break;
    case Phase::kCommitted:
      ++c.flatten_commits;
      if (decided_here) ++flatten_.attempts, ++flatten_.commits, ++c.flatten_commits_decided;
      break;
    case Phase::kAborted:
      ++c.flatten_aborts;
      if (decided_here) {
        ++c.flatten_aborts_decided;
        ++flatten_.attempts;
        ++flatten_.aborts_by_reason[static_cast<size_t>(e.reason)];
      }
      break;
  }
}

void RunStatistics::on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) {
  const site::EpochEntered& e = entered.entered;
  SiteCounters& c = counters_[entered.site];
  ++c.epochs_entered;
  c.ops_translated += e.translated;
  flatten_.ops_translated += e.translated;
  std::vector<FlattenStats::EpochStart>& epochs = flatten_.epochs;
  if (e.epoch == epochs.size() + 1) {
    epochs.push_back(
        {e.epoch, now, e.ending ? attempt_name(topology_, e.ending->txid) : "", {}, {}});
  }
  if (e.stats_before && e.epoch <= epochs.size()) {
    epochs[e.epoch - 1].before = e.stats_before;
    epochs[e.epoch - 1].after = e.stats_after;
  }
}

void RunStatistics::on_lost_by_policy(TimeUs /*now*/, SiteIndex site,
                                      const std::vector<site::SharedOp>& ops) {
  for (const site::SharedOp& op : ops) counters_[site].lost_by_policy += op->atoms();
}

void RunStatistics::on_membership(TimeUs now, const MembershipStepTaken& step) {
  using Kind = site::MembershipEvent::Kind;
  const site::MembershipEvent& e = step.step;
  MembershipStats& m = membership_;
  std::string detail;
  uint64_t ops = 0;
  switch (e.kind) {
    case Kind::kSuspected:
      ++m.suspicions;
      detail = site::to_string(e.cause);
      // The environment knows the truth the detector guesses at: was the suspect up?
      if (step.suspect_was_up) {
        ++m.wrong_suspicions;
        probes_.add(site::Probe::kWrongSuspicion);
        detail += ", wrongly: it was up";
      }
      break;
    case Kind::kExpelled: ++m.expulsions; break;
    case Kind::kAdmitted: ++m.admissions; break;
    case Kind::kHalted: ++m.halts; break;
    case Kind::kDemoted: ++m.demotions; break;
    case Kind::kJoined: ++m.joins; break;
    case Kind::kFenced:
      m.held_alone_when_fenced += step.held_alone;
      detail = std::to_string(step.held_alone) + " ops held by no other up site";
      ops = step.held_alone;
      break;
    case Kind::kCatchUpStarted:
    case Kind::kCaughtUp:
    case Kind::kJoinRequested: break;
  }
  m.record({now, site::to_string(e.kind), step.site, step.about, e.epoch, e.view, detail, ops});
}

void RunStatistics::on_apply_timed(SiteIndex site, uint64_t ns, uint64_t ops) {
  apply_time_.add(ns, ops);
  counters_[site].host_apply_ns += ns;
  counters_[site].ops_timed += ops;
}

void RunStatistics::on_send(TimeUs /*now*/, const MessageSent& sent) {
  SiteCounters& c = counters_[sent.from];
  ++c.msgs_sent;
  c.bytes_sent += sent.bytes;
  if (sent.fate.drop != DropReason::kNone) {
    ++c.msgs_dropped;
  } else if (sent.fate.copies == 2) {
    ++c.msgs_duplicated;
  }
}

void RunStatistics::on_drop(TimeUs /*now*/, const MessageDropped& dropped) {
  ++counters_[dropped.from].msgs_dropped;
}

void RunStatistics::on_deliver(TimeUs /*now*/, const MessageDelivered& delivered) {
  ++counters_[delivered.to].msgs_received;
}

void RunStatistics::on_rpc_failed(TimeUs now, const RpcFailed& f) {
  ++membership_.rpc_failures;
  membership_.record(
      {now, "rpc-failed", f.caller, f.callee, f.epoch, f.view, to_string(f.error), 0});
}

void RunStatistics::on_crash(TimeUs /*now*/, SiteIndex /*site*/, const DotSet* /*claimed*/) {
  ++crashes_;
}

void RunStatistics::on_restart(TimeUs /*now*/, SiteIndex /*site*/) { ++restarts_; }

}  // namespace treedoc::sim
