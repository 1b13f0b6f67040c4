// SiteHost: a site's event loop on SimGrid, the steps of its state machine, and how each step's
// effects become observations and commands.
#include "sim/engine/site_host.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "models/treedoc/assertion.hpp"
#include "sim/engine/controller.hpp"
#include "sim/engine/courier.hpp"

namespace treedoc::sim {

SiteHost& EngineContext::site(SiteIndex i) { return sites[i]; }

SiteHost::SiteHost(EngineContext& ctx, SiteIndex index, site::SiteConfig config, sg4::Host* host)
    : ctx_(ctx), index_(index), config_(std::move(config)), host_(host) {}

void SiteHost::start_actor() {
  // Daemonize before auto-restart: the restarted actor keeps the state of that moment.
  sg4::Actor::create(host_->get_name(), host_, [this] { main(); })
      ->daemonize()
      ->set_auto_restart(true);
}

void SiteHost::main() {
  // Fresh synchronisation objects per life: a killed actor may leave its mutex owned.
  mutex_ = sg4::Mutex::create();
  cv_ = sg4::ConditionVariable::create();
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  try {
    boot(now_us());
    while (!ctx_.done) {
      const TimeUs now = now_us();
      steps_at_instant_ = now == instant_us_ ? steps_at_instant_ + 1 : 0;
      instant_us_ = now;
      if (steps_at_instant_ >= kStepsPerInstantMax) report_livelock(now);
      ctx_.courier->deliver_due(now);  // the instant's deliveries first, whoever runs first
      const TimeUs wake = step_if_running(now);
      ctx_.controller->notify_if_violated();
      if (halted_) {
        // Stopped for good by its own policy: the volatile state goes, and the actor with it.
        site_.reset();
        ctx_.wakes.plan(index_, kNever);
        break;
      }
      ctx_.wakes.plan(index_, wake);
      if (ctx_.done) break;
      // Always with a deadline: a kill inside an untimed wait() aborts the process in 3.32.
      cv_->wait_until(lock, to_seconds(wake));
    }
    // The run is over and daemons are being killed: unlocking would be a simcall that throws.
    lock.release();
  } catch (const simgrid::ForcefulKillException&) {
    // Killed (a crash, or the end of the run): unlocking now would be a simcall of a dead actor.
    lock.release();
    throw;
  }
}

void SiteHost::report_livelock(TimeUs now) const {
  // A hang in simulated time becomes a failure that names the site and the instant.
  std::fprintf(stderr,
               "treedoc-sim: %s stepped %" PRIu64 " times at t=%" PRIu64
               " us and still asks to wake by then: a livelock, the clock cannot move\n",
               site_name(ctx_.scenario.topology, index_).c_str(), steps_at_instant_, now);
  TD_ASSERT(false, "kStepsPerInstantMax steps of one site at one instant");
}

TimeUs SiteHost::step_if_running(TimeUs now) {
  if (ctx_.faults.down(index_, now)) return kNever;  // crashed now: the controller turns it off
  const TimeUs paused_until = ctx_.faults.paused_until(index_, now);
  if (paused_until > now) {
    paused_until_us_ = paused_until;
    return paused_until;  // messages wait in the inbox; the users are frozen too
  }
  if (paused_until_us_ != 0) {
    ctx_.workload.on_resume(index_, now);  // edits that fell due during the pause did not happen
    paused_until_us_ = 0;
    resumed_at_us_ = now;
  }
  step(now);
  // Doomed at a crash point: down from the next microsecond, when the controller crashes it.
  // Its inbox may still hold messages due now that it will never handle; waking for them would
  // spin at this instant and the clock, waiting on every actor, would never reach the crash
  // (swarm seed 340: three sites at one crash point livelocked the run).
  if (doomed_) return kNever;
  return next_wake(now);
}

void SiteHost::boot(TimeUs now) {
  site_ = std::make_unique<site::Site>(config_, &store_, &ctx_.archive);
  timers_.clear();
  ctx_.observers.on_boot(now, index_);
  ctx_.workload.on_boot(index_, now);
  handle(site_->start(now), now);
  if (life_ > 0) ctx_.observers.on_recovered(now, index_, *site_);
}

TimeUs SiteHost::next_wake(TimeUs now) {
  TimeUs t = kNever;
  if (!inbox_.empty()) t = std::min(t, inbox_.top().due_us);
  if (!failed_dispatches_.empty()) t = std::min(t, failed_dispatches_.front().due_us);
  for (const site::TimerRequest& r : timers_) t = std::min(t, r.at_us);
  return std::min(t, ctx_.workload.next_act_us(index_, now, site_.get()));
}

void SiteHost::step(TimeUs now) {
  while (!inbox_.empty() && inbox_.top().due_us <= now && !ctx_.done && !halted_ && !doomed_) {
    deliver(inbox_.take(), now);
  }
  if (ctx_.done || halted_ || doomed_) return;
  verify(now);
  while (!failed_dispatches_.empty() && failed_dispatches_.front().due_us <= now && !ctx_.done &&
         !halted_ && !doomed_) {
    dispatch_failed(now);
  }
  fire_timers(now);
  if (halted_ || doomed_) return;
  ctx_.workload.act(index_, now, *site_, *this);
  verify(now);  // what its timers and edits replayed or received (an epoch entered)
}

void SiteHost::fire_timers(TimeUs now) {
  // Timers in (time, kind) order; a timer set while firing waits for the next step.
  std::sort(timers_.begin(), timers_.end(), [](const auto& a, const auto& b) {
    return a.at_us != b.at_us ? a.at_us < b.at_us : a.kind < b.kind;
  });
  std::vector<site::TimerRequest> due;
  while (!timers_.empty() && timers_.front().at_us <= now) {
    due.push_back(timers_.front());
    timers_.erase(timers_.begin());
  }
  for (const site::TimerRequest& t : due) {
    if (halted_ || doomed_) return;
    ctx_.observers.on_timer(now, index_, t.kind);
    handle(site_->on_timer(now, t.kind), now);
  }
}

void SiteHost::integrate() {
  if (!site_ || site_->received_count() == 0) return;
  const auto started = std::chrono::steady_clock::now();  // host time, as in deliver()
  const size_t ops = site_->integrate();
  record_apply_time(std::chrono::steady_clock::now() - started, ops);
}

void SiteHost::record_apply_time(std::chrono::steady_clock::duration took, size_t ops) {
  const auto ns =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
  ctx_.observers.on_apply_timed(index_, ns, ops);
}

void SiteHost::verify(TimeUs now) {
  if (!site_) return;
  integrate();
  for (const site::Rejection& r : site_->take_rejected()) {
    ctx_.observers.on_rejected(now, index_, r);
  }
  ctx_.observers.on_verified(now, index_, *site_);
  received_unverified_ = 0;
}

void SiteHost::arrive(Envelope e, TimeUs now) {
  if (halted_ || life_ != e.life) {
    // Its destination stopped after it was sent: it would have been lost from the inbox.
    ctx_.observers.on_drop(now, {e.from, e.to, e.seq, DropReason::kSiteDown});
    if (!halted_) ctx_.observers.on_probe(site::Probe::kLostWithCrash, 1);
    return;
  }
  // The site's own actor delivers when the site cannot take it now: crashed at this instant,
  // not booted yet, paused, or with older messages held for it (order among them kept).
  const bool held = !site_ || doomed_ || !inbox_.empty() || ctx_.faults.down(index_, now) ||
                    ctx_.faults.paused_until(index_, now) > now;
  if (held) {
    inbox_.push(std::move(e));
    wake_if_sooner(now);
    return;
  }
  const uint64_t plan_changes = plan_changes_;
  deliver(e, now);
  // Only a timer, a failed dispatch, a halt or a workload act it made ready can bring the
  // site's wake forward; checking costs cold reads of its timers at every delivery.
  if (ctx_.workload.ready_on_delivery() || plan_changes_ != plan_changes) wake_if_sooner(now);
}

void SiteHost::wake_if_sooner(TimeUs now) {
  if (!cv_) return;  // its actor has not run yet: it computes its first wake itself
  if (!halted_ && ctx_.faults.down(index_, now)) return;  // the controller turns it off
  // A paused site's actor learns of the pause only by waking inside it (main), and then plans
  // to wake when it ends, to deliver what was held: so it wakes now.
  TimeUs wake = now;
  if (!halted_ && ctx_.faults.paused_until(index_, now) <= now) wake = next_wake(now);
  if (wake >= ctx_.wakes.planned(index_)) return;
  // Notified, it runs now and plans its next wake itself. A plan is never below the actor's
  // real deadline: a later delivery notifies only if it needs a wake before the plan.
  ctx_.wakes.plan(index_, now);
  if (ctx_.courier->ahead()) {
    ctx_.courier->hold_wake(index_);
  } else {
    cv_->notify_one();
  }
}

void SiteHost::wake_now() { cv_->notify_one(); }

void SiteHost::deliver(const Envelope& e, TimeUs now) {
  // Checked again at delivery, so in-flight messages die when a partition or cut starts.
  const DropReason r = ctx_.faults.reachability(e.from, index_, now);
  if (r != DropReason::kNone) {
    ctx_.observers.on_drop(now, {e.from, index_, e.seq, r});
    ctx_.observers.on_probe(site::Probe::kInFlightDrop, 1);
    return;
  }
  if (e.due_us < resumed_at_us_) ctx_.observers.on_probe(site::Probe::kHeldByPause, 1);
  ctx_.observers.on_deliver(now, {e.from, index_, e.seq, e.message.get()});
  if (config_.defer_integration && site_->carries_current_ops(*e.message)) {
    site::Effects fx = site_->on_message(now, *e.message);
    const size_t received = fx.observed.applied.size();
    handle(std::move(fx), now);
    received_unverified_ += received;
    if (received_unverified_ >= kReceivedOpsMax) verify(now);
    return;
  }
  if (e.message->kind != site::MessageKind::kOps) {
    // Anything but ops may make the site read its replica, or enter an epoch and replay the ops
    // it buffered for it: verified before and after.
    verify(now);
    handle(site_->on_message(now, *e.message), now);
    verify(now);
    return;
  }
  verify(now);
  // Per-op apply time: host time, measured and never decided; it goes to the run's statistics
  // only, never to the event log or anything a site or the checker reads. steady_clock (a vDSO
  // read, about 45 ns here) rather than the thread's CPU time: clock_gettime
  // (CLOCK_THREAD_CPUTIME_ID) is a system call of about 400 ns on this kernel, an overhead and a
  // bias of the same order as a small batch's apply time. It is wall time, so a preempted host
  // inflates the tail (p99) more than the mean.
  const auto started = std::chrono::steady_clock::now();
  site::Effects fx = site_->on_message(now, *e.message);
  const auto took = std::chrono::steady_clock::now() - started;
  if (!fx.observed.applied.empty()) record_apply_time(took, fx.observed.applied.size());
  handle(std::move(fx), now);
}

bool SiteHost::can_act(SiteIndex /*site*/) const { return !ctx_.done && !halted_ && !doomed_; }

void SiteHost::user_edit(SiteIndex /*site*/, TimeUs now, const SyntheticEdit& e) {
  site::Site& s = *site_;
  const uint32_t size_before = s.replica().size();
  EditIntent intent{e.index, size_before, e.count, {}, {}};
  if (!e.insert) {
    for (uint32_t k = 0; k < e.count; ++k)
      intent.erased.push_back(s.replica().visible_id(e.index + k));
    if (e.index + e.count < size_before) intent.next = s.replica().visible_id(e.index + e.count);
  }
  const uint64_t counter_before = s.replica().counter();
  site::Effects fx = edit_site(now, e);
  TD_ASSERT(!fx.observed.applied.empty(), "a local edit makes an op");
  // The edit's ops are the site's own above its counter before it (a range erase may make
  // several), all applied by now: each is checked with the whole edit's intent.
  for (const site::SharedOp& op : fx.observed.applied) {
    if (op->id.site != s.id() || op->id.counter <= counter_before) continue;
    ctx_.observers.on_local_op(now, {index_, s, op, intent, e.index});
  }
  handle(std::move(fx), now);
}

site::Effects SiteHost::edit_site(TimeUs now, const SyntheticEdit& e) {
  site::Site& s = *site_;
  if (e.count == 1)
    return e.insert ? s.local_insert(now, e.index, e.atom) : s.local_erase(now, e.index);
  if (!e.insert) return s.local_erase_run(now, e.index, e.count);
  TD_ASSERT(e.atom.size() % e.count == 0, "a paste's atoms have one size");
  const size_t atom_bytes = e.atom.size() / e.count;
  std::vector<std::string_view> atoms;
  for (uint32_t k = 0; k < e.count; ++k)
    atoms.push_back(std::string_view(e.atom).substr(k * atom_bytes, atom_bytes));
  return s.local_insert_run(now, e.index, atoms);
}

void SiteHost::agent_op(SiteIndex /*site*/, TimeUs now, const site::SharedOp& op, uint64_t txn) {
  site::Effects fx = site_->local_agent_op(now, op);
  ctx_.observers.on_local_op(now, {index_, *site_, op, std::nullopt, txn});
  handle(std::move(fx), now);
}

void SiteHost::handle(site::Effects&& fx, TimeUs now) {
  publish(fx.observed, now);
  ctx_.observers.on_durable(now, index_, store_);
  // It reached its crash point earlier in this instant (a workload's later edit of one act):
  // whatever it did since is lost with the crash, its durable writes excepted.
  if (doomed_) return;
  std::vector<CrashPoint> before, after;
  if (ctx_.faults.has_crash_points()) points_reached(fx, &before, &after);
  for (CrashPoint p : before) {
    if (crash_at_point(p, fx.observed, now)) return;  // its messages are lost with it
  }
  carry_out(fx.commands, now);
  for (CrashPoint p : after) {
    if (crash_at_point(p, fx.observed, now)) return;
  }
}

void SiteHost::points_reached(const site::Effects& fx, std::vector<CrashPoint>* before,
                              std::vector<CrashPoint>* after) const {
  using Phase = site::CommitEvent::Phase;
  const auto self = config_.id;
  for (const site::CommitEvent& e : fx.observed.commit_events) {
    if (e.phase == Phase::kPrepareSent) after->push_back(CrashPoint::kSentPrepare);
    if (e.phase == Phase::kVotedYes) after->push_back(CrashPoint::kVotedYes);
    const bool decided = e.phase == Phase::kCommitted || e.phase == Phase::kAborted;
    if (decided && e.txid.coordinator == self) before->push_back(CrashPoint::kDecided);
  }
  for (const site::EpochEntered& e : fx.observed.epochs_entered) {
    if (e.catch_up || !e.ending) continue;
    before->push_back(CrashPoint::kCommitted);
    if (e.translated > 0) before->push_back(CrashPoint::kCommittedPostCut);
  }
  if (fx.observed.caught_up) before->push_back(CrashPoint::kCaughtUp);
  for (const site::Outgoing& out : fx.commands.sends) {
    if (out.message->kind != site::MessageKind::kHello) continue;
    after->push_back(CrashPoint::kSentHello);
    break;
  }
}

bool SiteHost::crash_at_point(CrashPoint point, const site::Observations& observed, TimeUs now) {
  if (doomed_ || halted_ || !ctx_.faults.reach_crash_point(index_, point, now)) return false;
  doomed_ = true;
  const bool commit = point == CrashPoint::kCommitted || point == CrashPoint::kCommittedPostCut;
  if (commit && !observed.translated.empty()) {
    ctx_.observers.on_probe(site::Probe::kCrashAfterCommitPostCut, 1);
  }
  ctx_.controller->reschedule(index_, now);
  return true;
}

void SiteHost::carry_out(const site::Commands& commands, TimeUs now) {
  if (commands.halt) halt(now);
  send_all(commands.sends, now);
  for (const site::TimerRequest& t : commands.timers) {
    std::erase_if(timers_, [&](const site::TimerRequest& r) { return r.kind == t.kind; });
    timers_.push_back(t);
    ++plan_changes_;
  }
}

void SiteHost::publish(const site::Observations& fx, TimeUs now) {
  RunObserver& o = ctx_.observers;
  if (fx.wrong_epoch > 0) o.on_wrong_epoch(index_, fx.wrong_epoch);
  o.on_probes(fx.probes);
  // The epoch the step began in: before any epoch it entered (a CUT applies, then moves on).
  uint64_t epoch_from = site_->epoch();
  if (!fx.epochs_entered.empty()) {
    const site::EpochEntered& first = fx.epochs_entered.front();
    epoch_from = first.ending ? first.ending->epoch : 0;
  }
  for (const site::SharedOp& op : fx.applied) o.on_applied(now, {index_, *site_, op, epoch_from});
  for (const site::Rejection& r : fx.rejected) o.on_rejected(now, index_, r);
  for (const site::CommitEvent& e : fx.commit_events) o.on_commit_step(now, {index_, *site_, e});
  for (const site::SharedOp& op : fx.translated) o.on_translated(now, index_, *op);
  for (const site::EpochEntered& e : fx.epochs_entered) o.on_epoch_entered(now, {index_, e});
  if (!fx.lost_by_policy.empty()) o.on_lost_by_policy(now, index_, fx.lost_by_policy);
  for (const site::MembershipEvent& e : fx.membership) publish_membership(e, now);
  if (fx.caught_up)
    o.on_caught_up(now, {index_, fx.caught_up->from_epoch, site_->epoch(), fx.caught_up->took_us});
}

void SiteHost::publish_membership(const site::MembershipEvent& e, TimeUs now) {
  using Kind = site::MembershipEvent::Kind;
  TD_ASSERT(e.site >= kSiteIdFirst && e.site - kSiteIdFirst < ctx_.sites.size(),
            "a site that exists");
  const SiteIndex about = e.site - kSiteIdFirst;
  MembershipStepTaken step{index_, about, e, false, 0};
  // The environment knows the truth the detector guesses at: was the suspect up?
  if (e.kind == Kind::kSuspected) {
    step.suspect_was_up = ctx_.site(about).up() && !ctx_.site(about).halted();
  }
  if (e.kind == Kind::kFenced) {
    SiteViews views(ctx_.sites.size(), nullptr);
    for (SiteIndex j = 0; j < views.size(); ++j) views[j] = ctx_.site(j).site();
    step.held_alone = ctx_.checker.held_only_by(about, views).size();
  }
  ctx_.observers.on_membership(now, step);
}

void SiteHost::send_all(const std::vector<site::Outgoing>& sends, TimeUs now) {
  const auto n = static_cast<SiteIndex>(ctx_.sites.size());
  for (const site::Outgoing& out : sends) {
    ctx_.observers.on_reveal(now, index_, *site_, out);
    const uint64_t bytes = out.message->encoded_bytes();
    switch (out.to.kind) {
      case site::Destination::Kind::kSite:
        TD_ASSERT(out.to.site >= kSiteIdFirst && out.to.site - kSiteIdFirst < n,
                  "a message to a site that exists");
        send(out.to.site - kSiteIdFirst, out.message, bytes, now);
        break;
      case site::Destination::Kind::kAllPeers:
        for (SiteIndex j = 0; j < n; ++j) {
          if (j != index_) send(j, out.message, bytes, now);
        }
        break;
      case site::Destination::Kind::kRandomPeers:
        for (SiteIndex j : ctx_.network.random_peers(index_, out.to.count)) {
          send(j, out.message, bytes, now);
        }
        break;
    }
  }
}

void SiteHost::send(SiteIndex to, const site::SharedMessage& m, uint64_t bytes, TimeUs now) {
  const uint64_t seq = ++sent_seq_;
  MessageFate fate = ctx_.network.decide(index_, to, now);
  const SiteHost& dst = ctx_.site(to);
  if (dst.halted_) fate.drop = DropReason::kSiteDown;
  // An RPC failure fails flatten messages only, after the fate's draws (so they shift nothing).
  const RpcFailure* rpc = m->kind == site::MessageKind::kCommit && fate.drop == DropReason::kNone
                              ? ctx_.faults.rpc_failure(index_, to, now)
                              : nullptr;
  if (rpc) {
    fate.drop = DropReason::kRpcFailure;
    fail_dispatch(to, seq, *rpc, m, now);
  }
  ctx_.observers.on_send(now, {index_, to, seq, bytes, m->kind, fate, m.get()});
  if (fate.drop != DropReason::kNone) return;
  for (uint32_t k = 0; k < fate.copies; ++k) {
    // Never due in its own instant: so a send never wakes the courier in the middle of delivering
    // an instant, and the deliveries of an instant stay one block (courier.cpp).
    TD_ASSERT(fate.due_us[k] > now, "a message takes at least 1 us");
    ctx_.courier->push({fate.due_us[k], index_, to, seq, dst.life_, m});
  }
}

void SiteHost::fail_dispatch(SiteIndex to, uint64_t seq, const RpcFailure& rpc,
                             const site::SharedMessage& m, TimeUs now) {
  TimeUs due = now;  // kAuth: the caller's own side fails before anything is sent
  if (rpc.error == RpcError::kRefused) {
    due = now + 2 * ctx_.network.latency_class(index_, to).base_us;  // one round trip
  } else if (rpc.error == RpcError::kTimeout) {
    due = now + rpc.timeout_us;
  }
  const FailedDispatch failed{due, to, seq, rpc.error, m};
  auto at = std::upper_bound(failed_dispatches_.begin(), failed_dispatches_.end(), due,
                             [](TimeUs t, const FailedDispatch& f) { return t < f.due_us; });
  failed_dispatches_.insert(at, failed);
  ++plan_changes_;
}

void SiteHost::dispatch_failed(TimeUs now) {
  TD_ASSERT(!failed_dispatches_.empty(), "a failed dispatch is due");
  const FailedDispatch f = failed_dispatches_.front();
  failed_dispatches_.erase(failed_dispatches_.begin());
  ctx_.observers.on_rpc_failed(now, {index_, f.to, f.seq, f.error, site_->epoch(), site_->view()});
  handle(site_->on_dispatch_failed(now, kSiteIdFirst + f.to, *f.message), now);
}

void SiteHost::halt(TimeUs now) {
  if (halted_) return;
  verify(now);  // the checks waiting for ops it applied, before its state is gone
  halted_ = true;
  ++plan_changes_;  // its actor must wake to end
  ctx_.observers.on_halt(now, index_, site_->claimed());
  drop_pending(now);  // its actor ends after this step (main)
}

uint64_t SiteHost::drop_pending(TimeUs now) {
  const uint64_t dropped = inbox_.size();
  while (!inbox_.empty()) {
    const Envelope e = inbox_.take();
    ctx_.observers.on_drop(now, {e.from, index_, e.seq, DropReason::kSiteDown});
  }
  timers_.clear();
  failed_dispatches_.clear();
  return dropped;
}

void SiteHost::crash(TimeUs now) {
  TD_ASSERT(host_->is_on(), "the timeline crashes only running sites");
  verify(now);  // the checks waiting for its received ops, before they are gone
  ctx_.observers.on_crash(now, index_, site_ ? &site_->claimed() : nullptr);
  site_.reset();  // volatile state is gone; store_ stays
  ++life_;        // messages still on their way to it are lost when they arrive
  doomed_ = false;
  ctx_.observers.on_probe(site::Probe::kLostWithCrash, drop_pending(now));
  paused_until_us_ = 0;
  ctx_.wakes.plan(index_, kNever);
  host_->turn_off();  // kills the site's actor at once
}

void SiteHost::restart(TimeUs now) {
  TD_ASSERT(!host_->is_on(), "the timeline restarts only crashed sites");
  ctx_.observers.on_restart(now, index_);
  // Planned before the actor can run and plan its own wake, which must not be overwritten.
  ctx_.wakes.plan(index_, now);
  host_->turn_on();  // re-runs the auto-restart actor's body, which boots the site
}

}  // namespace treedoc::sim
