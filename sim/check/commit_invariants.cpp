// The flatten commit's invariants, step by step.
#include "sim/check/commit_invariants.hpp"

#include "models/treedoc/assertion.hpp"

namespace treedoc::sim {

void CommitInvariants::step(TimeUs now, const CommitStepTaken& step) {
  using Phase = site::CommitEvent::Phase;
  if (verdict_->failed()) return;
  const site::CommitEvent& e = step.step;
  if (e.phase == Phase::kVotedYes) {
    voted_yes(now, step.site, step.state, e);
    return;
  }
  if (e.phase != Phase::kCommitted) return;
  if (!committed_with_every_yes(now, step.site, step.state, e)) return;
  committed_once(now, step.site, e);
}

void CommitInvariants::voted_yes(TimeUs now, SiteIndex i, const site::Site& s,
                                 const site::CommitEvent& e) {
  // Update-wins safety (invariant 10): a yes promises S_P = C exactly.
  if (e.cut && s.claimed() == *e.cut) {
    yes_votes_[e.txid].insert(i);
    return;
  }
  const uint64_t extra = e.cut ? s.claimed().minus(*e.cut).size() : s.claimed().size();
  const uint64_t missing = e.cut ? e.cut->minus(s.claimed()).size() : 0;
  verdict_->report({Invariant::kUpdateWinsSafety,
                    now,
                    {i},
                    {},
                    text_.site(i) + " voted yes for flatten " + site::to_string(e.txid) +
                        " of epoch " + std::to_string(e.epoch) + " holding " +
                        std::to_string(extra) + " ops outside the cut and lacking " +
                        std::to_string(missing) + " of it"});
}

bool CommitInvariants::committed_with_every_yes(TimeUs now, SiteIndex i, const site::Site& s,
                                                const site::CommitEvent& e) {
  // The coordinator commits only with a yes from every other member of the view (invariant 10).
  if (e.txid.coordinator != s.id()) return true;
  const std::set<SiteIndex>& yes = yes_votes_[e.txid];
  // The voters: the closing epoch's view members that stay in the next view (an expelled one
  // cannot vote). The checker keeps the views itself rather than trust the coordinator's list.
  const site::Members* view = history_.view_of(e.epoch);
  TD_ASSERT(view != nullptr, "a commit closes an epoch some site entered");
  for (SiteId voter : **view) {
    const SiteIndex m = voter - kSiteIdFirst;
    if (!site::is_member_of(e.next_members, voter)) continue;
    if (m == i || yes.count(m)) continue;
    verdict_->report({Invariant::kUpdateWinsSafety,
                      now,
                      {i, m},
                      {},
                      text_.site(i) + " committed flatten " + site::to_string(e.txid) +
                          " of epoch " + std::to_string(e.epoch) +
                          " without a yes from core member " + text_.site(m)});
    return false;
  }
  return true;
}

void CommitInvariants::committed_once(TimeUs now, SiteIndex i, const site::CommitEvent& e) {
  // One decision per epoch (invariant 9): every commit of an epoch is the same attempt and cut.
  const auto [it, fresh] = committed_.emplace(e.epoch, Decided{e.txid, e.hash, e.cut});
  if (fresh) return;
  const Decided& first = it->second;
  // The sites of one decision share its set: compare the sets only if one was rebuilt.
  const bool same_cut = first.cut == e.cut || (first.cut && e.cut && *first.cut == *e.cut);
  if (first.txid == e.txid && first.hash == e.hash && same_cut) return;
  verdict_->report({Invariant::kSingleDecision,
                    now,
                    {i},
                    {},
                    text_.site(i) + " committed flatten " + site::to_string(e.txid) +
                        " closing epoch " + std::to_string(e.epoch) + ", which flatten " +
                        site::to_string(first.txid) + " already closed"});
}

}  // namespace treedoc::sim
