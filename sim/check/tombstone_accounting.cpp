// Invariant 15 at the run's convergence: every atom accounted for, no delete left waiting.
#include "sim/check/tombstone_accounting.hpp"

#include <string>

namespace treedoc::sim {

bool TombstoneAccounting::check(TimeUs now, const SiteViews& sites) {
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;
    const ReplicaStats s = sites[i]->replica().stats();
    std::string wrong;
    if (s.live + s.dead + s.discarded != s.initial_atoms + s.inserts_applied) {
      wrong = "LIVE " + std::to_string(s.live) + " + DEAD " + std::to_string(s.dead) +
              " + discarded " + std::to_string(s.discarded) + " is not |A| " +
              std::to_string(s.initial_atoms) + " + inserts applied " +
              std::to_string(s.inserts_applied);
    } else if (s.ghost_dead > 0) {
      wrong = std::to_string(s.ghost_dead) +
              " GHOST_DEAD nodes are left, deletes waiting for inserts that every site has";
    } else {
      continue;
    }
    verdict_->report({Invariant::kTombstoneAccounting,
                      now,
                      {i},
                      {},
                      text_.site(i) + ", converged in epoch " + std::to_string(sites[i]->epoch()) +
                          ": " + wrong});
    return false;
  }
  return true;
}

}  // namespace treedoc::sim
