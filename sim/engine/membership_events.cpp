// The membership side of a run (issue 5): failed flatten RPCs reported to their callers, the sites'
// membership steps into the event log, the metrics and the timeline the summary tells, whether a
// suspicion was wrong, and sites that halt themselves for good.
#include "models/treedoc/assertion.hpp"
#include "sim/engine/simulation_engine.hpp"

namespace treedoc::sim {

void Simulation::dispatch_failed(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  TD_ASSERT(!slot.failed_dispatches.empty(), "a failed dispatch is due");
  const SiteSlot::FailedDispatch f = slot.failed_dispatches.front();
  slot.failed_dispatches.erase(slot.failed_dispatches.begin());
  log_.record(now, EventKind::kRpcFailed, i, f.to, f.seq, static_cast<uint64_t>(f.error));
  MembershipStats& m = result_.membership;
  ++m.rpc_failures;
  m.record(
      {now, "rpc-failed", i, f.to, slot.site->epoch(), slot.site->view(), to_string(f.error), 0});
  handle(i, slot.site->on_dispatch_failed(now, kSiteIdFirst + f.to, *f.message), now);
}

void Simulation::on_membership(SiteIndex i, const site::MembershipEvent& e, TimeUs now) {
  using Kind = site::MembershipEvent::Kind;
  TD_ASSERT(e.site >= kSiteIdFirst && e.site - kSiteIdFirst < slots_.size(), "a site that exists");
  const SiteIndex about = e.site - kSiteIdFirst;
  log_.record(now, EventKind::kMembership, i, static_cast<uint64_t>(e.kind), about, e.epoch,
              e.view);
  MembershipStats& m = result_.membership;
  std::string detail;
  uint64_t ops = 0;
  switch (e.kind) {
    case Kind::kSuspected:
      ++m.suspicions;
      detail = site::to_string(e.cause);
      // The environment knows the truth the detector guesses at: was the suspect up?
      if (slots_[about].site && !slots_[about].halted) {
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
    case Kind::kFenced: {
      const std::vector<OpId> alone = checker_.held_only_by(about, views());
      m.held_alone_when_fenced += alone.size();
      detail = std::to_string(alone.size()) + " ops held by no other up site";
      ops = alone.size();
      break;
    }
    case Kind::kCatchUpStarted:
    case Kind::kCaughtUp:
    case Kind::kJoinRequested: break;
  }
  m.record({now, site::to_string(e.kind), i, about, e.epoch, e.view, detail, ops});
}

void Simulation::halt(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  if (slot.halted) return;
  verify(i, now);  // the checks waiting for ops it applied, before its state is gone
  slot.halted = true;
  ++slot.plan_changes;  // its actor must wake to end
  log_.record(now, EventKind::kCrash, i);
  checker_.on_halted(now, i, slot.site->claimed());
  drop_pending(i, now);  // its actor ends after this step (site_main)
}

}  // namespace treedoc::sim
