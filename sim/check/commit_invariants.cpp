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
  if (e.phase == Phase::kCommitted || e.phase == Phase::kAborted) {
    if (!one_outcome(now, step.site, e)) return;
  }
  if (e.phase != Phase::kCommitted) return;
  if (!committed_with_every_yes(now, step.site, step.state, e)) return;
  committed_once(now, step.site, e);
}

std::string CommitInvariants::attempt_name(const site::CommitEvent& e) const {
  return (e.view_only ? "view change " : "flatten ") + text_.attempt(e.txid);
}

void CommitInvariants::voted_yes(TimeUs now, SiteIndex i, const site::Site& s,
                                 const site::CommitEvent& e) {
  // The view is the vote's fencing token (docs/protocol.md §6.7): a yes only in the attempt's.
  if (s.view() != e.view) {
    verdict_->report({Invariant::kUpdateWinsSafety,
                      now,
                      {i},
                      {},
                      text_.site(i) + " in view " + std::to_string(s.view()) + " voted yes for " +
                          attempt_name(e) + " of view " + std::to_string(e.view)});
    return;
  }
  // Update-wins safety (invariant 10): a yes promises S_P = C exactly; a view change alone asks
  // nothing of S (docs/protocol.md §6.7).
  if (e.view_only || (e.cut && s.claimed() == *e.cut)) {
    yes_votes_[e.txid].insert(i);
    return;
  }
  const uint64_t extra = e.cut ? s.claimed().minus(*e.cut).size() : s.claimed().size();
  const uint64_t missing = e.cut ? e.cut->minus(s.claimed()).size() : 0;
  verdict_->report({Invariant::kUpdateWinsSafety,
                    now,
                    {i},
                    {},
                    text_.site(i) + " voted yes for flatten " + text_.attempt(e.txid) +
                        " of epoch " + std::to_string(e.epoch) + " holding " +
                        std::to_string(extra) + " ops outside the cut and lacking " +
                        std::to_string(missing) + " of it"});
}

bool CommitInvariants::committed_with_every_yes(TimeUs now, SiteIndex i, const site::Site& s,
                                                const site::CommitEvent& e) {
  // The coordinator commits only with a yes from every other member of the view (invariant 10).
  if (e.txid.coordinator != s.id()) return true;
  const std::set<SiteIndex>& yes = yes_votes_[e.txid];
  // The voters: the members of the attempt's view that stay in the next view (an expelled one
  // cannot vote). The checker keeps the views itself rather than trust the coordinator's list.
  const site::Members* view = history_.view_of(e.view);
  TD_ASSERT(view != nullptr, "an attempt of a view some site entered");
  for (SiteId voter : **view) {
    const SiteIndex m = voter - kSiteIdFirst;
    if (!site::is_member_of(e.next_members, voter)) continue;
    if (m == i || yes.count(m)) continue;
    verdict_->report({Invariant::kUpdateWinsSafety,
                      now,
                      {i, m},
                      {},
                      text_.site(i) + " committed " + attempt_name(e) + " of epoch " +
                          std::to_string(e.epoch) + " without a yes from core member " +
                          text_.site(m)});
    return false;
  }
  return true;
}

bool CommitInvariants::one_outcome(TimeUs now, SiteIndex i, const site::CommitEvent& e) {
  // Atomicity (invariant 9): an attempt ends the same way wherever its end is learned; a site
  // that aborts an attempt another committed keeps the old epoch while the rest leave it.
  const bool committed = e.phase == site::CommitEvent::Phase::kCommitted;
  const auto [it, fresh] = outcomes_.emplace(e.txid, Ended{committed, i});
  if (fresh || it->second.committed == committed) return true;
  verdict_->report({Invariant::kSingleDecision,
                    now,
                    {i, it->second.site},
                    {},
                    text_.site(i) + (committed ? " committed " : " aborted ") + attempt_name(e) +
                        " of epoch " + std::to_string(e.epoch) + ", which " +
                        text_.site(it->second.site) +
                        (it->second.committed ? " committed" : " aborted")});
  return false;
}

void CommitInvariants::committed_once(TimeUs now, SiteIndex i, const site::CommitEvent& e) {
  // One decision per epoch (invariant 9): every commit of an epoch is the same attempt and cut;
  // and one per view for a view change alone, which leaves the epoch open.
  if (e.view_only) {
    const auto [it, fresh] = view_changes_.emplace(e.view, e.txid);
    if (fresh || it->second == e.txid) return;
    verdict_->report({Invariant::kSingleDecision,
                      now,
                      {i},
                      {},
                      text_.site(i) + " committed " + attempt_name(e) + " leaving view " +
                          std::to_string(e.view) + ", which view change " +
                          text_.attempt(it->second) + " already left"});
    return;
  }
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
                    text_.site(i) + " committed flatten " + text_.attempt(e.txid) +
                        " closing epoch " + std::to_string(e.epoch) + ", which flatten " +
                        text_.attempt(first.txid) + " already closed"});
}

}  // namespace treedoc::sim
