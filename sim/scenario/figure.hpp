// The run's own figures by the names summary.json gives them ("flatten.commits",
// "membership.expulsions"): the one registry a scenario's checker.expect may bound, so a name that
// names nothing is refused at load (docs/scenarios.md, checker).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "models/vocabulary/named_enum.hpp"

namespace treedoc::sim {

// clang-format off
#define TREEDOC_FIGURES(X) \
  X(kOpsMade, "ops_made", "ops the sites made") \
  X(kOpsApplied, "ops_applied", "ops applied, over all sites") \
  X(kMsgsSent, "msgs_sent", "messages sent, one per recipient") \
  X(kMsgsReceived, "msgs_received", "messages delivered") \
  X(kMsgsDropped, "msgs_dropped", "messages lost: loss, partitions, cuts, crashed destinations") \
  X(kMsgsDuplicated, "msgs_duplicated", "messages the network delivered twice") \
  X(kBytesSent, "bytes_sent", "encoded bytes of every message sent, one per recipient") \
  X(kWrongEpoch, "wrong_epoch", "messages of another epoch: answered STALE, or buffered") \
  X(kCrashes, "crashes", "site crashes") \
  X(kRestarts, "restarts", "site restarts") \
  X(kFinalAtoms, "final_atoms", "visible atoms of the first live site at the end") \
  X(kFlattenAttempts, "flatten.attempts", "flatten attempts a coordinator decided") \
  X(kFlattenCommits, "flatten.commits", "flatten attempts that committed") \
  X(kFlattenAborts, "flatten.aborts", "flatten attempts that aborted") \
  X(kAbortsVotedNo, "flatten.aborts_voted_no", "aborts because a participant voted no") \
  X(kAbortsLateUpdate, "flatten.aborts_late_update", "aborts because an update came after a yes (update wins)") \
  X(kAbortsTimeout, "flatten.aborts_timeout", "aborts because a vote did not arrive in time") \
  X(kAbortsTermination, "flatten.aborts_termination", "aborts by cooperative termination") \
  X(kAbortsDispatchFailed, "flatten.aborts_dispatch_failed", "aborts because a PREPARE could not be delivered") \
  X(kFinalEpoch, "flatten.final_epoch", "the epoch of the first live site at the end") \
  X(kOpsTranslated, "flatten.ops_translated", "ops carried into a new epoch by translation, over all sites") \
  X(kCatchUps, "flatten.catch_ups", "catch-ups that reached the core's epoch") \
  X(kCatchUpMsTotal, "flatten.catch_up_ms_total", "time from first HELLO to the core's epoch, summed over catch-ups") \
  X(kCatchUpMsMax, "flatten.catch_up_ms_max", "the longest catch-up") \
  X(kCatchUpBytes, "flatten.catch_up_bytes", "bytes of HELLOs and of the CUTs and STATEs that answered them") \
  X(kCatchUpBytesMax, "flatten.catch_up_bytes_max", "the bytes of the costliest catch-up") \
  X(kLostByPolicy, "flatten.lost_by_policy", "distinct ops lost by a state transfer beyond the retention bound") \
  X(kConvergenceMs, "convergence_ms", "from the end of the safety phase to convergence (the whole liveness phase if never)") \
  X(kOpsLost, "ops_lost", "distinct ops lost for good by any path (a halt, a crash, a policy, a bug): held by no live site at the end") \
  X(kRpcFailures, "membership.rpc_failures", "failed dispatches reported to their caller") \
  X(kSuspicions, "membership.suspicions", "members the coordinator suspected") \
  X(kWrongSuspicions, "membership.wrong_suspicions", "suspicions of a member that was up") \
  X(kViewChanges, "membership.view_changes", "view changes (alone, without a flatten) the core committed") \
  X(kExpulsions, "membership.expulsions", "members a committed view change removed") \
  X(kAdmissions, "membership.admissions", "sites a committed view change added") \
  X(kHalts, "membership.halts", "expelled members that stopped for good") \
  X(kDemotions, "membership.demotions", "expelled members that stayed up as nebula sites") \
  X(kJoins, "membership.joins", "sites that entered a view including them after one that did not") \
  X(kHeldAloneWhenFenced, "membership.held_alone_when_fenced", "ops a member held alone when it learned it was expelled")
// clang-format on

enum class Figure : uint8_t { TREEDOC_FIGURES(TREEDOC_ENUMERATOR) };
inline constexpr auto kFigures = named_enum<Figure>({TREEDOC_FIGURES(TREEDOC_ENUM_ENTRY)});
static_assert(kFigures.well_formed());

inline const char* to_string(Figure f) { return kFigures.name(f); }

// Every figure's value at a run's end, by Figure.
using FigureValues = std::array<uint64_t, kFigures.size()>;

// A scenario's bound on one figure: what its faults must produce (min), and what a plausible bug
// would (max). At least one is given.
struct FigureBound {
  Figure figure = Figure::kOpsMade;
  std::optional<uint64_t> min, max;
};

}  // namespace treedoc::sim
