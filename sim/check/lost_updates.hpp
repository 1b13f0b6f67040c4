// Invariants 5 and 16 at the end of a run: no lost update (every insert made and never deleted is
// visible exactly once at every live site; ops lost by a declared policy excepted) and liveness
// (every live site converged in one epoch within the liveness phase; if not, why: sites down,
// ops no live site holds, sites behind an epoch or blocked in a commit, ops not yet everywhere).
#pragma once

#include <string>
#include <vector>

#include "sim/check/convergence.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/violation.hpp"

namespace treedoc::sim {

class LostUpdates {
 public:
  LostUpdates(const Scenario& scenario, RunHistory* history, const ReportText& text,
              Verdict* verdict);

  // Every up site holds the same ops and tree in one epoch, out of any commit or catch-up, and
  // (when checked) every surviving insert is visible exactly once: the run may stop with a pass.
  bool complete(const SiteViews& sites, Convergence* convergence) const;
  // The liveness phase ran out: records why. `down`: sites not up at the end (reported, not
  // blamed for lost ops).
  void fail_liveness(TimeUs now, const SiteViews& sites, const std::vector<SiteIndex>& down);
  // A state transfer at site i could not carry these ops over (LOST_BY_POLICY): a violation
  // unless the scenario declares it expects such losses.
  // Site i lost `ops` (of its old epoch) by a state transfer into `entered_epoch`.
  void lost_by_policy(TimeUs now, SiteIndex i, const std::vector<site::SharedOp>& ops,
                      uint64_t entered_epoch);
  // The ops site i holds that no other up site does. Costs |claimed| x sites.
  std::vector<OpId> held_only_by(SiteIndex i, const SiteViews& sites) const;
  // The ops made that no live site holds, in id order (`policy_only`: of those lost by policy
  // only). Costs |made| lookups when the first live site holds everything.
  std::vector<OpId> held_by_none(const SiteViews& sites, bool policy_only) const;

 private:
  // Whether the visible ids (sorted) are every surviving insert and nothing deleted: inserts made,
  // not lost by policy and never deleted must all be there; an insert whose delete was lost by
  // policy may be.
  bool expected_visible(const std::vector<OpId>& visible) const;
  // Whether site s holds op `id`, or a delete of the same target (d's effect is there).
  bool held_by(const site::Site& s, OpId id, const RunHistory::Made& m) const;
  // Ops no live site holds, or an atom shown twice: false when it reported.
  bool nothing_lost(TimeUs now, const SiteViews& sites);
  // Why ops no live site holds are gone: which halted site held them, made or relayed, and which
  // site held them before a crash its durability mode did not survive.
  std::string lost_because(const std::vector<OpId>& lost, std::vector<SiteIndex>* sites) const;
  // Whether a site that stopped for good held op `id` then (a halt, told apart from a crash).
  bool held_by_halted(OpId id) const;
  // Which sites held `lost` before a crash (none of them halted), for lost_because.
  std::string lost_in_crashes(const std::vector<OpId>& lost, std::vector<SiteIndex>* sites) const;
  // Why sites are not in one epoch yet ("" if they are).
  std::string epoch_lag(const SiteViews& sites, std::vector<SiteIndex>* behind) const;
  void report_missing(TimeUs now, const SiteViews& sites);

  const Scenario& scenario_;
  RunHistory* history_;
  const ReportText& text_;
  Verdict* verdict_;
};

}  // namespace treedoc::sim
