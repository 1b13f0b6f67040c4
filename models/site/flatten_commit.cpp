// FlattenCommit: 2PC with update-wins voting, LATE_UPDATE, durable PREPARED and decisions, vote
// timeouts and cooperative termination after a coordinator crash (docs/protocol.md §3 step 1-6).
#include "models/site/flatten_commit.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"

namespace treedoc::site {

namespace {

// The op that makes an applied set S differ from a proposed cut C: the first update the
// coordinator had not seen (in S, not in C), else the first op this participant lacks.
OpId first_difference(const DotSet* applied, const DotSet* cut) {
  if (applied == nullptr || cut == nullptr) return kOpIdNone;
  const std::vector<OpId> unseen = applied->minus(*cut);
  if (!unseen.empty()) return unseen.front();
  const std::vector<OpId> lacking = cut->minus(*applied);
  return lacking.empty() ? kOpIdNone : lacking.front();
}

}  // namespace

bool is_member_of(const Members& members, SiteId site) {
  return members && std::find(members->begin(), members->end(), site) != members->end();
}

FlattenCommit::FlattenCommit(SiteId self, CommitLog* log, TimeUs vote_timeout_us,
                             bool commit_on_timeout, bool keep_prepared_one_epoch)
    : self_(self),
      log_(log),
      vote_timeout_us_(vote_timeout_us),
      commit_on_timeout_(commit_on_timeout),
      keep_prepared_one_epoch_(keep_prepared_one_epoch) {
  TD_ASSERT(log != nullptr, "a commit log");
  TD_ASSERT(vote_timeout_us > 0, "a vote timeout");
}

CommitMessage FlattenCommit::message(CommitMessage::Kind kind,
                                     const CommitLog::Record& attempt) const {
  CommitMessage m;
  m.kind = kind;
  m.from = self_;
  m.epoch = attempt.epoch;
  m.view = attempt.view;
  m.txid = attempt.txid;
  m.view_only = attempt.view_only;
  return m;
}

CommitLog::Record FlattenCommit::record_of(const CommitMessage& m) {
  return {m.txid, m.epoch, m.view, m.cut, m.hash, m.next_view, m.next_members, m.view_only};
}

CommitMessage FlattenCommit::decision_message(const CommitLog::Decided& d) const {
  CommitMessage m = message(CommitMessage::Kind::kDecision, d.attempt);
  m.cut = d.attempt.cut;
  m.hash = d.attempt.hash;
  m.next_view = d.attempt.next_view;
  m.next_members = d.attempt.next_members;
  m.outcome = d.outcome;
  return m;
}

CommitEffects FlattenCommit::propose(TimeUs now, const CommitContext& ctx) {
  CommitEffects fx;
  if (open_ || prepared()) return fx;  // one attempt at a time, and never while prepared elsewhere
  TD_ASSERT(ctx.view_only || ctx.applied != nullptr, "the coordinator's applied set");
  TD_ASSERT(std::find(ctx.members.begin(), ctx.members.end(), self_) != ctx.members.end(),
            "the coordinator is a member of the view");
  TD_ASSERT(is_member_of(ctx.next_members, self_), "the coordinator stays in the next view");
  Open o;
  o.attempt = {TxId{self_, ++log_->attempts},
               ctx.epoch,
               ctx.view,
               ctx.view_only ? nullptr : std::make_shared<const DotSet>(*ctx.applied),
               ctx.view_only ? 0 : ctx.hash,
               ctx.next_view,
               ctx.next_members,
               ctx.view_only};
  for (SiteId m : ctx.members) {
    if (!is_member_of(ctx.next_members, m)) continue;  // being expelled: its vote is not awaited
    o.voters.push_back(m);
    if (m != self_) o.waiting.push_back(m);
  }
  o.told = o.waiting;  // a flatten's decision goes to its other voters
  if (ctx.view_only) {
    // A view change alone leaves the epoch as it is, so no STALE or catch-up tells the member
    // leaving or joining: its decision goes to every other member of both views.
    o.told.clear();
    for (SiteId m : ctx.members) {
      if (m != self_) o.told.push_back(m);
    }
    for (SiteId m : *ctx.next_members) {
      const bool joining =
          std::find(ctx.members.begin(), ctx.members.end(), m) == ctx.members.end();
      if (m != self_ && joining) o.told.push_back(m);
    }
  }
  o.deadline_us = now + vote_timeout_us_;
  if (o.waiting.empty()) {
    open_ = std::move(o);
    return decide(open_->attempt, Outcome::kCommit);
  }
  CommitMessage p = message(CommitMessage::Kind::kPrepare, o.attempt);
  p.cut = o.attempt.cut;
  p.hash = o.attempt.hash;
  p.next_view = o.attempt.next_view;
  p.next_members = o.attempt.next_members;
  for (SiteId m : o.waiting) fx.sends.push_back({m, p});
  fx.timer_at_us = o.deadline_us;
  open_ = std::move(o);
  return fx;
}

CommitEffects FlattenCommit::on_update(TimeUs, OpId cause) {
  CommitEffects fx;
  // Edits commute with a view change alone: only a flatten loses to an update.
  if (open_ && open_->attempt.view_only) return fx;
  if (prepared() && log_->prepared->view_only) return fx;
  // The coordinator's own update after proposing: the update wins.
  if (open_) {
    return decide(open_->attempt, Outcome::kAbort, AbortReason::kLateUpdate, {self_, cause});
  }
  if (prepared() && !late_update_sent_) {
    late_update_sent_ = true;
    CommitMessage late = message(CommitMessage::Kind::kLateUpdate, *log_->prepared);
    late.cause = cause;
    fx.sends.push_back({log_->prepared->txid.coordinator, late});
  }
  return fx;
}

CommitEffects FlattenCommit::decide(const CommitLog::Record& attempt, Outcome o, AbortReason reason,
                                    Blame blame) {
  TD_ASSERT(log_->decisions.count(attempt.txid) == 0, "one decision per attempt (invariant 9)");
  const CommitLog::Decided& d = log_->decisions[attempt.txid] = {attempt, o};  // durable first
  CommitEffects fx;
  fx.ended = ended(attempt, o, reason, blame);
  if (open_ && open_->attempt.txid == attempt.txid) {
    // The coordinator tells the attempt's voters (and, of a view change alone, who leaves or
    // joins); anyone else learns by STALE and catch-up.
    for (SiteId m : open_->told) fx.sends.push_back({m, decision_message(d)});
    open_.reset();
  } else {
    fx.sends.push_back({std::nullopt, decision_message(d)});
  }
  if (log_->prepared && log_->prepared->txid == attempt.txid) log_->prepared.reset();
  return fx;
}

CommitEffects FlattenCommit::learn(const CommitLog::Record& attempt, Outcome o,
                                   AbortReason reason) {
  CommitEffects fx;
  if (log_->decisions.count(attempt.txid) > 0) return fx;  // known already: reported once
  log_->decisions[attempt.txid] = {attempt, o};
  if (log_->prepared && log_->prepared->txid == attempt.txid) log_->prepared.reset();
  if (open_ && open_->attempt.txid == attempt.txid) open_.reset();
  fx.ended = ended(attempt, o, reason, {});
  return fx;
}

CommitEffects FlattenCommit::on_message(TimeUs now, const CommitMessage& m,
                                        const CommitContext& ctx) {
  switch (m.kind) {
    case CommitMessage::Kind::kPrepare: return on_prepare(now, m, ctx);
    case CommitMessage::Kind::kVote: return on_vote(m);
    case CommitMessage::Kind::kLateUpdate:
      // Before the decision the update wins; after a commit the post-cut op is translated.
      if (open_ && open_->attempt.txid == m.txid) {
        return decide(open_->attempt, Outcome::kAbort, AbortReason::kLateUpdate, {m.from, m.cause});
      }
      return {};
    case CommitMessage::Kind::kDecision: {
      // A decision of an older epoch is never acted on (fencing, invariant 8), unless this site is
      // still prepared for exactly that attempt.
      if (open_ && open_->attempt.txid == m.txid) {
        // A member refused a late PREPARE after promising termination an abort: only an abort can
        // come to the coordinator, which passes it on.
        TD_ASSERT(m.outcome == Outcome::kAbort, "only the coordinator decides a commit");
        return decide(open_->attempt, Outcome::kAbort, AbortReason::kTermination, {m.from});
      }
      const bool ours = log_->prepared && log_->prepared->txid == m.txid;
      if (!ours && m.epoch != ctx.epoch) return {};
      return learn(record_of(m), m.outcome,
                   m.outcome == Outcome::kAbort ? AbortReason::kVotedNo : AbortReason::kNone);
    }
    case CommitMessage::Kind::kDecisionRequest: return on_decision_request(m, ctx);
    case CommitMessage::Kind::kDontKnow: return on_dont_know(m);
  }
  return {};
}

Vote FlattenCommit::vote_on(const CommitMessage& m, const CommitContext& ctx) const {
  if (m.epoch != ctx.epoch) return Vote::kNoWrongEpoch;
  if (m.view != ctx.view) return Vote::kNoWrongView;
  if (log_->prepared && log_->prepared->txid != m.txid) return Vote::kNoPreparedOther;
  if (m.view_only) return Vote::kYes;  // a view change alone asks nothing of S: edits commute
  if (ctx.applied == nullptr || m.cut == nullptr || !(*ctx.applied == *m.cut)) {
    return Vote::kNoCutMismatch;  // an update the coordinator had not seen: it wins
  }
  if (ctx.hash != m.hash) return Vote::kNoHashMismatch;
  return Vote::kYes;
}

CommitEffects FlattenCommit::on_prepare(TimeUs now, const CommitMessage& m,
                                        const CommitContext& ctx) {
  CommitEffects fx;
  auto decided = log_->decisions.find(m.txid);
  if (decided != log_->decisions.end()) {  // a late or duplicate PREPARE: say how it ended
    fx.sends.push_back({m.from, decision_message(decided->second)});
    return fx;
  }
  CommitMessage v = message(CommitMessage::Kind::kVote,
                            {m.txid, m.epoch, m.view, nullptr, 0, 0, nullptr, m.view_only});
  v.vote = vote_on(m, ctx);
  if (v.vote == Vote::kNoCutMismatch) v.cause = first_difference(ctx.applied, m.cut.get());
  if (v.vote == Vote::kNoPreparedOther) v.blocking = log_->prepared->txid;
  if (v.vote == Vote::kYes) {
    if (!log_->prepared) {
      log_->prepared = record_of(m);  // durable first
      late_update_sent_ = false;
    }
    // Without a decision in time, ask around (cooperative termination).
    fx.timer_at_us = now + kTerminationWaitVoteTimeouts * vote_timeout_us_;
  }
  fx.sends.push_back({m.from, v});
  return fx;
}

CommitEffects FlattenCommit::on_vote(const CommitMessage& m) {
  // Votes for another attempt, or of a stale epoch or view, are never acted on.
  if (!open_ || open_->attempt.txid != m.txid || m.epoch != open_->attempt.epoch ||
      m.view != open_->attempt.view) {
    return {};
  }
  if (m.vote != Vote::kYes) {
    return decide(open_->attempt, Outcome::kAbort, AbortReason::kVotedNo,
                  {m.from, m.cause, m.blocking});
  }
  std::erase(open_->waiting, m.from);
  if (!open_->waiting.empty()) return {};
  return decide(open_->attempt, Outcome::kCommit);
}

CommitEffects FlattenCommit::on_decision_request(const CommitMessage& m, const CommitContext& ctx) {
  CommitEffects fx;
  auto decided = log_->decisions.find(m.txid);
  if (decided != log_->decisions.end()) {
    fx.sends.push_back({m.from, decision_message(decided->second)});
    return fx;
  }
  const CommitLog::Record attempt{m.txid, m.epoch, m.view, nullptr, 0, 0, nullptr, m.view_only};
  // A site that left the attempt's epoch or view by catch-up (or STALE) has no decision logged
  // and no PREPARED any more: it may have voted yes, and the attempt may be the very commit that
  // closed the epoch. It must not promise "never yes": it answers nothing here, and the site
  // tells the asker it is behind (STALE), so it learns the end as it catches up.
  if (left_attempt_of(m, ctx)) return fx;
  if (log_->prepared && log_->prepared->txid == m.txid) {
    CommitMessage r = message(CommitMessage::Kind::kDontKnow, attempt);
    r.vote = Vote::kYes;  // prepared too: no help
    fx.sends.push_back({m.from, r});
    return fx;
  }
  if (m.txid.coordinator == self_ && open_ && open_->attempt.txid == m.txid) {
    return fx;  // still collecting votes: the decision will come
  }
  // Never voted yes (or the coordinator forgot the attempt in a crash): this site will never vote
  // yes for it now, so the attempt cannot commit. Logging the abort makes that promise durable.
  CommitEffects ended = learn(attempt, Outcome::kAbort, AbortReason::kTermination);
  CommitMessage r = message(CommitMessage::Kind::kDontKnow, attempt);
  r.vote = Vote::kNoPreparedOther;
  ended.sends.push_back({m.from, r});
  return ended;
}

CommitEffects FlattenCommit::on_dont_know(const CommitMessage& m) {
  if (m.vote == Vote::kYes || !log_->prepared || log_->prepared->txid != m.txid) return {};
  // Someone never voted yes: the coordinator cannot have committed. Abort and tell everyone.
  const CommitLog::Record attempt = *log_->prepared;
  CommitEffects fx = learn(attempt, Outcome::kAbort, AbortReason::kTermination);
  fx.sends.push_back({std::nullopt, decision_message(log_->decisions.at(attempt.txid))});
  return fx;
}

CommitEffects FlattenCommit::on_timer(TimeUs now, const CommitContext&) {
  CommitEffects fx;
  if (open_) {
    if (now >= open_->deadline_us) {
      // A missing vote aborts: never "the member is dead" (docs/protocol.md §6.7). The sabotage
      // commits.
      if (commit_on_timeout_) return decide(open_->attempt, Outcome::kCommit);
      TD_ASSERT(!open_->waiting.empty(), "an attempt with every yes has decided");
      return decide(open_->attempt, Outcome::kAbort, AbortReason::kTimeout,
                    {open_->waiting.front()});
    }
    fx.timer_at_us = open_->deadline_us;
    return fx;
  }
  if (prepared()) ask_for_decision(now, &fx);
  return fx;
}

CommitEffects FlattenCommit::recover(TimeUs now) {
  CommitEffects fx;
  // A decision this coordinator logged may not have gone out before the crash: send it again (a
  // participant still prepared for it acts on it; everyone else ignores an old epoch's decision).
  const auto last = log_->decisions.find(TxId{self_, log_->attempts});
  if (last != log_->decisions.end())
    fx.sends.push_back({std::nullopt, decision_message(last->second)});
  if (prepared()) ask_for_decision(now, &fx);
  return fx;
}

void FlattenCommit::ask_for_decision(TimeUs now, CommitEffects* fx) const {
  fx->sends.push_back(
      {std::nullopt, message(CommitMessage::Kind::kDecisionRequest, *log_->prepared)});
  fx->timer_at_us = now + kTerminationWaitVoteTimeouts * vote_timeout_us_;
}

CommitEffects FlattenCommit::on_dispatch_failed(SiteId to) {
  if (!open_ || std::find(open_->waiting.begin(), open_->waiting.end(), to) == open_->waiting.end())
    return {};
  return decide(open_->attempt, Outcome::kAbort, AbortReason::kDispatchFailed, {to});
}

CommitEffects::Ended FlattenCommit::ended(const CommitLog::Record& attempt, Outcome o,
                                          AbortReason reason, Blame blame) {
  return CommitEffects::Ended{attempt.txid,
                              attempt.epoch,
                              o,
                              reason,
                              attempt.cut,
                              attempt.hash,
                              attempt.next_view,
                              attempt.next_members,
                              attempt.view_only,
                              attempt.view,
                              blame};
}

void FlattenCommit::on_new_epoch(uint64_t epoch) {
  if (open_ && open_->attempt.epoch < epoch) open_.reset();
  // (Broken on purpose under keep_prepared_one_epoch: the record outlives the next epoch.)
  const uint64_t kept_epochs = keep_prepared_one_epoch_ ? 1 : 0;
  if (log_->prepared && log_->prepared->epoch + kept_epochs < epoch) log_->prepared.reset();
}

}  // namespace treedoc::site
