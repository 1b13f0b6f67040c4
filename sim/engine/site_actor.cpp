// The event loop of one site's actor: deliver what was held for it, fire the site's timers, make
// the workload's edits, and hand every effect to the network, the checker and the counters.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"
#include "models/treedoc/fnv_hash.hpp"
#include "sim/engine/simulation_engine.hpp"

namespace treedoc::sim {

namespace {

// What the event log records of an op's content: its whole encoding, hashed.
uint64_t op_hash(const Op& op) {
  Fnv64 h;
  h.add_bytes(encode_op(op));
  return h.value();
}

}  // namespace

TimeUs now_us() { return static_cast<TimeUs>(std::llround(sg4::Engine::get_clock() * 1e6)); }

void Simulation::boot(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  slot.site = std::make_unique<site::Site>(slot.config, &slot.store, &archive_);
  slot.timers.clear();
  checker_.forget_site(i);
  if (trace_) trace_->forget_site(i);
  handle(i, slot.site->start(now), now);
  if (slot.edits) {
    slot.next_edit_us = std::max(now, scenario_.workload.start_us) + slot.editor->next_gap_us();
  }
}

TimeUs Simulation::next_wake(const SiteSlot& slot, TimeUs now) const {
  TimeUs t = kNever;
  if (!slot.inbox.empty()) t = std::min(t, slot.inbox.top().due_us);
  if (!slot.failed_dispatches.empty()) t = std::min(t, slot.failed_dispatches.front().due_us);
  for (const site::TimerRequest& r : slot.timers) t = std::min(t, r.at_us);
  if (slot.edits && slot.next_edit_us < scenario_.workload.stop_us)
    t = std::min(t, slot.next_edit_us);
  // A transaction is due at its time, or now if the ops it waited for have been delivered.
  const std::optional<uint64_t> txn = trace_ ? trace_->next_for(slot.index) : std::nullopt;
  if (txn) {
    const TimeUs at = std::max(slot.next_txn_us, scenario_.workload.start_us);
    const TimeUs stop = scenario_.workload.stop_us;
    if (at > now && at < stop) {
      t = std::min(t, at);
    } else if (at <= now && now < stop && slot.site &&
               trace_->ready(slot.index, *txn, slot.site->claimed())) {
      t = now;
    }
  }
  return t;
}

void Simulation::site_main(SiteIndex i) {
  SiteSlot& slot = slots_[i];
  // Fresh synchronisation objects per life: a killed actor may leave its mutex owned.
  slot.mutex = sg4::Mutex::create();
  slot.cv = sg4::ConditionVariable::create();
  std::unique_lock<sg4::Mutex> lock(*slot.mutex);
  try {
    boot(i, now_us());
    while (!done_) {
      const TimeUs now = now_us();
      deliver_due(now);  // the instant's deliveries first, whoever runs first (courier_actor.cpp)
      TimeUs wake = kNever;
      const TimeUs paused_until = faults_.paused_until(i, now);
      if (faults_.down(i, now)) {
        wake = kNever;  // crashed at this instant: the controller turns the host off
      } else if (paused_until > now) {
        slot.paused_until_us = paused_until;
        wake = paused_until;  // messages wait in the inbox; the user is frozen too
      } else {
        if (slot.paused_until_us != 0) {
          // Edits that fell due during the pause did not happen.
          if (slot.edits && slot.next_edit_us < now) {
            slot.next_edit_us = now + slot.editor->next_gap_us();
          }
          slot.paused_until_us = 0;
          slot.resumed_at_us = now;
        }
        step(i, now);
        wake = next_wake(slot, now);
      }
      tell_controller_if_violated();
      if (slot.halted) {
        // Stopped for good by its own policy: the volatile state goes, and the actor with it.
        slot.site.reset();
        wakes_.plan(i, kNever);
        break;
      }
      wakes_.plan(i, wake);
      if (done_) break;
      // Always with a deadline: a kill inside an untimed wait() aborts the process in 3.32.
      slot.cv->wait_until(lock, to_seconds(wake));
    }
    // The run is over and daemons are being killed: unlocking would be a simcall that throws.
    lock.release();
  } catch (const simgrid::ForcefulKillException&) {
    // Killed (a crash, or the end of the run): unlocking now would be a simcall of a dead actor.
    lock.release();
    throw;
  }
}

void Simulation::step(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  while (!slot.inbox.empty() && slot.inbox.top().due_us <= now && !done_ && !slot.halted) {
    deliver(slot.inbox.take(), now);
  }
  if (done_ || slot.halted) return;
  verify(i, now);
  while (!slot.failed_dispatches.empty() && slot.failed_dispatches.front().due_us <= now &&
         !done_ && !slot.halted) {
    dispatch_failed(i, now);
  }
  // Timers in (time, kind) order; a timer set while firing waits for the next step.
  std::sort(slot.timers.begin(), slot.timers.end(), [](const auto& a, const auto& b) {
    return a.at_us != b.at_us ? a.at_us < b.at_us : a.kind < b.kind;
  });
  std::vector<site::TimerRequest> due;
  while (!slot.timers.empty() && slot.timers.front().at_us <= now) {
    due.push_back(slot.timers.front());
    slot.timers.erase(slot.timers.begin());
  }
  for (const site::TimerRequest& t : due) {
    if (slot.halted) return;
    log_.record(now, EventKind::kTimer, i, static_cast<uint64_t>(t.kind));
    handle(i, slot.site->on_timer(now, t.kind), now);
  }
  if (slot.halted) return;
  if (slot.edits) {
    while (slot.next_edit_us <= now && now < scenario_.workload.stop_us && !done_ && !slot.halted) {
      edit(i, now);
      slot.next_edit_us += slot.editor->next_gap_us();
    }
  }
  if (trace_) make_transactions(i, now);
  verify(i, now);  // what its timers and edits replayed or received (an epoch entered)
}

void Simulation::integrate(SiteIndex i) {
  SiteSlot& slot = slots_[i];
  if (!slot.site || slot.site->received_count() == 0) return;
  const auto started = std::chrono::steady_clock::now();  // host time, as in deliver()
  const size_t ops = slot.site->integrate();
  record_apply_time(slot, std::chrono::steady_clock::now() - started, ops);
}

void Simulation::record_apply_time(SiteSlot& slot, std::chrono::steady_clock::duration took,
                                   size_t ops) {
  const auto ns =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
  result_.apply_time.add(ns, ops);
  slot.counters.host_apply_ns += ns;
  slot.counters.ops_timed += ops;
}

void Simulation::verify(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  if (!slot.site) return;
  integrate(i);
  for (const site::Rejection& r : slot.site->take_rejected()) checker_.on_rejected(now, i, r);
  checker_.integrated(now, i, *slot.site);
  slot.received_unverified = 0;
}

void Simulation::deliver(const Envelope& e, TimeUs now) {
  const SiteIndex i = e.to;
  SiteSlot& slot = slots_[i];
  // Checked again at delivery, so in-flight messages die when a partition or cut starts.
  const DropReason r = faults_.reachability(e.from, i, now);
  if (r != DropReason::kNone) {
    log_.record(now, EventKind::kDrop, e.from, i, e.seq, static_cast<uint64_t>(r));
    ++slots_[e.from].counters.msgs_dropped;
    probes_.add(site::Probe::kInFlightDrop);
    return;
  }
  if (e.due_us < slot.resumed_at_us) probes_.add(site::Probe::kHeldByPause);
  log_.record(now, EventKind::kDeliver, e.from, i, e.seq);
  ++slot.counters.msgs_received;
  if (slot.config.defer_integration && slot.site->carries_current_ops(*e.message)) {
    site::Effects fx = slot.site->on_message(now, *e.message);
    const size_t received = fx.applied.size();
    handle(i, std::move(fx), now);
    slot.received_unverified += received;
    if (slot.received_unverified >= kReceivedOpsMax) verify(i, now);
    return;
  }
  if (e.message->kind != site::MessageKind::kOps) {
    // Anything but ops may make the site read its replica, or enter an epoch and replay the ops
    // it buffered for it: verified before and after.
    verify(i, now);
    handle(i, slot.site->on_message(now, *e.message), now);
    verify(i, now);
    return;
  }
  verify(i, now);
  // Per-op apply time (issue 4): host time, measured and never decided; it goes to the run's
  // statistics and counters only, never to the event log or anything a site or the checker
  // reads. steady_clock (a vDSO read, about 45 ns here) rather than the thread's CPU time:
  // clock_gettime(CLOCK_THREAD_CPUTIME_ID) is a system call of about 400 ns on this kernel,
  // an overhead and a bias of the same order as a small batch's apply time. It is wall time,
  // so a preempted host inflates the tail (p99) more than the mean.
  const auto started = std::chrono::steady_clock::now();
  site::Effects fx = slot.site->on_message(now, *e.message);
  const auto took = std::chrono::steady_clock::now() - started;
  if (!fx.applied.empty()) record_apply_time(slot, took, fx.applied.size());
  handle(i, std::move(fx), now);
}

void Simulation::edit(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  site::Site& s = *slot.site;
  const uint32_t size_before = s.replica().size();
  const SyntheticEdit e = slot.editor->next_edit(size_before);
  Checker::Intent intent{e.index, size_before, {}, {}};
  if (!e.insert) {
    intent.erased = s.replica().visible_id(e.index);
    if (e.index + 1 < size_before) intent.next = s.replica().visible_id(e.index + 1);
  }
  site::Effects fx = e.insert ? s.local_insert(now, e.index, e.atom) : s.local_erase(now, e.index);
  TD_ASSERT(!fx.applied.empty(), "a local edit makes an op");
  const Op& op = *fx.applied.front();
  log_.record(now, EventKind::kLocalOp, i, op.id.counter, e.insert ? 0 : 1, e.index, op_hash(op));
  ++slot.counters.ops_made;
  checker_.on_local_op(now, i, s, fx.applied.front(), intent);
  handle(i, std::move(fx), now);
}

void Simulation::make_transactions(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  if (now < scenario_.workload.start_us || now >= scenario_.workload.stop_us) return;
  while (!done_ && !slot.halted && now >= slot.next_txn_us) {
    const std::optional<uint64_t> t = trace_->next_for(i);
    if (!t || !trace_->ready(i, *t, slot.site->claimed())) return;
    for (const site::SharedOp& op : trace_->make(*t)) {
      site::Effects fx = slot.site->local_agent_op(now, op);
      log_.record(now, EventKind::kLocalOp, i, op->id.counter, op->is_insert() ? 0 : 1, *t,
                  op_hash(*op));
      ++slot.counters.ops_made;
      checker_.on_local_op(now, i, *slot.site, op, std::nullopt);
      handle(i, std::move(fx), now);
    }
    slot.next_txn_us = now + scenario_.workload.trace.txn_interval_us;
  }
}

void Simulation::handle(SiteIndex i, site::Effects&& fx, TimeUs now) {
  SiteSlot& slot = slots_[i];
  slot.counters.ops_applied += fx.applied.size();
  slot.counters.wrong_epoch += fx.wrong_epoch;
  probes_.add(fx.probes);
  // The epoch the step began in: before any epoch it entered (a CUT applies, then moves on).
  uint64_t epoch_from = slot.site->epoch();
  if (!fx.epochs_entered.empty()) {
    const site::EpochEntered& first = fx.epochs_entered.front();
    epoch_from = first.ending ? first.ending->epoch : 0;
  }
  for (const site::SharedOp& op : fx.applied) {
    checker_.on_applied(now, i, *slot.site, op, epoch_from);
  }
  for (const site::Rejection& r : fx.rejected) checker_.on_rejected(now, i, r);
  for (const site::CommitEvent& e : fx.commit_events) on_commit_event(i, e, now);
  for (const site::SharedOp& op : fx.translated) checker_.on_translated(now, i, *op);
  for (const site::EpochEntered& e : fx.epochs_entered) on_epoch_entered(i, e, now);
  if (!fx.lost_by_policy.empty()) {
    slot.counters.lost_by_policy += fx.lost_by_policy.size();
    checker_.on_lost_by_policy(now, i, fx.lost_by_policy);
  }
  for (const site::MembershipEvent& e : fx.membership) on_membership(i, e, now);
  if (fx.halted) halt(i, now);
  if (fx.caught_up_after_us) {
    FlattenStats& f = result_.flatten;
    ++f.catch_ups;
    f.catch_up_us_total += *fx.caught_up_after_us;
    f.catch_up_us_max = std::max(f.catch_up_us_max, *fx.caught_up_after_us);
  }
  for (const site::Outgoing& out : fx.sends) {
    const uint64_t bytes = out.message->encoded_bytes();
    switch (out.to.kind) {
      case site::Destination::Kind::kSite:
        TD_ASSERT(out.to.site >= kSiteIdFirst && out.to.site - kSiteIdFirst < slots_.size(),
                  "a message to a site that exists");
        send(i, out.to.site - kSiteIdFirst, out.message, bytes, now);
        break;
      case site::Destination::Kind::kAllPeers:
        for (SiteIndex j = 0; j < slots_.size(); ++j) {
          if (j != i) send(i, j, out.message, bytes, now);
        }
        break;
      case site::Destination::Kind::kRandomPeers:
        for (SiteIndex j : network_.random_peers(i, out.to.count))
          send(i, j, out.message, bytes, now);
        break;
    }
  }
  for (const site::TimerRequest& t : fx.timers) {
    std::erase_if(slot.timers, [&](const site::TimerRequest& r) { return r.kind == t.kind; });
    slot.timers.push_back(t);
    ++slot.plan_changes;
  }
}

void Simulation::on_commit_event(SiteIndex i, const site::CommitEvent& e, TimeUs now) {
  using Phase = site::CommitEvent::Phase;
  SiteSlot& slot = slots_[i];
  log_.record(now, EventKind::kCommit, i, static_cast<uint64_t>(e.phase), e.epoch,
              e.txid.coordinator, e.txid.attempt);
  checker_.on_commit_event(now, i, *slot.site, e);
  const bool decided_here = e.txid.coordinator == slot.config.id;
  switch (e.phase) {
    case Phase::kPrepareSent: ++slot.counters.flatten_attempts; break;
    case Phase::kVotedYes:
    case Phase::kVotedNo: break;
    case Phase::kCommitted:
      ++slot.counters.flatten_commits;
      if (decided_here) ++result_.flatten.attempts, ++result_.flatten.commits;
      break;
    case Phase::kAborted:
      ++slot.counters.flatten_aborts;
      if (decided_here) {
        ++result_.flatten.attempts;
        ++result_.flatten.aborts_by_reason[static_cast<size_t>(e.reason)];
      }
      break;
  }
}

void Simulation::on_epoch_entered(SiteIndex i, const site::EpochEntered& e, TimeUs now) {
  SiteSlot& slot = slots_[i];
  log_.record(now, EventKind::kEpoch, i, e.epoch, e.catch_up ? 1 : 0, e.translated);
  ++slot.counters.epochs_entered;
  slot.counters.ops_translated += e.translated;
  result_.flatten.ops_translated += e.translated;
  checker_.on_epoch_entered(now, i, e);
  std::vector<FlattenStats::EpochStart>& epochs = result_.flatten.epochs;
  if (e.epoch == epochs.size() + 1) {
    epochs.push_back({e.epoch, now, e.ending ? site::to_string(e.ending->txid) : "", {}, {}});
  }
  if (e.stats_before && e.epoch <= epochs.size()) {
    epochs[e.epoch - 1].before = e.stats_before;
    epochs[e.epoch - 1].after = e.stats_after;
  }
}

void Simulation::send(SiteIndex from, SiteIndex to, const site::SharedMessage& m, uint64_t bytes,
                      TimeUs now) {
  SiteSlot& src = slots_[from];
  const uint64_t seq = ++src.sent_seq;
  ++src.counters.msgs_sent;
  src.counters.bytes_sent += bytes;
  MessageFate fate = network_.decide(from, to, now);
  SiteSlot& dst = slots_[to];
  if (dst.halted) fate.drop = DropReason::kSiteDown;
  // An RPC failure fails flatten messages only, after the fate's draws (so they shift nothing).
  const RpcFailure* rpc = m->kind == site::MessageKind::kCommit && fate.drop == DropReason::kNone
                              ? faults_.rpc_failure(from, to, now)
                              : nullptr;
  if (rpc) {
    fate.drop = DropReason::kRpcFailure;
    TimeUs due = now;  // kAuth: the caller's own side fails before anything is sent
    if (rpc->error == RpcError::kRefused) {
      due = now + 2 * network_.latency_class(from, to).base_us;  // one round trip to the refusal
    } else if (rpc->error == RpcError::kTimeout) {
      due = now + rpc->timeout_us;
    }
    const SiteSlot::FailedDispatch failed{due, to, seq, rpc->error, m};
    auto at =
        std::upper_bound(src.failed_dispatches.begin(), src.failed_dispatches.end(), due,
                         [](TimeUs t, const SiteSlot::FailedDispatch& f) { return t < f.due_us; });
    src.failed_dispatches.insert(at, failed);
    ++src.plan_changes;
  }
  if (fate.drop != DropReason::kNone) {
    log_.record(now, EventKind::kDrop, from, to, seq, static_cast<uint64_t>(fate.drop));
    ++src.counters.msgs_dropped;
    return;
  }
  if (fate.copies == 2) ++src.counters.msgs_duplicated;
  for (uint32_t k = 0; k < fate.copies; ++k) {
    // Never due in its own instant: so a send never wakes the courier in the middle of delivering
    // an instant, and the deliveries of an instant stay one block (courier_actor.cpp).
    TD_ASSERT(fate.due_us[k] > now, "a message takes at least 1 us");
    log_.record(now, EventKind::kSend, from, to, seq, fate.due_us[k]);
    in_flight_.push({fate.due_us[k], from, to, seq, dst.life, m});
    if (fate.due_us[k] < courier_wake_at_us_) {
      courier_wake_at_us_ = fate.due_us[k];
      courier_cv_->notify_one();
    }
  }
}

}  // namespace treedoc::sim
