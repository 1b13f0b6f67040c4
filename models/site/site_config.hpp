// How one site behaves: its identity and role, how it spreads ops, how it repairs losses, what
// survives its crashes. Plain values, filled by the simulator from a scenario.
#pragma once

#include <cstdint>
#include <vector>

#include "models/site/time_us.hpp"
#include "models/treedoc/replica.hpp"

namespace treedoc::site {

enum class Role : uint8_t {
  kCore,    // votes in flatten commits (the protocol issue); well connected
  kNebula,  // never votes; may stay offline for long periods
};

enum class Spread : uint8_t {
  kBroadcast,  // every new local op goes to every other site
  kEpidemic,   // every op a site learns first goes to `fanout` random peers (infect and die)
};

// What survives a crash. The op counter always does (spec (a): it is never reset).
enum class Durability : uint8_t {
  kOwnOps,  // the site's own ops are logged before they are sent; the replica is rebuilt from them
  kAllOps,  // every applied op is logged; the replica is rebuilt whole
  kCounterOnly,  // nothing but the counter: own ops not yet spread are lost (the checker says so)
};

// Test-only broken variants that prove the checker can fail (FoundationDB's BUGGIFY, on purpose).
enum class Sabotage : uint8_t {
  kNone,
  kDropEveryHundredthRemoteOp,  // claims the op as applied but never applies it
  kDeleteWithoutPreTombstone,   // drops a delete whose insert has not arrived, claiming it applied
  kReuseTid,                    // every tenth local insert is sent with the previous insert's TID
  // Broken flatten protocols (issue 4): each must make its invariant fail.
  kVoteYesDespiteUpdate,  // a participant votes yes whatever its applied set (update-wins safety)
  kTranslateAppendAtEnd,  // black inserts land after the last atom instead of the graft (order)
  kCommitOnMissingVote,   // a coordinator whose vote timer expires commits (update-wins safety)
};

// When the coordinator proposes a flatten (spec (c)): the scenario's "flatten" section.
struct FlattenPolicy {
  enum class Kind : uint8_t {
    kNever,
    kEveryOps,        // once the epoch holds `ops` applied ops
    kEveryPeriod,     // once the epoch is `period_us` old
    kTombstoneRatio,  // once tombstones are `tombstone_ratio` of the tree's atoms
  };
  Kind kind = Kind::kNever;
  uint64_t ops = 1000;
  TimeUs period_us = 10 * kUsPerS;
  double tombstone_ratio = 0.5;
  TimeUs check_period_us = 100 * kUsPerMs;  // how often the coordinator looks at its policy
  TimeUs vote_timeout_us = 2 * kUsPerS;
  TimeUs retry_backoff_us_min = 200 * kUsPerMs;  // after an abort; doubles per abort in a row
  TimeUs retry_backoff_us_max = 5 * kUsPerS;
};

// How the core's membership changes (spec (f) 7, issue 5): the scenario's "membership" section.
// A view change rides on a flatten commit, so views and flattens are serialized by construction.
struct MembershipPolicy {
  // What the coordinator makes of a flatten message it could not deliver (an RPC failure).
  enum class OnDispatchFailure : uint8_t {
    kAbortAndRetry,  // abort this attempt and retry after the backoff; never expel for it
    kExpire,         // HBase 2.1: declare the target dead and propose a view without it
  };
  // What a member does on learning it was expelled (STALE from a newer view: YouAreDead).
  enum class OnExpelled : uint8_t {
    kDemote,  // stop voting, keep state, catch up as nebula, send its own ops, ask to rejoin
    kAbort,   // HBase: stop for good; volatile state is gone
  };
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

// Epochs per archive the core keeps for catch-up (spec (d) E_max), and a bound on what it may be.
inline constexpr uint64_t kRetentionEpochsMax = 1'000'000;

inline constexpr uint32_t kFanoutMax = 64;

struct SiteConfig {
  SiteId id = kSiteIdFirst;
  Role role = Role::kCore;
  Spread spread = Spread::kBroadcast;
  uint32_t fanout = 3;                      // epidemic only, 1..kFanoutMax
  TimeUs anti_entropy_period_us = kUsPerS;  // 0: no anti-entropy
  uint32_t anti_entropy_fanout = 1;         // peers per round, 1..kFanoutMax
  // The first round's delay (modulo the period): the environment spreads sites' rounds apart.
  TimeUs anti_entropy_offset_us = 0;
  Durability durability = Durability::kOwnOps;
  ReplicaOptions replica;
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
  uint64_t retention_epochs = 4;       // E_max: older epochs' cuts are no longer served
  TimeUs catch_up_retry_us = kUsPerS;  // a HELLO unanswered this long goes to another member
};

}  // namespace treedoc::site
