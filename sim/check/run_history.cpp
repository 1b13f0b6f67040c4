// RunHistory: the run-wide facts the checks share.
#include "sim/check/run_history.hpp"

#include "models/treedoc/run.hpp"

namespace treedoc::sim {

RunHistory::RunHistory(const Scenario& scenario)
    : applied_before_crash_(scenario.topology.site_count()) {
  std::vector<SiteId> core;
  for (SiteIndex i = 0; i < scenario.topology.core; ++i) core.push_back(kSiteIdFirst + i);
  view_members_.emplace(0, std::make_shared<const std::vector<SiteId>>(std::move(core)));
}

void RunHistory::made(SiteIndex i, const Op& op) {
  for (uint32_t j = 0; j < op.atoms(); ++j) {
    const OpId id = run_member_id(op, j);
    const OpId target = op.is_insert() ? OpId{} : run_member_target(op, j);
    made_[id] = Made{op.is_insert(), target, i};
    if (!op.is_insert()) deletes_of_[target].push_back(id);
  }
}

void RunHistory::crashed(SiteIndex i, const DotSet& claimed) {
  for (const OpId& id : claimed.to_vector()) applied_before_crash_[i].insert(id);
}

void RunHistory::halted(SiteIndex i, TimeUs now, const DotSet& claimed) {
  halted_.push_back({i, now, claimed});
}

void RunHistory::epoch_entered(const site::EpochEntered& e) {
  if (e.ending && e.ending->next_members) {
    view_members_.emplace(e.ending->next_view, e.ending->next_members);
  }
  if (e.ending && e.epoch > newest_epoch_) {
    // The first site into a new epoch: its base holds every op of the cut (and of earlier cuts).
    newest_epoch_ = e.epoch;
    for (const OpId& id : e.ending->cut->to_vector()) folded_in_.emplace(id, e.epoch);
  }
}

bool RunHistory::holds(const site::Site& s, OpId id) const {
  if (s.claimed().contains(id)) return true;
  const auto it = folded_in_.find(id);
  return it != folded_in_.end() && it->second <= s.epoch();
}

std::optional<OpId> RunHistory::held_delete(SiteIndex i, const site::Site& s, OpId insert,
                                            OpId applying) const {
  const auto it = deletes_of_.find(insert);
  if (it == deletes_of_.end()) return std::nullopt;
  for (const OpId& d : it->second) {
    // A delete the site is applying it holds: no set lookup (most deletes have no other).
    if (d == applying || holds(s, d) || applied_before_crash_[i].contains(d)) return d;
  }
  return std::nullopt;
}

const std::vector<OpId>* RunHistory::deletes_of(OpId insert) const {
  const auto it = deletes_of_.find(insert);
  return it == deletes_of_.end() ? nullptr : &it->second;
}

void RunHistory::view_entered(uint64_t view, const site::Members& members) {
  view_members_.emplace(view, members);
}

const site::Members* RunHistory::view_of(uint64_t view) const {
  const auto it = view_members_.find(view);
  return it == view_members_.end() ? nullptr : &it->second;
}

}  // namespace treedoc::sim
