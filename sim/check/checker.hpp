// The global observer: it sees every replica and checks, as the run goes, TID uniqueness,
// convergence (same epoch and claimed op set => same tree), no resurrection, local intention and
// the epoch invariants (spec (e) 8-14: fencing, single decision, update-wins safety, flatten
// invisibility, translation determinism, core agreement); at the end of the liveness phase, no
// lost update (bar declared LOST_BY_POLICY) and that every live site converged in one epoch.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "models/site/message.hpp"
#include "models/site/site.hpp"
#include "sim/observe/run_observer.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/workload/workload.hpp"

namespace treedoc::sim {

struct Violation {
  std::string invariant;  // tid-uniqueness, convergence, no-lost-update, no-resurrection, ...
  TimeUs at_us = 0;
  std::vector<SiteIndex> sites;
  std::vector<OpId> ops;
  std::string detail;
  bool liveness = false;  // a liveness failure (exit 2) rather than a safety violation (exit 1)
};

// An op id as users read it: its origin site's name and counter ("n3#12"; trace agents "agent0#5").
std::string op_name(const Topology& t, OpId id);

// What the checker sees of one site: null while it is down.
using SiteViews = std::vector<const site::Site*>;

class Checker final : public RunObserver {
 public:
  explicit Checker(const Scenario& scenario);

  // Site i made an op: from an edit with an intent (local intention is checked), or, without one,
  // from a trace agent's own view of the document.
  void on_local_op(TimeUs now, const LocalOpMade& made) override;
  // With deferred integration (Replica::receive), the check that reads the site's tree waits for
  // on_verified().
  void on_applied(TimeUs now, const OpApplied& applied) override;
  // Site i has just been verified (its received ops integrated): the checks that waited run now.
  void on_verified(TimeUs now, SiteIndex i, const site::Site& s) override;
  void on_rejected(TimeUs now, SiteIndex i, const site::Rejection& r) override;
  // The flatten commit's steps (invariants 9 and 10).
  void on_commit_step(TimeUs now, const CommitStepTaken& step) override;
  // Site i entered a new epoch (invariants 11 and 13; the cut joins what the epoch's base holds).
  void on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) override;
  // Site i carried a black op into its new epoch (invariants 1 and 12).
  void on_translated(TimeUs now, SiteIndex i, const Op& op) override;
  // A state transfer at site i could not carry these ops over (LOST_BY_POLICY).
  void on_lost_by_policy(TimeUs now, SiteIndex i, const std::vector<site::SharedOp>& ops) override;
  // Site i lost its volatile state (a crash). What it had applied is remembered: a site never
  // shows an atom again whose delete it once applied, crash or not (invariant 6).
  void on_crash(TimeUs now, SiteIndex i, const DotSet* claimed) override;
  // Site i stopped for good (on_expelled: abort) holding `claimed`: what only it held is lost,
  // and the lost-update report says so.
  void on_halt(TimeUs now, SiteIndex i, const DotSet& claimed) override;
  // Site i booted a new replica: cached hashes of the old one are void.
  void on_boot(TimeUs /*now*/, SiteIndex i) override { forget_site(i); }

  // Hashes site i's state for the coming convergence check now, while its replica is in cache.
  void hash_state(SiteIndex i, const site::Site& s);
  // The ops site i holds that no other up site does (its unspread edits, and ops relayed only
  // through it): what it would take with it if it stopped now. Costs |claimed| x sites.
  std::vector<OpId> held_only_by(SiteIndex i, const SiteViews& sites) const;
  // Sites that claim the same op set must hold the same tree (or visible sequence).
  void check_convergence(TimeUs now, const SiteViews& sites);
  // Liveness phase: every up site holds the same ops and tree, and every surviving op is visible
  // exactly once. True when the run may stop with a pass.
  bool complete(TimeUs now, const SiteViews& sites);
  // The liveness phase ran out: records why (lost ops are a safety violation; ops still missing
  // at some sites a liveness failure).
  // `down`: sites that are not up at the end (they are reported, not blamed for lost ops).
  void fail_liveness(TimeUs now, const SiteViews& sites, const std::vector<SiteIndex>& down);

  // The end of a run whose sites converged: a trace workload must have made every transaction
  // and every live site must show its endContent.
  void check_workload_end(TimeUs now, const SiteViews& sites,
                          const std::optional<WorkloadEnd>& end);
  // The end of the run: each required probe must have fired (or the faults did not do what the
  // scenario is meant to test).
  void check_required_probes(TimeUs end_us, const site::ProbeCounts& fired);

  // The first violation found while the run went on: it stops the run.
  const std::optional<Violation>& violation() const { return violation_; }
  // The run's verdict: that violation, else one found at its end.
  const std::optional<Violation>& verdict() const {
    return violation_ ? violation_ : end_violation_;
  }
  uint64_t convergence_checks() const { return convergence_checks_; }
  const std::set<OpId>& lost_by_policy() const { return lost_by_policy_; }
  uint64_t state_comparisons() const { return state_comparisons_; }

 private:
  struct Made {
    site::SharedOp op;
    SiteIndex by = 0;  // where it was made, for lost-update reports
  };
  void report(Violation v);
  // Site i's cached hashes are void (a new replica, or none).
  void forget_site(SiteIndex i) {
    hash_cache_[i] = HashCache{};
    checked_version_[i] = UINT64_MAX;
  }
  // TID uniqueness (invariant 1): records insert `op` as the owner of its TID in its epoch, or
  // reports the insert that already owns it (`how` it got the TID: "made", "translated").
  bool claim_tid(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid,
                 const char* how);
  std::string name(SiteIndex i) const { return site_name(scenario_.topology, i); }
  std::string op_text(OpId id) const { return op_name(scenario_.topology, id); }
  std::string op_list(const std::vector<OpId>& ops) const;
  void check_not_resurrected(TimeUs now, SiteIndex i, const site::Site& s, const Op& op);
  // A delete of op's atom that site i holds or held before a crash, if any (no tree read).
  std::optional<OpId> held_delete(SiteIndex i, const site::Site& s, const Op& op) const;
  // No resurrection: site i, holding delete d, must not show op's atom (reads its tree).
  // `applied_at_us`: when the site applied op, if it was checked later.
  void check_invisible(TimeUs now, SiteIndex i, const site::Site& s, const Op& op, OpId d,
                       TimeUs applied_at_us);
  uint64_t state_hash_of(SiteIndex i, const site::Site& s);
  // Whether site s holds op `id`: applied in its epoch, or folded into its epoch's base.
  bool holds(const site::Site& s, OpId id) const;
  // Whether the visible ids (sorted) are every surviving insert and nothing deleted: inserts made,
  // not lost by policy and never deleted must all be there; an insert whose delete was lost by
  // policy may be.
  bool expected_visible(const std::vector<OpId>& visible) const;
  // Core members more than one epoch apart (invariant 14), checked with convergence.
  void check_core_agreement(TimeUs now, const SiteViews& sites);
  // Why sites are not in one epoch yet, for a liveness failure ("" if they are).
  std::string epoch_lag(const SiteViews& sites, std::vector<SiteIndex>* behind) const;

  const Scenario& scenario_;
  bool compare_visible_only_;  // with tombstone discard, trees may differ in ghosts (spec inv. 3)
  std::map<OpId, Made> made_;
  std::unordered_map<std::string, OpId>
      tid_owner_;  // epoch + encoded TID -> insert; never iterated
  struct OpIdHash {
    size_t operator()(const OpId& id) const {
      return static_cast<size_t>((id.counter * 0x9E3779B97F4A7C15ull) ^ id.site);
    }
  };
  // Insert -> deletes made of it; looked up for every applied op, never iterated.
  std::unordered_map<OpId, std::vector<OpId>, OpIdHash> deletes_of_;
  struct HashCache {
    uint64_t version = UINT64_MAX;
    uint64_t hash = 0;
  };
  std::vector<HashCache> hash_cache_;
  // Convergence across time: the state hash of every claimed op set seen so far, and at which
  // site, so two sites that pass through the same set at different instants are compared too.
  using SetKey = std::tuple<uint64_t, uint64_t, uint64_t>;  // epoch, set hash sum, set size
  std::map<SetKey, std::pair<uint64_t, SiteIndex>> state_of_set_;
  std::vector<uint64_t> checked_version_;     // per site: the version last compared
  std::vector<DotSet> applied_before_crash_;  // per site: ops claimed before its crashes
  // Per site: applied ops of an atom it holds a delete of, whose no-resurrection check waits for
  // the replica to integrate them.
  struct Unverified {
    site::SharedOp op;
    OpId held_delete;
    TimeUs applied_at_us;
  };
  std::vector<std::vector<Unverified>> unverified_;
  struct Halted {
    SiteIndex site = 0;
    TimeUs at_us = 0;
    DotSet held;  // its claimed set when it stopped
  };
  std::vector<Halted> halted_;
  // Why ops no live site holds are gone: which halted site held them, made or relayed.
  std::string lost_because(const std::vector<OpId>& lost, std::vector<SiteIndex>* sites) const;
  // The epoch invariants.
  std::map<site::TxId, std::set<SiteIndex>> yes_votes_;  // attempt -> members that voted yes
  struct Decided {
    site::TxId txid;
    uint64_t hash = 0;
    std::shared_ptr<const DotSet> cut;
  };
  std::map<uint64_t, site::Members> view_members_;  // epoch -> its view, as the first entry said
  std::map<uint64_t, Decided> committed_;           // epoch closed -> its commit
  std::map<std::pair<uint64_t, OpId>, std::string> translated_tid_;  // (new epoch, op) -> TID
  // op -> the first epoch whose base holds its effect (it was in the cut that opened it); a site
  // in that epoch or a later one holds the op.
  std::map<OpId, uint64_t> folded_in_;
  uint64_t newest_epoch_ = 0;  // the newest epoch any site has entered
  std::set<OpId> lost_by_policy_;
  std::optional<Violation> violation_;
  std::optional<Violation> end_violation_;  // found once the run was over
  uint64_t convergence_checks_ = 0;
  uint64_t state_comparisons_ = 0;
};

}  // namespace treedoc::sim
