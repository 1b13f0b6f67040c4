// The event log's vocabulary: every kind of event with its named, typed fields, and the phases of
// a run an observer marks. One registry: the log's text lines, its schema file (event_schema.hpp)
// and analysis/ all take names and field order from here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "models/treedoc/op.hpp"
#include "models/vocabulary/named_enum.hpp"

namespace treedoc::sim {

// clang-format off
#define TREEDOC_EVENT_KINDS(X) \
  X(kSend, "send", "a message left its sender and will arrive at due_us (a duplicate is a second send)") \
  X(kDrop, "drop", "a message was lost: at its send, at its arrival or from an inbox, for `reason`") \
  X(kDeliver, "deliver", "a message reached its destination's state machine") \
  X(kLocalOp, "local-op", "a site made an op: a user's edit at `position`, or a trace transaction's") \
  X(kTimer, "timer", "a site's timer fired") \
  X(kFault, "fault", "a scheduled fault of the scenario took effect") \
  X(kCrash, "crash", "a site lost its volatile state: a crash, or a halt by its own policy") \
  X(kRestart, "restart", "a crashed site started again from its durable state") \
  X(kPhase, "phase", "the observer marked a phase of the run (half a microsecond after its instant)") \
  X(kEpoch, "epoch", "a site entered an epoch") \
  X(kCommit, "commit", "a step of the flatten commit at a site") \
  X(kMembership, "membership", "a step of the core's membership at a site") \
  X(kRpcFailed, "rpc-failed", "a flatten message the caller sent failed; the caller learns it now")

// What the observer marks (an event of kind kPhase).
#define TREEDOC_RUN_PHASES(X) \
  X(kSafetyEnd, "safety phase ends", "faults and the workload stop; everything heals and restarts") \
  X(kConverged, "converged", "every live site holds the same ops and tree, and nothing is lost") \
  X(kLivenessFailed, "liveness failed", "the liveness phase ran out before the sites converged") \
  X(kViolation, "violation", "an invariant failed; the run stops after this instant")

// An op's kind as the log writes it: OpKind's values (models/treedoc/op.hpp).
#define TREEDOC_LOGGED_OP_KINDS(X) \
  X(kInsert, "insert", "an insert") \
  X(kDelete, "delete", "a delete")

// The type of an event field, which says how to read its integer: a site index (names as in
// site_name), a plain count or number, a time in microseconds, a hash, or a value of a registry.
#define TREEDOC_FIELD_TYPES(X) \
  X(kSite, "site", "a site index: c0.. first, then n0..") \
  X(kSiteId, "site_id", "a site id: the site index + 2 (ids 0 and 1 are reserved)") \
  X(kNumber, "number", "a count, a counter or an index") \
  X(kTimeUs, "time_us", "a simulated time in microseconds") \
  X(kHash, "hash", "a 64-bit hash") \
  X(kOpKind, "op_kind", "0 insert, 1 delete") \
  X(kDropReason, "drop_reason", "why a message was lost (sim/world/fault_timeline.hpp)") \
  X(kTimerKind, "timer_kind", "which timer (models/site/effects.hpp)") \
  X(kFaultVerb, "fault_verb", "a fault verb of scenario files (sim/scenario/scenario.hpp)") \
  X(kRunPhase, "run_phase", "what the observer marked") \
  X(kCommitPhase, "commit_phase", "a flatten commit step (models/site/effects.hpp)") \
  X(kMembershipStep, "membership_step", "a membership step (models/site/effects.hpp)") \
  X(kRpcError, "rpc_error", "how a failed RPC failed (sim/scenario/scenario.hpp)")
// clang-format on

enum class EventKind : uint8_t { TREEDOC_EVENT_KINDS(TREEDOC_ENUMERATOR) };
inline constexpr auto kEventKinds =
    named_enum<EventKind>({TREEDOC_EVENT_KINDS(TREEDOC_ENUM_ENTRY)});
static_assert(kEventKinds.well_formed());
inline const char* to_string(EventKind k) { return kEventKinds.name(k); }

enum class RunPhase : uint8_t { TREEDOC_RUN_PHASES(TREEDOC_ENUMERATOR) };
inline constexpr auto kRunPhases = named_enum<RunPhase>({TREEDOC_RUN_PHASES(TREEDOC_ENUM_ENTRY)});
static_assert(kRunPhases.well_formed());

enum class LoggedOpKind : uint8_t { TREEDOC_LOGGED_OP_KINDS(TREEDOC_ENUMERATOR) };
inline constexpr auto kLoggedOpKinds =
    named_enum<LoggedOpKind>({TREEDOC_LOGGED_OP_KINDS(TREEDOC_ENUM_ENTRY)});
static_assert(static_cast<int>(LoggedOpKind::kInsert) == static_cast<int>(OpKind::kInsert) &&
              static_cast<int>(LoggedOpKind::kDelete) == static_cast<int>(OpKind::kDelete));

enum class FieldType : uint8_t { TREEDOC_FIELD_TYPES(TREEDOC_ENUMERATOR) };
inline constexpr auto kFieldTypes =
    named_enum<FieldType>({TREEDOC_FIELD_TYPES(TREEDOC_ENUM_ENTRY)});
static_assert(kFieldTypes.well_formed());

// Fields an event carries at most; unused trailing fields are 0 in the hash and absent in text.
inline constexpr size_t kEventFieldsMax = 5;

struct EventField {
  const char* name = nullptr;  // null: no such field
  FieldType type = FieldType::kNumber;
};

struct EventFields {
  std::array<EventField, kEventFieldsMax> fields{};
  constexpr size_t count() const {
    size_t n = 0;
    while (n < kEventFieldsMax && fields[n].name != nullptr) ++n;
    return n;
  }
};

// Each kind's fields, in the order the log writes them, indexed by EventKind.
inline constexpr std::array<EventFields, kEventKinds.size()> kEventFieldsOf = {{
    // kSend
    {{{{"from", FieldType::kSite},
       {"to", FieldType::kSite},
       {"seq", FieldType::kNumber},
       {"due_us", FieldType::kTimeUs}}}},
    // kDrop
    {{{{"from", FieldType::kSite},
       {"to", FieldType::kSite},
       {"seq", FieldType::kNumber},
       {"reason", FieldType::kDropReason}}}},
    // kDeliver
    {{{{"from", FieldType::kSite}, {"to", FieldType::kSite}, {"seq", FieldType::kNumber}}}},
    // kLocalOp
    {{{{"site", FieldType::kSite},
       {"counter", FieldType::kNumber},
       {"op", FieldType::kOpKind},
       {"position", FieldType::kNumber},
       {"op_hash", FieldType::kHash}}}},
    // kTimer
    {{{{"site", FieldType::kSite}, {"timer", FieldType::kTimerKind}}}},
    // kFault
    {{{{"fault", FieldType::kNumber}, {"verb", FieldType::kFaultVerb}}}},
    // kCrash
    {{{{"site", FieldType::kSite}}}},
    // kRestart
    {{{{"site", FieldType::kSite}}}},
    // kPhase
    {{{{"phase", FieldType::kRunPhase}}}},
    // kEpoch
    {{{{"site", FieldType::kSite},
       {"epoch", FieldType::kNumber},
       {"by_catch_up", FieldType::kNumber},
       {"translated", FieldType::kNumber}}}},
    // kCommit
    {{{{"site", FieldType::kSite},
       {"step", FieldType::kCommitPhase},
       {"epoch", FieldType::kNumber},
       {"coordinator", FieldType::kSiteId},
       {"attempt", FieldType::kNumber}}}},
    // kMembership
    {{{{"site", FieldType::kSite},
       {"step", FieldType::kMembershipStep},
       {"about", FieldType::kSite},
       {"epoch", FieldType::kNumber},
       {"view", FieldType::kNumber}}}},
    // kRpcFailed
    {{{{"caller", FieldType::kSite},
       {"callee", FieldType::kSite},
       {"seq", FieldType::kNumber},
       {"error", FieldType::kRpcError}}}},
}};

constexpr bool every_kind_has_fields() {
  for (const EventFields& f : kEventFieldsOf) {
    if (f.count() == 0) return false;
  }
  return true;
}
static_assert(every_kind_has_fields(), "a row of kEventFieldsOf per event kind, in order");

}  // namespace treedoc::sim
