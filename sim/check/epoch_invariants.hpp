// The invariants of epochs: an op applied only in its own epoch (8); entering an epoch shows the
// same atoms in the same order (11, and 13 for a state transfer that lost or gained ops); every
// site translates an op to the same TID (12); members of the newest view at most one epoch apart
// (14).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "sim/check/report_text.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/tid_uniqueness.hpp"
#include "sim/check/violation.hpp"
#include "sim/observe/run_observer.hpp"

namespace treedoc::sim {

class EpochInvariants {
 public:
  EpochInvariants(const ReportText& text, Verdict* verdict) : text_(text), verdict_(verdict) {}

  // Epoch isolation: false when it reported.
  bool applied_in_its_epoch(TimeUs now, const OpApplied& applied);
  void entered(TimeUs now, SiteIndex i, const site::EpochEntered& e);
  // Translation determinism; a translated insert also claims its new TID (when `tids` checks).
  void translated(TimeUs now, SiteIndex i, const Op& op, TidUniqueness* tids);
  void core_agreement(TimeUs now, const SiteViews& sites);

 private:
  // A state transfer that lost or gained ops: the atoms visible on both sides keep their order.
  void order_preserved(TimeUs now, SiteIndex i, const site::EpochEntered& e);

  const ReportText& text_;
  Verdict* verdict_;
  std::map<std::pair<uint64_t, OpId>, std::string> translated_tid_;  // (new epoch, op) -> TID
};

}  // namespace treedoc::sim
