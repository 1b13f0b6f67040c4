// No lost update and liveness: what every live site must show once the run has healed.
#include "sim/check/lost_updates.hpp"

#include <algorithm>

#include "models/treedoc/run.hpp"
#include "sim/base/time_text.hpp"

namespace treedoc::sim {

namespace {

std::vector<OpId> sorted_visible_ids(const site::Site& s) {
  std::vector<OpId> visible;
  for (const auto& [id, atom] : s.replica().visible_atoms()) visible.push_back(id);
  std::sort(visible.begin(), visible.end());
  return visible;
}

}  // namespace

LostUpdates::LostUpdates(const Scenario& scenario, RunHistory* history, const ReportText& text,
                         Verdict* verdict)
    : scenario_(scenario), history_(history), text_(text), verdict_(verdict) {}

bool LostUpdates::complete(const SiteViews& sites, Convergence* convergence) const {
  const site::Site* first = nullptr;
  SiteIndex first_index = 0;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;
    if (sites[i]->catching_up() || sites[i]->in_commit()) return false;
    if (!first) {
      first = sites[i];
      first_index = i;
    } else if (sites[i]->epoch() != first->epoch() ||
               !(sites[i]->claimed_hash() == first->claimed_hash()) ||
               convergence->state_hash_of(i, *sites[i]) !=
                   convergence->state_hash_of(first_index, *first)) {
      return false;
    }
  }
  if (!first) return false;
  return !scenario_.checker.invariants.contains(Invariant::kNoLostUpdate) ||
         expected_visible(sorted_visible_ids(*first));
}

bool LostUpdates::expected_visible(const std::vector<OpId>& visible) const {
  for (size_t k = 1; k < visible.size(); ++k) {
    if (visible[k - 1] == visible[k]) return false;
  }
  for (const OpId& id : visible) {
    const auto m = history_->all_made().find(id);
    if (m == history_->all_made().end() || !m->second.insert) return false;
    const std::vector<OpId>* deletes = history_->deletes_of(id);
    if (!deletes) continue;
    for (const OpId& del : *deletes) {
      if (!history_->is_lost_by_policy(del)) return false;  // deleted for sure, yet visible
    }
  }
  for (const auto& [id, m] : history_->all_made()) {
    if (!m.insert || history_->is_lost_by_policy(id) || history_->deletes_of(id)) {
      continue;
    }
    if (!std::binary_search(visible.begin(), visible.end(), id)) return false;
  }
  return true;
}

bool LostUpdates::held_by(const site::Site& s, OpId id, const RunHistory::Made& m) const {
  if (history_->holds(s, id)) return true;
  if (m.insert) return false;
  // A delete a flatten absorbed (its target already deleted in the cut) is held by the base.
  for (const OpId& other : *history_->deletes_of(m.target)) {
    if (history_->holds(s, other)) return true;  // the same target's deletion: d's effect is there
  }
  return false;
}

std::vector<OpId> LostUpdates::held_only_by(SiteIndex i, const SiteViews& sites) const {
  std::vector<OpId> only;
  if (!sites[i]) return only;
  for (const OpId& id : sites[i]->claimed().to_vector()) {
    bool elsewhere = false;
    for (SiteIndex j = 0; j < sites.size() && !elsewhere; ++j) {
      elsewhere = j != i && sites[j] && history_->holds(*sites[j], id);
    }
    if (!elsewhere) only.push_back(id);
  }
  return only;
}

void LostUpdates::lost_by_policy(TimeUs now, SiteIndex i, const std::vector<site::SharedOp>& ops,
                                 uint64_t entered_epoch) {
  std::vector<OpId> ids;
  for (const site::SharedOp& op : ops) {
    for_each_atom_id(*op, [&](OpId id) {
      history_->lost_by_policy(id);
      ids.push_back(id);
    });
  }
  if (verdict_->failed() || ids.empty()) return;
  // A declared loss must still be forced: the site's epoch was more than the retention bound
  // behind the one it entered, so no core member could serve its cut (docs/protocol.md §4).
  const uint64_t from_epoch = ops.front()->epoch;
  const uint64_t retention = scenario_.protocol.epochs.retention_epochs;
  if (entered_epoch <= from_epoch + retention) {
    verdict_->report({Invariant::kNoLostUpdate,
                      now,
                      {i},
                      ids,
                      text_.site(i) + " lost " + std::to_string(ids.size()) +
                          " ops by policy moving from epoch " + std::to_string(from_epoch) +
                          " to " + std::to_string(entered_epoch) +
                          ", within the retention bound (" + std::to_string(retention) +
                          " epochs): a cut could have translated " + text_.ops(ids)});
    return;
  }
  if (scenario_.checker.expect_lost_by_policy) return;
  verdict_->report({Invariant::kNoLostUpdate,
                    now,
                    {i},
                    ids,
                    text_.site(i) + " was beyond the retention bound (" +
                        std::to_string(scenario_.protocol.epochs.retention_epochs) +
                        " epochs): a state transfer lost " + std::to_string(ids.size()) +
                        " ops it alone could translate (LOST_BY_POLICY: " + text_.ops(ids) +
                        "); declare \"expect_lost_by_policy\" if the scenario means it"});
}

void LostUpdates::fail_liveness(TimeUs now, const SiteViews& sites,
                                const std::vector<SiteIndex>& down) {
  if (verdict_->failed()) return;
  if (!down.empty()) {
    verdict_->report({Invariant::kLiveness,
                      now,
                      down,
                      {},
                      "sites still down at the end of the liveness phase: " + text_.sites(down)});
    return;
  }
  if (!nothing_lost(now, sites)) return;
  // Sites in different epochs, or a commit that never ended: say so first.
  std::vector<SiteIndex> lagging;
  const std::string lag = epoch_lag(sites, &lagging);
  if (!lag.empty()) {
    verdict_->report({Invariant::kLiveness,
                      now,
                      lagging,
                      {},
                      "not in one epoch by the end of the liveness phase: " + lag});
    return;
  }
  report_missing(now, sites);
}

std::vector<OpId> LostUpdates::held_by_none(const SiteViews& sites, bool policy_only) const {
  std::vector<OpId> lost;
  const auto keep_if_unheld = [&](OpId id, const RunHistory::Made& m) {
    for (const site::Site* s : sites) {
      if (s && held_by(*s, id, m)) return;
    }
    lost.push_back(id);
  };
  if (policy_only) {
    for (const OpId& id : history_->lost_by_policy()) keep_if_unheld(id, history_->made_op(id));
  } else {
    for (const auto& [id, m] : history_->all_made()) keep_if_unheld(id, m);
  }
  return lost;
}

bool LostUpdates::nothing_lost(TimeUs now, const SiteViews& sites) {
  // Ops nobody alive holds can never arrive: those are lost updates, a safety violation.
  std::vector<OpId> lost = held_by_none(sites, false);
  std::erase_if(lost, [&](const OpId& id) { return history_->is_lost_by_policy(id); });
  std::vector<SiteIndex> lost_by;
  for (const OpId& id : lost) {
    const SiteIndex by = history_->made_op(id).by;
    if (std::find(lost_by.begin(), lost_by.end(), by) == lost_by.end()) lost_by.push_back(by);
  }
  if (!scenario_.checker.invariants.contains(Invariant::kNoLostUpdate)) return true;
  for (SiteIndex i = 0; i < sites.size() && lost.empty(); ++i) {
    if (!sites[i]) continue;
    const std::vector<OpId> visible = sorted_visible_ids(*sites[i]);
    const auto twice = std::adjacent_find(visible.begin(), visible.end());
    if (twice == visible.end()) continue;
    verdict_->report({Invariant::kNoLostUpdate,
                      now,
                      {i},
                      {*twice},
                      text_.site(i) + " shows atom " + text_.op(*twice) + " more than once"});
    return false;
  }
  if (lost.empty()) return true;
  const std::string by = text_.sites(lost_by);
  const std::string because = lost_because(lost, &lost_by);
  verdict_->report({Invariant::kNoLostUpdate, now, lost_by, lost,
                    std::to_string(lost.size()) + " ops made at " + by +
                        " are held by no live site and can never arrive: " +
                        (because.empty() ? text_.ops(lost) : because)});
  return false;
}

std::string LostUpdates::lost_because(const std::vector<OpId>& lost,
                                      std::vector<SiteIndex>* sites) const {
  std::string why;
  for (const RunHistory::Halted& h : history_->halted_sites()) {
    std::vector<OpId> made, relayed;
    for (const OpId& id : lost) {
      if (!h.held.contains(id)) continue;
      (history_->made_op(id).by == h.site ? made : relayed).push_back(id);
    }
    if (made.empty() && relayed.empty()) continue;
    if (std::find(sites->begin(), sites->end(), h.site) == sites->end()) sites->push_back(h.site);
    std::string part = text_.site(h.site) + ", which stopped for good at " + seconds_text(h.at_us) +
                       " when told it was expelled, alone held ";
    if (!made.empty()) part += std::to_string(made.size()) + " it made (" + text_.ops(made) + ")";
    if (!made.empty() && !relayed.empty()) part += " and ";
    if (!relayed.empty()) {
      part += std::to_string(relayed.size()) + " relayed through it (" + text_.ops(relayed) + ")";
    }
    why += (why.empty() ? "" : "; ") + part;
  }
  const std::string crashes = lost_in_crashes(lost, sites);
  if (!crashes.empty()) why += (why.empty() ? "" : "; ") + crashes;
  return why;
}

bool LostUpdates::held_by_halted(OpId id) const {
  for (const RunHistory::Halted& h : history_->halted_sites()) {
    if (h.held.contains(id)) return true;
  }
  return false;
}

std::string LostUpdates::lost_in_crashes(const std::vector<OpId>& lost,
                                         std::vector<SiteIndex>* sites) const {
  std::string why;
  const char* mode = site::kDurabilities.name(scenario_.replication.durability);
  for (SiteIndex i = 0; i < scenario_.topology.site_count(); ++i) {
    std::vector<OpId> held;
    for (const OpId& id : lost) {
      if (history_->claimed_before_crash(i).contains(id) && !held_by_halted(id)) {
        held.push_back(id);
      }
    }
    if (held.empty()) continue;
    if (std::find(sites->begin(), sites->end(), i) == sites->end()) sites->push_back(i);
    why += (why.empty() ? "" : "; ") + text_.site(i) + " held " + std::to_string(held.size()) +
           " of them (" + text_.ops(held) + ") before a crash, and durability \"" + mode +
           "\" did not keep them";
  }
  return why;
}

std::string LostUpdates::epoch_lag(const SiteViews& sites, std::vector<SiteIndex>* behind) const {
  uint64_t newest = 0;
  for (const site::Site* s : sites) {
    if (s) newest = std::max(newest, s->epoch());
  }
  std::string reason;
  size_t listed = 0;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    const site::Site* s = sites[i];
    if (!s) continue;
    std::string why;
    if (s->in_commit()) {
      why = text_.site(i) + " is blocked in the flatten commit of epoch " +
            std::to_string(s->epoch()) + " (2PC blocked in prepare)";
    } else if (s->epoch() < newest) {
      why = text_.site(i) + " is in epoch " + std::to_string(s->epoch()) + " of " +
            std::to_string(newest) +
            (s->catching_up() ? " and still catching up (no CUT came: is the core reachable?)"
                              : " and not catching up");
    }
    if (why.empty()) continue;
    behind->push_back(i);
    if (++listed <= kReportListMax) reason += (reason.empty() ? "" : "; ") + why;
  }
  if (listed > kReportListMax) {
    reason += "; and " + std::to_string(listed - kReportListMax) + " more sites";
  }
  return reason;
}

void LostUpdates::report_missing(TimeUs now, const SiteViews& sites) {
  // The ops exist somewhere but have not reached everyone in time.
  std::vector<SiteIndex> behind;
  std::string reason;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;
    std::vector<OpId> missing;
    for (const auto& [id, m] : history_->all_made()) {
      if (!history_->is_lost_by_policy(id) && !held_by(*sites[i], id, m)) missing.push_back(id);
    }
    if (missing.empty()) continue;
    behind.push_back(i);
    if (behind.size() <= kReportListMax) {
      reason += (reason.empty() ? "" : "; ") + text_.site(i) + " misses " +
                std::to_string(missing.size()) + " ops (" + text_.ops(missing) + ")";
    }
  }
  if (behind.size() > kReportListMax) {
    reason += "; and " + std::to_string(behind.size() - kReportListMax) + " more sites";
  }
  if (behind.empty()) reason = "every live site holds every op, yet their trees still differ";
  verdict_->report({Invariant::kLiveness,
                    now,
                    behind,
                    {},
                    "not converged by the end of the liveness phase: " + reason});
}

}  // namespace treedoc::sim
