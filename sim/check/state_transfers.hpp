// Invariant 21, forced-state-transfer: a core member answers a HELLO with a STATE only when the
// asker was more than the retention bound behind it. Within the bound the member's archive holds
// the asker's cut, and a CUT keeps the asker's ops under the protocol's own translation rules
// instead of a re-base by atom identity (docs/protocol.md §4, "Beyond retention").
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

class StateTransfers {
 public:
  // `entered_epoch`: per site, the epoch it last entered (the checker's own record).
  StateTransfers(const Scenario& scenario, const std::vector<uint64_t>& entered_epoch,
                 const ReportText& text, Verdict* verdict);

  // A HELLO's asker epoch is noted at its send; a STATE is judged at its send.
  void sent(TimeUs now, const MessageSent& sent);
  // A HELLO reached its member: the STATE it may answer with is judged against it.
  void delivered(const MessageDelivered& delivered);

 private:
  uint64_t retention_epochs_;
  const std::vector<uint64_t>& entered_epoch_;
  const ReportText& text_;
  Verdict* verdict_;
  // (asker, its message seq) -> the asker's epoch when it sent that HELLO.
  std::map<std::pair<SiteIndex, uint64_t>, uint64_t> hello_epoch_;
  // (member, asker) -> the epoch of the HELLO from asker the member received last.
  std::map<std::pair<SiteIndex, SiteIndex>, uint64_t> asked_epoch_;
};

}  // namespace treedoc::sim
