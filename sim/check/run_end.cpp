// The end of a run: the workload's expected document, the required probes.
#include "sim/check/run_end.hpp"

namespace treedoc::sim {

void RunEnd::workload_ended(TimeUs now, const SiteViews& sites,
                            const std::optional<WorkloadEnd>& end) {
  if (!end || verdict_->verdict()) return;
  if (end->issued < end->total) {
    verdict_->report_at_end({Invariant::kTraceFinished,
                             now,
                             {},
                             {},
                             "the trace workload made " + std::to_string(end->issued) + " of its " +
                                 std::to_string(end->total) +
                                 " transactions by the end of the workload; give it a longer "
                                 "safety phase"});
    return;
  }
  const std::string& expected = *end->content;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    if (!sites[i]) continue;  // halted for good: the trace's text is for live sites
    const std::string content = sites[i]->replica().content();
    if (content == expected) continue;
    verdict_->report_at_end({Invariant::kTraceEndContent,
                             now,
                             {i},
                             {},
                             text_.site(i) +
                                 "'s text differs from the trace's endContent at byte " +
                                 std::to_string(first_difference(content, expected)) + " (" +
                                 std::to_string(content.size()) + " bytes vs " +
                                 std::to_string(expected.size()) + ")"});
    return;
  }
}

void RunEnd::required_probes(TimeUs end_us, const site::ProbeCounts& fired) {
  for (const CheckerConfig::ProbeMinimum& r : scenario_.checker.required_probes) {
    if (verdict_->verdict() || fired[r.probe] >= r.times) continue;
    const std::string name = site::to_string(r.probe);
    std::string detail = "the scenario requires probe " + name + ", which never fired";
    if (fired[r.probe] > 0) {
      detail = "the scenario requires probe " + name + " at least " + std::to_string(r.times) +
               " times; it fired " + std::to_string(fired[r.probe]);
    }
    verdict_->report_at_end({Invariant::kRequiredProbe,
                             end_us,
                             {},
                             {},
                             detail + ": its faults did not produce what it is meant to test"});
  }
}

void RunEnd::forbidden_probes(TimeUs end_us, const site::ProbeCounts& fired) {
  for (site::Probe p : scenario_.checker.forbidden_probes) {
    if (verdict_->verdict() || fired[p] == 0) continue;
    verdict_->report_at_end({Invariant::kForbiddenProbe,
                             end_us,
                             {},
                             {},
                             "probe " + std::string(site::to_string(p)) + " fired " +
                                 std::to_string(fired[p]) +
                                 " times; the scenario forbids it (checker.forbid_probes)"});
  }
}

void RunEnd::expected_figures(TimeUs end_us, const FigureValues& values) {
  for (const FigureBound& b : scenario_.checker.expect) {
    const uint64_t value = values[static_cast<size_t>(b.figure)];
    const bool low = b.min && value < *b.min;
    const bool high = b.max && value > *b.max;
    if (verdict_->verdict() || (!low && !high)) continue;
    const std::string bound =
        low ? "min " + std::to_string(*b.min) : "max " + std::to_string(*b.max);
    verdict_->report_at_end({Invariant::kExpectedFigure,
                             end_us,
                             {},
                             {},
                             std::string(to_string(b.figure)) + " is " + std::to_string(value) +
                                 "; the scenario expects " + bound + " (checker.expect)"});
  }
}

}  // namespace treedoc::sim
