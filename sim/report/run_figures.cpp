// The figures of a run's result by name: one switch over the registry, so a figure added there and
// not here fails the build (-Wswitch).
#include "sim/report/run_figures.hpp"

#include <algorithm>

namespace treedoc::sim {

namespace {

uint64_t membership_figure(const MembershipStats& m, Figure f) {
  switch (f) {
    case Figure::kRpcFailures: return m.rpc_failures;
    case Figure::kSuspicions: return m.suspicions;
    case Figure::kWrongSuspicions: return m.wrong_suspicions;
    case Figure::kViewChanges: return m.view_changes;
    case Figure::kExpulsions: return m.expulsions;
    case Figure::kAdmissions: return m.admissions;
    case Figure::kHalts: return m.halts;
    case Figure::kDemotions: return m.demotions;
    case Figure::kJoins: return m.joins;
    case Figure::kHeldAloneWhenFenced: return m.held_alone_when_fenced;
    default: return 0;
  }
}

uint64_t aborts(const FlattenStats& f, site::AbortReason reason) {
  return f.aborts_by_reason[static_cast<size_t>(reason)];
}

uint64_t ms(TimeUs t) { return t / 1000; }

static_assert(site::kAbortReasonCount == 6,
              "a figure per abort reason: add the new one to sim/scenario/figure.hpp");

}  // namespace

uint64_t figure_value(const RunResult& r, Figure f) {
  const SiteCounters& t = r.totals;
  switch (f) {
    case Figure::kOpsMade: return t.ops_made;
    case Figure::kOpsApplied: return t.ops_applied;
    case Figure::kMsgsSent: return t.msgs_sent;
    case Figure::kMsgsReceived: return t.msgs_received;
    case Figure::kMsgsDropped: return t.msgs_dropped;
    case Figure::kMsgsDuplicated: return t.msgs_duplicated;
    case Figure::kBytesSent: return t.bytes_sent;
    case Figure::kWrongEpoch: return t.wrong_epoch;
    case Figure::kCrashes: return r.crashes;
    case Figure::kRestarts: return r.restarts;
    case Figure::kFinalAtoms: return r.final_atoms;
    case Figure::kFlattenAttempts: return r.flatten.attempts;
    case Figure::kFlattenCommits: return r.flatten.commits;
    case Figure::kFlattenAborts: return r.flatten.attempts - r.flatten.commits;
    case Figure::kAbortsVotedNo: return aborts(r.flatten, site::AbortReason::kVotedNo);
    case Figure::kAbortsLateUpdate: return aborts(r.flatten, site::AbortReason::kLateUpdate);
    case Figure::kAbortsTimeout: return aborts(r.flatten, site::AbortReason::kTimeout);
    case Figure::kAbortsTermination: return aborts(r.flatten, site::AbortReason::kTermination);
    case Figure::kAbortsDispatchFailed:
      return aborts(r.flatten, site::AbortReason::kDispatchFailed);
    case Figure::kFinalEpoch: return r.final_epoch;
    case Figure::kOpsTranslated: return r.flatten.ops_translated;
    case Figure::kCatchUps: return r.flatten.catch_ups.count;
    case Figure::kCatchUpMsTotal: return ms(r.flatten.catch_ups.took_us_total);
    case Figure::kCatchUpMsMax: return ms(r.flatten.catch_ups.took_us_max);
    case Figure::kCatchUpBytes: return r.flatten.catch_ups.bytes_total;
    case Figure::kCatchUpBytesMax: return r.flatten.catch_ups.bytes_max;
    case Figure::kConvergenceMs:
      return ms(r.converged_at_us.value_or(r.end_us) - std::min(r.safety_us, r.end_us));
    case Figure::kLostByPolicy: return r.flatten.lost_by_policy;
    case Figure::kOpsLost: return r.ops_lost;
    case Figure::kRpcFailures:
    case Figure::kSuspicions:
    case Figure::kWrongSuspicions:
    case Figure::kViewChanges:
    case Figure::kExpulsions:
    case Figure::kAdmissions:
    case Figure::kHalts:
    case Figure::kDemotions:
    case Figure::kJoins:
    case Figure::kHeldAloneWhenFenced: return membership_figure(r.membership, f);
  }
  return 0;
}

FigureValues figure_values(const RunResult& r) {
  FigureValues values{};
  for (size_t k = 0; k < kFigures.size(); ++k) values[k] = figure_value(r, kFigures.value(k));
  return values;
}

}  // namespace treedoc::sim
