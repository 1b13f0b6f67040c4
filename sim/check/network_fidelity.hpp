// Network fidelity (docs/protocol.md §5, invariant 19): every message's fate agrees with the
// scenario, judged by the checker's own replay of its faults, not by sim/world's.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sim/check/report_text.hpp"
#include "sim/check/violation.hpp"
#include "sim/observe/run_observer.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// At each send and delivery: a partition or cut the faults put between sender and receiver drops
// the message, and none that they do not. At the run's end: the losses among the messages the
// loss draw decided, taken apart by the loss rate in force (the network's, or a loss burst's at
// either end, clipped to the safety phase), and the duplicates among those delivered, lie within
// six standard deviations (plus three) of their binomial means; a rate of 0 or 1 is exact.
class NetworkFidelity {
 public:
  NetworkFidelity(const Scenario& scenario, const ReportText& text, Verdict* verdict);

  void sent(TimeUs now, const MessageSent& m);
  void dropped(TimeUs now, const MessageDropped& m);
  void delivered(TimeUs now, const MessageDelivered& m);
  void finish(TimeUs end_us);

 private:
  struct Links {  // the partition groups and one-way cuts in force from `from_us` on
    TimeUs from_us = 0;
    std::vector<uint32_t> group;
    std::vector<std::pair<std::vector<bool>, std::vector<bool>>> cuts;
  };
  struct Window {  // [from, to), clipped to the safety phase
    TimeUs from_us = 0, to_us = 0;
    double loss = 0;
    SiteIndex from = 0, to = 0;  // rpc_failure only
  };
  struct Tally {
    uint64_t trials = 0, hits = 0;
  };
  // Duplicates whose copies arrived at one instant, against the chance that two independent
  // draws of their link's latency agree (a sum over messages: links differ).
  struct Coincidences {
    uint64_t trials = 0, hits = 0;
    double mean = 0, variance = 0;
  };
  void copies_apart(const MessageSent& m);
  void replay(const FaultEvent& f);
  Links& links_from(TimeUs at);
  DropReason expected(SiteIndex src, SiteIndex dst, TimeUs t) const;
  double loss_rate(SiteIndex src, SiteIndex dst, TimeUs t) const;
  bool under_rpc_failure(SiteIndex src, SiteIndex dst, TimeUs t) const;
  void judge(TimeUs now, SiteIndex src, SiteIndex dst, DropReason got, DropReason want,
             const char* when);
  void judge_rate(TimeUs end_us, const char* what, const char* done, double p, const Tally& t);

  const Scenario& scenario_;
  const ReportText& text_;
  Verdict* verdict_;
  TimeUs safety_end_us_;
  std::vector<Links> links_;                 // by from_us, the first from 0
  std::vector<std::vector<Window>> bursts_;  // per site
  std::vector<Window> rpc_failures_;
  std::map<double, Tally> losses_;  // by the loss rate in force
  Tally duplicates_;
  Coincidences same_instant_;
};

}  // namespace treedoc::sim
