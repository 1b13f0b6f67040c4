// Invariant 15, tombstone accounting, at every live site once the run has converged: LIVE + DEAD +
// discarded = |A| + inserts applied in its epoch, and no GHOST_DEAD is left. A GHOST_DEAD is a
// delete waiting for its insert (a pre-tombstone, docs/protocol.md §2); once every op has reached
// every site none may wait, and one that stays is a delete the replica kept though its target was
// gone (docs/BENCHMARKS.md, "Engine exactness").
#pragma once

#include "sim/check/report_text.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/violation.hpp"

namespace treedoc::sim {

class TombstoneAccounting {
 public:
  TombstoneAccounting(const ReportText& text, Verdict* verdict) : text_(text), verdict_(verdict) {}

  // Every up site, converged: false when it reported. Costs a census of each site's tree.
  bool check(TimeUs now, const SiteViews& sites);

 private:
  const ReportText& text_;
  Verdict* verdict_;
};

}  // namespace treedoc::sim
