// The checks of a run's end: a trace workload made every transaction and every live site ends at
// its endContent; every probe the scenario requires fired (else its faults did not do what the
// scenario is meant to test).
#pragma once

#include <optional>

#include "models/site/coverage_probe.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/violation.hpp"
#include "sim/scenario/figure.hpp"
#include "sim/workload/workload.hpp"

namespace treedoc::sim {

class RunEnd {
 public:
  RunEnd(const Scenario& scenario, const ReportText& text, Verdict* verdict)
      : scenario_(scenario), text_(text), verdict_(verdict) {}

  // Once the sites converged.
  void workload_ended(TimeUs now, const SiteViews& sites, const std::optional<WorkloadEnd>& end);
  // Once the run is over: every required probe fired often enough, no forbidden one fired.
  void required_probes(TimeUs end_us, const site::ProbeCounts& fired);
  void forbidden_probes(TimeUs end_us, const site::ProbeCounts& fired);
  // Once the run is over: each figure the scenario bounds within its bounds.
  void expected_figures(TimeUs end_us, const FigureValues& values);

 private:
  const Scenario& scenario_;
  const ReportText& text_;
  Verdict* verdict_;
};

}  // namespace treedoc::sim
