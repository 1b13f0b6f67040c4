// The SimGrid glue of a run (simgrid-notes §3): an empty zone with one host per site, one
// event-loop actor per site that delivers its inbox, fires its timers and makes its edits, and one
// controller actor that applies the fault schedule, runs the checks and samples the metrics.
#include "sim/simulation.hpp"

#include <unistd.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <queue>

#include "models/site/site.hpp"
#include "models/treedoc/assertion.hpp"
#include "sim/event_log.hpp"
#include "sim/metrics_recorder.hpp"
#include "sim/network.hpp"
#include "sim/random_stream.hpp"
#include "sim/synthetic_editor.hpp"
#include "sim/trace_driver.hpp"

namespace sg4 = simgrid::s4u;

namespace treedoc::sim {

namespace {

constexpr TimeUs kNever = site::kTimeUsMax;
// How often, in host time, the progress line is redrawn.
constexpr double kProgressPeriodWallS = 0.5;
// Runs shorter than this in host time print no progress line at all.
constexpr double kProgressAfterWallS = 2.0;

TimeUs now_us() { return static_cast<TimeUs>(std::llround(sg4::Engine::get_clock() * 1e6)); }
double to_seconds(TimeUs t) { return static_cast<double>(t) / 1e6; }

struct InboxEntry {
  TimeUs due_us;
  uint64_t seq;  // the global send counter: ties at equal times break the same way every run
  SiteIndex from;
  site::SharedMessage message;
  bool operator>(const InboxEntry& o) const {
    return due_us != o.due_us ? due_us > o.due_us : seq > o.seq;
  }
};

struct SiteSlot {
  SiteIndex index = 0;
  site::SiteConfig config;
  site::DurableStore store;          // survives crashes
  std::unique_ptr<site::Site> site;  // volatile: null while crashed
  bool crashed = false;
  TimeUs paused_until_us = 0;
  sg4::Host* host = nullptr;
  sg4::MutexPtr mutex;
  sg4::ConditionVariablePtr cv;
  TimeUs wake_at_us = kNever;  // when the actor plans to wake: a send due earlier notifies it
  std::priority_queue<InboxEntry, std::vector<InboxEntry>, std::greater<>> inbox;
  std::vector<site::TimerRequest> timers;
  bool edits = false;  // an editing site of the workload
  std::optional<SyntheticEditor> editor;
  TimeUs next_edit_us = kNever;
  TimeUs next_txn_us = 0;  // trace workload: the earliest time of this site's next transaction
  SiteCounters counters;
};

class Simulation {
 public:
  Simulation(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario),
        options_(options),
        root_(options.seed),
        network_(scenario, root_),
        checker_(scenario),
        log_(options.event_text),
        slots_(scenario.topology.site_count()) {}

  RunResult run();

 private:
  void build_platform(sg4::Engine& engine);
  void site_main(SiteIndex i);
  void controller_main();

  void boot(SiteIndex i, TimeUs now);
  void step(SiteIndex i, TimeUs now);
  void edit(SiteIndex i, TimeUs now);
  void make_transactions(SiteIndex i, TimeUs now);
  // Trace workload at the end: every transaction made and the text equal to the trace's end.
  void check_trace_end(TimeUs now);
  void handle(SiteIndex i, site::Effects&& fx, TimeUs now);
  void send(SiteIndex from, SiteIndex to, const site::SharedMessage& m, uint64_t bytes, TimeUs now);
  TimeUs next_wake(const SiteSlot& slot) const;

  void apply_fault(size_t k, TimeUs now);
  void crash(SiteIndex i, TimeUs now);
  void restart(SiteIndex i, TimeUs now);
  void start_liveness(TimeUs now);
  SiteViews views() const;
  void wake_controller() { controller_cv_->notify_one(); }
  void progress(TimeUs now, bool final_line);

  const Scenario& scenario_;
  const RunOptions& options_;
  RandomStream root_;
  Network network_;
  Checker checker_;
  EventLog log_;
  std::vector<SiteSlot> slots_;
  site::OpArchive archive_;  // every op of the run, shared by the sites
  std::unique_ptr<MetricsRecorder> metrics_;
  std::unique_ptr<TraceDriver> trace_;
  sg4::Host* controller_host_ = nullptr;
  sg4::MutexPtr controller_mutex_;
  sg4::ConditionVariablePtr controller_cv_;
  uint64_t send_seq_ = 0;
  bool liveness_ = false;
  bool done_ = false;
  RunResult result_;
  std::chrono::steady_clock::time_point wall_start_;
  double progress_printed_wall_s_ = 0;
};

void Simulation::build_platform(sg4::Engine& engine) {
  // No SimGrid links: the network is ours (§3), so an empty zone of hosts is the whole platform.
  auto* zone = sg4::create_empty_zone("world");
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    slots_[i].host = zone->create_host(site_name(scenario_.topology, i), 1e9);
  }
  // The controller gets a host of its own: crashing a site must not kill the controller.
  controller_host_ = zone->create_host("controller", 1e9);
  zone->seal();
  (void)engine;
}

void Simulation::boot(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  slot.site = std::make_unique<site::Site>(slot.config, &slot.store, &archive_);
  slot.crashed = false;
  slot.timers.clear();
  checker_.forget_site(i);
  handle(i, slot.site->start(now), now);
  if (trace_) trace_->forget_site(i);
  if (slot.edits) {
    slot.next_edit_us = std::max(now, scenario_.workload.start_us) + slot.editor->next_gap_us();
  }
}

TimeUs Simulation::next_wake(const SiteSlot& slot) const {
  if (slot.paused_until_us > now_us()) return slot.paused_until_us;
  TimeUs t = kNever;
  if (!slot.inbox.empty()) t = std::min(t, slot.inbox.top().due_us);
  for (const site::TimerRequest& r : slot.timers) t = std::min(t, r.at_us);
  if (slot.edits && slot.next_edit_us < scenario_.workload.stop_us)
    t = std::min(t, slot.next_edit_us);
  // A transaction held back only by its interval needs a wake; one waiting for ops gets a delivery.
  if (trace_ && trace_->next_for(slot.index) && slot.next_txn_us > now_us() &&
      slot.next_txn_us < scenario_.workload.stop_us) {
    t = std::min(t, slot.next_txn_us);
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
      if (slot.paused_until_us != 0 && slot.paused_until_us <= now) {
        // Edits that fell due during a pause did not happen: the user was frozen too.
        if (slot.edits && slot.next_edit_us < now)
          slot.next_edit_us = now + slot.editor->next_gap_us();
        slot.paused_until_us = 0;
      }
      if (slot.paused_until_us == 0) step(i, now);
      slot.wake_at_us = next_wake(slot);
      if (done_) break;
      // Always with a deadline: a kill inside an untimed wait() aborts the process in 3.32.
      slot.cv->wait_until(lock, to_seconds(std::min(slot.wake_at_us, kNever)));
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
  while (!slot.inbox.empty() && slot.inbox.top().due_us <= now && !done_) {
    InboxEntry e = slot.inbox.top();
    slot.inbox.pop();
    // Checked again at delivery, so in-flight messages die when a partition or cut starts.
    const DropReason r = network_.reachability(e.from, i);
    if (r != DropReason::kNone) {
      log_.record(now, EventKind::kDrop, e.from, i, e.seq, static_cast<uint64_t>(r));
      ++slots_[e.from].counters.msgs_dropped;
      continue;
    }
    log_.record(now, EventKind::kDeliver, e.from, i, e.seq);
    ++slot.counters.msgs_received;
    handle(i, slot.site->on_message(now, *e.message), now);
  }
  // Timers in time order; a timer set while firing waits for the next step.
  std::sort(slot.timers.begin(), slot.timers.end(),
            [](const auto& a, const auto& b) { return a.at_us < b.at_us; });
  std::vector<site::TimerRequest> due;
  while (!slot.timers.empty() && slot.timers.front().at_us <= now) {
    due.push_back(slot.timers.front());
    slot.timers.erase(slot.timers.begin());
  }
  for (const site::TimerRequest& t : due) {
    log_.record(now, EventKind::kTimer, i, static_cast<uint64_t>(t.kind));
    handle(i, slot.site->on_timer(now, t.kind), now);
  }
  if (slot.edits) {
    while (slot.next_edit_us <= now && now < scenario_.workload.stop_us && !done_) {
      edit(i, now);
      slot.next_edit_us += slot.editor->next_gap_us();
    }
  }
  if (trace_) make_transactions(i, now);
}

void Simulation::make_transactions(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  if (now < scenario_.workload.start_us || now >= scenario_.workload.stop_us) return;
  while (!done_ && now >= slot.next_txn_us) {
    const std::optional<uint64_t> t = trace_->next_for(i);
    if (!t || !trace_->ready(i, *t, slot.site->claimed())) return;
    for (const site::SharedOp& op : trace_->make(*t)) {
      site::Effects fx = slot.site->local_agent_op(now, op);
      log_.record(now, EventKind::kLocalOp, i, op->id.counter, op->is_insert() ? 0 : 1, *t);
      ++slot.counters.ops_made;
      checker_.on_local_op(now, i, *slot.site, *op, std::nullopt);
      handle(i, std::move(fx), now);
    }
    slot.next_txn_us = now + scenario_.workload.trace.txn_interval_us;
  }
}

void Simulation::check_trace_end(TimeUs now) {
  if (!trace_ || checker_.violation()) return;
  if (!trace_->finished()) {
    Violation v{"trace-finished",
                now,
                {},
                {},
                "the trace workload made " + std::to_string(trace_->issued()) + " of its " +
                    std::to_string(trace_->transactions()) +
                    " transactions by the end of the workload; give it a longer safety phase"};
    v.liveness = true;
    result_.trace_violation = std::move(v);
    return;
  }
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    if (slots_[i].crashed) continue;
    const std::string content = slots_[i].site->replica().content();
    if (content == trace_->end_content()) continue;
    const auto diff = std::mismatch(content.begin(), content.end(), trace_->end_content().begin(),
                                    trace_->end_content().end());
    result_.trace_violation = Violation{
        "trace-end-content",
        now,
        {i},
        {},
        site_name(scenario_.topology, i) + "'s text differs from the trace's endContent at byte " +
            std::to_string(diff.first - content.begin()) + " (" + std::to_string(content.size()) +
            " bytes vs " + std::to_string(trace_->end_content().size()) + ")"};
    return;
  }
}

void Simulation::edit(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  site::Site& s = *slot.site;
  const uint32_t size_before = s.replica().size();
  const SyntheticEdit e = slot.editor->next_edit(size_before);
  site::Effects fx = e.insert ? s.local_insert(now, e.index, e.atom) : s.local_erase(now, e.index);
  TD_ASSERT(!fx.applied.empty(), "a local edit makes an op");
  const Op& op = *fx.applied.front();
  log_.record(now, EventKind::kLocalOp, i, op.id.counter, e.insert ? 0 : 1, e.index);
  ++slot.counters.ops_made;
  checker_.on_local_op(now, i, s, op, Checker::Intent{e.index, size_before});
  handle(i, std::move(fx), now);
}

void Simulation::handle(SiteIndex i, site::Effects&& fx, TimeUs now) {
  SiteSlot& slot = slots_[i];
  slot.counters.ops_applied += fx.applied.size();
  slot.counters.wrong_epoch += fx.wrong_epoch;
  for (const site::SharedOp& op : fx.applied) checker_.on_applied(now, i, *slot.site, *op);
  for (const site::Rejection& r : fx.rejected) checker_.on_rejected(now, i, r);
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
  }
  if (checker_.violation()) wake_controller();
}

void Simulation::send(SiteIndex from, SiteIndex to, const site::SharedMessage& m, uint64_t bytes,
                      TimeUs now) {
  const uint64_t seq = ++send_seq_;
  SiteCounters& c = slots_[from].counters;
  ++c.msgs_sent;
  c.bytes_sent += bytes;
  SiteSlot& dst = slots_[to];
  MessageFate fate = network_.decide(from, to, now);
  if (fate.drop == DropReason::kNone && dst.crashed) fate.drop = DropReason::kSiteDown;
  if (fate.drop != DropReason::kNone) {
    log_.record(now, EventKind::kDrop, from, to, seq, static_cast<uint64_t>(fate.drop));
    ++c.msgs_dropped;
    return;
  }
  if (fate.copies == 2) ++c.msgs_duplicated;
  for (uint32_t k = 0; k < fate.copies; ++k) {
    log_.record(now, EventKind::kSend, from, to, seq, fate.due_us[k]);
    dst.inbox.push({fate.due_us[k], seq, from, m});
    if (fate.due_us[k] < dst.wake_at_us) {
      dst.wake_at_us = fate.due_us[k];
      if (dst.cv) dst.cv->notify_one();
    }
  }
}

void Simulation::crash(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  if (slot.crashed) return;
  log_.record(now, EventKind::kCrash, i);
  ++result_.crashes;
  slot.crashed = true;
  slot.site.reset();  // volatile state is gone; slot.store stays
  slot.inbox = {};
  slot.timers.clear();
  slot.paused_until_us = 0;
  slot.wake_at_us = kNever;
  checker_.forget_site(i);
  slot.host->turn_off();  // kills the site's actor at once
}

void Simulation::restart(SiteIndex i, TimeUs now) {
  SiteSlot& slot = slots_[i];
  if (!slot.crashed) return;
  log_.record(now, EventKind::kRestart, i);
  ++result_.restarts;
  slot.host->turn_on();  // re-runs the auto-restart actor's body, which boots the site
}

void Simulation::apply_fault(size_t k, TimeUs now) {
  const FaultEvent& f = scenario_.faults[k];
  log_.record(now, EventKind::kFault, k, static_cast<uint64_t>(f.verb));
  switch (f.verb) {
    case FaultVerb::kPartition: network_.partition(f.groups); break;
    case FaultVerb::kCut: network_.cut(f.from, f.to); break;
    case FaultVerb::kHeal: network_.heal(); break;
    case FaultVerb::kCrash:
      for (SiteIndex i : f.sites) crash(i, now);
      break;
    case FaultVerb::kRestart:
      for (SiteIndex i : f.sites) restart(i, now);
      break;
    case FaultVerb::kPause:
      for (SiteIndex i : f.sites) {
        if (slots_[i].crashed) continue;
        slots_[i].paused_until_us = std::max(slots_[i].paused_until_us, now + f.duration_us);
      }
      break;
    case FaultVerb::kLossBurst: network_.loss_burst(f.sites, f.loss, now + f.duration_us); break;
  }
}

void Simulation::start_liveness(TimeUs now) {
  liveness_ = true;
  log_.record(now, EventKind::kPhase, 0);
  network_.heal();
  network_.end_loss_bursts();
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    restart(i, now);
    if (slots_[i].paused_until_us > now) {
      slots_[i].paused_until_us = now;
      if (slots_[i].cv) slots_[i].cv->notify_one();
    }
  }
}

SiteViews Simulation::views() const {
  SiteViews v(slots_.size(), nullptr);
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].crashed) v[i] = slots_[i].site.get();
  }
  return v;
}

void Simulation::progress(TimeUs now, bool final_line) {
  if (!options_.progress) return;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  if (wall_s < kProgressAfterWallS) return;
  if (!final_line && wall_s - progress_printed_wall_s_ < kProgressPeriodWallS) return;
  progress_printed_wall_s_ = wall_s;
  const TimeUs end = scenario_.phases.safety_us + scenario_.phases.liveness_us;
  std::fprintf(stderr,
               "\r[treedoc-sim] simulated %.1f of at most %.1f s, %llu events, %.1f s wall%s",
               to_seconds(now), to_seconds(end), static_cast<unsigned long long>(log_.count()),
               wall_s, final_line ? "\n" : "");
  std::fflush(stderr);
}

void Simulation::controller_main() {
  std::unique_lock<sg4::Mutex> lock(*controller_mutex_);
  const TimeUs safety_end = scenario_.phases.safety_us;
  const TimeUs liveness_end = safety_end + scenario_.phases.liveness_us;
  const TimeUs check_period = scenario_.checker.check_period_us;
  const TimeUs sample_period = scenario_.metrics.sample_period_us;
  size_t next_fault = 0;
  TimeUs next_check = check_period;
  TimeUs next_sample = metrics_ ? 0 : kNever;
  while (true) {
    TimeUs t = std::min({next_check, next_sample, liveness_ ? liveness_end : safety_end});
    if (next_fault < scenario_.faults.size()) t = std::min(t, scenario_.faults[next_fault].at_us);
    while (now_us() < t && !checker_.violation()) controller_cv_->wait_until(lock, to_seconds(t));
    const TimeUs now = now_us();
    if (checker_.violation()) break;
    while (next_fault < scenario_.faults.size() && scenario_.faults[next_fault].at_us <= now) {
      apply_fault(next_fault++, now);
    }
    if (now >= next_sample) {
      std::vector<SiteCounters> counters;
      for (const SiteSlot& s : slots_) counters.push_back(s.counters);
      metrics_->sample(now, views(), counters);
      next_sample += sample_period;
    }
    progress(now, false);  // no wake of its own: the event log must not depend on a terminal
    if (!liveness_ && now >= safety_end) start_liveness(now);
    if (now >= next_check || (liveness_ && now >= liveness_end)) {
      if (liveness_ && checker_.complete(now, views())) {
        log_.record(now, EventKind::kPhase, 1);
        result_.converged_at_us = now;
        check_trace_end(now);
        break;
      }
      if (!liveness_) checker_.check_convergence(now, views());
      if (checker_.violation()) break;
      if (liveness_ && now >= liveness_end) {
        checker_.fail_liveness(now, views());
        break;
      }
      next_check = now + check_period;
    }
  }
  result_.end_us = now_us();
  done_ = true;
  progress(result_.end_us, true);
}

RunResult Simulation::run() {
  wall_start_ = std::chrono::steady_clock::now();
  if (scenario_.workload.kind == Workload::Kind::kTrace)
    trace_ = std::make_unique<TraceDriver>(scenario_);
  int argc = 1;
  char name[] = "treedoc-sim";
  char* argv[] = {name, nullptr};
  sg4::Engine engine(&argc, argv);
  build_platform(engine);
  if (!options_.out_dir.empty())
    metrics_ = std::make_unique<MetricsRecorder>(scenario_, options_.out_dir);

  const Topology& topo = scenario_.topology;
  std::vector<bool> edits(slots_.size(), false);
  for (SiteIndex i : scenario_.workload.sites) edits[i] = true;
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    SiteSlot& slot = slots_[i];
    slot.index = i;
    site::SiteConfig& c = slot.config;
    c.id = kSiteIdFirst + i;
    c.role = i < topo.core ? site::Role::kCore : site::Role::kNebula;
    const ReplicationConfig& r = scenario_.replication;
    c.spread = r.spread;
    c.fanout = r.fanout;
    c.anti_entropy_period_us = r.anti_entropy_period_us;
    c.anti_entropy_fanout = r.anti_entropy_fanout;
    c.durability = r.durability;
    c.replica = r.replica;
    RandomStream site_rng = root_.split("site", i);
    c.anti_entropy_offset_us =
        r.anti_entropy_period_us ? site_rng.below(r.anti_entropy_period_us) : 0;
    if (scenario_.sabotage &&
        std::binary_search(scenario_.sabotage->sites.begin(), scenario_.sabotage->sites.end(), i)) {
      c.sabotage = scenario_.sabotage->variant;
    }
    slot.edits = edits[i] && scenario_.workload.kind == Workload::Kind::kSynthetic;
    if (slot.edits) slot.editor.emplace(scenario_.workload.synthetic, root_.split("workload", i));
    // Daemonize before auto-restart: the restarted actor keeps the state of that moment.
    sg4::Actor::create(site_name(topo, i), slot.host, [this, i] { site_main(i); })
        ->daemonize()
        ->set_auto_restart(true);
  }
  controller_mutex_ = sg4::Mutex::create();
  controller_cv_ = sg4::ConditionVariable::create();
  sg4::Actor::create("controller", controller_host_, [this] { controller_main(); });
  engine.run();

  result_.violation = checker_.violation();
  if (!result_.violation) result_.violation = result_.trace_violation;
  result_.event_hash = log_.hash();
  result_.events = log_.count();
  result_.convergence_checks = checker_.convergence_checks();
  result_.state_comparisons = checker_.state_comparisons();
  for (const SiteSlot& s : slots_) result_.totals.add(s.counters);
  for (const SiteSlot& s : slots_) {
    if (s.crashed || !s.site) continue;
    const ReplicaStats st = s.site->replica().stats();
    if (result_.final_atoms == 0 && st.live > 0) {
      result_.final_atoms = st.live;
      result_.final_tombstone_ratio = st.tombstone_ratio();
      result_.final_tid_bytes_mean = st.tid_bytes_mean;
    }
    result_.replica_memory_bytes += st.memory_bytes;
  }
  result_.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  return result_;
}

}  // namespace

RunResult run_simulation(const Scenario& scenario, const RunOptions& options) {
  Simulation sim(scenario, options);
  return sim.run();
}

}  // namespace treedoc::sim
