// Coverage probes: named counters for the rare interleavings a run is meant to exercise. Every run
// reports the probes that fired, and a scenario can require some, so a fault that silently does
// nothing cannot pass (issue: "a scenario can require probes and fails if one never fires").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace treedoc::site {

enum class Probe : uint8_t {
  kDeleteBeforeInsert,  // a delete applied before its insert: a pre-tombstone (spec (b))
  kDuplicateOp,         // an op delivered again and ignored (idempotence)
  kRepairedOp,          // an op a site first learned from anti-entropy, not from its spread
  kRelayedOp,           // an op a site first learned from a site other than its origin
  kInFlightDrop,        // a message in flight when a partition or cut started, dropped at arrival
  kLostWithCrash,       // a message waiting in a site's inbox when the site crashed
  kHeldByPause,         // a message that arrived during a pause and was handled after it
  kRebuiltAfterCrash,   // a restarted site rebuilt ops from its durable log
  // The flatten protocol's rare interleavings (spec (f) 3-5).
  kUpdateAfterYes,        // an update applied between a yes vote and the decision
  kLateUpdateAbort,       // an attempt aborted because a LATE_UPDATE won
  kPostCutTranslated,     // a commit carried post-cut ops into the new epoch by translation
  kCoordinatorCrashOpen,  // a coordinator restarted with an attempt it had proposed undecided
  kParticipantCrashYes,   // a participant restarted prepared: it voted yes, then crashed
  kCatchUpMultiEpoch,     // a site caught up across two or more epochs
  kRelayedTranslation,    // a nebula site translated an op made by another nebula site
  kStaleFenced,           // a message of an older epoch was answered STALE, not acted on
  kLostByPolicy,          // a state transfer beyond the retention bound lost untranslated ops
  kBufferedNewerEpoch,    // ops of a newer epoch waited for catch-up, then were applied
  // Core membership and false suspicion (spec (f) 7).
  kDispatchFailed,    // a flatten message the coordinator sent could not be delivered (an RPC
                      // failure)
  kMemberExpelled,    // a view change removed a member (suspected by the detector or by `expire`)
  kWrongSuspicion,    // a member was suspected while it was up (the environment knows)
  kYouAreDead,        // a member learned it was expelled (STALE from a newer view, or a cut)
  kDemoted,           // ... and stayed up as a nebula site, keeping its state
  kHaltedOnExpelled,  // ... and stopped for good (the HBase behaviour)
  kRejoined,          // a site entered a view it had been expelled from, or joined as nebula
};

inline constexpr size_t kProbeCount = 25;

inline constexpr std::array<std::string_view, kProbeCount> kProbeNames = {"delete-before-insert",
                                                                          "duplicate-op",
                                                                          "repaired-op",
                                                                          "relayed-op",
                                                                          "in-flight-drop",
                                                                          "lost-with-crash",
                                                                          "held-by-pause",
                                                                          "rebuilt-after-crash",
                                                                          "update-after-yes",
                                                                          "late-update-abort",
                                                                          "post-cut-translated",
                                                                          "coordinator-crash-open",
                                                                          "participant-crash-yes",
                                                                          "catch-up-multi-epoch",
                                                                          "relayed-translation",
                                                                          "stale-fenced",
                                                                          "lost-by-policy",
                                                                          "buffered-newer-epoch",
                                                                          "dispatch-failed",
                                                                          "member-expelled",
                                                                          "wrong-suspicion",
                                                                          "you-are-dead",
                                                                          "demoted",
                                                                          "halted-on-expelled",
                                                                          "rejoined"};

inline std::string_view to_string(Probe p) { return kProbeNames[static_cast<size_t>(p)]; }

inline std::optional<Probe> probe_named(std::string_view name) {
  for (size_t i = 0; i < kProbeCount; ++i) {
    if (kProbeNames[i] == name) return static_cast<Probe>(i);
  }
  return std::nullopt;
}

struct ProbeCounts {
  std::array<uint64_t, kProbeCount> fired{};
  void add(Probe p, uint64_t n = 1) { fired[static_cast<size_t>(p)] += n; }
  uint64_t operator[](Probe p) const { return fired[static_cast<size_t>(p)]; }
  void add(const ProbeCounts& o) {
    for (size_t i = 0; i < kProbeCount; ++i) fired[i] += o.fired[i];
  }
};

}  // namespace treedoc::site
