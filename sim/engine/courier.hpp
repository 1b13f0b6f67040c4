// The courier: the network's one actor. It holds every message on its way and hands each to its
// destination's SiteHost when due; what the site does next is its own actor's, woken only if that
// is sooner than it planned.
#pragma once

#include <vector>

#include "sim/engine/engine_context.hpp"
#include "sim/world/envelope.hpp"

namespace treedoc::sim {

class Courier {
 public:
  explicit Courier(EngineContext& ctx) : ctx_(ctx) {}

  void start_actor(sg4::Host* host);
  // A message a site sent (never due in its own instant).
  void push(Envelope e);
  // Delivers every message due by `now`, in (due, sender, number, destination) order. Whichever
  // actor runs first in an instant calls it, so the run does not depend on SimGrid's order of
  // same-instant wakes.
  void deliver_due(TimeUs now);
  // While it delivers ahead of SimGrid's clock, the sites it must wake wait here.
  bool ahead() const { return ahead_; }
  void hold_wake(SiteIndex site) { held_wakes_.push_back(site); }

 private:
  void main();
  // Delivers, each at its own time, the messages due before any other actor's next wake, without
  // waiting for SimGrid's clock: no actor can act in between, so the run is the one waiting would
  // give, with one SimGrid wake for many deliveries. Stops after a delivery that must wake an
  // actor or found a violation, and then waits for the clock before notifying.
  void run_ahead(std::unique_lock<sg4::Mutex>& lock);
  // The earliest time another actor may act: a site's planned wake, or the controller's.
  TimeUs others_wake_us();

  EngineContext& ctx_;
  EnvelopeQueue in_flight_;  // every message on its way, across all sites
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr cv_;
  TimeUs wake_at_us_ = kNever;
  bool ahead_ = false;
  std::vector<SiteIndex> held_wakes_;
};

}  // namespace treedoc::sim
