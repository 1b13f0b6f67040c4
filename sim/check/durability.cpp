// Durable before visible and crash consistency: the checker's record of each site's durable
// writes, each message a site sends judged against it, and each restart compared with it.
#include "sim/check/durability.hpp"

#include <utility>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/run.hpp"
#include "sim/base/time_text.hpp"

namespace treedoc::sim {

namespace {

std::string destination_text(const ReportText& text, const site::Destination& to) {
  switch (to.kind) {
    case site::Destination::Kind::kSite: return text.site(to.site - kSiteIdFirst);
    case site::Destination::Kind::kAllPeers: return "every peer";
    case site::Destination::Kind::kRandomPeers: return std::to_string(to.count) + " random peers";
  }
  return "?";
}

std::string commit_text(const ReportText& text, const site::CommitMessage& c) {
  return std::string(site::kCommitMessages.name(c.kind)) + " of flatten " + text.attempt(c.txid);
}

}  // namespace

bool logged_by_mode(site::Durability durability, SiteId self, const Op& op) {
  // own-ops logs deletes of every origin too: a deletion once shown must survive a crash
  // (invariant 6), docs/scenarios.md.
  switch (durability) {
    case site::Durability::kAllOps: return true;
    case site::Durability::kOwnOps: return op.id.site == self || !op.is_insert();
    case site::Durability::kCounterOnly: return false;
  }
  return false;
}

DurableRecord& DurableState::record(SiteIndex i) {
  if (records_.size() <= i) {
    records_.resize(i + 1);
    at_crash_.resize(i + 1);
  }
  return records_[i];
}

void DurableState::sync_ops(DurableRecord* r, const site::DurableStore& store) const {
  // The log only grows within an epoch and is cleared when the site enters another: a shorter
  // log, another epoch or another entry where the last one was means it was rewritten.
  const bool rewritten =
      r->epoch != store.epoch || store.ops.size() < r->ops_logged ||
      (r->ops_logged > 0 && store.ops[r->ops_logged - 1].get() != r->last_logged);
  if (rewritten) {
    r->ops = DotSet{};
    r->ops_logged = 0;
  }
  for (size_t k = r->ops_logged; k < store.ops.size(); ++k) {
    for_each_atom_id(*store.ops[k], [&](OpId id) { r->ops.insert(id); });
  }
  r->ops_logged = store.ops.size();
  r->last_logged = store.ops.empty() ? nullptr : store.ops.back().get();
}

void DurableState::written(TimeUs now, SiteIndex i, const site::DurableStore& store) {
  const site::CommitLog& log = store.commit_log;
  if (log.prepared && log.prepared->epoch < store.epoch && !verdict_->failed()) {
    // Entering an epoch ends every attempt of an older one, whichever way it ended (docs/
    // protocol.md §3, epoch rule): a PREPARED kept past it refuses the new epoch's votes.
    report(Invariant::kAttemptFencing, now, i, {},
           text_.site(i) + " entered epoch " + std::to_string(store.epoch) +
               " still durably PREPARED for attempt " + text_.attempt(log.prepared->txid) +
               " of epoch " + std::to_string(log.prepared->epoch));
  }
  DurableRecord& r = record(i);
  sync_ops(&r, store);
  r.written = true;
  r.counter = store.counter;
  r.epoch = store.epoch;
  r.view = store.view;
  r.members = store.members;
  r.attempts = log.attempts;
  r.prepared = log.prepared ? std::optional<site::TxId>(log.prepared->txid) : std::nullopt;
  if (r.decisions.size() != log.decisions.size()) {
    r.decisions.clear();
    for (const auto& [txid, decided] : log.decisions) r.decisions[txid] = decided.outcome;
  }
}

std::optional<std::string> DurableState::epoch_unlogged(const DurableRecord& r,
                                                        const site::Message& m) const {
  // A message names its sender's epoch and view: a restart must come back in them, or the site
  // would act in an epoch it already told others it had left (docs/protocol.md §3, epoch rule).
  // A flatten-commit message carries its attempt's epoch and view instead (a no vote of a site
  // behind names the newer epoch it was asked about), and a CUT the asker's.
  if (m.kind == site::MessageKind::kCommit) return std::nullopt;
  if (m.epoch > r.epoch) {
    return "epoch " + std::to_string(m.epoch) + " while its durable store was in epoch " +
           std::to_string(r.epoch);
  }
  if (m.epoch == r.epoch && m.view > r.view) {
    return "view " + std::to_string(m.view) + " of epoch " + std::to_string(m.epoch) +
           " while its durable store held view " + std::to_string(r.view);
  }
  return std::nullopt;
}

std::optional<std::string> DurableState::ops_unlogged(const DurableRecord& r, const site::Site& s,
                                                      const site::Message& m,
                                                      std::vector<OpId>* ops) const {
  const site::Durability mode = s.config().replication.durability;
  for (const site::SharedOp& op : m.ops) {
    // Its own op's counter is kept under every mode (docs/protocol.md §1): else a restart reuses
    // it.
    const OpId last = run_member_id(*op, op->atoms() - 1);  // a run's counter is its last atom's
    if (op->id.site == s.id() && last.counter > r.counter) {
      ops->push_back(last);
      return "its op " + text_.op(last) + " while its durable counter was " +
             std::to_string(r.counter);
    }
    if (op->epoch != r.epoch || !logged_by_mode(mode, s.id(), *op)) continue;
    for_each_atom_id(*op, [&](OpId id) {
      if (!r.ops.contains(id)) ops->push_back(id);
    });
  }
  if (ops->empty()) return std::nullopt;
  return text_.ops(*ops) + " of epoch " + std::to_string(r.epoch) + ", not in its durable log (" +
         site::kDurabilities.name(mode) + " logs them)";
}

std::optional<std::string> DurableState::commit_unlogged(const DurableRecord& r,
                                                         const site::CommitMessage& c) const {
  using Kind = site::CommitMessage::Kind;
  const auto decided = r.decisions.find(c.txid);
  switch (c.kind) {
    case Kind::kPrepare:  // the attempt counter: a restart must never propose the same txid again
      if (c.txid.attempt <= r.attempts) return std::nullopt;
      return commit_text(text_, c) + " with its durable attempt counter at " +
             std::to_string(r.attempts);
    case Kind::kVote:  // a yes only after PREPARED is logged (docs/protocol.md §3 step 2)
      if (c.vote != site::Vote::kYes || r.prepared == c.txid) return std::nullopt;
      return "a yes vote for flatten " + text_.attempt(c.txid) + " without PREPARED logged";
    case Kind::kDecision:  // logged before it is sent (§3 step 4), by whoever sends it
      if (decided != r.decisions.end() && decided->second == c.outcome) return std::nullopt;
      return commit_text(text_, c) + " (" + site::kOutcomes.name(c.outcome) +
             ") without that decision logged";
    case Kind::kDontKnow:
      // Prepared too, or the promise never to vote yes, which only a logged abort keeps (§3 step
      // 6).
      if (c.vote == site::Vote::kYes
              ? r.prepared == c.txid
              : decided != r.decisions.end() && decided->second == site::Outcome::kAbort) {
        return std::nullopt;
      }
      return commit_text(text_, c) + (c.vote == site::Vote::kYes
                                          ? " (prepared) without PREPARED logged"
                                          : " (never yes) without the abort logged");
    case Kind::kLateUpdate:
    case Kind::kDecisionRequest: return std::nullopt;
  }
  return std::nullopt;
}

void DurableState::revealed(TimeUs now, SiteIndex i, const site::Site& s,
                            const site::Outgoing& out) {
  if (verdict_->failed()) return;
  const DurableRecord& r = record(i);
  TD_ASSERT(r.written, "a site's store is recorded before it sends");
  const site::Message& m = *out.message;
  if (m.kind == site::MessageKind::kCommit &&
      (m.epoch != m.commit.epoch || m.view != m.commit.view)) {
    // A commit message's fencing token is its attempt's (e, v), whatever the sender's now
    // (docs/protocol.md §3, epoch rule): a decision resent or a vote from behind is judged by it.
    report(Invariant::kAttemptFencing, now, i, {},
           text_.site(i) + " sent " + std::string(site::kCommitMessages.name(m.commit.kind)) +
               " of attempt " + text_.attempt(m.commit.txid) + " (epoch " +
               std::to_string(m.commit.epoch) + ", view " + std::to_string(m.commit.view) +
               ") tagged epoch " + std::to_string(m.epoch) + ", view " + std::to_string(m.view));
    return;
  }
  std::vector<OpId> ops;
  std::optional<std::string> what = epoch_unlogged(r, m);
  if (!what && m.kind == site::MessageKind::kOps) what = ops_unlogged(r, s, m, &ops);
  if (!what && m.kind == site::MessageKind::kCommit) what = commit_unlogged(r, m.commit);
  if (!what) return;
  report(Invariant::kDurableBeforeVisible, now, i, std::move(ops),
         text_.site(i) + " sent " + site::kMessageKinds.name(m.kind) + " to " +
             destination_text(text_, out.to) + " at " + seconds_text(now) + " revealing " + *what);
}

void DurableState::crashed(SiteIndex i) {
  DurableRecord& r = record(i);
  if (r.written) at_crash_[i] = r;
}

std::optional<std::string> DurableState::rebuilt_differs(const DurableRecord& r,
                                                         const site::Site& s) const {
  if (s.epoch() != r.epoch) {
    return "epoch " + std::to_string(s.epoch()) + ", durable " + std::to_string(r.epoch);
  }
  if (r.members && (s.view() != r.view || *s.members() != *r.members)) {
    return "view " + std::to_string(s.view()) + ", durable " + std::to_string(r.view);
  }
  if (!(s.claimed() == r.ops)) {
    const DotSet& held = s.claimed();
    return "its applied set missing " + std::to_string(r.ops.minus(held).size()) +
           " of its logged ops and holding " + std::to_string(held.minus(r.ops).size()) +
           " it never logged";
  }
  if (s.replica().counter() < r.counter) {
    return "counter " + std::to_string(s.replica().counter()) + ", durable " +
           std::to_string(r.counter);
  }
  if (r.prepared && s.is_member() && !s.in_commit()) {
    return "not prepared, durable PREPARED for flatten " + text_.attempt(*r.prepared);
  }
  return std::nullopt;
}

void DurableState::recovered(TimeUs now, SiteIndex i, const site::Site& s) {
  record(i);
  std::optional<DurableRecord> at_crash = std::exchange(at_crash_[i], std::nullopt);
  if (!at_crash || verdict_->failed()) return;
  const std::optional<std::string> differs = rebuilt_differs(*at_crash, s);
  if (!differs) return;
  report(Invariant::kCrashConsistency, now, i, {},
         text_.site(i) + " restarted at " + seconds_text(now) + " with " + *differs +
             " (what was durable when it crashed)");
}

void DurableState::report(Invariant inv, TimeUs now, SiteIndex i, std::vector<OpId> ops,
                          std::string detail) {
  verdict_->report({inv, now, {i}, std::move(ops), std::move(detail)});
}

}  // namespace treedoc::sim
