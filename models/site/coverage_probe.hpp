// Coverage probes: named counters for the rare interleavings a run is meant to exercise. Every run
// reports the probes that fired, and a scenario can require some, so a fault that silently does
// nothing cannot pass (docs/scenarios.md, checker.require_probes).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "models/vocabulary/named_enum.hpp"

namespace treedoc::site {

// clang-format off
#define TREEDOC_PROBES(X) \
  X(kDeleteBeforeInsert, "delete-before-insert", "a delete applied before its insert: a pre-tombstone (docs/protocol.md, remote delete)") \
  X(kDuplicateOp, "duplicate-op", "an op delivered again and ignored (idempotence)") \
  X(kRepairedOp, "repaired-op", "an op a site first learned from anti-entropy, not from its spread") \
  X(kRelayedOp, "relayed-op", "an op a site first learned from a site other than its origin") \
  X(kInFlightDrop, "in-flight-drop", "a message in flight when a partition or cut started, dropped at arrival") \
  X(kLostWithCrash, "lost-with-crash", "a message waiting for a site, or on its way to it, when the site crashed") \
  X(kHeldByPause, "held-by-pause", "a message that arrived during a pause and was handled after it") \
  X(kRebuiltAfterCrash, "rebuilt-after-crash", "a restarted site rebuilt ops from its durable log") \
  X(kUpdateAfterYes, "update-after-yes", "an update applied between a yes vote and the decision") \
  X(kLateUpdateAbort, "late-update-abort", "an attempt aborted because a LATE_UPDATE won (update wins)") \
  X(kPostCutTranslated, "post-cut-translated", "a commit carried post-cut ops into the new epoch by translation") \
  X(kCoordinatorCrashOpen, "coordinator-crash-open", "a coordinator restarted with an attempt it had proposed undecided") \
  X(kParticipantCrashYes, "participant-crash-yes", "a participant restarted prepared: it voted yes, then crashed") \
  X(kCatchUpMultiEpoch, "catch-up-multi-epoch", "a site caught up across two or more epochs") \
  X(kLeftToOrigin, "left-to-origin", "a catching-up site left another site's untranslated insert to its origin") \
  X(kStaleFenced, "stale-fenced", "a message of an older epoch was answered STALE, not acted on") \
  X(kLostByPolicy, "lost-by-policy", "a state transfer beyond the retention bound lost untranslated ops") \
  X(kBufferedNewerEpoch, "buffered-newer-epoch", "ops of a newer epoch waited for catch-up, then were applied") \
  X(kDispatchFailed, "dispatch-failed", "a flatten message the coordinator sent could not be delivered (an RPC failure)") \
  X(kMemberExpelled, "member-expelled", "a view change removed a member (suspected by the detector or by `expire`)") \
  X(kWrongSuspicion, "wrong-suspicion", "a member was suspected while it was up (the environment knows)") \
  X(kYouAreDead, "you-are-dead", "a member learned it was expelled (STALE from a newer view, or a cut)") \
  X(kDemoted, "demoted", "... and stayed up as a nebula site, keeping its state") \
  X(kHaltedOnExpelled, "halted-on-expelled", "... and stopped for good (the HBase behaviour)") \
  X(kRejoined, "rejoined", "a site entered a view it had been expelled from, or joined as nebula") \
  X(kTerminationDecided, "termination-decided", "a prepared participant learned how its attempt ended by cooperative termination, from a peer") \
  X(kDecisionResent, "decision-resent", "a coordinator restarted with a decision logged and sent it again (counted at the send)") \
  X(kCrashAfterCommitPostCut, "crash-after-commit-post-cut", "a site crashed right after a commit translated its post-cut ops, before resending them") \
  X(kRebasedBeyondRetention, "rebased-beyond-retention", "a state transfer re-based the site's own untranslated ops by atom identity") \
  X(kParticipantLateUpdate, "participant-late-update", "a prepared participant's LATE_UPDATE reached the coordinator before its decision and aborted the attempt") \
  X(kResentOthersTranslated, "resent-others-translated", "a site caught up and, once current, resent a translated op of another origin")
// clang-format on

enum class Probe : uint8_t { TREEDOC_PROBES(TREEDOC_ENUMERATOR) };

inline constexpr auto kProbes = named_enum<Probe>({TREEDOC_PROBES(TREEDOC_ENUM_ENTRY)});
static_assert(kProbes.well_formed());
inline constexpr size_t kProbeCount = kProbes.size();
static_assert(kProbeCount == 31,
              "a new probe needs a scenario that requires it (docs/scenarios.md)");

inline const char* to_string(Probe p) { return kProbes.name(p); }
inline std::optional<Probe> probe_named(std::string_view name) { return kProbes.parse(name); }

struct ProbeCounts {
  std::array<uint64_t, kProbeCount> fired{};
  void add(Probe p, uint64_t n = 1) { fired[static_cast<size_t>(p)] += n; }
  uint64_t operator[](Probe p) const { return fired[static_cast<size_t>(p)]; }
  void add(const ProbeCounts& o) {
    for (size_t i = 0; i < kProbeCount; ++i) fired[i] += o.fired[i];
  }
};

}  // namespace treedoc::site
