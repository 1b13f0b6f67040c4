// The invariants the checker verifies, by the names scenario files, reports and sweeps use. Each
// is numbered and explained in docs/protocol.md ("Invariants"), which also names the file of
// sim/check/ that checks it. A scenario may switch off the five that cost the most.
#pragma once

#include <array>
#include <cstdint>

#include "models/vocabulary/named_enum.hpp"

namespace treedoc::sim {

// clang-format off
#define TREEDOC_INVARIANTS(X) \
  X(kTidUniqueness, "tid-uniqueness", "1. within an epoch no two inserts share a TID, made or translated") \
  X(kConvergence, "convergence", "3. sites of one epoch that applied the same ops hold the same tree (visible atoms with discard)") \
  X(kNoLostUpdate, "no-lost-update", "5. every insert made and never deleted is visible exactly once at every live site after heal") \
  X(kNoResurrection, "no-resurrection", "6. a site that applied a delete never shows that atom again, across crashes and epochs") \
  X(kLocalIntention, "local-intention", "7. a local insert at i lands at i; a local erase at i moves the next atom to i") \
  X(kEpochIsolation, "epoch-isolation", "8. an op is applied only in its own epoch") \
  X(kSingleDecision, "single-decision", "9. at most one flatten commits per epoch, with one cut and one hash") \
  X(kUpdateWinsSafety, "update-wins-safety", "10. a commit has a yes from every member that stays, and a yes means S = C") \
  X(kFlattenInvisibility, "flatten-invisibility", "11 and 13. entering an epoch shows the same atoms in the same order") \
  X(kTranslationDeterminism, "translation-determinism", "12. every site translates an op to the same new TID") \
  X(kCoreAgreement, "core-agreement", "14. members of the newest view are at most one epoch apart") \
  X(kDurableBeforeVisible, "durable-before-visible", "17. whatever a message reveals (an op, a yes, a decision, an epoch) is durable at its sender first") \
  X(kCrashConsistency, "crash-consistency", "18. a restarted site rebuilds exactly what was durable when it crashed") \
  X(kNetworkFidelity, "network-fidelity", "19. every message's fate agrees with the scenario's faults and, within binomial bounds, its loss and duplication rates") \
  X(kTombstoneAccounting, "tombstone-accounting", "15. once converged, every site's LIVE + DEAD + discarded = |A| + inserts applied, and no GHOST_DEAD is left") \
  X(kAttemptFencing, "attempt-fencing", "20. entering an epoch ends every flatten attempt of an older one: no PREPARED record of it outlives the step") \
  X(kForcedStateTransfer, "forced-state-transfer", "21. a STATE answers only a HELLO more than the retention bound behind its sender") \
  X(kWellFormedOps, "well-formed-ops", "every op a site receives is well formed (a TID, never the sentinel)") \
  X(kLiveness, "liveness", "16. after heal every live site converges in one epoch within the liveness phase") \
  X(kRequiredProbe, "required-probe", "every probe the scenario requires fired: its faults did what they are meant to") \
  X(kForbiddenProbe, "forbidden-probe", "no probe the scenario forbids fired: what must not happen did not") \
  X(kExpectedFigure, "expected-figure", "every figure the scenario bounds (checker.expect) ended within its bounds") \
  X(kTraceFinished, "trace-finished", "a trace workload made every transaction within the safety phase") \
  X(kTraceEndContent, "trace-end-content", "every live site ends at the trace's endContent")
// clang-format on

enum class Invariant : uint8_t { TREEDOC_INVARIANTS(TREEDOC_ENUMERATOR) };
inline constexpr auto kInvariants = named_enum<Invariant>({TREEDOC_INVARIANTS(TREEDOC_ENUM_ENTRY)});
static_assert(kInvariants.well_formed());
static_assert(kInvariants.size() == 24, "a new invariant needs its line in docs/protocol.md");

inline const char* to_string(Invariant i) { return kInvariants.name(i); }

// A failure of these is a liveness failure (exit 2); of every other, a safety violation (exit 1).
constexpr bool is_liveness(Invariant i) {
  return i == Invariant::kLiveness || i == Invariant::kRequiredProbe ||
         i == Invariant::kTraceFinished;
}

// The invariants a scenario's checker.invariants may switch off; the rest are always checked.
constexpr bool is_switchable(Invariant i) {
  return i == Invariant::kTidUniqueness || i == Invariant::kConvergence ||
         i == Invariant::kNoLostUpdate || i == Invariant::kNoResurrection ||
         i == Invariant::kLocalIntention;
}

// Which invariants a run checks: every one, unless the scenario lists the switchable ones it wants.
class InvariantSet {
 public:
  InvariantSet() { on_.fill(true); }
  bool contains(Invariant i) const { return on_[static_cast<size_t>(i)]; }
  void set(Invariant i, bool on) { on_[static_cast<size_t>(i)] = on || !is_switchable(i); }

 private:
  std::array<bool, kInvariants.size()> on_;
};

}  // namespace treedoc::sim
