// TraceWriter: each observation as one JSON line, in the names trace_schema.cpp lists.
#include "sim/trace/trace_writer.hpp"

#include "models/treedoc/assertion.hpp"
#include "sim/check/report_text.hpp"
#include "sim/trace/trace_schema.hpp"

namespace treedoc::sim {

// A trace line: an ordered object, so every line reads t_us and kind first.
using Line = nlohmann::ordered_json;

TraceWriter::TraceWriter(std::FILE* out, const Scenario& scenario, uint64_t seed,
                         const CatchUpRecords& catch_ups)
    : out_(out), scenario_(scenario), catch_ups_(catch_ups) {
  TD_ASSERT(out != nullptr, "a file to write the trace to");
  Line names = Line::array();
  for (SiteIndex i = 0; i < scenario.topology.site_count(); ++i) names.push_back(name(i));
  Line line = record(0, "run");
  line["scenario"] = scenario.file;
  line["seed"] = seed;
  line["sites"] = names;
  line["core"] = scenario.topology.core;
  line["schema_version"] = kTraceSchemaVersion;
  write(line);
}

std::string TraceWriter::name(SiteIndex i) const { return site_name(scenario_.topology, i); }

std::string TraceWriter::name_of_id(SiteId id) const {
  return site_id_name(scenario_.topology, id);
}

std::string TraceWriter::op_name(OpId id) const { return sim::op_name(scenario_.topology, id); }

std::string TraceWriter::attempt_name(const site::TxId& t) const {
  return sim::attempt_name(scenario_.topology, t);
}

Line TraceWriter::record(TimeUs now, const char* kind) const {
  TD_ASSERT(trace_schema()["kinds"].contains(kind), "a record kind of the schema");
  return {{"t_us", now}, {"kind", kind}};
}

void TraceWriter::write(const Line& line) {
  const std::string text = line.dump();
  std::fputs(text.c_str(), out_);
  std::fputc('\n', out_);
}

Line TraceWriter::message_record(TimeUs now, const char* kind, SiteIndex from, SiteIndex to,
                                 uint64_t seq, const site::Message* m, uint64_t bytes) const {
  Line line = record(now, kind);
  line["from"] = name(from);
  line["to"] = name(to);
  line["seq"] = seq;
  if (m == nullptr) return line;
  line["msg"] = site::to_string(m->kind);
  line["bytes"] = bytes;
  line["epoch"] = m->epoch;
  line["view"] = m->view;
  if (m->kind == site::MessageKind::kOps) line["ops"] = m->ops.size();
  if (m->kind != site::MessageKind::kCommit) return line;
  const site::CommitMessage& c = m->commit;
  line["commit"] = site::kCommitMessages.name(c.kind);
  line["attempt"] = attempt_name(c.txid);
  using Kind = site::CommitMessage::Kind;
  if (c.kind == Kind::kVote || c.kind == Kind::kDontKnow) line["vote"] = site::to_string(c.vote);
  if (c.cause != kOpIdNone) line["cause"] = op_name(c.cause);
  if (c.blocking != site::TxId{}) line["blocking"] = attempt_name(c.blocking);
  return line;
}

void TraceWriter::on_local_op(TimeUs now, const LocalOpMade& made) {
  Line line = record(now, "local-op");
  line["site"] = name(made.site);
  line["op"] = made.op->is_insert() ? "insert" : "delete";
  line["id"] = op_name(made.op->id);
  line["position"] = made.position;
  write(line);
}

void TraceWriter::on_commit_step(TimeUs now, const CommitStepTaken& step) {
  using Phase = site::CommitEvent::Phase;
  const site::CommitEvent& e = step.step;
  Line line = record(now, "commit");
  line["site"] = name(step.site);
  line["step"] = site::to_string(e.phase);
  line["attempt"] = attempt_name(e.txid);
  line["epoch"] = e.epoch;
  line["view"] = e.view;
  if (e.view_only) line["view_only"] = true;
  const bool decided_here = e.txid.coordinator == step.state.id();
  if (e.phase == Phase::kCommitted || e.phase == Phase::kAborted) {
    line["decided_here"] = decided_here;
  }
  if ((e.phase == Phase::kPrepareSent || e.phase == Phase::kCommitted) && e.cut) {
    line["cut_ops"] = e.cut->size();
  }
  if (e.phase == Phase::kVotedNo) line["vote"] = site::to_string(e.vote);
  if (e.phase == Phase::kAborted && decided_here) line["reason"] = site::to_string(e.reason);
  const bool blames = e.phase == Phase::kVotedNo || (e.phase == Phase::kAborted && decided_here);
  if (blames && e.blame.voter != 0) line["voter"] = name_of_id(e.blame.voter);
  if (blames && e.blame.cause != kOpIdNone) line["cause"] = op_name(e.blame.cause);
  if (blames && e.blame.blocking != site::TxId{}) {
    line["blocking"] = attempt_name(e.blame.blocking);
  }
  write(line);
}

void TraceWriter::on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) {
  const site::EpochEntered& e = entered.entered;
  Line line = record(now, "epoch");
  line["site"] = name(entered.site);
  line["epoch"] = e.epoch;
  line["by"] = !e.ending ? "state-transfer" : e.catch_up ? "catch-up" : "commit";
  line["translated"] = e.translated;
  if (e.lost_by_policy > 0) line["lost_by_policy"] = e.lost_by_policy;
  write(line);
}

void TraceWriter::on_membership(TimeUs now, const MembershipStepTaken& step) {
  using Kind = site::MembershipEvent::Kind;
  const site::MembershipEvent& e = step.step;
  Line line = record(now, "membership");
  line["site"] = name(step.site);
  line["step"] = site::to_string(e.kind);
  line["about"] = name(step.about);
  line["epoch"] = e.epoch;
  line["view"] = e.view;
  if (e.kind == Kind::kSuspected) {
    line["cause"] = site::to_string(e.cause);
    line["suspect_was_up"] = step.suspect_was_up;
  }
  if (e.kind == Kind::kFenced) line["held_alone"] = step.held_alone;
  write(line);
}

void TraceWriter::on_caught_up(TimeUs now, const CatchUpEnded& ended) {
  // The run's CatchUpRecords heard this end first (it subscribed before the trace).
  const CatchUpRecord& r = catch_ups_.last();
  TD_ASSERT(r.site == ended.site && r.end_us == now, "the records saw this catch-up end");
  Line line = record(now, "catch-up");
  line["site"] = name(r.site);
  line["start_us"] = r.start_us;
  line["end_us"] = r.end_us;
  line["from_epoch"] = r.from_epoch;
  line["to_epoch"] = r.to_epoch;
  line["epochs_crossed"] = r.to_epoch - r.from_epoch;
  line["ops_translated"] = r.ops_translated;
  line["messages"] = r.messages;
  line["bytes"] = r.bytes;
  write(line);
}

void TraceWriter::on_timer(TimeUs now, SiteIndex site, site::TimerKind kind) {
  Line line = record(now, "timer");
  line["site"] = name(site);
  line["timer"] = site::to_string(kind);
  write(line);
}

void TraceWriter::on_send(TimeUs now, const MessageSent& sent) {
  const bool lost = sent.fate.drop != DropReason::kNone;
  Line line = message_record(now, lost ? "drop" : "send", sent.from, sent.to, sent.seq,
                             sent.message, sent.bytes);
  if (lost) {
    line["reason"] = to_string(sent.fate.drop);
    line["at"] = "send";
  } else {
    Line due = Line::array();
    for (uint32_t k = 0; k < sent.fate.copies; ++k) due.push_back(sent.fate.due_us[k]);
    line["due_us"] = due;
  }
  write(line);
}

void TraceWriter::on_drop(TimeUs now, const MessageDropped& dropped) {
  Line line = message_record(now, "drop", dropped.from, dropped.to, dropped.seq, nullptr, 0);
  line["reason"] = to_string(dropped.reason);
  line["at"] = "arrival";
  write(line);
}

void TraceWriter::on_deliver(TimeUs now, const MessageDelivered& delivered) {
  const site::Message* m = delivered.message;
  write(message_record(now, "deliver", delivered.from, delivered.to, delivered.seq, m,
                       m ? m->encoded_bytes() : 0));
}

void TraceWriter::on_rpc_failed(TimeUs now, const RpcFailed& failed) {
  Line line = record(now, "rpc-failed");
  line["caller"] = name(failed.caller);
  line["callee"] = name(failed.callee);
  line["seq"] = failed.seq;
  line["error"] = to_string(failed.error);
  write(line);
}

void TraceWriter::on_fault(TimeUs now, size_t index, const FaultEvent& fault) {
  Line line = record(now, "fault");
  line["index"] = index;
  line["verb"] = to_string(fault.verb);
  line["where"] = fault.where;
  write(line);
}

void TraceWriter::write_site_event(TimeUs now, const char* kind, SiteIndex site) {
  Line line = record(now, kind);
  line["site"] = name(site);
  write(line);
}

void TraceWriter::on_crash(TimeUs now, SiteIndex site, const DotSet* /*claimed*/) {
  write_site_event(now, "crash", site);
}

void TraceWriter::on_restart(TimeUs now, SiteIndex site) { write_site_event(now, "restart", site); }

void TraceWriter::on_halt(TimeUs now, SiteIndex site, const DotSet& /*claimed*/) {
  write_site_event(now, "halt", site);
}

void TraceWriter::on_phase(TimeUs now, RunPhase phase) {
  Line line = record(now, "phase");
  line["phase"] = kRunPhases.name(phase);
  write(line);
}

void TraceWriter::finish(TimeUs end_us, const std::optional<Violation>& violation) {
  if (!violation) return;
  Line line = record(violation->at_us, "violation");
  Line sites = Line::array();
  for (SiteIndex s : violation->sites) sites.push_back(name(s));
  Line ops = Line::array();
  for (OpId id : violation->ops) ops.push_back(op_name(id));
  line["invariant"] = violation->name();
  line["liveness"] = violation->liveness();
  line["sites"] = sites;
  line["ops"] = ops;
  line["detail"] = violation->detail;
  line["run_end_us"] = end_us;
  write(line);
}

}  // namespace treedoc::sim
