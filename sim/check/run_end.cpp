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
  for (site::Probe p : scenario_.checker.required_probes) {
    if (verdict_->verdict() || fired[p] > 0) continue;
    verdict_->report_at_end({Invariant::kRequiredProbe,
                             end_us,
                             {},
                             {},
                             "the scenario requires probe " + std::string(site::to_string(p)) +
                                 ", which never fired: its faults did not produce what it is "
                                 "meant to test"});
  }
}

}  // namespace treedoc::sim
