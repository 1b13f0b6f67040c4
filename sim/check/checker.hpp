// The checker: one observer of the run over every invariant family of sim/check/, each in its own
// file, sharing the run's history and one verdict. It checks as the run goes (TID uniqueness,
// local intention, no resurrection, the epoch and commit invariants, convergence) and at its end
// (no lost update, liveness, the workload's end, required probes). docs/protocol.md numbers the
// invariants and says which file checks each.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "sim/check/commit_invariants.hpp"
#include "sim/check/convergence.hpp"
#include "sim/check/durability.hpp"
#include "sim/check/epoch_invariants.hpp"
#include "sim/check/local_intention.hpp"
#include "sim/check/lost_updates.hpp"
#include "sim/check/network_fidelity.hpp"
#include "sim/check/no_resurrection.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/run_end.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/state_transfers.hpp"
#include "sim/check/tid_uniqueness.hpp"
#include "sim/check/tombstone_accounting.hpp"
#include "sim/check/violation.hpp"
#include "sim/observe/run_observer.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/workload/workload.hpp"

namespace treedoc::sim {

class Checker final : public RunObserver {
 public:
  explicit Checker(const Scenario& scenario);
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // What the run observes.
  void on_boot(TimeUs now, SiteIndex i) override;
  void on_local_op(TimeUs now, const LocalOpMade& made) override;
  void on_applied(TimeUs now, const OpApplied& applied) override;
  void on_verified(TimeUs now, SiteIndex i, const site::Site& s) override;
  void on_rejected(TimeUs now, SiteIndex i, const site::Rejection& r) override;
  void on_commit_step(TimeUs now, const CommitStepTaken& step) override;
  void on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) override;
  void on_translated(TimeUs now, SiteIndex i, const Op& op) override;
  void on_lost_by_policy(TimeUs now, SiteIndex i, const std::vector<site::SharedOp>& ops) override;
  // What a site applied is remembered past its crash: a site never shows an atom again whose
  // delete it once applied, crash or not (invariant 6).
  void on_crash(TimeUs now, SiteIndex i, const DotSet* claimed) override;
  // Site i stopped for good holding `claimed`: what only it held is lost, and the lost-update
  // report says so.
  void on_halt(TimeUs now, SiteIndex i, const DotSet& claimed) override;
  // Durable before visible and crash consistency (invariants 17, 18).
  void on_durable(TimeUs now, SiteIndex i, const site::DurableStore& store) override;
  void on_reveal(TimeUs now, SiteIndex i, const site::Site& s, const site::Outgoing& out) override;
  void on_recovered(TimeUs now, SiteIndex i, const site::Site& s) override;
  // Network fidelity (invariant 19): each fate against the scenario's faults and rates.
  void on_send(TimeUs now, const MessageSent& sent) override;
  void on_drop(TimeUs now, const MessageDropped& dropped) override;
  void on_deliver(TimeUs now, const MessageDelivered& delivered) override;

  // What the controller asks at its instants.
  // Hashes site i's state for the coming convergence check now, while its replica is in cache.
  void hash_state(SiteIndex i, const site::Site& s);
  // Sites that claim the same op set must hold the same tree; core members one epoch apart.
  void check_convergence(TimeUs now, const SiteViews& sites);
  // Liveness phase: true when every up site converged and nothing is lost (the run may pass).
  bool complete(TimeUs now, const SiteViews& sites);
  // The liveness phase ran out: records why. `down`: sites not up at the end.
  void fail_liveness(TimeUs now, const SiteViews& sites, const std::vector<SiteIndex>& down);
  void check_workload_end(TimeUs now, const SiteViews& sites,
                          const std::optional<WorkloadEnd>& end);
  void check_required_probes(TimeUs end_us, const site::ProbeCounts& fired);
  // The run's end: forbidden probes and the bounds on its figures (checker.expect).
  void check_run_end(TimeUs end_us, const site::ProbeCounts& fired, const FigureValues& values);
  // The ops site i holds that no other up site does (its unspread edits, and ops relayed only
  // through it): what it would take with it if it stopped now. Costs |claimed| x sites.
  std::vector<OpId> held_only_by(SiteIndex i, const SiteViews& sites) const;

  // The first violation found while the run went on: it stops the run.
  const std::optional<Violation>& violation() const { return verdict_.during_run(); }
  // The run's verdict: that violation, else one found at its end.
  const std::optional<Violation>& verdict() const { return verdict_.verdict(); }
  uint64_t convergence_checks() const { return convergence_.checks(); }
  uint64_t state_comparisons() const { return convergence_.comparisons(); }
  const std::set<OpId>& lost_by_policy() const { return history_.lost_by_policy(); }
  // Distinct ops lost for good, by whatever path (a halt, a crash, a policy, a bug): those no live
  // site holds once the run reached its end (it converged, or its liveness phase ran out with
  // every site up). A run stopped earlier, by a violation or with sites down, counts only the ops
  // lost by policy that no live site holds: others may still be on their way or on a disk.
  uint64_t ops_lost(const SiteViews& sites) const;

 private:
  bool checks(Invariant i) const { return scenario_.checker.invariants.contains(i); }

  const Scenario& scenario_;
  ReportText text_;
  Verdict verdict_;
  RunHistory history_;
  TidUniqueness tids_;
  LocalIntention intention_;
  NoResurrection resurrection_;
  CommitInvariants commits_;
  EpochInvariants epochs_;
  DurableState durable_;
  Convergence convergence_;
  LostUpdates lost_;
  TombstoneAccounting tombstones_;
  NetworkFidelity network_;
  RunEnd end_;
  std::vector<uint64_t> entered_epoch_;  // per site: the epoch it last entered
  bool reached_end_ = false;             // converged, or the liveness phase ran out, all up
  StateTransfers transfers_;             // reads entered_epoch_, so declared after it
};

}  // namespace treedoc::sim
