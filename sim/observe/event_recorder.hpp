// The observer that writes the event log: every observation that shapes a run becomes one event
// of sim/world/event_kinds.hpp, with its fields in the registry's order.
#pragma once

#include "sim/observe/run_observer.hpp"
#include "sim/world/event_log.hpp"

namespace treedoc::sim {

class EventRecorder final : public RunObserver {
 public:
  explicit EventRecorder(EventLog* log) : log_(log) {}

  void on_local_op(TimeUs now, const LocalOpMade& made) override;
  void on_commit_step(TimeUs now, const CommitStepTaken& step) override;
  void on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) override;
  void on_membership(TimeUs now, const MembershipStepTaken& step) override;
  void on_timer(TimeUs now, SiteIndex site, site::TimerKind kind) override;
  void on_send(TimeUs now, const MessageSent& sent) override;
  void on_drop(TimeUs now, const MessageDropped& dropped) override;
  void on_deliver(TimeUs now, const MessageDelivered& delivered) override;
  void on_rpc_failed(TimeUs now, const RpcFailed& failed) override;
  void on_fault(TimeUs now, size_t index, const FaultEvent& fault) override;
  void on_crash(TimeUs now, SiteIndex site, const DotSet* claimed) override;
  void on_restart(TimeUs now, SiteIndex site) override;
  void on_halt(TimeUs now, SiteIndex site, const DotSet& claimed) override;
  void on_phase(TimeUs now, RunPhase phase) override;

 private:
  EventLog* log_;
};

}  // namespace treedoc::sim
