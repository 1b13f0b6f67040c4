// The global observer: it sees every replica and checks, as the run goes, TID uniqueness,
// convergence (same claimed op set => same tree), no resurrection and local intention; at the end
// of the liveness phase, no lost update and that every live site converged.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/site/site.hpp"
#include "sim/scenario.hpp"

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

class Checker {
 public:
  explicit Checker(const Scenario& scenario);

  // Where a user meant a local edit to land: at `index` of a document of `size_before` atoms.
  struct Intent {
    uint32_t index = 0;
    uint32_t size_before = 0;
    std::optional<OpId> erased;  // erase: the atom at index before it
    std::optional<OpId> next;    // erase: the atom at index + 1 before it, which must move to index
  };
  // Site i made `op`: from an edit with `intent` (local intention is checked), or, without one,
  // from a trace agent's own view of the document.
  void on_local_op(TimeUs now, SiteIndex i, const site::Site& s, const site::SharedOp& made,
                   std::optional<Intent> intent);
  // Site i now counts `op` as applied (remote, repaired or rebuilt after a crash).
  void on_applied(TimeUs now, SiteIndex i, const site::Site& s, const Op& op);
  void on_rejected(TimeUs now, SiteIndex i, const site::Rejection& r);
  // Site i lost its volatile state (a crash). What it had applied is remembered: a site never
  // shows an atom again whose delete it once applied, crash or not (invariant 6).
  void on_crash(SiteIndex i, const DotSet& claimed);
  // Site i booted a new replica: cached hashes of the old one are void.
  void forget_site(SiteIndex i) {
    hash_cache_[i] = HashCache{};
    checked_version_[i] = UINT64_MAX;
  }
  // Sites that claim the same op set must hold the same tree (or visible sequence).
  void check_convergence(TimeUs now, const SiteViews& sites);
  // Liveness phase: every up site holds the same ops and tree, and every surviving op is visible
  // exactly once. True when the run may stop with a pass.
  bool complete(TimeUs now, const SiteViews& sites);
  // The liveness phase ran out: records why (lost ops are a safety violation; ops still missing
  // at some sites a liveness failure).
  // `down`: sites that are not up at the end (they are reported, not blamed for lost ops).
  void fail_liveness(TimeUs now, const SiteViews& sites, const std::vector<SiteIndex>& down);

  const std::optional<Violation>& violation() const { return violation_; }
  uint64_t convergence_checks() const { return convergence_checks_; }
  uint64_t state_comparisons() const { return state_comparisons_; }

 private:
  struct Made {
    site::SharedOp op;
    SiteIndex by = 0;  // where it was made, for lost-update reports
  };
  void report(Violation v);
  std::string name(SiteIndex i) const { return site_name(scenario_.topology, i); }
  std::string op_text(OpId id) const { return op_name(scenario_.topology, id); }
  std::string op_list(const std::vector<OpId>& ops) const;
  void check_not_resurrected(TimeUs now, SiteIndex i, const site::Site& s, const Op& op);
  uint64_t state_hash_of(SiteIndex i, const site::Site& s);
  // Inserts made anywhere and deleted nowhere, sorted.
  std::vector<OpId> surviving_inserts() const;

  const Scenario& scenario_;
  bool compare_visible_only_;  // with tombstone discard, trees may differ in ghosts (spec inv. 3)
  std::map<OpId, Made> made_;
  std::unordered_map<std::string, OpId>
      tid_owner_;                                 // epoch + encoded TID -> insert; never iterated
  std::map<OpId, std::vector<OpId>> deletes_of_;  // insert -> deletes made of it
  struct HashCache {
    uint64_t version = UINT64_MAX;
    uint64_t hash = 0;
  };
  std::vector<HashCache> hash_cache_;
  // Convergence across time: the state hash of every claimed op set seen so far, and at which
  // site, so two sites that pass through the same set at different instants are compared too.
  std::map<std::pair<uint64_t, uint64_t>, std::pair<uint64_t, SiteIndex>> state_of_set_;
  std::vector<uint64_t> checked_version_;     // per site: the version last compared
  std::vector<DotSet> applied_before_crash_;  // per site: ops claimed before its crashes
  std::optional<Violation> violation_;
  uint64_t convergence_checks_ = 0;
  uint64_t state_comparisons_ = 0;
};

}  // namespace treedoc::sim
