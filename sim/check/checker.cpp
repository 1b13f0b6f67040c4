// Checker: each observation to the invariant families that need it, in the order they must see it.
#include "sim/check/checker.hpp"

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc::sim {

Checker::Checker(const Scenario& scenario)
    : scenario_(scenario),
      text_(scenario.topology),
      history_(scenario),
      tids_(scenario.replication.replica.document.dis_mode, text_, &verdict_),
      intention_(text_, &verdict_),
      resurrection_(scenario, history_, text_, &verdict_),
      commits_(history_, text_, &verdict_),
      epochs_(text_, &verdict_),
      durable_(text_, &verdict_),
      convergence_(scenario, text_, &verdict_),
      lost_(scenario, &history_, text_, &verdict_),
      tombstones_(text_, &verdict_),
      network_(scenario, text_, &verdict_),
      end_(scenario, text_, &verdict_),
      entered_epoch_(scenario.topology.site_count(), 0),
      transfers_(scenario, entered_epoch_, text_, &verdict_) {}

void Checker::on_boot(TimeUs /*now*/, SiteIndex i) { convergence_.forget_site(i); }

// Every family checks atom by atom: a run op (docs/BENCHMARKS.md, "Runs") stands for its members,
// its meaning, so no verdict depends on how a site grouped its atoms. Members are walked one at a
// time (RunMembers), never kept with their TIDs.
void Checker::on_local_op(TimeUs now, const LocalOpMade& m) {
  const Op& op = *m.op;
  history_.made(m.site, op);
  if (verdict_.failed()) return;
  if (op.is_insert() && checks(Invariant::kTidUniqueness)) {
    std::string tid;
    bool unique = true;
    for_each_member(op, [&](const Op& member) {
      tid.clear();
      encode_tid(member.tid, &tid);
      unique = unique && tids_.made(now, m.site, member, tid);
    });
    if (!unique) return;
  }
  if (checks(Invariant::kLocalIntention) && m.intent) {
    intention_.check(now, m.site, m.state, op, *m.intent);
  }
  if (checks(Invariant::kNoResurrection)) resurrection_.made(now, m.site, m.state, op);
}

void Checker::on_applied(TimeUs now, const OpApplied& applied) {
  if (verdict_.failed()) return;
  if (!epochs_.applied_in_its_epoch(now, applied)) return;
  if (!checks(Invariant::kNoResurrection) || applied.op->epoch != applied.state.epoch()) return;
  resurrection_.applied(now, applied.site, applied.state, applied.op);
}

void Checker::on_verified(TimeUs now, SiteIndex i, const site::Site& s) {
  resurrection_.verified(now, i, s);
}

void Checker::on_rejected(TimeUs now, SiteIndex i, const site::Rejection& r) {
  tids_.rejected(now, i, r);
}

void Checker::on_commit_step(TimeUs now, const CommitStepTaken& step) {
  commits_.step(now, step);
  const site::CommitEvent& e = step.step;
  if (e.phase == site::CommitEvent::Phase::kCommitted && e.view_only) {
    history_.view_entered(e.next_view, e.next_members);
  }
}

void Checker::on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) {
  history_.epoch_entered(entered.entered);
  entered_epoch_.at(entered.site) = entered.entered.epoch;
  epochs_.entered(now, entered.site, entered.entered);
}

void Checker::on_translated(TimeUs now, SiteIndex i, const Op& op) {
  for_each_member(op, [&](const Op& member) {
    epochs_.translated(now, i, member, checks(Invariant::kTidUniqueness) ? &tids_ : nullptr);
  });
}

void Checker::on_lost_by_policy(TimeUs now, SiteIndex i, const std::vector<site::SharedOp>& ops) {
  lost_.lost_by_policy(now, i, ops, entered_epoch_.at(i));
}

void Checker::on_crash(TimeUs /*now*/, SiteIndex i, const DotSet* claimed) {
  if (!claimed) return;  // it had not booted: nothing to remember
  TD_ASSERT(!resurrection_.waiting(i), "a site integrates before it crashes");
  history_.crashed(i, *claimed);
  durable_.crashed(i);
  convergence_.forget_site(i);
}

void Checker::on_halt(TimeUs now, SiteIndex i, const DotSet& claimed) {
  history_.halted(i, now, claimed);
  on_crash(now, i, &claimed);
}

void Checker::on_durable(TimeUs now, SiteIndex i, const site::DurableStore& store) {
  durable_.written(now, i, store);
}

void Checker::on_reveal(TimeUs now, SiteIndex i, const site::Site& s, const site::Outgoing& out) {
  durable_.revealed(now, i, s, out);
}

void Checker::on_recovered(TimeUs now, SiteIndex i, const site::Site& s) {
  durable_.recovered(now, i, s);
}

void Checker::on_send(TimeUs now, const MessageSent& sent) {
  if (!verdict_.failed()) network_.sent(now, sent);
  transfers_.sent(now, sent);
}

void Checker::on_drop(TimeUs now, const MessageDropped& dropped) {
  if (!verdict_.failed()) network_.dropped(now, dropped);
}

void Checker::on_deliver(TimeUs now, const MessageDelivered& delivered) {
  if (!verdict_.failed()) network_.delivered(now, delivered);
  transfers_.delivered(delivered);
}

void Checker::hash_state(SiteIndex i, const site::Site& s) {
  if (checks(Invariant::kConvergence) && !verdict_.failed()) convergence_.state_hash_of(i, s);
}

void Checker::check_convergence(TimeUs now, const SiteViews& sites) {
  if (verdict_.failed()) return;
  epochs_.core_agreement(now, sites);
  if (verdict_.failed() || !checks(Invariant::kConvergence)) return;
  convergence_.check(now, sites);
}

bool Checker::complete(TimeUs now, const SiteViews& sites) {
  check_convergence(now, sites);
  if (verdict_.failed()) return false;
  reached_end_ = lost_.complete(sites, &convergence_);
  // Converged with every op everywhere: nothing may wait any more (invariant 15).
  if (reached_end_ && !tombstones_.check(now, sites)) return false;
  return reached_end_;
}

void Checker::fail_liveness(TimeUs now, const SiteViews& sites,
                            const std::vector<SiteIndex>& down) {
  reached_end_ = down.empty();
  lost_.fail_liveness(now, sites, down);
}

uint64_t Checker::ops_lost(const SiteViews& sites) const {
  return lost_.held_by_none(sites, /*policy_only=*/!reached_end_).size();
}

void Checker::check_workload_end(TimeUs now, const SiteViews& sites,
                                 const std::optional<WorkloadEnd>& end) {
  end_.workload_ended(now, sites, end);
}

void Checker::check_required_probes(TimeUs end_us, const site::ProbeCounts& fired) {
  end_.required_probes(end_us, fired);
}

void Checker::check_run_end(TimeUs end_us, const site::ProbeCounts& fired,
                            const FigureValues& values) {
  network_.finish(end_us);
  end_.forbidden_probes(end_us, fired);
  end_.expected_figures(end_us, values);
}

std::vector<OpId> Checker::held_only_by(SiteIndex i, const SiteViews& sites) const {
  return lost_.held_only_by(i, sites);
}

}  // namespace treedoc::sim
