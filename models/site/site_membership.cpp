// Site, the membership side (docs/protocol.md §6.7 and §7.10): the failure detector (members
// heartbeat the coordinator), suspicion by the detector or, under `expire`, by a failed RPC,
// expulsion and joins carried by the next flatten, and what an expelled member does: halt (HBase)
// or demote and rejoin.
#include <algorithm>

#include "models/site/site.hpp"
#include "models/treedoc/assertion.hpp"

namespace treedoc::site {

bool Site::seeks_core() const {
  if (is_member()) return false;
  const MembershipPolicy& p = config_.membership;
  return p.join_core ||
         (config_.role == Role::kCore && p.on_expelled == MembershipPolicy::OnExpelled::kDemote);
}

void Site::note(MembershipEvent::Kind kind, Effects* fx) const {
  fx->observed.membership.push_back(
      {kind, config_.id, replica_.epoch(), view_, MembershipEvent::Cause::kNone});
}

Members Site::next_members() const {
  auto next = std::make_shared<std::vector<SiteId>>();
  for (SiteId m : *members_) {
    if (detector_.suspected().count(m) == 0) next->push_back(m);
  }
  for (SiteId j : joining_) {  // in id order, after the members: the coordinator stays first
    if (!is_member_of(members_, j)) next->push_back(j);
  }
  return next;
}

void Site::suspect(SiteId member, MembershipEvent::Cause cause, Effects* fx) {
  if (!is_member_of(members_, member) || !detector_.suspect(member)) return;
  fx->observed.membership.push_back(
      {MembershipEvent::Kind::kSuspected, member, replica_.epoch(), view_, cause});
}

void Site::arm_heartbeat(TimeUs now, Effects* fx) const {
  const TimeUs period = config_.membership.heartbeat_period_us;
  if (period > 0) fx->commands.timers.push_back({TimerKind::kHeartbeat, now + period});
}

void Site::on_heartbeat_timer(TimeUs now, Effects* fx) {
  if (!is_member()) return;  // expelled or demoted: the timer lapses
  arm_heartbeat(now, fx);
  if (!coordinator()) {
    fx->commands.sends.push_back(
        {{Destination::Kind::kSite, members_->front(), 0}, new_message(MessageKind::kHeartbeat)});
    return;
  }
  // The detector: a member silent for suspect_after_us is suspected, whatever its RPCs do.
  const std::vector<SiteId> silent = detector_.look(*members_, now);
  for (SiteId m : silent) {
    fx->observed.membership.push_back({MembershipEvent::Kind::kSuspected, m, replica_.epoch(),
                                       view_, MembershipEvent::Cause::kHeartbeatTimeout});
  }
  if (!silent.empty()) maybe_propose(now, fx);
}

void Site::on_heartbeat(TimeUs now, const Message& message, Effects* fx) {
  // Proof of life whatever its epoch: a member an epoch behind (its decision lost, it waits
  // prepared for two vote timeouts) is alive, and suspecting it would expel a live site
  // (docs/protocol.md §6.7, "Failure detector").
  if (coordinator()) detector_.heard(message.from, now);
  // An older epoch's heartbeat gets STALE (YouAreDead for an expelled member): admit answers it.
  if (!admit(now, message, fx) || !coordinator()) return;
  // A member (or one expelled) that missed a view change alone learns it here.
  if (message.view < view_) send_stale(now, message.from, /*with_view=*/true, fx);
}

Effects Site::on_dispatch_failed(TimeUs now, SiteId to, const Message& message) {
  Effects fx;
  integrate();
  if (halted_ || !commit_ || message.kind != MessageKind::kCommit || !coordinator() ||
      message.epoch != replica_.epoch()) {
    return fx;
  }
  fx.observed.probes.add(Probe::kDispatchFailed);
  const bool expire =
      config_.membership.on_dispatch_failure == MembershipPolicy::OnDispatchFailure::kExpire;
  // HBase 2.1 took any unclassified failure as proof the server was dead (docs/protocol.md §6.7);
  // the Treedoc rule aborts this attempt and retries later, and leaves expulsion to the detector.
  if (expire) suspect(to, MembershipEvent::Cause::kDispatchFailed, &fx);
  apply_commit_effects(now, commit_->on_dispatch_failed(to), &fx);
  if (view_change_pending()) maybe_propose(now, &fx);
  return fx;
}

bool Site::learn_expelled(Effects* fx) {
  if (!is_member()) return false;  // not a member, or already demoted: nothing new
  fx->observed.probes.add(Probe::kYouAreDead);
  note(MembershipEvent::Kind::kFenced, fx);
  if (config_.membership.on_expelled == MembershipPolicy::OnExpelled::kAbort) {
    halted_ = true;
    fx->commands.halt = true;
    fx->observed.probes.add(Probe::kHaltedOnExpelled);
    note(MembershipEvent::Kind::kHalted, fx);
    return true;
  }
  // Demote: stop voting, keep every op; catch-up translates and resends them (docs/protocol.md
  // §6.7).
  demoted_ = true;
  fx->observed.probes.add(Probe::kDemoted);
  note(MembershipEvent::Kind::kDemoted, fx);
  return false;
}

void Site::ask_to_join(TimeUs now, Effects* fx) {
  if (members_->empty()) return;
  if (!join_asked_) {
    join_asked_ = true;
    note(MembershipEvent::Kind::kJoinRequested, fx);
  }
  fx->commands.sends.push_back(
      {{Destination::Kind::kSite, members_->front(), 0}, new_message(MessageKind::kJoin)});
  fx->commands.timers.push_back({TimerKind::kJoin, now + config_.membership.join_retry_us});
}

void Site::on_join(TimeUs now, const Message& message, Effects* fx) {
  // A join from another epoch: the asker catches up first (STALE), or this site does.
  if (!admit(now, message, fx) || !coordinator()) return;
  if (is_member_of(members_, message.from)) {
    // Admitted, but the decision was lost: it is alive, and learns its view now.
    detector_.heard(message.from, now);
    send_stale(now, message.from, /*with_view=*/true, fx);
    return;
  }
  if (joining_.insert(message.from).second) maybe_propose(now, fx);
}

}  // namespace treedoc::site
