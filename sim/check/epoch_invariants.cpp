// The epoch invariants, as sites enter epochs and carry ops across.
#include "sim/check/epoch_invariants.hpp"

#include <unordered_map>

#include "models/treedoc/codec.hpp"

namespace treedoc::sim {

bool EpochInvariants::applied_in_its_epoch(TimeUs now, const OpApplied& applied) {
  const site::SharedOp& op = applied.op;
  const site::Site& s = applied.state;
  if (op->epoch >= applied.epoch_from && op->epoch <= s.epoch()) return true;
  verdict_->report({Invariant::kEpochIsolation,
                    now,
                    {applied.site},
                    {op->id},
                    text_.site(applied.site) + " in epoch " + std::to_string(s.epoch()) +
                        " applied op " + text_.op(op->id) + " of epoch " +
                        std::to_string(op->epoch)});
  return false;
}

void EpochInvariants::entered(TimeUs now, SiteIndex i, const site::EpochEntered& e) {
  if (verdict_->failed()) return;
  // Flatten invisibility and order preservation (invariants 11, 13): flatten(C) with the black ops
  // translated shows what the site showed before, atom for atom, in the same order. A state
  // transfer whose base reflects exactly the site's ops must show the same too; one that lost
  // ops by policy, or whose base reflects ops the site never held (a CUT would have applied them
  // first, a STATE cannot), or that re-based its own atoms and left others' to their origins
  // (docs/protocol.md §4, "Beyond retention"), may show other atoms, but the atoms on both sides
  // keep their order: a re-based atom sits between the same surviving neighbours as before.
  if (e.lost_by_policy > 0 || e.gained > 0 || e.rebased > 0 || e.left_to_origin > 0) {
    order_preserved(now, i, e);
    return;
  }
  if (e.visible_hash_before == e.visible_hash_after) return;
  verdict_->report({Invariant::kFlattenInvisibility,
                    now,
                    {i},
                    {},
                    text_.site(i) + " entering epoch " + std::to_string(e.epoch) +
                        (!e.ending    ? " by state transfer"
                         : e.catch_up ? " by catch-up"
                                      : "") +
                        " shows a different sequence than before it (" +
                        std::to_string(e.translated) + " ops translated): the " +
                        (e.ending ? "translation" : "transferred base") + " moved or lost atoms"});
}

void EpochInvariants::order_preserved(TimeUs now, SiteIndex i, const site::EpochEntered& e) {
  std::unordered_map<OpId, size_t, OpIdHash> before;
  for (size_t k = 0; k < e.visible_ids_before.size(); ++k) {
    before.emplace(e.visible_ids_before[k], k);
  }
  const OpId* last = nullptr;  // the previous atom after the transfer that was visible before it
  size_t last_at = 0;          // ... and its index before it
  for (const OpId& id : e.visible_ids_after) {
    const auto it = before.find(id);
    if (it == before.end()) continue;
    if (last && last_at > it->second) {
      verdict_->report({Invariant::kFlattenInvisibility,
                        now,
                        {i},
                        {*last, id},
                        text_.site(i) + " entering epoch " + std::to_string(e.epoch) +
                            " by state transfer shows the atoms of " + text_.op(*last) + " and " +
                            text_.op(id) + " in the opposite order to before it"});
      return;
    }
    last = &id;
    last_at = it->second;
  }
}

void EpochInvariants::translated(TimeUs now, SiteIndex i, const Op& op, TidUniqueness* tids) {
  if (verdict_->failed()) return;
  std::string tid;
  encode_tid(op.tid, &tid);
  // Translation determinism (invariant 12): one new TID per op and epoch, at every site.
  const auto [it, fresh] = translated_tid_.emplace(std::make_pair(op.epoch, op.id), tid);
  if (!fresh && it->second != tid) {
    verdict_->report({Invariant::kTranslationDeterminism,
                      now,
                      {i},
                      {op.id},
                      text_.site(i) + " translated op " + text_.op(op.id) + " into epoch " +
                          std::to_string(op.epoch) + " at TID " + to_string(op.tid) +
                          ", not where another site did"});
    return;
  }
  if (!fresh || !op.is_insert() || !tids) return;
  tids->claim(now, i, op, tid, "translated");
}

void EpochInvariants::core_agreement(TimeUs now, const SiteViews& sites) {
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
  verdict_->report({Invariant::kCoreAgreement,
                    now,
                    {low_site, high_site},
                    {},
                    "core members " + text_.site(low_site) + " (epoch " + std::to_string(low) +
                        ") and " + text_.site(high_site) + " (epoch " + std::to_string(high) +
                        ") are " + std::to_string(high - low) + " epochs apart"});
}

}  // namespace treedoc::sim
