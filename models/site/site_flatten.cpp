// Site, the flatten side (docs/protocol.md §3): the coordinator's policy and backoff, the
// update-wins commit wired to the site's applied set, and what a decision does to the site.
#include <algorithm>

#include "models/site/site.hpp"
#include "models/treedoc/assertion.hpp"
#include "models/treedoc/flatten.hpp"

namespace treedoc::site {

namespace {
// Doublings of the retry backoff before retry_backoff_us_max caps it anyway: keeps the shift
// defined however many aborts come in a row.
constexpr uint64_t kBackoffDoublingsMax = 20;
}  // namespace

void Site::start_commit(TimeUs now, Effects* fx) {
  commit_.emplace(config_.id, &store_->commit_log, config_.flatten.vote_timeout_us,
                  config_.sabotage == Sabotage::kCommitOnMissingVote,
                  config_.sabotage == Sabotage::kPreparedSurvivesEpoch);
  CommitEffects recovered = commit_->recover(now);
  for (const CommitSend& send : recovered.sends) {
    // The probe marks the resend itself, so a restart that logs a decision but never sends it
    // again leaves it unfired (docs/protocol.md §3 step 5).
    if (send.message.kind == CommitMessage::Kind::kDecision && coordinator()) {
      fx->observed.probes.add(Probe::kDecisionResent);
    }
  }
  apply_commit_effects(now, std::move(recovered), fx);
  if (coordinator() && config_.flatten.kind != FlattenPolicy::Kind::kNever) {
    fx->commands.timers.push_back(
        {TimerKind::kFlattenPolicy, now + config_.flatten.check_period_us});
  }
}

bool Site::policy_due(TimeUs now) const {
  const FlattenPolicy& p = config_.flatten;
  // Nothing new since the epoch began: flattening would only renumber the epoch, and every new
  // epoch sends each nebula site catching up (swarm seed 721: a delete whose target was still
  // offline was carried into every epoch, and an epoch every period kept 12 sites chasing).
  if (claimed().size() <= inherited_ops_) return false;
  switch (p.kind) {
    case FlattenPolicy::Kind::kNever: return false;
    case FlattenPolicy::Kind::kEveryOps: return claimed().size() >= p.ops;
    case FlattenPolicy::Kind::kEveryPeriod:
      return claimed().size() > 0 && now - epoch_started_us_ >= p.period_us;
    case FlattenPolicy::Kind::kTombstoneRatio:
      return claimed().size() > 0 && replica_.stats().tombstone_ratio() >= p.tombstone_ratio;
  }
  return false;
}

void Site::on_flatten_policy(TimeUs now, Effects* fx) {
  TD_ASSERT(commit_.has_value(), "only core sites run the policy");
  if (!coordinator()) return;
  if (config_.flatten.kind != FlattenPolicy::Kind::kNever || view_change_pending()) {
    fx->commands.timers.push_back(
        {TimerKind::kFlattenPolicy, now + config_.flatten.check_period_us});
  }
  if (catch_up_.active() || in_commit() || now < retry_at_us_) return;
  if (view_change_pending()) {
    // A view change goes alone: edits commute with it, so it never waits for a flatten to win
    // against steady edits (docs/protocol.md §6.7).
    CommitContext ctx = commit_context(nullptr, 0);
    ctx.view_only = true;
    ctx.next_members = next_members();
    ctx.next_view = view_ + 1;
    apply_commit_effects(now, commit_->propose(now, ctx), fx);
    return;
  }
  if (!policy_due(now)) return;
  // C = S and H = hash(flatten(S)), computed here once (docs/protocol.md §3 step 1); the next
  // epoch keeps the view.
  CommitContext ctx = commit_context(nullptr, 0);
  ctx.hash = flatten_hash(replica_.flatten_atoms());
  ctx.next_members = members_;
  ctx.next_view = view_;
  apply_commit_effects(now, commit_->propose(now, ctx), fx);
}

void Site::maybe_propose(TimeUs now, Effects* fx) {
  if (!coordinator()) return;
  // The policy timer proposes; setting it replaces the periodic one, which it re-arms.
  fx->commands.timers.push_back({TimerKind::kFlattenPolicy, std::max(now, retry_at_us_)});
}

CommitContext Site::commit_context(const DotSet* proposed_cut, uint64_t proposed_hash) const {
  CommitContext ctx;
  ctx.epoch = replica_.epoch();
  ctx.view = view_;
  ctx.members = *members_;
  ctx.applied = &claimed();
  if (proposed_cut == nullptr) return ctx;
  if (config_.sabotage == Sabotage::kVoteYesDespiteUpdate) {
    ctx.applied = proposed_cut;  // broken on purpose: "my set is your cut", whatever it holds
    ctx.hash = proposed_hash;
  } else if (claimed() == *proposed_cut) {
    ctx.hash = flatten_hash(replica_.flatten_atoms());  // only worth computing when S = C
  }
  return ctx;
}

void Site::on_commit_message(TimeUs now, const Message& message, Effects* fx) {
  if (message.epoch > replica_.epoch()) {
    // A commit of a later epoch: this site is behind. Its vote (wrong epoch) goes out below.
    catch_up_.learn(message.epoch);
    start_catch_up(now, fx);
  }
  const CommitMessage& m = message.commit;
  // Nebula sites never vote; a view change alone also tells who joins or leaves by its decision.
  const bool view_decision = m.kind == CommitMessage::Kind::kDecision && m.view_only;
  if (!commit_ || (!is_member() && !view_decision)) return;
  const bool prepare = m.kind == CommitMessage::Kind::kPrepare;
  const CommitContext ctx = commit_context(prepare ? m.cut.get() : nullptr, m.hash);
  // Cooperative termination (docs/protocol.md §3 step 6): the answer of a peer, not the
  // coordinator's decision, ends the attempt this site is prepared for.
  const auto prepared_for = [&] {
    const auto& prepared = store_->commit_log.prepared;
    return prepared && prepared->txid == m.txid;
  };
  const bool from_peer =
      (m.kind == CommitMessage::Kind::kDecision && m.from != m.txid.coordinator) ||
      m.kind == CommitMessage::Kind::kDontKnow;
  const bool waiting = from_peer && prepared_for();
  CommitEffects done = commit_->on_message(now, m, ctx);
  if (m.kind == CommitMessage::Kind::kDecisionRequest && FlattenCommit::left_attempt_of(m, ctx) &&
      done.sends.empty()) {
    // Asked how an attempt of an epoch or view it has left ended (docs/protocol.md §3 step 6).
    send_stale(now, m.from, /*with_view=*/m.epoch == replica_.epoch(), fx);
  }
  if (m.kind == CommitMessage::Kind::kLateUpdate && done.ended) {
    fx->observed.probes.add(Probe::kParticipantLateUpdate);  // update wins, from a participant
  }
  apply_commit_effects(now, std::move(done), fx);
  if (waiting && !prepared_for()) fx->observed.probes.add(Probe::kTerminationDecided);
}

void Site::on_update(TimeUs now, OpId cause, Effects* fx) {
  if (!commit_) return;
  if (commit_->prepared()) fx->observed.probes.add(Probe::kUpdateAfterYes);
  apply_commit_effects(now, commit_->on_update(now, cause), fx);
}

void Site::send_to_core(const std::optional<SiteId>& to, const CommitMessage& m,
                        Effects* fx) const {
  auto message = new_message(MessageKind::kCommit);
  message->commit = m;
  // A commit message carries the attempt's own epoch and view: the fencing token it is judged by.
  message->epoch = m.epoch;
  message->view = m.view;
  SharedMessage shared = std::move(message);
  if (to) {
    fx->commands.sends.push_back({{Destination::Kind::kSite, *to, 0}, shared});
    return;
  }
  for (SiteId member : *members_) {
    if (member != config_.id)
      fx->commands.sends.push_back({{Destination::Kind::kSite, member, 0}, shared});
  }
}

void Site::apply_commit_effects(TimeUs now, CommitEffects cfx, Effects* fx) {
  bool prepare_logged = false;  // a PREPARE goes to each voter: one event per attempt
  for (const CommitSend& s : cfx.sends) {
    const CommitMessage& m = s.message;
    if (m.kind == CommitMessage::Kind::kPrepare && !prepare_logged) {
      prepare_logged = true;
      fx->observed.commit_events.push_back({CommitEvent::Phase::kPrepareSent, m.epoch, m.txid,
                                            Vote::kYes, AbortReason::kNone, m.cut, m.hash,
                                            m.next_members, m.view, m.next_view, m.view_only});
    } else if (m.kind == CommitMessage::Kind::kVote) {
      const bool yes = m.vote == Vote::kYes;
      fx->observed.commit_events.push_back(
          {yes ? CommitEvent::Phase::kVotedYes : CommitEvent::Phase::kVotedNo, m.epoch, m.txid,
           m.vote, AbortReason::kNone,
           yes && commit_->prepared() ? store_->commit_log.prepared->cut : nullptr, 0, nullptr,
           m.view, 0, m.view_only, Blame{config_.id, m.cause, m.blocking}});
    }
    send_to_core(s.to, m, fx);
  }
  if (cfx.timer_at_us) fx->commands.timers.push_back({TimerKind::kCommit, *cfx.timer_at_us});
  if (cfx.ended) attempt_ended(now, *cfx.ended, fx);
}

void Site::attempt_ended(TimeUs now, const CommitEffects::Ended& e, Effects* fx) {
  const bool committed = e.outcome == Outcome::kCommit;
  fx->observed.commit_events.push_back(
      {committed ? CommitEvent::Phase::kCommitted : CommitEvent::Phase::kAborted, e.epoch, e.txid,
       Vote::kYes, e.reason, e.cut, e.hash, e.next_members, e.view, e.next_view, e.view_only,
       e.blame});
  if (!committed) {
    if (e.reason == AbortReason::kLateUpdate) fx->observed.probes.add(Probe::kLateUpdateAbort);
    const bool expelling = e.reason == AbortReason::kDispatchFailed && view_change_pending();
    if (e.txid.coordinator == config_.id && !expelling) {
      // Backoff: an editing burst aborts attempts in a row; do not hammer the core meanwhile.
      ++aborts_in_row_;
      const uint64_t shift = std::min<uint64_t>(aborts_in_row_ - 1, kBackoffDoublingsMax);
      retry_at_us_ = now + std::min(config_.flatten.retry_backoff_us_max,
                                    config_.flatten.retry_backoff_us_min << shift);
    }
    return;
  }
  if (e.epoch != replica_.epoch()) return;  // this site has moved past that epoch already
  TD_ASSERT(e.next_members != nullptr, "a commit carries its view");
  if (e.view_only) {
    adopt_view(now, e, fx);
    return;
  }
  TD_ASSERT(e.cut != nullptr, "a flatten's commit carries its cut");
  const EpochEnding ending{e.epoch, e.txid, e.cut, e.hash, e.next_view, e.next_members};
  if (claimed().includes(*e.cut)) {
    enter_next_epoch(now, ending, /*catch_up=*/false, fx);
  } else {
    // A commit this site cannot build from what it holds (it lost ops in a crash, or a broken
    // vote promised what it did not have): the cut's missing ops come by catch-up.
    catch_up_.learn(e.epoch + 1);
    start_catch_up(now, fx);
  }
}

void Site::note_view_change(const Members& next, uint64_t epoch, uint64_t next_view,
                            Effects* fx) const {
  // The coordinator's record of who left and who came (docs/protocol.md §6.7): the story of an
  // expulsion.
  for (SiteId m : *members_) {
    if (is_member_of(next, m)) continue;
    fx->observed.probes.add(Probe::kMemberExpelled);
    fx->observed.membership.push_back(
        {MembershipEvent::Kind::kExpelled, m, epoch, next_view, MembershipEvent::Cause::kNone});
  }
  for (SiteId m : *next) {
    if (is_member_of(members_, m)) continue;
    fx->observed.membership.push_back(
        {MembershipEvent::Kind::kAdmitted, m, epoch, next_view, MembershipEvent::Cause::kNone});
  }
}

void Site::adopt_view(TimeUs now, const CommitEffects::Ended& e, Effects* fx) {
  if (e.next_view <= view_) return;  // learned by STALE already
  if (e.txid.coordinator == config_.id) note_view_change(e.next_members, e.epoch, e.next_view, fx);
  take_view(now, e.next_view, e.next_members, fx);
}

}  // namespace treedoc::site
