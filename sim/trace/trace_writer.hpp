// The typed trace: every event of a run as one JSON line with named fields (sites by name, ops
// as site:counter, messages with their kind and bytes, every no vote, late update and abort with
// its reason, its voter and the op that caused it, each catch-up as a record), for
// treedoc-sim explain and for analysis in any language. The fields are trace_schema.hpp's.
// Lines come in the order the run observed them; the event log's hash, not this file, is the
// run's fingerprint (its events are ordered canonically within an instant).
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/check/violation.hpp"
#include "sim/observe/catch_up_records.hpp"
#include "sim/observe/run_observer.hpp"

namespace treedoc::sim {

class TraceWriter final : public RunObserver {
 public:
  // Writes the "run" line at once; `out` stays the caller's to close. `catch_ups`: the run's own
  // records, subscribed before this writer, so a trace line and summary.json say the same.
  TraceWriter(std::FILE* out, const Scenario& scenario, uint64_t seed,
              const CatchUpRecords& catch_ups);

  // The run's last line: its violation, if it had one.
  void finish(TimeUs end_us, const std::optional<Violation>& violation);

  void on_local_op(TimeUs now, const LocalOpMade& made) override;
  void on_commit_step(TimeUs now, const CommitStepTaken& step) override;
  void on_epoch_entered(TimeUs now, const EpochEnteredAt& entered) override;
  void on_membership(TimeUs now, const MembershipStepTaken& step) override;
  void on_caught_up(TimeUs now, const CatchUpEnded& ended) override;
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
  nlohmann::ordered_json record(TimeUs now, const char* kind) const;
  nlohmann::ordered_json message_record(TimeUs now, const char* kind, SiteIndex from, SiteIndex to,
                                        uint64_t seq, const site::Message* m, uint64_t bytes) const;
  std::string name(SiteIndex i) const;
  std::string name_of_id(SiteId id) const;  // a site id (index + 2), as ops and attempts hold
  std::string op_name(OpId id) const;
  std::string attempt_name(const site::TxId& t) const;
  void write(const nlohmann::ordered_json& line);
  // A record whose only field is the site it happened at (crash, restart, halt).
  void write_site_event(TimeUs now, const char* kind, SiteIndex site);

  std::FILE* out_;
  const Scenario& scenario_;
  const CatchUpRecords& catch_ups_;
};

}  // namespace treedoc::sim
