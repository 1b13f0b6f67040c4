// The state of one run on SimGrid, shared by the site actors (sim/site_actor.cpp), the controller
// (sim/controller_actor.cpp) and the set-up (sim/simulation.cpp). Internal to the simulator.
#pragma once

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "models/site/site.hpp"
#include "sim/check/checker.hpp"
#include "sim/world/event_log.hpp"
#include "sim/world/fault_timeline.hpp"
#include "sim/observe/metrics_recorder.hpp"
#include "sim/world/network.hpp"
#include "models/random/random_stream.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/workload/synthetic_editor.hpp"
#include "sim/workload/trace_driver.hpp"
#include "sim/world/wake_schedule.hpp"

namespace treedoc::sim {

namespace sg4 = simgrid::s4u;

inline constexpr TimeUs kNever = site::kTimeUsMax;
// A site is verified (its received ops integrated and checked) once it has received this many
// since the last time: big enough that a batch runs on a replica in cache, small enough to bound
// what waits.
inline constexpr size_t kReceivedOpsMax = 256;

// SimGrid's clock in whole microseconds (wait_until may wake a ulp early: rounding absorbs it).
TimeUs now_us();
inline double to_seconds(TimeUs t) { return static_cast<double>(t) / 1e6; }

// A message on its way: in the network's queue until due, then in the destination's inbox only
// while the destination cannot take it (paused, booting, or older messages held there).
struct Envelope {
  TimeUs due_us;
  SiteIndex from;
  SiteIndex to;
  uint64_t seq;   // the sender's own message counter: ties break the same way in every run
  uint64_t life;  // the destination's life when sent: a crash since then loses the message
  site::SharedMessage message;
  bool operator>(const Envelope& o) const {
    if (due_us != o.due_us) return due_us > o.due_us;
    if (from != o.from) return from > o.from;
    return seq != o.seq ? seq > o.seq : to > o.to;
  }
};
// Envelopes by (due, sender, number, destination), earliest first; take() moves the earliest out
// instead of copying it (a copy of its message pointer costs two atomic counts per delivery).
class EnvelopeQueue {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const Envelope& top() const { return heap_.front(); }
  void push(Envelope e) {
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }
  Envelope take() {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    Envelope e = std::move(heap_.back());
    heap_.pop_back();
    return e;
  }
  void pop() { take(); }

 private:
  std::vector<Envelope> heap_;
};

struct SiteSlot {
  SiteIndex index = 0;
  site::SiteConfig config;
  site::DurableStore store;          // survives crashes
  std::unique_ptr<site::Site> site;  // volatile: null while crashed or not yet booted
  sg4::Host* host = nullptr;
  sg4::MutexPtr mutex;  // per life of the actor
  sg4::ConditionVariablePtr cv;
  EnvelopeQueue inbox;  // messages held for the actor (see Envelope)
  uint64_t life = 0;    // crashes so far: messages sent to an earlier life are lost
  std::vector<site::TimerRequest> timers;
  uint64_t sent_seq = 0;
  TimeUs paused_until_us = 0;  // the end of the last pause this site noticed
  TimeUs resumed_at_us = 0;    // when the last pause ended: messages due before were held
  bool edits = false;          // an editing site of the synthetic workload
  std::optional<SyntheticEditor> editor;
  TimeUs next_edit_us = kNever;
  TimeUs next_txn_us = 0;  // trace workload: the earliest time of this site's next transaction
  SiteCounters counters;
  uint64_t received_unverified = 0;  // ops received since the last verify(): bounds a batch
  // Bumped whenever something may bring the actor's next wake forward outside its own step (a
  // timer set, a failed dispatch, a halt): a delivery that bumps nothing needs no wake check.
  uint64_t plan_changes = 0;
  // Flatten messages an rpc_failure kept from their destination: the caller learns at due_us.
  struct FailedDispatch {
    TimeUs due_us;
    SiteIndex to;
    uint64_t seq;
    RpcError error;
    site::SharedMessage message;
  };
  std::vector<FailedDispatch> failed_dispatches;  // in due order
  bool halted = false;  // stopped for good by its own policy (on_expelled: abort): never restarts
};

class Simulation {
 public:
  Simulation(const Scenario& scenario, const RunOptions& options);
  RunResult run();

 private:
  // sim/site_actor.cpp: one event loop per site.
  void site_main(SiteIndex i);
  void boot(SiteIndex i, TimeUs now);
  void step(SiteIndex i, TimeUs now);
  void edit(SiteIndex i, TimeUs now);
  void make_transactions(SiteIndex i, TimeUs now);
  void handle(SiteIndex i, site::Effects&& fx, TimeUs now);
  // Applies the ops site i received but left for later (Replica::receive), timed as apply time.
  // Changes nothing a site or the checker can tell, so an observer may do it at any instant
  // (before reading a replica for a metrics sample).
  void integrate(SiteIndex i);
  // Adds one timed call that applied `ops` ops to the run's apply time and the site's counters.
  void record_apply_time(SiteSlot& slot, std::chrono::steady_clock::duration took, size_t ops);
  // integrate(), then the checks that waited for it (no resurrection, and TID collisions only the
  // tree shows). Only at instants the run itself defines: a step of the site, a delivery of
  // anything but ops, every kReceivedOpsMax ops received, a crash or halt, a checker instant, the
  // end. Never at a metrics sample, so how a failing run fails does not depend on sampling.
  void verify(SiteIndex i, TimeUs now);
  // The protocol's steps: the event log, the checker and the flatten metrics.
  void on_commit_event(SiteIndex i, const site::CommitEvent& e, TimeUs now);
  void on_epoch_entered(SiteIndex i, const site::EpochEntered& e, TimeUs now);
  void on_membership(SiteIndex i, const site::MembershipEvent& e, TimeUs now);
  // The site halted itself: it is gone for good, with whatever it alone held.
  void halt(SiteIndex i, TimeUs now);
  void dispatch_failed(SiteIndex i, TimeUs now);
  // Hands one due message to its destination's state machine (reachability checked again first).
  void deliver(const Envelope& e, TimeUs now);
  void send(SiteIndex from, SiteIndex to, const site::SharedMessage& m, uint64_t bytes, TimeUs now);
  TimeUs next_wake(const SiteSlot& slot, TimeUs now) const;

  // sim/courier_actor.cpp: the network's one actor, which delivers messages when due.
  void courier_main();
  // Delivers, each at its own time, the messages due before any other actor's next wake, without
  // waiting for SimGrid's clock: no actor can act in between, so the run is the one waiting would
  // give, with one SimGrid wake for many deliveries. Stops after a delivery that must wake an
  // actor or found a violation, and then waits for the clock before notifying.
  void run_ahead(std::unique_lock<sg4::Mutex>& lock);
  // The earliest time another actor may act: a site's planned wake, or the controller's.
  TimeUs others_wake_us() { return std::min(wakes_.earliest(), controller_wake_us_); }
  // Delivers every message due by `now`, in (due, sender, number, destination) order.
  void deliver_due(TimeUs now);
  void arrive(const Envelope& e, TimeUs now);
  // Wakes site i's actor if what it must do next is now earlier than when it planned to wake.
  void wake_if_sooner(SiteSlot& slot, TimeUs now);
  // Wakes the controller once a violation is found, so it ends the run after this instant.
  void tell_controller_if_violated();

  // sim/controller_actor.cpp: faults on SimGrid's hosts, observations, phases.
  void controller_main();
  void crash(SiteIndex i, TimeUs now);
  void restart(SiteIndex i, TimeUs now);
  // A site stops (crash or halt): messages waiting for it are dropped and logged, its timers and
  // failed dispatches forgotten. Returns how many messages were dropped.
  uint64_t drop_pending(SiteIndex i, TimeUs now);
  // The checks and samples of the observer instant just after t; true when the run is over.
  bool observe(TimeUs t, bool check, bool sample);
  SiteViews views() const;
  bool all_up() const;
  void check_trace_end(TimeUs now);
  void progress(TimeUs now, bool final_line);

  void build_platform();
  void configure_sites();
  void collect_result();

  const Scenario& scenario_;
  const RunOptions& options_;
  RandomStream root_;
  FaultTimeline faults_;
  Network network_;
  Checker checker_;
  EventLog log_;
  std::vector<SiteSlot> slots_;
  site::EpochArchive archive_;  // every epoch and op of the run, shared by the sites
  std::unique_ptr<MetricsRecorder> metrics_;
  std::unique_ptr<TraceDriver> trace_;
  sg4::Host* controller_host_ = nullptr;
  sg4::MutexPtr controller_mutex_;
  sg4::ConditionVariablePtr controller_cv_;
  EnvelopeQueue in_flight_;  // every message on its way, across all sites
  sg4::MutexPtr courier_mutex_;
  sg4::ConditionVariablePtr courier_cv_;
  TimeUs courier_wake_at_us_ = kNever;
  // When each site's actor runs next (anything due earlier notifies it), and the controller's.
  WakeSchedule wakes_;
  TimeUs controller_wake_us_ = 0;
  // While the courier delivers ahead of SimGrid's clock, the sites to notify once it catches up.
  bool ahead_ = false;
  std::vector<SiteIndex> held_wakes_;
  site::ProbeCounts probes_;
  bool done_ = false;
  RunResult result_;
  std::chrono::steady_clock::time_point wall_start_;
  double progress_printed_wall_s_ = 0;
};

}  // namespace treedoc::sim
