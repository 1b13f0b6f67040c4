// The seam between the engine and everything that watches a run: the engine publishes typed
// observations of what happened (a site's steps, the network's sends, drops and deliveries, the
// environment's crashes and faults), and the checker, the event log, the statistics and any
// future observer subscribe to the ones they need. No observer changes the run.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/site/coverage_probe.hpp"
#include "models/site/durable_store.hpp"
#include "models/site/effects.hpp"
#include "models/site/message.hpp"
#include "models/site/site.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/world/event_kinds.hpp"
#include "sim/world/fault_timeline.hpp"
#include "sim/world/network.hpp"

namespace treedoc::sim {

// Where a user meant a local edit of `count` atoms to land: at `index` of a document of
// `size_before` atoms. A range erase may take several ops; each carries the whole edit's intent.
struct EditIntent {
  uint32_t index = 0;
  uint32_t size_before = 0;
  uint32_t count = 1;
  std::vector<OpId> erased;  // erase: the atoms at index .. index + count - 1 before it
  std::optional<OpId> next;  // erase: the atom at index + count before it, which must move to index
};

// A site made an op: a user's edit (with its intent) or a trace agent's (without one).
struct LocalOpMade {
  SiteIndex site = 0;
  const site::Site& state;
  const site::SharedOp& op;
  std::optional<EditIntent> intent;
  uint64_t position = 0;  // the edit's index, or the trace transaction's number
};

// A site now counts `op` as applied (remote, repaired, rebuilt after a crash, translated), in a
// step that began in `epoch_from` (a step may apply a CUT's ops and then enter the next epoch).
struct OpApplied {
  SiteIndex site = 0;
  const site::Site& state;
  const site::SharedOp& op;
  uint64_t epoch_from = 0;
};

struct CommitStepTaken {
  SiteIndex site = 0;
  const site::Site& state;
  const site::CommitEvent& step;
};

struct EpochEnteredAt {
  SiteIndex site = 0;
  const site::EpochEntered& entered;
};

// A membership step, with what only the environment knows about it.
struct MembershipStepTaken {
  SiteIndex site = 0;  // the site that acted
  SiteIndex about = 0;
  const site::MembershipEvent& step;
  bool suspect_was_up = false;  // kSuspected: the suspect was up at that instant
  uint64_t held_alone = 0;      // kFenced: ops the fenced site held that no other up site did
};

// A message handed to the network by `from`, one per recipient, with the fate the network drew.
struct MessageSent {
  SiteIndex from = 0, to = 0;
  uint64_t seq = 0;  // the sender's own message counter
  uint64_t bytes = 0;
  site::MessageKind kind = site::MessageKind::kOps;
  MessageFate fate;                        // fate.drop != kNone: lost at its send
  const site::Message* message = nullptr;  // what was sent, for observers that read it
};

// Where a message that was on its way was lost.
struct MessageDropped {
  SiteIndex from = 0, to = 0;
  uint64_t seq = 0;
  DropReason reason = DropReason::kNone;
};

struct MessageDelivered {
  SiteIndex from = 0, to = 0;
  uint64_t seq = 0;
  const site::Message* message = nullptr;
};

// A site reached the newest epoch it knew of, `took_us` after its first HELLO.
struct CatchUpEnded {
  SiteIndex site = 0;
  uint64_t from_epoch = 0, to_epoch = 0;
  TimeUs took_us = 0;
};

struct RpcFailed {
  SiteIndex caller = 0, callee = 0;
  uint64_t seq = 0;
  RpcError error = RpcError::kAuth;
  uint64_t epoch = 0, view = 0;  // the caller's, when it learns
};

// Every method has an empty default: an observer overrides those it needs. Calls come in the
// run's order; `now` is the simulated instant (observer instants are half a microsecond later).
class RunObserver {
 public:
  virtual ~RunObserver() = default;

  // A site's own steps.
  virtual void on_boot(TimeUs /*now*/, SiteIndex /*site*/) {}
  virtual void on_local_op(TimeUs /*now*/, const LocalOpMade& /*made*/) {}
  virtual void on_applied(TimeUs /*now*/, const OpApplied& /*applied*/) {}
  virtual void on_rejected(TimeUs /*now*/, SiteIndex /*site*/, const site::Rejection& /*r*/) {}
  virtual void on_wrong_epoch(SiteIndex /*site*/, uint64_t /*messages*/) {}
  virtual void on_commit_step(TimeUs /*now*/, const CommitStepTaken& /*step*/) {}
  virtual void on_translated(TimeUs /*now*/, SiteIndex /*site*/, const Op& /*op*/) {}
  virtual void on_epoch_entered(TimeUs /*now*/, const EpochEnteredAt& /*entered*/) {}
  virtual void on_lost_by_policy(TimeUs /*now*/, SiteIndex /*site*/,
                                 const std::vector<site::SharedOp>& /*ops*/) {}
  virtual void on_membership(TimeUs /*now*/, const MembershipStepTaken& /*step*/) {}
  virtual void on_caught_up(TimeUs /*now*/, const CatchUpEnded& /*ended*/) {}
  virtual void on_timer(TimeUs /*now*/, SiteIndex /*site*/, site::TimerKind /*kind*/) {}
  // The site's received ops are integrated and the checks that waited for its tree may run.
  virtual void on_verified(TimeUs /*now*/, SiteIndex /*site*/, const site::Site& /*state*/) {}
  // Host time spent applying `ops` ops at a site: a measurement, never an input.
  virtual void on_apply_timed(SiteIndex /*site*/, uint64_t /*ns*/, uint64_t /*ops*/) {}
  virtual void on_probes(const site::ProbeCounts& /*fired*/) {}
  virtual void on_probe(site::Probe /*probe*/, uint64_t /*times*/) {}
  // After each step of a site (before its commands are carried out): its durable store as the
  // step left it.
  virtual void on_durable(TimeUs /*now*/, SiteIndex /*site*/, const site::DurableStore& /*store*/) {
  }
  // A site hands `out` to the network (once per message, before it goes to each recipient).
  virtual void on_reveal(TimeUs /*now*/, SiteIndex /*site*/, const site::Site& /*state*/,
                         const site::Outgoing& /*out*/) {}
  // A site that crashed started again and rebuilt its state from its durable store.
  virtual void on_recovered(TimeUs /*now*/, SiteIndex /*site*/, const site::Site& /*state*/) {}

  // The network.
  virtual void on_send(TimeUs /*now*/, const MessageSent& /*sent*/) {}
  virtual void on_drop(TimeUs /*now*/, const MessageDropped& /*dropped*/) {}
  virtual void on_deliver(TimeUs /*now*/, const MessageDelivered& /*delivered*/) {}
  virtual void on_rpc_failed(TimeUs /*now*/, const RpcFailed& /*failed*/) {}

  // The environment.
  virtual void on_fault(TimeUs /*now*/, size_t /*index*/, const FaultEvent& /*fault*/) {}
  // `claimed`: what the site had applied; null when it had not booted.
  virtual void on_crash(TimeUs /*now*/, SiteIndex /*site*/, const DotSet* /*claimed*/) {}
  virtual void on_restart(TimeUs /*now*/, SiteIndex /*site*/) {}
  // The site stopped for good by its own policy (on_expelled: abort), holding `claimed`.
  virtual void on_halt(TimeUs /*now*/, SiteIndex /*site*/, const DotSet& /*claimed*/) {}
  virtual void on_phase(TimeUs /*now*/, RunPhase /*phase*/) {}
};

// Publishes each observation to every subscriber, in the order they subscribed.
class RunObservers final : public RunObserver {
 public:
  void subscribe(RunObserver* o) { subscribers_.push_back(o); }

  void on_boot(TimeUs now, SiteIndex site) override { each(&RunObserver::on_boot, now, site); }
  void on_local_op(TimeUs now, const LocalOpMade& m) override {
    each(&RunObserver::on_local_op, now, m);
  }
  void on_applied(TimeUs now, const OpApplied& a) override {
    each(&RunObserver::on_applied, now, a);
  }
  void on_rejected(TimeUs now, SiteIndex site, const site::Rejection& r) override {
    each(&RunObserver::on_rejected, now, site, r);
  }
  void on_wrong_epoch(SiteIndex site, uint64_t messages) override {
    each(&RunObserver::on_wrong_epoch, site, messages);
  }
  void on_commit_step(TimeUs now, const CommitStepTaken& c) override {
    each(&RunObserver::on_commit_step, now, c);
  }
  void on_translated(TimeUs now, SiteIndex site, const Op& op) override {
    each(&RunObserver::on_translated, now, site, op);
  }
  void on_epoch_entered(TimeUs now, const EpochEnteredAt& e) override {
    each(&RunObserver::on_epoch_entered, now, e);
  }
  void on_lost_by_policy(TimeUs now, SiteIndex site,
                         const std::vector<site::SharedOp>& ops) override {
    each(&RunObserver::on_lost_by_policy, now, site, ops);
  }
  void on_membership(TimeUs now, const MembershipStepTaken& m) override {
    each(&RunObserver::on_membership, now, m);
  }
  void on_caught_up(TimeUs now, const CatchUpEnded& ended) override {
    each(&RunObserver::on_caught_up, now, ended);
  }
  void on_timer(TimeUs now, SiteIndex site, site::TimerKind kind) override {
    each(&RunObserver::on_timer, now, site, kind);
  }
  void on_verified(TimeUs now, SiteIndex site, const site::Site& state) override {
    each(&RunObserver::on_verified, now, site, state);
  }
  void on_apply_timed(SiteIndex site, uint64_t ns, uint64_t ops) override {
    each(&RunObserver::on_apply_timed, site, ns, ops);
  }
  void on_probes(const site::ProbeCounts& fired) override { each(&RunObserver::on_probes, fired); }
  void on_probe(site::Probe probe, uint64_t times) override {
    each(&RunObserver::on_probe, probe, times);
  }
  void on_durable(TimeUs now, SiteIndex site, const site::DurableStore& store) override {
    each(&RunObserver::on_durable, now, site, store);
  }
  void on_reveal(TimeUs now, SiteIndex site, const site::Site& state,
                 const site::Outgoing& out) override {
    each(&RunObserver::on_reveal, now, site, state, out);
  }
  void on_recovered(TimeUs now, SiteIndex site, const site::Site& state) override {
    each(&RunObserver::on_recovered, now, site, state);
  }
  void on_send(TimeUs now, const MessageSent& s) override { each(&RunObserver::on_send, now, s); }
  void on_drop(TimeUs now, const MessageDropped& d) override {
    each(&RunObserver::on_drop, now, d);
  }
  void on_deliver(TimeUs now, const MessageDelivered& d) override {
    each(&RunObserver::on_deliver, now, d);
  }
  void on_rpc_failed(TimeUs now, const RpcFailed& f) override {
    each(&RunObserver::on_rpc_failed, now, f);
  }
  void on_fault(TimeUs now, size_t index, const FaultEvent& fault) override {
    each(&RunObserver::on_fault, now, index, fault);
  }
  void on_crash(TimeUs now, SiteIndex site, const DotSet* claimed) override {
    each(&RunObserver::on_crash, now, site, claimed);
  }
  void on_restart(TimeUs now, SiteIndex site) override {
    each(&RunObserver::on_restart, now, site);
  }
  void on_halt(TimeUs now, SiteIndex site, const DotSet& claimed) override {
    each(&RunObserver::on_halt, now, site, claimed);
  }
  void on_phase(TimeUs now, RunPhase phase) override { each(&RunObserver::on_phase, now, phase); }

 private:
  template <typename Method, typename... Args>
  void each(Method method, const Args&... args) {
    for (RunObserver* o : subscribers_) (o->*method)(args...);
  }

  std::vector<RunObserver*> subscribers_;
};

}  // namespace treedoc::sim
