// A scenario as the simulator runs it: the typed, validated form of a scenarios/*.json file.
// Every field, unit and default is documented in docs/scenarios.md; load_scenario() builds it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/site/coverage_probe.hpp"
#include "models/site/flatten_commit.hpp"
#include "models/site/site_config.hpp"
#include "models/site/time_us.hpp"
#include "models/treedoc/replica.hpp"
#include "models/vocabulary/named_enum.hpp"
#include "sim/scenario/atom_granularity.hpp"
#include "sim/scenario/figure.hpp"
#include "sim/scenario/invariant.hpp"

namespace treedoc::sim {

using site::TimeUs;

// Sites are numbered core first (c0..c{core-1} are 0..core-1), then nebula (n0.. follow).
// A site's treedoc::SiteId is kSiteIdFirst + its index.
using SiteIndex = uint32_t;
// At most this many sites: each is a SimGrid actor whose guarded stack takes two of the kernel's
// memory mappings, and vm.max_map_count's default (65,530) fits 32,500 of them, not 33,000
// (docs/BENCHMARKS.md, "Actor stacks"); the rest is margin for the process's other mappings.
inline constexpr uint32_t kSitesMax = 30'000;

// A resolved site selector: site indices, sorted, without duplicates.
using SiteSet = std::vector<SiteIndex>;

// One-way delay of a message: base plus a jitter drawn per message, capped at latency_us_max.
#define TREEDOC_JITTERS(X)                            \
  X(kUniform, "uniform", "uniform in [0, jitter_ms]") \
  X(kPareto, "pareto", "heavy-tailed: jitter_ms * (U^(-1/pareto_shape) - 1)")

struct LatencyClass {
  enum class Jitter : uint8_t { TREEDOC_JITTERS(TREEDOC_ENUMERATOR) };
  TimeUs base_us = 10 * site::kUsPerMs;
  TimeUs jitter_us = 5 * site::kUsPerMs;
  Jitter jitter = Jitter::kUniform;
  double pareto_shape = 1.5;  // > 1 so the mean is finite
  TimeUs latency_us_max = 10 * site::kUsPerS;
};

inline constexpr auto kJitters =
    named_enum<LatencyClass::Jitter>({TREEDOC_JITTERS(TREEDOC_ENUM_ENTRY)});
static_assert(kJitters.well_formed());

struct Topology {
  uint32_t core = 3;
  uint32_t nebula = 0;
  LatencyClass core_core;
  LatencyClass core_nebula;  // both directions
  LatencyClass nebula_nebula;
  uint32_t site_count() const { return core + nebula; }
};

struct NetworkConfig {
  double loss = 0;       // probability a message is dropped
  double duplicate = 0;  // probability a message is delivered twice (the copy with its own delay)
};

using site::Durability;
using site::Spread;

using ReplicationConfig = site::ReplicationPolicy;

struct SyntheticWorkloadConfig {
  double ops_per_s = 1;       // per editing site, Poisson arrivals
  double insert_ratio = 0.7;  // the rest are erases (an erase on an empty document inserts)
  uint32_t atom_bytes = 1;
  double hot_spot_probability = 0;  // chance an edit falls in the hot spot instead of anywhere
  double hot_spot_at = 0.5;         // the hot spot's centre, as a fraction of the document
  uint32_t hot_spot_width_atoms = 16;
  // Chance an edit is a paste (a run of 2 to paste_atoms_max atoms, one op) or, for an erase, a
  // range erase of as many (the fewest run ops): what exercises runs (docs/BENCHMARKS.md, "Runs").
  double paste_probability = 0;
  uint32_t paste_atoms_max = 16;
};

struct TraceWorkloadConfig {
  std::string file;  // resolved: relative paths are relative to the scenario file's folder
  AtomGranularity atoms = AtomGranularity::kChar;
  // A site issues its next transaction at least this long after its previous one, and only once it
  // has applied every op the transaction's parents (sequential traces: all earlier ones) made.
  TimeUs txn_interval_us = 10 * site::kUsPerMs;
};

#define TREEDOC_WORKLOAD_KINDS(X)                                                   \
  X(kSynthetic, "synthetic", "Poisson edits at random positions, per editing site") \
  X(kTrace, "trace", "a real editing trace's agents, one per editing site")

struct WorkloadConfig {
  enum class Kind : uint8_t { TREEDOC_WORKLOAD_KINDS(TREEDOC_ENUMERATOR) };
  Kind kind = Kind::kSynthetic;
  SiteSet sites;  // editing sites; trace mode maps agent (or transaction) i to sites[i % size]
  TimeUs start_us = 0;
  TimeUs stop_us = 0;  // default: the end of the safety phase
  SyntheticWorkloadConfig synthetic;
  TraceWorkloadConfig trace;
};

inline constexpr auto kWorkloadKinds =
    named_enum<WorkloadConfig::Kind>({TREEDOC_WORKLOAD_KINDS(TREEDOC_ENUM_ENTRY)});
static_assert(kWorkloadKinds.well_formed());

// clang-format off
// Timed faults, turmoil-style verbs, as scenario files name them; docs/scenarios.md gives each
// one's exact semantics.
#define TREEDOC_FAULT_VERBS(X) \
  X(kPartition, "partition", "sites in different groups cannot reach each other; unlisted sites form one more group; replaces the current partition (cuts stay)") \
  X(kCut, "cut", "messages from `from` to `to` are dropped (one-way); adds to the cuts") \
  X(kHeal, "heal", "removes the partition and every cut") \
  X(kCrash, "crash", "sites stop at once; volatile state is lost, durable state kept") \
  X(kRestart, "restart", "crashed sites start again from their durable state") \
  X(kPause, "pause", "sites stop processing for for_s; messages wait and are handled on resume") \
  X(kLossBurst, "loss_burst", "the loss probability is `loss` for for_s, for messages to or from `sites`") \
  X(kRpcFailure, "rpc_failure", "for for_s, flatten-commit messages from `from` to `to` fail with `error` and the sender is told; all other traffic stays healthy") \
  X(kCrashAt, "crash_at", "from at_s on, each of `sites` crashes once, at the first protocol point `point` it reaches; it restarts restart_after_ms later, or when the safety phase ends")
// How a failed RPC fails (HBASE-25274's was an authentication error on the caller's side).
#define TREEDOC_RPC_ERRORS(X) \
  X(kAuth, "auth", "the caller cannot authenticate: never sent, the caller knows at once") \
  X(kRefused, "refused", "connection refused: never delivered, the caller knows after one round trip") \
  X(kTimeout, "timeout", "no answer: never delivered, the caller knows after timeout_ms")
// Protocol points a crash_at fault crashes a site at (docs/scenarios.md, Faults). "after" points
// crash the site once the step's messages are sent; "before" points once its durable writes are
// done but before anything of the step is sent.
#define TREEDOC_CRASH_POINTS(X) \
  X(kSentPrepare, "sent-prepare", "after: the coordinator sent PREPARE") \
  X(kVotedYes, "voted-yes", "after: a participant logged PREPARED and sent its yes vote") \
  X(kDecided, "decided", "before: the coordinator logged a decision and has not sent it") \
  X(kCommitted, "committed", "before: a core site entered the epoch a commit started (its post-cut ops translated and logged) and has not resent them") \
  X(kCommittedPostCut, "committed-post-cut", "before: the same, for a commit that translated post-cut ops") \
  X(kSentHello, "sent-hello", "after: a site behind sent HELLO to catch up") \
  X(kCaughtUp, "caught-up", "before: a site reached the core's epoch by catch-up and has not resent what it translated")
// clang-format on

enum class CrashPoint : uint8_t { TREEDOC_CRASH_POINTS(TREEDOC_ENUMERATOR) };
inline constexpr auto kCrashPoints =
    named_enum<CrashPoint>({TREEDOC_CRASH_POINTS(TREEDOC_ENUM_ENTRY)});
static_assert(kCrashPoints.well_formed());
inline const char* to_string(CrashPoint p) { return kCrashPoints.name(p); }
// Whether a crash at `p` loses the messages of the step that reached it.
constexpr bool crashes_before_sending(CrashPoint p) {
  return p == CrashPoint::kDecided || p == CrashPoint::kCommitted ||
         p == CrashPoint::kCommittedPostCut || p == CrashPoint::kCaughtUp;
}

enum class FaultVerb : uint8_t { TREEDOC_FAULT_VERBS(TREEDOC_ENUMERATOR) };
inline constexpr auto kFaultVerbs =
    named_enum<FaultVerb>({TREEDOC_FAULT_VERBS(TREEDOC_ENUM_ENTRY)});
static_assert(kFaultVerbs.well_formed());
inline const char* to_string(FaultVerb v) { return kFaultVerbs.name(v); }

enum class RpcError : uint8_t { TREEDOC_RPC_ERRORS(TREEDOC_ENUMERATOR) };
inline constexpr auto kRpcErrors = named_enum<RpcError>({TREEDOC_RPC_ERRORS(TREEDOC_ENUM_ENTRY)});
static_assert(kRpcErrors.well_formed());
inline const char* to_string(RpcError e) { return kRpcErrors.name(e); }

struct FaultEvent {
  TimeUs at_us = 0;
  FaultVerb verb = FaultVerb::kHeal;
  std::vector<SiteSet> groups;               // partition
  SiteSet from, to;                          // cut
  SiteSet sites;                             // crash, restart, pause, loss_burst
  TimeUs duration_us = 0;                    // pause, loss_burst
  double loss = 0;                           // loss_burst
  RpcError rpc_error = RpcError::kAuth;      // rpc_failure
  TimeUs rpc_timeout_us = site::kUsPerS;     // rpc_failure with rpc_error kTimeout
  CrashPoint point = CrashPoint::kVotedYes;  // crash_at
  std::optional<TimeUs> restart_after_us;    // crash_at: none, restart when the safety phase ends
  std::string where;  // its JSON path in the file, e.g. "faults[3]", for messages
};

struct Phases {
  TimeUs safety_us = 60 * site::kUsPerS;  // workload and faults run
  // Then everything heals, crashed sites restart, the workload stops, and every live site must
  // converge (and no update be lost) within this time.
  TimeUs liveness_us = 30 * site::kUsPerS;
};

// The large-scale protocol (docs/protocol.md §3 and §4): when the core flattens, and how catch-up
// behaves.
struct ProtocolConfig {
  site::FlattenPolicy flatten;  // default: never
  site::EpochPolicy epochs;
};

// Core membership (docs/protocol.md §6.7): the failure detector, the policies for a failed dispatch
// and for an expelled member, and the nebula sites that ask to join the core once caught up.
struct MembershipConfig {
  site::MembershipPolicy policy;  // join_core unset here: `join` says which sites ask
  SiteSet join;
};

struct CheckerConfig {
  InvariantSet invariants;                 // every one, unless the file lists those it wants
  TimeUs check_period_us = site::kUsPerS;  // convergence checks during the run
  // Probes that must fire at least `times` times, or the run fails (exit 2): a fault that silently
  // does nothing cannot pass.
  struct ProbeMinimum {
    site::Probe probe = site::Probe::kDuplicateOp;
    uint64_t times = 1;
  };
  std::vector<ProbeMinimum> required_probes;
  // Probes that must never fire (exit 1): what the scenario says must not happen.
  std::vector<site::Probe> forbidden_probes;
  // Bounds on the run's own figures, checked at its end (exit 1).
  std::vector<FigureBound> expect;
  // Ops lost by policy (a state transfer beyond the retention bound) are expected: the run still
  // reports them, but passes. Without it they are a no-lost-update violation.
  bool expect_lost_by_policy = false;
};

struct MetricsConfig {
  TimeUs sample_period_us = site::kUsPerS;
};

// Test-only broken variants that prove the checker can fail (site::Sabotage documents each).
struct Sabotage {
  using Variant = site::Sabotage;
  Variant variant = Variant::kDropEveryHundredthRemoteOp;
  SiteSet sites;
};

struct Scenario {
  std::string file;         // the path as given
  std::string description;  // a one-line purpose
  uint64_t seed = 1;
  Topology topology;
  NetworkConfig network;
  ReplicationConfig replication;
  ProtocolConfig protocol;
  MembershipConfig membership;
  WorkloadConfig workload;
  std::vector<FaultEvent> faults;  // ordered by at_us, then by position in the file
  Phases phases;
  CheckerConfig checker;
  MetricsConfig metrics;
  std::optional<Sabotage> sabotage;
};

// The latency class of the link between sites a and b: core-core, core-nebula or nebula-nebula.
const LatencyClass& latency_class(const Topology& t, SiteIndex a, SiteIndex b);

// Site names: "c0".."c{core-1}", "n0"..; index as above.
std::string site_name(const Topology& t, SiteIndex i);
// A site id (its index + 2, as op ids and attempts hold it) by its site's name; a reserved or
// unknown id as "#id".
std::string site_id_name(const Topology& t, SiteId id);
// A flatten attempt as every report, trace and explain names it: its coordinator's name and its
// number, "c0/3" (a reserved or unknown coordinator id as "#id").
std::string attempt_name(const Topology& t, const site::TxId& id);

}  // namespace treedoc::sim
