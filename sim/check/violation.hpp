// A violated invariant as the run reports it (with its time, sites and ops), and the verdict that
// keeps the first one: the one to reproduce.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/treedoc/dis.hpp"
#include "sim/scenario/invariant.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

struct Violation {
  Invariant invariant = Invariant::kLiveness;
  TimeUs at_us = 0;
  std::vector<SiteIndex> sites;
  std::vector<OpId> ops;
  std::string detail;
  const char* name() const { return to_string(invariant); }
  // A liveness failure (exit 2) rather than a safety violation (exit 1).
  bool liveness() const { return is_liveness(invariant); }
};

// The checks' one place to report: the first violation found while the run goes on stops it; one
// found once it is over (a workload's end, a required probe) counts only if none came before.
class Verdict {
 public:
  void report(Violation v) {
    if (!during_) during_ = std::move(v);
  }
  void report_at_end(Violation v) {
    if (!during_ && !at_end_) at_end_ = std::move(v);
  }
  bool failed() const { return during_.has_value(); }
  const std::optional<Violation>& during_run() const { return during_; }
  const std::optional<Violation>& verdict() const { return during_ ? during_ : at_end_; }

 private:
  std::optional<Violation> during_;
  std::optional<Violation> at_end_;
};

}  // namespace treedoc::sim
