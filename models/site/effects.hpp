// What a site gives its environment after each step: commands (messages to send, timers to set,
// halting) and observations (what it applied, its protocol steps, its probes) for the checker,
// the metrics and the log. The site never does I/O itself.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "models/site/coverage_probe.hpp"
#include "models/site/flatten_commit.hpp"
#include "models/site/message.hpp"
#include "models/site/time_us.hpp"
#include "models/treedoc/replica.hpp"
#include "models/vocabulary/named_enum.hpp"

namespace treedoc::site {

// Who gets a message. The environment resolves "all" and "random" from its membership list and a
// seeded stream of its own: the model holds no randomness it was not given.
struct Destination {
  enum class Kind : uint8_t {
    kSite,         // exactly `site`
    kAllPeers,     // every other site
    kRandomPeers,  // `count` distinct other sites chosen at random (fewer if there are fewer)
  };
  Kind kind = Kind::kSite;
  SiteId site = 0;
  uint32_t count = 0;
};

struct Outgoing {
  Destination to;
  SharedMessage message;
};

// clang-format off
#define TREEDOC_TIMER_KINDS(X) \
  X(kAntiEntropy, "anti-entropy", "send a digest to random peers (repairs what the network lost)") \
  X(kFlattenPolicy, "flatten-policy", "the coordinator checks its flatten policy (and retries after an abort)") \
  X(kCommit, "commit", "the flatten commit's vote timeout or termination retry") \
  X(kCatchUp, "catch-up", "no CUT arrived for a HELLO: ask another core member") \
  X(kHeartbeat, "heartbeat", "a member heartbeats the coordinator; the coordinator checks who is silent") \
  X(kJoin, "join", "a caught-up non-member asks the coordinator again to join the core")
// clang-format on

enum class TimerKind : uint8_t { TREEDOC_TIMER_KINDS(TREEDOC_ENUMERATOR) };

inline constexpr auto kTimerKinds =
    named_enum<TimerKind>({TREEDOC_TIMER_KINDS(TREEDOC_ENUM_ENTRY)});
static_assert(kTimerKinds.well_formed());

inline const char* to_string(TimerKind k) { return kTimerKinds.name(k); }

struct TimerRequest {
  TimerKind kind = TimerKind::kAntiEntropy;
  TimeUs at_us = 0;
};

// An op the replica refused: a TID collision (invariant 1) or a malformed op.
using Rejection = Replica::Rejected;

// A step of the flatten commit, for the checker (invariants 9, 10), the metrics and the log.
// clang-format off
#define TREEDOC_COMMIT_PHASES(X) \
  X(kPrepareSent, "prepare sent", "the coordinator proposed a flatten (PREPARE to every member)") \
  X(kVotedYes, "voted yes", "a participant logged PREPARED and voted yes") \
  X(kVotedNo, "voted no", "a participant voted no") \
  X(kCommitted, "committed", "the site learned the attempt committed") \
  X(kAborted, "aborted", "the site learned the attempt aborted")
// clang-format on

struct CommitEvent {
  enum class Phase : uint8_t { TREEDOC_COMMIT_PHASES(TREEDOC_ENUMERATOR) };
  Phase phase = Phase::kPrepareSent;
  uint64_t epoch = 0;  // the epoch the attempt would close
  TxId txid;
  Vote vote = Vote::kYes;                   // kVotedNo: why
  AbortReason reason = AbortReason::kNone;  // kAborted: why
  std::shared_ptr<const DotSet> cut;        // kVotedYes, kCommitted: C
  uint64_t hash = 0;                        // kCommitted: H
  Members next_members;                     // kCommitted: the view the next epoch starts with
  uint64_t view = 0;                        // the view the attempt was proposed in
  uint64_t next_view = 0;                   // kCommitted: the view it starts
  bool view_only = false;  // a view change alone: no cut, the epoch stays (docs/protocol.md §6.7)
  Blame blame{};           // kVotedNo (this site as voter), kAborted decided here
};

inline constexpr auto kCommitPhases =
    named_enum<CommitEvent::Phase>({TREEDOC_COMMIT_PHASES(TREEDOC_ENUM_ENTRY)});
static_assert(kCommitPhases.well_formed());

inline const char* to_string(CommitEvent::Phase p) { return kCommitPhases.name(p); }

// The site moved into a new epoch: by its own commit, by a decision it learned, by catch-up from
// an archived cut, or by a state transfer beyond the retention bound.
struct EpochEntered {
  uint64_t epoch = 0;
  std::shared_ptr<const EpochEnding> ending;  // null for a state transfer
  bool catch_up = false;
  // The visible sequence (atoms and op ids) just before and just after: equal (flatten
  // invisibility and order preservation, invariants 11 and 13) unless a state transfer lost ops
  // by policy or brought ops the site never held.
  uint64_t visible_hash_before = 0, visible_hash_after = 0;
  uint64_t translated = 0;      // black ops carried into the epoch
  uint64_t dropped = 0;         // black deletes of cyan tombstones, absorbed by the flatten
  uint64_t lost_by_policy = 0;  // ops that could not be translated (state transfer)
  // A state transfer's ops that the site never held but its base reflects (a catch-up by CUT
  // applies them before the flatten instead): the base shows their inserts and deletes.
  uint64_t gained = 0;
  // A state transfer that re-based (docs/protocol.md §4, "Beyond retention"): the site's own
  // atoms carried onto the base by identity, and other sites' atoms left to their origins.
  uint64_t rebased = 0;
  uint64_t left_to_origin = 0;
  // The coordinator's tree just before and after its own flatten (metrics: the paper's Figure 4).
  std::optional<ReplicaStats> stats_before, stats_after;
  // A state transfer that lost, gained, re-based or left ops: the insert op ids of the visible
  // sequence just before and just after, whose common atoms must keep their order (invariant 13).
  std::vector<OpId> visible_ids_before, visible_ids_after;
};

// clang-format off
#define TREEDOC_MEMBERSHIP_STEPS(X) \
  X(kSuspected, "suspected", "coordinator: `site` is suspected (`cause` says by what)") \
  X(kExpelled, "expelled", "coordinator: a committed view change removed `site`") \
  X(kAdmitted, "admitted", "coordinator: a committed view change added `site`") \
  X(kFenced, "fenced", "`site` learned it was expelled: STALE from a newer view, or a cut") \
  X(kDemoted, "demoted", "... and keeps its state as a nebula site") \
  X(kHalted, "halted", "... and stops for good") \
  X(kCatchUpStarted, "catch-up-started", "a non-member that wants to (re)join the core began catching up") \
  X(kCaughtUp, "caught-up", "... and reached the core's epoch") \
  X(kJoinRequested, "join-requested", "... and asked the coordinator to join") \
  X(kJoined, "joined", "`site` entered an epoch whose view includes it, after one that did not")
#define TREEDOC_SUSPICION_CAUSES(X) \
  X(kNone, "none", "not a suspicion") \
  X(kHeartbeatTimeout, "heartbeat timeout", "the failure detector heard nothing for suspect_after_us") \
  X(kDispatchFailed, "failed dispatch", "`expire`: a flatten RPC to it failed")
// clang-format on

// A step of the core's membership (docs/protocol.md, membership), for the event log, the summary
// and its story.
struct MembershipEvent {
  enum class Kind : uint8_t { TREEDOC_MEMBERSHIP_STEPS(TREEDOC_ENUMERATOR) };
  enum class Cause : uint8_t { TREEDOC_SUSPICION_CAUSES(TREEDOC_ENUMERATOR) };
  Kind kind = Kind::kSuspected;
  SiteId site = 0;
  uint64_t epoch = 0;  // the epoch the acting site is in (for kExpelled/kAdmitted/kJoined: the
                       // epoch the new view starts)
  uint64_t view = 0;
  Cause cause = Cause::kNone;
};

inline constexpr auto kMembershipSteps =
    named_enum<MembershipEvent::Kind>({TREEDOC_MEMBERSHIP_STEPS(TREEDOC_ENUM_ENTRY)});
static_assert(kMembershipSteps.well_formed());
inline constexpr auto kSuspicionCauses =
    named_enum<MembershipEvent::Cause>({TREEDOC_SUSPICION_CAUSES(TREEDOC_ENUM_ENTRY)});
static_assert(kSuspicionCauses.well_formed());

inline const char* to_string(MembershipEvent::Kind k) { return kMembershipSteps.name(k); }
inline const char* to_string(MembershipEvent::Cause c) { return kSuspicionCauses.name(c); }

// What a site asks its environment to do after a step.
struct Commands {
  std::vector<Outgoing> sends;
  std::vector<TimerRequest> timers;  // each replaces any earlier timer of its kind
  // Stop for good (on_expelled: abort): the environment turns the site off and never restarts
  // it; whatever it alone held is gone.
  bool halt = false;
};

// What a site reports of a step, for the checker, the metrics and the event log; the
// environment acts on none of it.
struct Observations {
  std::vector<SharedOp> applied;  // ops the site now counts as applied, in the order it did
  std::vector<Rejection> rejected;
  uint64_t wrong_epoch = 0;  // messages of another epoch: answered STALE, or buffered
  ProbeCounts probes;
  std::vector<CommitEvent> commit_events;
  std::vector<EpochEntered> epochs_entered;
  // Black ops as translated into the new epoch (same op id, new TID): invariant 12.
  std::vector<SharedOp> translated;
  // Ops a state transfer could not carry over: counted and reported, never silently lost.
  std::vector<SharedOp> lost_by_policy;
  // Set when a catch-up ended: how long it took from the first HELLO, and from which epoch.
  struct CaughtUp {
    TimeUs took_us = 0;
    uint64_t from_epoch = 0;
  };
  std::optional<CaughtUp> caught_up;
  std::vector<MembershipEvent> membership;
};

// A step's effects: commands the environment carries out, and observations it publishes.
struct Effects {
  Commands commands;
  Observations observed;
};

}  // namespace treedoc::site
