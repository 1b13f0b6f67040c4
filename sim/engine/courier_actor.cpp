// The courier: the network's one actor. It holds every message on its way and hands each to its
// destination's state machine when due. What the site does next (its timers, a trace transaction
// the delivery made ready) is its own actor's, woken only if that is sooner than it planned. A
// delivery costs at most one wake of one actor, and none while the courier runs ahead, instead of
// a notify, a wake and a new wait of the destination's (measured in docs/BENCHMARKS.md).
//
// The deliveries of an instant come before anything else of it: whichever actor runs first in an
// instant (the courier, a site, the controller acting) delivers every message due by then, so the
// run does not depend on the order in which SimGrid wakes actors of one instant.
#include "sim/engine/simulation_engine.hpp"

namespace treedoc::sim {

void Simulation::courier_main() {
  std::unique_lock<sg4::Mutex> lock(*courier_mutex_);
  try {
    while (!done_) {
      deliver_due(now_us());
      run_ahead(lock);
      tell_controller_if_violated();
      courier_wake_at_us_ = in_flight_.empty() ? kNever : in_flight_.top().due_us;
      if (done_) break;
      // Always with a deadline: a kill inside an untimed wait() aborts the process in 3.32.
      courier_cv_->wait_until(lock, to_seconds(courier_wake_at_us_));
    }
    lock.release();  // the run is over and daemons are being killed: unlocking would throw
  } catch (const simgrid::ForcefulKillException&) {
    lock.release();
    throw;
  }
}

void Simulation::run_ahead(std::unique_lock<sg4::Mutex>& lock) {
  while (!done_ && !checker_.violation() && !in_flight_.empty()) {
    const TimeUs t = in_flight_.top().due_us;
    if (t >= others_wake_us()) return;
    ahead_ = true;
    courier_wake_at_us_ = t;  // what these deliveries send is due later: no need to notify
    deliver_due(t);
    ahead_ = false;
    if (held_wakes_.empty() && !checker_.violation()) continue;
    // SimGrid's clock catches up with the deliveries (nothing else runs meanwhile), then the
    // actors they concern are woken in the instant they would have been.
    while (now_us() < t) courier_cv_->wait_until(lock, to_seconds(t));
    for (SiteIndex i : held_wakes_) slots_[i].cv->notify_one();
    held_wakes_.clear();
    return;
  }
}

void Simulation::tell_controller_if_violated() {
  // Only between deliveries and steps, never inside one: the notify yields, and an actor run in
  // the middle of a delivery could act on a half-handled instant.
  if (checker_.violation()) controller_cv_->notify_one();
}

void Simulation::deliver_due(TimeUs now) {
  while (!in_flight_.empty() && in_flight_.top().due_us <= now && !done_) {
    arrive(in_flight_.take(), now);
  }
}

void Simulation::arrive(const Envelope& e, TimeUs now) {
  SiteSlot& slot = slots_[e.to];
  if (slot.halted || slot.life != e.life) {
    // Its destination stopped after it was sent: it would have been lost from the inbox.
    log_.record(now, EventKind::kDrop, e.from, e.to, e.seq,
                static_cast<uint64_t>(DropReason::kSiteDown));
    ++slots_[e.from].counters.msgs_dropped;
    if (!slot.halted) probes_.add(site::Probe::kLostWithCrash);
    return;
  }
  // The site's own actor delivers when the site cannot take it now: crashed at this instant,
  // not booted yet, paused, or with older messages held for it (order among them kept).
  const bool held = !slot.site || !slot.inbox.empty() || faults_.down(e.to, now) ||
                    faults_.paused_until(e.to, now) > now;
  if (held) {
    slot.inbox.push(e);
    wake_if_sooner(slot, now);
    return;
  }
  const uint64_t plan_changes = slot.plan_changes;
  deliver(e, now);
  // Only a timer, a failed dispatch, a halt or a trace transaction it made ready can bring the
  // site's wake forward; checking costs cold reads of its timers at every delivery.
  if (trace_ || slot.plan_changes != plan_changes) wake_if_sooner(slot, now);
}

void Simulation::wake_if_sooner(SiteSlot& slot, TimeUs now) {
  if (!slot.cv) return;  // its actor has not run yet: it computes its first wake itself
  if (!slot.halted && faults_.down(slot.index, now)) return;  // the controller turns it off
  // A paused site's actor learns of the pause only by waking inside it (site_main), and then
  // plans to wake when it ends, to deliver what was held: so it wakes now.
  TimeUs wake = now;
  if (!slot.halted && faults_.paused_until(slot.index, now) <= now) wake = next_wake(slot, now);
  if (wake < wakes_.planned(slot.index)) {
    // Notified, it runs now and plans its next wake itself. A plan is never below the actor's
    // real deadline: a later delivery notifies only if it needs a wake before the plan.
    wakes_.plan(slot.index, now);
    if (ahead_) {
      held_wakes_.push_back(slot.index);
    } else {
      slot.cv->notify_one();
    }
  }
}

}  // namespace treedoc::sim
