// One site on SimGrid: a host and an event-loop actor that carries the real site state machine
// (models/site). It delivers what was held for it, fires the site's timers, lets the workload's
// users act, publishes what the site did to the run's observers and carries out its commands:
// messages to the courier, timers, halting.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "models/site/durable_store.hpp"
#include "models/site/site.hpp"
#include "sim/engine/engine_context.hpp"
#include "sim/world/envelope.hpp"

namespace treedoc::sim {

// A site is verified (its received ops integrated and checked) once it has received this many
// since the last time: big enough that a batch runs on a replica in cache, small enough to bound
// what waits.
inline constexpr size_t kReceivedOpsMax = 256;
// Steps one actor may take at a single simulated instant. Each step handles everything due, so
// a legitimate instant needs a few per message sent to the site then; more is a wake that keeps
// asking for a time not after now (a livelock: the clock, which waits on every actor, stops).
inline constexpr uint64_t kStepsPerInstantMax = 1'000'000;

class SiteHost final : public EditSink {
 public:
  SiteHost(EngineContext& ctx, SiteIndex index, site::SiteConfig config, sg4::Host* host);

  // Creates the site's actor, restarted with the host after each crash.
  void start_actor();
  // The courier hands over a message due now: delivered now, or held until the site can take it.
  void arrive(Envelope e, TimeUs now);
  // Wakes the actor if what the site must do next is now earlier than when it planned to wake.
  void wake_if_sooner(TimeUs now);
  // While the courier runs ahead, wakes it asked for wait here until SimGrid's clock catches up.
  void wake_now();
  // The controller's faults: a crash loses the volatile state (the store stays); a restart boots
  // from the store.
  void crash(TimeUs now);
  void restart(TimeUs now);
  // Applies the ops the site received but left for later (Replica::receive), timed as apply time.
  // Changes nothing a site or the checker can tell, so an observer may do it at any instant.
  void integrate();
  // integrate(), then the checks that waited for it. Only at instants the run itself defines: a
  // step of the site, a delivery of anything but ops, every kReceivedOpsMax ops received, a crash
  // or halt, a checker instant, the end. Never at a metrics sample, so how a failing run fails
  // does not depend on sampling.
  void verify(TimeUs now);

  SiteIndex index() const { return index_; }
  const site::Site* site() const { return site_.get(); }
  bool up() const { return site_ != nullptr; }
  bool halted() const { return halted_; }
  uint64_t life() const { return life_; }
  sg4::Host* host() const { return host_; }

  // EditSink: the workload's edits.
  bool can_act(SiteIndex site) const override;
  void user_edit(SiteIndex site, TimeUs now, const SyntheticEdit& edit) override;
  void agent_op(SiteIndex site, TimeUs now, const site::SharedOp& op, uint64_t txn) override;

 private:
  // The site's local op(s) for `edit`: one atom, a paste (one run op) or a range erase.
  site::Effects edit_site(TimeUs now, const SyntheticEdit& edit);
  // Flatten messages an rpc_failure kept from their destination: the caller learns at due_us.
  struct FailedDispatch {
    TimeUs due_us;
    SiteIndex to;
    uint64_t seq;
    RpcError error;
    site::SharedMessage message;
  };

  void main();
  // The actor's wait: what it learned of a pause, and when it must wake next.
  TimeUs step_if_running(TimeUs now);
  void boot(TimeUs now);
  void step(TimeUs now);
  void fire_timers(TimeUs now);
  TimeUs next_wake(TimeUs now);
  void deliver(const Envelope& e, TimeUs now);
  void record_apply_time(std::chrono::steady_clock::duration took, size_t ops);
  // Publishes what a step of the site did, then carries out its commands (unless a crash_at
  // point it reached crashes it first).
  void handle(site::Effects&& fx, TimeUs now);
  // Whether a crash_at fault crashes the site at `point`, reached in a step at `now` that did
  // `observed`: then it takes nothing more until it goes down at now + 1.
  bool crash_at_point(CrashPoint point, const site::Observations& observed, TimeUs now);
  // The protocol points a step reached, by when a crash there happens: before its sends or after.
  void points_reached(const site::Effects& fx, std::vector<CrashPoint>* before,
                      std::vector<CrashPoint>* after) const;
  void publish(const site::Observations& observed, TimeUs now);
  void carry_out(const site::Commands& commands, TimeUs now);
  void publish_membership(const site::MembershipEvent& e, TimeUs now);
  void send_all(const std::vector<site::Outgoing>& sends, TimeUs now);
  void send(SiteIndex to, const site::SharedMessage& m, uint64_t bytes, TimeUs now);
  void fail_dispatch(SiteIndex to, uint64_t seq, const RpcFailure& rpc,
                     const site::SharedMessage& m, TimeUs now);
  void dispatch_failed(TimeUs now);
  // The site halted itself: it is gone for good, with whatever it alone held.
  void halt(TimeUs now);
  // A site stops (crash or halt): messages waiting for it are dropped, its timers and failed
  // dispatches forgotten. Returns how many messages were dropped.
  uint64_t drop_pending(TimeUs now);
  [[noreturn]] void report_livelock(TimeUs now) const;

  EngineContext& ctx_;
  SiteIndex index_;
  site::SiteConfig config_;
  site::DurableStore store_;          // survives crashes
  std::unique_ptr<site::Site> site_;  // volatile: null while crashed or not yet booted
  sg4::Host* host_;
  sg4::MutexPtr mutex_;  // per life of the actor
  sg4::ConditionVariablePtr cv_;
  EnvelopeQueue inbox_;  // messages held for the actor (see Envelope)
  uint64_t life_ = 0;    // crashes so far: messages sent to an earlier life are lost
  std::vector<site::TimerRequest> timers_;
  uint64_t sent_seq_ = 0;
  TimeUs paused_until_us_ = 0;        // the end of the last pause this site noticed
  TimeUs resumed_at_us_ = 0;          // when the last pause ended: messages due before were held
  uint64_t received_unverified_ = 0;  // ops received since the last verify(): bounds a batch
  // Bumped whenever something may bring the actor's next wake forward outside its own step (a
  // timer set, a failed dispatch, a halt): a delivery that bumps nothing needs no wake check.
  uint64_t plan_changes_ = 0;
  std::vector<FailedDispatch> failed_dispatches_;  // in due order
  bool halted_ = false;  // stopped for good by its own policy (on_expelled: abort): never restarts
  // Reached a crash_at point: down from the next microsecond, it takes nothing more until then.
  bool doomed_ = false;
  TimeUs instant_us_ = 0;          // the instant of the last step
  uint64_t steps_at_instant_ = 0;  // steps taken at it, bounded by kStepsPerInstantMax
};

}  // namespace treedoc::sim
