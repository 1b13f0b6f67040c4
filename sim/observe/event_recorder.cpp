// Observations into events: the fields of each kind as sim/world/event_kinds.hpp names them.
#include "sim/observe/event_recorder.hpp"

#include "models/treedoc/codec.hpp"
#include "models/treedoc/fnv_hash.hpp"

namespace treedoc::sim {

namespace {

template <typename Enum>
uint64_t code(Enum e) {
  return static_cast<uint64_t>(e);
}

// What the event log records of an op's content: its whole encoding, hashed.
uint64_t op_hash(const Op& op) {
  Fnv64 h;
  h.add_bytes(encode_op(op));
  return h.value();
}

}  // namespace

void EventRecorder::on_local_op(TimeUs now, const LocalOpMade& made) {
  const Op& op = *made.op;
  log_->record(now, EventKind::kLocalOp, made.site, op.id.counter, code(op.kind), made.position,
               op_hash(op));
}

void EventRecorder::on_commit_step(TimeUs now, const CommitStepTaken& step) {
  const site::CommitEvent& e = step.step;
  log_->record(now, EventKind::kCommit, step.site, code(e.phase), e.epoch, e.txid.coordinator,
               e.txid.attempt);
}

void EventRecorder::on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) {
  const site::EpochEntered& e = entered.entered;
  log_->record(now, EventKind::kEpoch, entered.site, e.epoch, e.catch_up ? 1 : 0, e.translated);
}

void EventRecorder::on_membership(TimeUs now, const MembershipStepTaken& step) {
  const site::MembershipEvent& e = step.step;
  log_->record(now, EventKind::kMembership, step.site, code(e.kind), step.about, e.epoch, e.view);
}

void EventRecorder::on_timer(TimeUs now, SiteIndex site, site::TimerKind kind) {
  log_->record(now, EventKind::kTimer, site, code(kind));
}

void EventRecorder::on_send(TimeUs now, const MessageSent& sent) {
  if (sent.fate.drop != DropReason::kNone) {
    log_->record(now, EventKind::kDrop, sent.from, sent.to, sent.seq, code(sent.fate.drop));
    return;
  }
  for (uint32_t k = 0; k < sent.fate.copies; ++k) {
    log_->record(now, EventKind::kSend, sent.from, sent.to, sent.seq, sent.fate.due_us[k]);
  }
}

void EventRecorder::on_drop(TimeUs now, const MessageDropped& dropped) {
  log_->record(now, EventKind::kDrop, dropped.from, dropped.to, dropped.seq, code(dropped.reason));
}

void EventRecorder::on_deliver(TimeUs now, const MessageDelivered& delivered) {
  log_->record(now, EventKind::kDeliver, delivered.from, delivered.to, delivered.seq);
}

void EventRecorder::on_rpc_failed(TimeUs now, const RpcFailed& failed) {
  log_->record(now, EventKind::kRpcFailed, failed.caller, failed.callee, failed.seq,
               code(failed.error));
}

void EventRecorder::on_fault(TimeUs now, size_t index, const FaultEvent& fault) {
  log_->record(now, EventKind::kFault, index, code(fault.verb));
}

void EventRecorder::on_crash(TimeUs now, SiteIndex site, const DotSet* /*claimed*/) {
  log_->record(now, EventKind::kCrash, site);
}

void EventRecorder::on_restart(TimeUs now, SiteIndex site) {
  log_->record(now, EventKind::kRestart, site);
}

void EventRecorder::on_halt(TimeUs now, SiteIndex site, const DotSet& /*claimed*/) {
  // The log calls it a crash: the site's volatile state is gone, for good this time.
  log_->record(now, EventKind::kCrash, site);
}

void EventRecorder::on_phase(TimeUs now, RunPhase phase) { log_->record_phase(now, phase); }

}  // namespace treedoc::sim
