// Checker: the invariants of spec (e) 1, 3, 5, 6 and 7 over every replica, incrementally.
#include "sim/checker.hpp"

#include <algorithm>

#include "models/treedoc/codec.hpp"

namespace treedoc::sim {

namespace {

// How many op ids or sites a report lists before "and N more".
constexpr size_t kReportListMax = 8;

}  // namespace

std::string op_name(const Topology& t, OpId id) {
  const uint64_t index = id.site - kSiteIdFirst;
  const std::string origin = id.site < kSiteIdFirst ? "reserved" + std::to_string(id.site)
                             : index < t.site_count()
                                 ? site_name(t, static_cast<SiteIndex>(index))
                                 : "agent" + std::to_string(index - t.site_count());
  return origin + "#" + std::to_string(id.counter);
}

std::string Checker::op_list(const std::vector<OpId>& ops) const {
  std::string s;
  for (size_t k = 0; k < ops.size() && k < kReportListMax; ++k) {
    s += (k ? ", " : "") + op_text(ops[k]);
  }
  if (ops.size() > kReportListMax)
    s += " and " + std::to_string(ops.size() - kReportListMax) + " more";
  return s;
}

namespace {

// The first offset where two strings differ (their common length if one is a prefix).
size_t first_difference(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t k = 0; k < n; ++k) {
    if (a[k] != b[k]) return k;
  }
  return n;
}

}  // namespace

Checker::Checker(const Scenario& scenario)
    : scenario_(scenario),
      compare_visible_only_(scenario.replication.replica.discard_tombstones),
      hash_cache_(scenario.topology.site_count()),
      checked_version_(scenario.topology.site_count(), UINT64_MAX),
      applied_before_crash_(scenario.topology.site_count()) {}

void Checker::on_crash(SiteIndex i, const DotSet& claimed) {
  for (const OpId& id : claimed.to_vector()) applied_before_crash_[i].insert(id);
  forget_site(i);
}

void Checker::report(Violation v) {
  if (!violation_) violation_ = std::move(v);  // the first one is the one to reproduce
}

void Checker::on_local_op(TimeUs now, SiteIndex i, const site::Site& s, const site::SharedOp& made,
                          std::optional<Intent> intent) {
  const Op& op = *made;
  made_[op.id] = Made{made, i};  // shared with the sites: no copy of the TID
  if (!op.is_insert()) deletes_of_[op.target].push_back(op.id);
  if (violation_) return;
  if (op.is_insert() && scenario_.checker.tid_uniqueness) {
    std::string key;
    encode_tid(op.tid, &key);
    key += '@' + std::to_string(op.epoch);
    const auto [it, fresh] = tid_owner_.emplace(std::move(key), op.id);
    if (!fresh) {
      report({"tid-uniqueness",
              now,
              {i},
              {op.id, it->second},
              "insert " + op_text(op.id) + " made at " + name(i) + " reuses TID " +
                  to_string(op.tid) + " of insert " + op_text(it->second)});
      return;
    }
  }
  if (scenario_.checker.local_intention && intent) {
    const uint32_t index = intent->index;
    const uint32_t size_before = intent->size_before;
    const Replica& r = s.replica();
    if (op.is_insert()) {
      const std::optional<uint32_t> at = r.visible_index(op.tid);
      if (at != index) {
        report({"local-intention",
                now,
                {i},
                {op.id},
                "insert " + op_text(op.id) + " at index " + std::to_string(index) + " of " +
                    name(i) + " landed at " + (at ? std::to_string(*at) : "no visible index")});
      }
    } else {
      const bool moved_up =
          !intent->next || (r.size() > index && r.visible_id(index) == *intent->next);
      if (r.size() + 1 != size_before || r.visible_index(op.tid).has_value() ||
          intent->erased != op.target || !moved_up) {
        report(
            {"local-intention",
             now,
             {i},
             {op.id, op.target},
             "erase " + op_text(op.id) + " at index " + std::to_string(index) + " of " + name(i) +
                 " left " + std::to_string(r.size()) + " atoms of " + std::to_string(size_before) +
                 (moved_up ? "" : ", and the next atom did not move to " + std::to_string(index))});
      }
    }
  }
  if (scenario_.checker.no_resurrection) check_not_resurrected(now, i, s, op);
}

void Checker::on_applied(TimeUs now, SiteIndex i, const site::Site& s, const Op& op) {
  if (violation_ || !scenario_.checker.no_resurrection) return;
  check_not_resurrected(now, i, s, op);
}

void Checker::check_not_resurrected(TimeUs now, SiteIndex i, const site::Site& s, const Op& op) {
  const OpId insert = op.is_insert() ? op.id : op.target;
  const Tid& tid = op.tid;  // a delete carries its target's TID
  auto it = deletes_of_.find(insert);
  if (it == deletes_of_.end()) return;
  for (const OpId& d : it->second) {
    if (!s.claimed().contains(d) && !applied_before_crash_[i].contains(d)) continue;
    if (s.replica().visible_index(tid).has_value()) {
      report({"no-resurrection",
              now,
              {i},
              {insert, d},
              name(i) + " has applied delete " + op_text(d) + " yet shows atom " + op_text(insert) +
                  " (TID " + to_string(tid) + ")"});
    }
    return;
  }
}

void Checker::on_rejected(TimeUs now, SiteIndex i, const site::Rejection& r) {
  if (violation_) return;
  const bool collision = r.outcome == ApplyOutcome::kIdCollision;
  report({collision ? "tid-uniqueness" : "well-formed-ops",
          now,
          {i},
          {r.op->id},
          name(i) + " rejected op " + op_text(r.op->id) + " " + to_string(*r.op) + ": " +
              to_string(r.outcome)});
}

uint64_t Checker::state_hash_of(SiteIndex i, const site::Site& s) {
  HashCache& c = hash_cache_[i];
  if (c.version != s.version()) {
    c.version = s.version();
    c.hash = compare_visible_only_ ? s.replica().visible_hash() : s.replica().state_hash();
  }
  return c.hash;
}

void Checker::check_convergence(TimeUs now, const SiteViews& sites) {
  if (violation_ || !scenario_.checker.convergence) return;
  ++convergence_checks_;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    const site::Site* s = sites[i];
    if (!s || checked_version_[i] == s->version()) continue;  // only sites that changed
    checked_version_[i] = s->version();
    const std::pair<uint64_t, uint64_t> set{s->claimed_hash().sum, s->claimed_hash().count};
    const uint64_t hash = state_hash_of(i, *s);
    const auto [it, fresh] = state_of_set_.emplace(set, std::make_pair(hash, i));
    if (fresh) continue;
    ++state_comparisons_;
    if (it->second.first == hash) continue;
    const SiteIndex j = it->second.second;
    std::string texts;
    if (sites[j] && sites[j]->claimed_hash() == s->claimed_hash()) {
      const std::string ci = s->replica().content();
      const std::string cj = sites[j]->replica().content();
      texts = ci == cj ? " (same text)"
                       : "; their texts first differ at byte " +
                             std::to_string(first_difference(ci, cj)) + " of " +
                             std::to_string(ci.size()) + " and " + std::to_string(cj.size());
    } else {
      texts = " (" + name(j) + " held that op set at an earlier check)";
    }
    report({"convergence",
            now,
            {j, i},
            {},
            name(j) + " and " + name(i) + " applied the same " + std::to_string(set.second) +
                " ops but their " + (compare_visible_only_ ? "visible atoms" : "trees") +
                " differ" + texts});
    return;
  }
}

std::vector<OpId> Checker::surviving_inserts() const {
  std::vector<OpId> out;
  for (const auto& [id, m] : made_) {
    if (m.op->is_insert() && deletes_of_.count(id) == 0) out.push_back(id);
  }
  return out;
}

bool Checker::complete(TimeUs now, const SiteViews& sites) {
  check_convergence(now, sites);
  if (violation_) return false;
  const site::Site* first = nullptr;
  SiteIndex first_index = 0;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;
    if (!first) {
      first = sites[i];
      first_index = i;
    } else if (!(sites[i]->claimed_hash() == first->claimed_hash()) ||
               state_hash_of(i, *sites[i]) != state_hash_of(first_index, *first)) {
      return false;
    }
  }
  if (!first) return false;
  std::vector<OpId> visible;
  for (const auto& [id, atom] : first->replica().visible_atoms()) visible.push_back(id);
  std::sort(visible.begin(), visible.end());
  return !scenario_.checker.no_lost_update || visible == surviving_inserts();
}

void Checker::fail_liveness(TimeUs now, const SiteViews& sites,
                            const std::vector<SiteIndex>& down) {
  if (violation_) return;
  if (!down.empty()) {
    std::string names;
    for (SiteIndex i : down) names += (names.empty() ? "" : ", ") + name(i);
    Violation v{
        "liveness", now, down, {}, "sites still down at the end of the liveness phase: " + names};
    v.liveness = true;
    report(std::move(v));
    return;
  }
  // Ops nobody alive holds can never arrive: those are lost updates, a safety violation.
  std::vector<OpId> lost, duplicated;
  std::vector<SiteIndex> lost_by;
  for (const auto& [id, m] : made_) {
    bool somewhere = false;
    for (const site::Site* s : sites) somewhere = somewhere || (s && s->claimed().contains(id));
    if (!somewhere) {
      lost.push_back(id);
      if (std::find(lost_by.begin(), lost_by.end(), m.by) == lost_by.end()) lost_by.push_back(m.by);
    }
  }
  if (scenario_.checker.no_lost_update) {
    for (SiteIndex i = 0; i < sites.size() && lost.empty(); ++i) {
      if (!sites[i]) continue;
      std::vector<OpId> visible;
      for (const auto& [id, atom] : sites[i]->replica().visible_atoms()) visible.push_back(id);
      std::sort(visible.begin(), visible.end());
      if (std::adjacent_find(visible.begin(), visible.end()) != visible.end()) {
        duplicated.push_back(*std::adjacent_find(visible.begin(), visible.end()));
        report({"no-lost-update",
                now,
                {i},
                duplicated,
                name(i) + " shows atom " + op_text(duplicated[0]) + " more than once"});
        return;
      }
    }
    if (!lost.empty()) {
      std::string by;
      for (SiteIndex s : lost_by) by += (by.empty() ? "" : ", ") + name(s);
      report({"no-lost-update", now, lost_by, lost,
              std::to_string(lost.size()) + " ops made at " + by +
                  " are held by no live site and can never arrive: " + op_list(lost)});
      return;
    }
  }
  // Otherwise the ops exist somewhere but have not reached everyone in time.
  std::vector<SiteIndex> behind;
  std::string reason;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;
    std::vector<OpId> missing;
    for (const auto& [id, m] : made_) {
      if (!sites[i]->claimed().contains(id)) missing.push_back(id);
    }
    if (missing.empty()) continue;
    behind.push_back(i);
    if (behind.size() <= kReportListMax) {
      reason += (reason.empty() ? "" : "; ") + name(i) + " misses " +
                std::to_string(missing.size()) + " ops (" + op_list(missing) + ")";
    }
  }
  if (behind.size() > kReportListMax) {
    reason += "; and " + std::to_string(behind.size() - kReportListMax) + " more sites";
  }
  if (behind.empty()) reason = "every live site holds every op, yet their trees still differ";
  Violation v{
      "liveness", now, behind, {}, "not converged by the end of the liveness phase: " + reason};
  v.liveness = true;
  report(std::move(v));
}

}  // namespace treedoc::sim
