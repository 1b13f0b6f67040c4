// Checker: the invariants of spec (e) 1, 3, 5-14 over every replica, incrementally.
#include "sim/check/checker.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"
#include "sim/base/time_text.hpp"

namespace treedoc::sim {

namespace {

// How many op ids or sites a report lists before "and N more".
constexpr size_t kReportListMax = 8;
// A bound on checks waiting for one site's verification; the simulator verifies every
// kReceivedOpsMax ops and after every step, so reaching it means a site is never verified.
constexpr size_t kUnverifiedOpsMax = 1 << 22;

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
      applied_before_crash_(scenario.topology.site_count()),
      unverified_(scenario.topology.site_count()) {
  std::vector<SiteId> core;
  for (SiteIndex i = 0; i < scenario.topology.core; ++i) core.push_back(kSiteIdFirst + i);
  view_members_.emplace(0, std::make_shared<const std::vector<SiteId>>(std::move(core)));
}

bool Checker::holds(const site::Site& s, OpId id) const {
  if (s.claimed().contains(id)) return true;
  const auto it = folded_in_.find(id);
  return it != folded_in_.end() && it->second <= s.epoch();
}

void Checker::on_crash(TimeUs /*now*/, SiteIndex i, const DotSet* claimed) {
  if (!claimed) return;  // it had not booted: nothing to remember
  TD_ASSERT(unverified_[i].empty(), "a site integrates before it crashes");
  for (const OpId& id : claimed->to_vector()) applied_before_crash_[i].insert(id);
  forget_site(i);
}

void Checker::on_halt(TimeUs now, SiteIndex i, const DotSet& claimed) {
  halted_.push_back({i, now, claimed});
  on_crash(now, i, &claimed);
}

std::vector<OpId> Checker::held_only_by(SiteIndex i, const SiteViews& sites) const {
  std::vector<OpId> only;
  if (!sites[i]) return only;
  for (const OpId& id : sites[i]->claimed().to_vector()) {
    bool elsewhere = false;
    for (SiteIndex j = 0; j < sites.size() && !elsewhere; ++j) {
      elsewhere = j != i && sites[j] && holds(*sites[j], id);
    }
    if (!elsewhere) only.push_back(id);
  }
  return only;
}

std::string Checker::lost_because(const std::vector<OpId>& lost,
                                  std::vector<SiteIndex>* sites) const {
  std::string why;
  for (const Halted& h : halted_) {
    std::vector<OpId> made, relayed;
    for (const OpId& id : lost) {
      if (!h.held.contains(id)) continue;
      (made_.at(id).by == h.site ? made : relayed).push_back(id);
    }
    if (made.empty() && relayed.empty()) continue;
    if (std::find(sites->begin(), sites->end(), h.site) == sites->end()) sites->push_back(h.site);
    std::string part = name(h.site) + ", which stopped for good at " + seconds_text(h.at_us) +
                       " when told it was expelled, alone held ";
    if (!made.empty()) part += std::to_string(made.size()) + " it made (" + op_list(made) + ")";
    if (!made.empty() && !relayed.empty()) part += " and ";
    if (!relayed.empty()) {
      part += std::to_string(relayed.size()) + " relayed through it (" + op_list(relayed) + ")";
    }
    why += (why.empty() ? "" : "; ") + part;
  }
  return why;
}

void Checker::report(Violation v) {
  if (!violation_) violation_ = std::move(v);  // the first one is the one to reproduce
}

void Checker::on_local_op(TimeUs now, const LocalOpMade& m) {
  const SiteIndex i = m.site;
  const site::Site& s = m.state;
  const std::optional<EditIntent>& intent = m.intent;
  const Op& op = *m.op;
  made_[op.id] = Made{m.op, i};  // shared with the sites: no copy of the TID
  if (!op.is_insert()) deletes_of_[op.target].push_back(op.id);
  if (violation_) return;
  if (op.is_insert() && scenario_.checker.tid_uniqueness) {
    std::string tid;
    encode_tid(op.tid, &tid);
    if (!claim_tid(now, i, op, tid, "made")) return;
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

void Checker::on_applied(TimeUs now, const OpApplied& applied) {
  if (violation_) return;
  const SiteIndex i = applied.site;
  const site::Site& s = applied.state;
  const site::SharedOp& op = applied.op;
  const uint64_t epoch_from = applied.epoch_from;
  if (op->epoch < epoch_from || op->epoch > s.epoch()) {
    report({"epoch-isolation",
            now,
            {i},
            {op->id},
            name(i) + " in epoch " + std::to_string(s.epoch()) + " applied op " + op_text(op->id) +
                " of epoch " + std::to_string(op->epoch)});
    return;
  }
  if (!scenario_.checker.no_resurrection || op->epoch != s.epoch()) return;
  const std::optional<OpId> d = held_delete(i, s, *op);
  if (!d) return;
  if (s.config().defer_integration) {
    // The tree shows the op after the site's next verification (on_verified), an instant
    // the run defines whatever the observer does, and a site acts on its tree only after it.
    TD_ASSERT(unverified_[i].size() < kUnverifiedOpsMax, "the simulator verifies in batches");
    unverified_[i].push_back({op, *d, now});
    return;
  }
  check_invisible(now, i, s, *op, *d, now);
}

void Checker::on_verified(TimeUs now, SiteIndex i, const site::Site& s) {
  std::vector<Unverified> waiting;
  waiting.swap(unverified_[i]);
  // Latest first: of several ops that show the same resurrection, the one applied last says best
  // when it began.
  for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) {
    const Unverified& u = *it;
    if (violation_) return;
    // Applied in an epoch the site has since left (within one step): as on_applied, not checked.
    if (u.op->epoch != s.epoch()) continue;
    check_invisible(now, i, s, *u.op, u.held_delete, u.applied_at_us);
  }
}

void Checker::on_commit_step(TimeUs now, const CommitStepTaken& step) {
  using Phase = site::CommitEvent::Phase;
  const SiteIndex i = step.site;
  const site::Site& s = step.state;
  const site::CommitEvent& e = step.step;
  if (violation_) return;
  const std::string tx = site::to_string(e.txid);
  if (e.phase == Phase::kVotedYes) {
    // Update-wins safety (invariant 10): a yes promises S_P = C exactly.
    if (!e.cut || !(s.claimed() == *e.cut)) {
      const uint64_t extra = e.cut ? s.claimed().minus(*e.cut).size() : s.claimed().size();
      const uint64_t missing = e.cut ? e.cut->minus(s.claimed()).size() : 0;
      report({"update-wins-safety",
              now,
              {i},
              {},
              name(i) + " voted yes for flatten " + tx + " of epoch " + std::to_string(e.epoch) +
                  " holding " + std::to_string(extra) + " ops outside the cut and lacking " +
                  std::to_string(missing) + " of it"});
      return;
    }
    yes_votes_[e.txid].insert(i);
    return;
  }
  if (e.phase != Phase::kCommitted) return;
  // The coordinator commits only with a yes from every other member of the view (invariant 10).
  if (e.txid.coordinator == s.id()) {
    const std::set<SiteIndex>& yes = yes_votes_[e.txid];
    // The voters: the closing epoch's view members that stay in the next view (an expelled one
    // cannot vote). The checker keeps the views itself rather than trust the coordinator's list.
    const auto view = view_members_.find(e.epoch);
    TD_ASSERT(view != view_members_.end(), "a commit closes an epoch some site entered");
    for (SiteId voter : *view->second) {
      const SiteIndex m = voter - kSiteIdFirst;
      if (!site::is_member_of(e.next_members, voter)) continue;
      if (m == i || yes.count(m)) continue;
      report({"update-wins-safety",
              now,
              {i, m},
              {},
              name(i) + " committed flatten " + tx + " of epoch " + std::to_string(e.epoch) +
                  " without a yes from core member " + name(m)});
      return;
    }
  }
  // One decision per epoch (invariant 9): every commit of an epoch is the same attempt and cut.
  const auto [it, fresh] = committed_.emplace(e.epoch, Decided{e.txid, e.hash, e.cut});
  const Decided& first = it->second;
  // The sites of one decision share its set: compare the sets only if one was rebuilt.
  const bool same_cut = first.cut == e.cut || (first.cut && e.cut && *first.cut == *e.cut);
  if (!fresh && (first.txid != e.txid || first.hash != e.hash || !same_cut)) {
    report({"single-decision",
            now,
            {i},
            {},
            name(i) + " committed flatten " + tx + " closing epoch " + std::to_string(e.epoch) +
                ", which flatten " + site::to_string(first.txid) + " already closed"});
  }
}

void Checker::on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) {
  const SiteIndex i = entered.site;
  const site::EpochEntered& e = entered.entered;
  if (e.ending && e.ending->next_members) view_members_.emplace(e.epoch, e.ending->next_members);
  if (e.ending && e.epoch > newest_epoch_) {
    // The first site into a new epoch: its base holds every op of the cut (and of earlier cuts).
    newest_epoch_ = e.epoch;
    for (const OpId& id : e.ending->cut->to_vector()) folded_in_.emplace(id, e.epoch);
  }
  if (violation_) return;
  // Flatten invisibility and order preservation (invariants 11, 13): flatten(C) with the black ops
  // translated shows what the site showed before, atom for atom, in the same order. A state
  // transfer whose base reflects exactly the site's ops must show the same too; one that lost
  // ops by policy, or whose base reflects ops the site never held (a CUT would have applied them
  // first, a STATE cannot), may show other atoms, but the atoms on both sides keep their order.
  if (e.lost_by_policy == 0 && e.gained == 0) {
    if (e.visible_hash_before == e.visible_hash_after) return;
    report({"flatten-invisibility",
            now,
            {i},
            {},
            name(i) + " entering epoch " + std::to_string(e.epoch) +
                (!e.ending    ? " by state transfer"
                 : e.catch_up ? " by catch-up"
                              : "") +
                " shows a different sequence than before it (" + std::to_string(e.translated) +
                " ops translated): the " + (e.ending ? "translation" : "transferred base") +
                " moved or lost atoms"});
    return;
  }
  std::unordered_map<OpId, size_t, OpIdHash> before;
  for (size_t k = 0; k < e.visible_ids_before.size(); ++k)
    before.emplace(e.visible_ids_before[k], k);
  const OpId* last = nullptr;  // the previous atom after the transfer that was visible before it
  size_t last_at = 0;          // ... and its index before it
  for (const OpId& id : e.visible_ids_after) {
    const auto it = before.find(id);
    if (it == before.end()) continue;
    if (last && last_at > it->second) {
      report({"flatten-invisibility",
              now,
              {i},
              {*last, id},
              name(i) + " entering epoch " + std::to_string(e.epoch) +
                  " by state transfer shows the atoms of " + op_text(*last) + " and " +
                  op_text(id) + " in the opposite order to before it"});
      return;
    }
    last = &id;
    last_at = it->second;
  }
}

void Checker::on_translated(TimeUs now, SiteIndex i, const Op& op) {
  if (violation_) return;
  std::string tid;
  encode_tid(op.tid, &tid);
  // Translation determinism (invariant 12): one new TID per op and epoch, at every site.
  const auto [it, fresh] = translated_tid_.emplace(std::make_pair(op.epoch, op.id), tid);
  if (!fresh && it->second != tid) {
    report({"translation-determinism",
            now,
            {i},
            {op.id},
            name(i) + " translated op " + op_text(op.id) + " into epoch " +
                std::to_string(op.epoch) + " at TID " + to_string(op.tid) +
                ", not where another site did"});
    return;
  }
  if (!fresh || !op.is_insert() || !scenario_.checker.tid_uniqueness) return;
  claim_tid(now, i, op, tid, "translated");
}

bool Checker::claim_tid(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid,
                        const char* how) {
  const auto [owner, first] =
      tid_owner_.emplace(encoded_tid + '@' + std::to_string(op.epoch), op.id);
  if (first || owner->second == op.id) return true;
  report({"tid-uniqueness",
          now,
          {i},
          {op.id, owner->second},
          "insert " + op_text(op.id) + " " + how + " at " + name(i) + " reuses TID " +
              to_string(op.tid) + " of insert " + op_text(owner->second)});
  return false;
}

void Checker::on_lost_by_policy(TimeUs now, SiteIndex i, const std::vector<site::SharedOp>& ops) {
  std::vector<OpId> ids;
  for (const site::SharedOp& op : ops) {
    lost_by_policy_.insert(op->id);
    ids.push_back(op->id);
  }
  if (violation_ || ids.empty() || scenario_.checker.expect_lost_by_policy) return;
  report({"no-lost-update",
          now,
          {i},
          ids,
          name(i) + " was beyond the retention bound (" +
              std::to_string(scenario_.protocol.retention_epochs) +
              " epochs): a state transfer lost " + std::to_string(ids.size()) +
              " ops it alone could translate (LOST_BY_POLICY: " + op_list(ids) +
              "); declare \"expect_lost_by_policy\" if the scenario means it"});
}

std::optional<OpId> Checker::held_delete(SiteIndex i, const site::Site& s, const Op& op) const {
  const OpId insert = op.is_insert() ? op.id : op.target;
  auto it = deletes_of_.find(insert);
  if (it == deletes_of_.end()) return std::nullopt;
  for (const OpId& d : it->second) {
    // A delete the site is applying it holds: no set lookup (most deletes have no other).
    if (d == op.id || holds(s, d) || applied_before_crash_[i].contains(d)) return d;
  }
  return std::nullopt;
}

void Checker::check_not_resurrected(TimeUs now, SiteIndex i, const site::Site& s, const Op& op) {
  if (const std::optional<OpId> d = held_delete(i, s, op)) check_invisible(now, i, s, op, *d, now);
}

void Checker::check_invisible(TimeUs now, SiteIndex i, const site::Site& s, const Op& op, OpId d,
                              TimeUs applied_at_us) {
  const OpId insert = op.is_insert() ? op.id : op.target;
  const Tid& tid = op.tid;  // a delete carries its target's TID
  if (s.replica().visible_index(tid).has_value()) {
    report(
        {"no-resurrection",
         now,
         {i},
         {insert, d},
         name(i) + " has applied delete " + op_text(d) + " yet shows atom " + op_text(insert) +
             " (TID " + to_string(tid) + ")" +
             (applied_at_us == now ? ""
                                   : "; found at its verification, having applied op " +
                                         op_text(op.id) + " at " + seconds_text(applied_at_us))});
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

void Checker::hash_state(SiteIndex i, const site::Site& s) {
  if (scenario_.checker.convergence && !violation_) state_hash_of(i, s);
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
  if (violation_) return;
  check_core_agreement(now, sites);
  if (violation_ || !scenario_.checker.convergence) return;
  ++convergence_checks_;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    const site::Site* s = sites[i];
    if (!s || checked_version_[i] == s->version()) continue;  // only sites that changed
    checked_version_[i] = s->version();
    const SetKey set{s->epoch(), s->claimed_hash().sum, s->claimed_hash().count};
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
            name(j) + " and " + name(i) + " applied the same " + std::to_string(std::get<2>(set)) +
                " ops of epoch " + std::to_string(s->epoch()) + " but their " +
                (compare_visible_only_ ? "visible atoms" : "trees") + " differ" + texts});
    return;
  }
}

bool Checker::expected_visible(const std::vector<OpId>& visible) const {
  // Deletes made, and whether each target's deletion is certain (some delete of it not lost).
  for (size_t k = 1; k < visible.size(); ++k) {
    if (visible[k - 1] == visible[k]) return false;
  }
  for (const OpId& id : visible) {
    auto m = made_.find(id);
    if (m == made_.end() || !m->second.op->is_insert()) return false;
    auto d = deletes_of_.find(id);
    if (d == deletes_of_.end()) continue;
    for (const OpId& del : d->second) {
      if (!lost_by_policy_.count(del)) return false;  // deleted for sure, yet visible
    }
  }
  for (const auto& [id, m] : made_) {
    if (!m.op->is_insert() || lost_by_policy_.count(id) || deletes_of_.count(id)) continue;
    if (!std::binary_search(visible.begin(), visible.end(), id)) return false;
  }
  return true;
}

void Checker::check_core_agreement(TimeUs now, const SiteViews& sites) {
  // Flattens need a yes from every member that stays, so the live members of the newest view are
  // at most one epoch apart, the difference lasting only while a decision propagates (invariant
  // 14). An expelled member may lag further: it is no longer in that view.
  uint64_t high = 0;
  SiteIndex high_site = 0;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (sites[i] && sites[i]->epoch() > high) high = sites[i]->epoch(), high_site = i;
  }
  if (!sites.empty() && !sites[high_site]) return;  // nobody is up
  uint64_t low = UINT64_MAX;
  SiteIndex low_site = 0;
  for (SiteId id : *sites[high_site]->members()) {
    const SiteIndex m = id - kSiteIdFirst;
    if (m >= sites.size() || !sites[m]) continue;
    if (sites[m]->epoch() < low) low = sites[m]->epoch(), low_site = m;
  }
  if (low == UINT64_MAX || high <= low + 1) return;
  report({"core-agreement",
          now,
          {low_site, high_site},
          {},
          "core members " + name(low_site) + " (epoch " + std::to_string(low) + ") and " +
              name(high_site) + " (epoch " + std::to_string(high) + ") are " +
              std::to_string(high - low) + " epochs apart"});
}

bool Checker::complete(TimeUs now, const SiteViews& sites) {
  check_convergence(now, sites);
  if (violation_) return false;
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
               state_hash_of(i, *sites[i]) != state_hash_of(first_index, *first)) {
      return false;
    }
  }
  if (!first) return false;
  std::vector<OpId> visible;
  for (const auto& [id, atom] : first->replica().visible_atoms()) visible.push_back(id);
  std::sort(visible.begin(), visible.end());
  return !scenario_.checker.no_lost_update || expected_visible(visible);
}

std::string Checker::epoch_lag(const SiteViews& sites, std::vector<SiteIndex>* behind) const {
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
      why = name(i) + " is blocked in the flatten commit of epoch " + std::to_string(s->epoch()) +
            " (2PC blocked in prepare)";
    } else if (s->epoch() < newest) {
      why = name(i) + " is in epoch " + std::to_string(s->epoch()) + " of " +
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
  // Ops nobody alive holds can never arrive: those are lost updates, a safety violation. A delete
  // a flatten absorbed (its target already deleted in the cut) is held by the base.
  const auto held_by = [&](const site::Site& s, OpId id, const Made& m) {
    if (holds(s, id)) return true;
    if (m.op->is_insert()) return false;
    for (const OpId& other : deletes_of_.at(m.op->target)) {
      if (holds(s, other)) return true;  // the same target's deletion: d's effect is there
    }
    return false;
  };
  const auto held_anywhere = [&](OpId id, const Made& m) {
    for (const site::Site* s : sites) {
      if (s && held_by(*s, id, m)) return true;
    }
    return false;
  };
  std::vector<OpId> lost, duplicated;
  std::vector<SiteIndex> lost_by;
  for (const auto& [id, m] : made_) {
    if (lost_by_policy_.count(id) || held_anywhere(id, m)) continue;
    lost.push_back(id);
    if (std::find(lost_by.begin(), lost_by.end(), m.by) == lost_by.end()) lost_by.push_back(m.by);
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
      const std::string because = lost_because(lost, &lost_by);
      report({"no-lost-update", now, lost_by, lost,
              std::to_string(lost.size()) + " ops made at " + by +
                  " are held by no live site and can never arrive: " +
                  (because.empty() ? op_list(lost) : because)});
      return;
    }
  }
  // Sites in different epochs, or a commit that never ended: say so first.
  std::vector<SiteIndex> lagging;
  const std::string lag = epoch_lag(sites, &lagging);
  if (!lag.empty()) {
    Violation v{
        "liveness", now, lagging, {}, "not in one epoch by the end of the liveness phase: " + lag};
    v.liveness = true;
    report(std::move(v));
    return;
  }
  // Otherwise the ops exist somewhere but have not reached everyone in time.
  std::vector<SiteIndex> behind;
  std::string reason;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;
    std::vector<OpId> missing;
    for (const auto& [id, m] : made_) {
      if (!lost_by_policy_.count(id) && !held_by(*sites[i], id, m)) {
        missing.push_back(id);
      }
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

void Checker::check_workload_end(TimeUs now, const SiteViews& sites,
                                 const std::optional<WorkloadEnd>& end) {
  if (!end || verdict()) return;
  if (end->issued < end->total) {
    Violation v{"trace-finished",
                now,
                {},
                {},
                "the trace workload made " + std::to_string(end->issued) + " of its " +
                    std::to_string(end->total) +
                    " transactions by the end of the workload; give it a longer safety phase"};
    v.liveness = true;
    end_violation_ = std::move(v);
    return;
  }
  const std::string& expected = *end->content;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;  // halted for good: the trace's text is for live sites
    const std::string content = sites[i]->replica().content();
    if (content == expected) continue;
    end_violation_ = Violation{"trace-end-content",
                               now,
                               {i},
                               {},
                               name(i) + "'s text differs from the trace's endContent at byte " +
                                   std::to_string(first_difference(content, expected)) + " (" +
                                   std::to_string(content.size()) + " bytes vs " +
                                   std::to_string(expected.size()) + ")"};
    return;
  }
}

void Checker::check_required_probes(TimeUs end_us, const site::ProbeCounts& fired) {
  for (site::Probe p : scenario_.checker.required_probes) {
    if (verdict() || fired[p] > 0) continue;
    Violation v{"required-probe",
                end_us,
                {},
                {},
                "the scenario requires probe " + std::string(site::to_string(p)) +
                    ", which never fired: its faults did not produce what it is meant to test"};
    v.liveness = true;
    end_violation_ = std::move(v);
  }
}

}  // namespace treedoc::sim
