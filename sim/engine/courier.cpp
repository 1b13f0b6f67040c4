// The courier's loop. A delivery costs at most one wake of one actor, and none while the courier
// runs ahead, instead of a notify, a wake and a new wait of the destination's (measured in
// docs/BENCHMARKS.md).
//
// The deliveries of an instant come before anything else of it: whichever actor runs first in an
// instant (the courier, a site, the controller acting) delivers every message due by then, so the
// run does not depend on the order in which SimGrid wakes actors of one instant.
#include "sim/engine/courier.hpp"

#include <algorithm>

#include "sim/engine/controller.hpp"
#include "sim/engine/site_host.hpp"

namespace treedoc::sim {

void Courier::start_actor(sg4::Host* host) {
  mutex_ = sg4::Mutex::create();
  cv_ = sg4::ConditionVariable::create();
  sg4::Actor::create("courier", host, [this] { main(); })->daemonize();
}

void Courier::push(Envelope e) {
  const TimeUs due = e.due_us;
  in_flight_.push(std::move(e));
  if (due < wake_at_us_) {
    wake_at_us_ = due;
    cv_->notify_one();
  }
}

void Courier::main() {
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  try {
    while (!ctx_.done) {
      deliver_due(now_us());
      run_ahead(lock);
      ctx_.controller->notify_if_violated();
      wake_at_us_ = in_flight_.empty() ? kNever : in_flight_.top().due_us;
      if (ctx_.done) break;
      // Always with a deadline: a kill inside an untimed wait() aborts the process in 3.32.
      cv_->wait_until(lock, to_seconds(wake_at_us_));
    }
    lock.release();  // the run is over and daemons are being killed: unlocking would throw
  } catch (const simgrid::ForcefulKillException&) {
    lock.release();
    throw;
  }
}

TimeUs Courier::others_wake_us() {
  return std::min(ctx_.wakes.earliest(), ctx_.controller_wake_us);
}

void Courier::run_ahead(std::unique_lock<sg4::Mutex>& lock) {
  while (!ctx_.done && !ctx_.checker.violation() && !in_flight_.empty()) {
    const TimeUs t = in_flight_.top().due_us;
    if (t >= others_wake_us()) return;
    ahead_ = true;
    wake_at_us_ = t;  // what these deliveries send is due later: no need to notify
    deliver_due(t);
    ahead_ = false;
    if (held_wakes_.empty() && !ctx_.checker.violation()) continue;
    // SimGrid's clock catches up with the deliveries (nothing else runs meanwhile), then the
    // actors they concern are woken in the instant they would have been.
    while (now_us() < t) cv_->wait_until(lock, to_seconds(t));
    for (SiteIndex i : held_wakes_) ctx_.site(i).wake_now();
    held_wakes_.clear();
    return;
  }
}

void Courier::deliver_due(TimeUs now) {
  while (!in_flight_.empty() && in_flight_.top().due_us <= now && !ctx_.done) {
    Envelope e = in_flight_.take();
    ctx_.site(e.to).arrive(std::move(e), now);
  }
}

}  // namespace treedoc::sim
