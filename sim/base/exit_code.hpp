// Exit codes of every treedoc-sim command: one meaning each, the same everywhere in the CLI.
#pragma once

namespace treedoc::sim {

enum ExitCode : int {
  kExitPass = 0,             // the run passed (or the command succeeded)
  kExitSafetyViolation = 1,  // an invariant failed, or a replayed trace did not reach endContent
  kExitLivenessFailure = 2,  // the liveness phase did not converge
  kExitBadInput = 3,         // a scenario, trace or flag was rejected
  kExitBudgetCut = 4,        // a sweep's --time-budget stopped it before every seed ran
  kExitShardMismatch = 5,    // merge: the shards are of different sweeps, or share runs
};

}  // namespace treedoc::sim
