// Invariant 1, TID uniqueness: within an epoch no two inserts share a TID, whether a site made
// it or translated it into the epoch; and what a replica refused (a collision it found in its
// tree, or a malformed op).
#pragma once

#include <string>
#include <unordered_map>

#include "models/site/effects.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/violation.hpp"

namespace treedoc::sim {

class TidUniqueness {
 public:
  TidUniqueness(const ReportText& text, Verdict* verdict) : text_(text), verdict_(verdict) {}

  // Records insert `op` as the owner of its TID in its epoch, or reports the insert that already
  // owns it (`how` it got the TID: "made", "translated"). False when it reported.
  bool claim(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid,
             const char* how);
  // Site i's replica refused an op: a collision only its tree showed, or a malformed op.
  void rejected(TimeUs now, SiteIndex i, const site::Rejection& r);

 private:
  const ReportText& text_;
  Verdict* verdict_;
  std::unordered_map<std::string, OpId> owner_;  // encoded TID + '@' + epoch -> insert
};

}  // namespace treedoc::sim
