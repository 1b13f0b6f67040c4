// What the checker knows of the run beyond any one replica, which several checks share: every op
// made and where, the deletes of each insert, which epoch's base first holds each op, what each
// site applied before its crashes, the sites that stopped for good, the ops lost by policy and
// each epoch's view.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "models/site/message.hpp"
#include "models/site/site.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// What the checker sees of one site: null while it is down.
using SiteViews = std::vector<const site::Site*>;

struct OpIdHash {
  size_t operator()(const OpId& id) const {
    return static_cast<size_t>((id.counter * 0x9E3779B97F4A7C15ull) ^ id.site);
  }
};

class RunHistory {
 public:
  // One atom's op (a run's member, or a single-atom op): no TID, which a long pasted chain would
  // make quadratic in bytes.
  struct Made {
    bool insert = true;
    OpId target{};     // a delete's
    SiteIndex by = 0;  // where it was made, for lost-update reports
  };
  struct Halted {
    SiteIndex site = 0;
    TimeUs at_us = 0;
    DotSet held;  // its claimed set when it stopped
  };

  explicit RunHistory(const Scenario& scenario);

  // Site i made `op`: each of its atoms (a run's members by id).
  void made(SiteIndex i, const Op& op);
  void crashed(SiteIndex i, const DotSet& claimed);
  void halted(SiteIndex i, TimeUs now, const DotSet& claimed);
  void lost_by_policy(OpId id) { lost_by_policy_.insert(id); }
  // A site entered `entered.epoch`: the first one into a new epoch folds its cut into that
  // epoch's base; an ending with a view records the new epoch's view.
  void epoch_entered(const site::EpochEntered& entered);
  // A view change alone committed `view` with `members` (docs/protocol.md §6.7).
  void view_entered(uint64_t view, const site::Members& members);

  // Whether site s holds op `id`: applied in its epoch, or folded into its epoch's base.
  bool holds(const site::Site& s, OpId id) const;
  // Whether site i, a crash ago or now, held a delete of `insert`; that delete, if so. `applying`:
  // an op the site is applying (held without a set lookup).
  std::optional<OpId> held_delete(SiteIndex i, const site::Site& s, OpId insert,
                                  OpId applying) const;
  const std::map<OpId, Made>& all_made() const { return made_; }
  const Made& made_op(OpId id) const { return made_.at(id); }
  // The deletes made of `insert` (none: null).
  const std::vector<OpId>* deletes_of(OpId insert) const;
  const std::set<OpId>& lost_by_policy() const { return lost_by_policy_; }
  bool is_lost_by_policy(OpId id) const { return lost_by_policy_.count(id) > 0; }
  const std::vector<Halted>& halted_sites() const { return halted_; }
  // What site i claimed before its crashes (empty if it never crashed).
  const DotSet& claimed_before_crash(SiteIndex i) const { return applied_before_crash_.at(i); }
  // The members of view number `view` as the first site to enter it said, or null.
  const site::Members* view_of(uint64_t view) const;

 private:
  std::map<OpId, Made> made_;
  // Insert -> deletes made of it; looked up for every applied op, never iterated.
  std::unordered_map<OpId, std::vector<OpId>, OpIdHash> deletes_of_;
  // op -> the first epoch whose base holds its effect (it was in the cut that opened it); a site
  // in that epoch or a later one holds the op.
  std::map<OpId, uint64_t> folded_in_;
  uint64_t newest_epoch_ = 0;                 // the newest epoch any site has entered
  std::vector<DotSet> applied_before_crash_;  // per site: ops claimed before its crashes
  std::vector<Halted> halted_;
  std::set<OpId> lost_by_policy_;
  std::map<uint64_t, site::Members> view_members_;  // view -> its members, as first entered
};

}  // namespace treedoc::sim
