// How one site behaves: its identity and role, how it spreads ops, how it repairs losses, what
// survives its crashes. Plain values, filled by the simulator from a scenario.
#pragma once

#include <cstdint>
#include <vector>

#include "models/site/flatten_commit.hpp"
#include "models/site/time_us.hpp"
#include "models/treedoc/replica.hpp"
#include "models/vocabulary/named_enum.hpp"

namespace treedoc::site {

// clang-format off
#define TREEDOC_ROLES(X) \
  X(kCore, "core", "votes in flatten commits; small and well connected") \
  X(kNebula, "nebula", "never votes; may stay offline for long periods")
#define TREEDOC_SPREADS(X) \
  X(kBroadcast, "broadcast", "every new local op goes to every other site") \
  X(kEpidemic, "epidemic", "every op a site learns first goes to `fanout` random peers (infect and die)")
// What survives a crash. The op counter always does (docs/protocol.md: it is never reset).
#define TREEDOC_DURABILITIES(X) \
  X(kOwnOps, "own-ops", "the site's own ops (and every delete) are logged before they are sent; the replica is rebuilt from them") \
  X(kAllOps, "all-ops", "every applied op is logged; the replica is rebuilt whole") \
  X(kCounterOnly, "counter-only", "nothing but the counter: own ops not yet spread are lost (the checker says so)")
// Test-only broken variants that prove the checker can fail (FoundationDB's BUGGIFY, on purpose).
#define TREEDOC_SABOTAGES(X) \
  X(kNone, "none", "an honest site") \
  X(kDropEveryHundredthRemoteOp, "drop-every-100th-remote-op", "claims every 100th remote op as applied but never applies it") \
  X(kDeleteWithoutPreTombstone, "delete-without-pre-tombstone", "drops a delete whose insert has not arrived, claiming it applied") \
  X(kReuseTid, "reuse-tid", "every tenth local insert is sent with the previous insert's TID") \
  X(kVoteYesDespiteUpdate, "vote-yes-despite-update", "a participant votes yes whatever its applied set (update-wins safety)") \
  X(kTranslateAppendAtEnd, "translate-append-at-end", "black inserts land after the last atom instead of the graft (order preservation)") \
  X(kCommitOnMissingVote, "commit-on-missing-vote", "a coordinator whose vote timer expires commits (update-wins safety)") \
  X(kUnloggedOwnOps, "unlogged-own-ops", "own ops are spread but never written to the durable log (durable before visible)") \
  X(kRestartSkipsOwnOps, "restart-skips-own-ops", "a restart replays its durable log without its own ops (crash consistency)") \
  X(kStateWithinRetention, "state-within-retention", "a core member answers every HELLO with STATE, even within the retention bound (forced LOST_BY_POLICY)") \
  X(kBurstLossAtSenderOnly, "burst-loss-at-sender-only", "the network applies a loss burst at these sites to what they send, not to what they receive (network fidelity)") \
  X(kDuplicateSharesLatency, "duplicate-shares-latency", "the network gives both copies of a duplicate these sites send one latency draw (network fidelity)") \
  X(kPreparedSurvivesEpoch, "prepared-survives-epoch", "a new epoch clears a PREPARED record only once it is two epochs old (attempt fencing)") \
  X(kKeepLateBaseDeletes, "keep-late-base-deletes", "with tombstone discard, a late delete of a discarded epoch-initial atom leaves a GHOST_DEAD (tombstone accounting)")
// clang-format on

enum class Role : uint8_t { TREEDOC_ROLES(TREEDOC_ENUMERATOR) };
inline constexpr auto kRoles = named_enum<Role>({TREEDOC_ROLES(TREEDOC_ENUM_ENTRY)});
static_assert(kRoles.well_formed());

enum class Spread : uint8_t { TREEDOC_SPREADS(TREEDOC_ENUMERATOR) };
inline constexpr auto kSpreads = named_enum<Spread>({TREEDOC_SPREADS(TREEDOC_ENUM_ENTRY)});
static_assert(kSpreads.well_formed());

enum class Durability : uint8_t { TREEDOC_DURABILITIES(TREEDOC_ENUMERATOR) };
inline constexpr auto kDurabilities =
    named_enum<Durability>({TREEDOC_DURABILITIES(TREEDOC_ENUM_ENTRY)});
static_assert(kDurabilities.well_formed());

enum class Sabotage : uint8_t { TREEDOC_SABOTAGES(TREEDOC_ENUMERATOR) };
inline constexpr auto kSabotages = named_enum<Sabotage>({TREEDOC_SABOTAGES(TREEDOC_ENUM_ENTRY)});
static_assert(kSabotages.well_formed());

// When the coordinator proposes a flatten (docs/protocol.md §3): the scenario's "flatten" section.
// clang-format off
#define TREEDOC_FLATTEN_POLICIES(X) \
  X(kNever, "never", "the core never flattens") \
  X(kEveryOps, "every-ops", "once the epoch holds `ops` applied ops") \
  X(kEveryPeriod, "every-period", "once the epoch is `period_us` old") \
  X(kTombstoneRatio, "tombstone-ratio", "once tombstones are `tombstone_ratio` of the tree's atoms")
// clang-format on

struct FlattenPolicy {
  enum class Kind : uint8_t { TREEDOC_FLATTEN_POLICIES(TREEDOC_ENUMERATOR) };
  Kind kind = Kind::kNever;
  uint64_t ops = 1000;
  TimeUs period_us = 10 * kUsPerS;
  double tombstone_ratio = 0.5;
  TimeUs check_period_us = 100 * kUsPerMs;  // how often the coordinator looks at its policy
  TimeUs vote_timeout_us = kVoteTimeoutUsDefault;
  TimeUs retry_backoff_us_min = 200 * kUsPerMs;  // after an abort; doubles per abort in a row
  TimeUs retry_backoff_us_max = 5 * kUsPerS;
};

inline constexpr auto kFlattenPolicies =
    named_enum<FlattenPolicy::Kind>({TREEDOC_FLATTEN_POLICIES(TREEDOC_ENUM_ENTRY)});
static_assert(kFlattenPolicies.well_formed());

// How the core's membership changes (docs/protocol.md §6.7): the scenario's "membership" section.
// A view change is committed by the core alone, without a flatten, so it never waits for a flatten
// to win against steady edits; one attempt at a time serializes views and flattens.
// clang-format off
// What the coordinator makes of a flatten message it could not deliver (an RPC failure).
#define TREEDOC_ON_DISPATCH_FAILURES(X) \
  X(kAbortAndRetry, "abort-and-retry", "abort this attempt and retry after the backoff; never expel for it") \
  X(kExpire, "expire", "HBase 2.1: declare the target dead and propose a view without it")
// What a member does on learning it was expelled (STALE from a newer view: YouAreDead).
#define TREEDOC_ON_EXPELLED(X) \
  X(kDemote, "demote", "stop voting, keep state, catch up as nebula, send its own ops, ask to rejoin") \
  X(kAbort, "abort", "HBase: stop for good; volatile state is gone")
// What a site beyond the retention bound does with its ops that no cut took in (docs/protocol.md
// §4, "Beyond retention").
#define TREEDOC_BEYOND_RETENTION(X) \
  X(kRebase, "rebase", "re-base its own ops onto the current state by atom identity: nothing lost") \
  X(kLose, "lose", "for comparison: report them LOST_BY_POLICY and drop them")
// clang-format on

struct MembershipPolicy {
  enum class OnDispatchFailure : uint8_t { TREEDOC_ON_DISPATCH_FAILURES(TREEDOC_ENUMERATOR) };
  enum class OnExpelled : uint8_t { TREEDOC_ON_EXPELLED(TREEDOC_ENUMERATOR) };
  OnDispatchFailure on_dispatch_failure = OnDispatchFailure::kAbortAndRetry;
  OnExpelled on_expelled = OnExpelled::kDemote;
  // The failure detector: members heartbeat the coordinator every heartbeat_period_us; one not
  // heard from for suspect_after_us is suspected and expelled. 0: no failure detector.
  TimeUs heartbeat_period_us = 0;
  TimeUs suspect_after_us = 0;
  // A nebula site that asks to join the core once it is caught up.
  bool join_core = false;
  TimeUs join_retry_us = kUsPerS;  // a join request unanswered this long is sent again
};

inline constexpr auto kOnDispatchFailures = named_enum<MembershipPolicy::OnDispatchFailure>(
    {TREEDOC_ON_DISPATCH_FAILURES(TREEDOC_ENUM_ENTRY)});
static_assert(kOnDispatchFailures.well_formed());
inline constexpr auto kOnExpelled =
    named_enum<MembershipPolicy::OnExpelled>({TREEDOC_ON_EXPELLED(TREEDOC_ENUM_ENTRY)});
static_assert(kOnExpelled.well_formed());

// Peers an epidemic push or an anti-entropy round goes to.
inline constexpr uint32_t kFanoutMin = 1;
inline constexpr uint32_t kFanoutMax = 64;

// How a site spreads and repairs ops and what survives its crashes: the scenario's
// "replication" section.
struct ReplicationPolicy {
  Spread spread = Spread::kBroadcast;
  uint32_t fanout = 3;                      // epidemic only, kFanoutMin..kFanoutMax
  TimeUs anti_entropy_period_us = kUsPerS;  // 0: no anti-entropy
  uint32_t anti_entropy_fanout = 1;         // peers per round, kFanoutMin..kFanoutMax
  Durability durability = Durability::kOwnOps;
  ReplicaOptions replica;  // dis mode, mini_child, discard_tombstones
};

// Epochs per archive the core keeps for catch-up (E_max), and a bound on what it may be.
inline constexpr uint64_t kRetentionEpochsMax = 1'000'000;

// How the core keeps past epochs and a site behind catches up: the scenario's "epochs" section.
struct EpochPolicy {
  enum class BeyondRetention : uint8_t { TREEDOC_BEYOND_RETENTION(TREEDOC_ENUMERATOR) };
  uint64_t retention_epochs = 4;       // E_max: older epochs' cuts are no longer served
  TimeUs catch_up_retry_us = kUsPerS;  // a HELLO unanswered this long goes to another member
  BeyondRetention beyond_retention = BeyondRetention::kRebase;
};

inline constexpr auto kBeyondRetention =
    named_enum<EpochPolicy::BeyondRetention>({TREEDOC_BEYOND_RETENTION(TREEDOC_ENUM_ENTRY)});
static_assert(kBeyondRetention.well_formed());

struct SiteConfig {
  SiteId id = kSiteIdFirst;
  Role role = Role::kCore;
  ReplicationPolicy replication;
  // The first anti-entropy round's delay (modulo the period): the environment spreads sites'
  // rounds apart.
  TimeUs anti_entropy_offset_us = 0;
  Sabotage sabotage = Sabotage::kNone;
  // Remote ops of the current epoch wait in the replica until the site next acts or is read
  // (Replica::receive); same states, fewer cold walks. Only where no two ops share a TID: the
  // simulator sets it when its checker verifies every TID as it is made.
  bool defer_integration = false;
  // The core of view 0: its members, in order; the first one coordinates flattens. The same list at
  // every site; later views travel with the epochs that start them.
  std::vector<SiteId> core;
  FlattenPolicy flatten;
  MembershipPolicy membership;
  EpochPolicy epochs;
};

}  // namespace treedoc::site
