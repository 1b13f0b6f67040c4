// How a violation's message names sites and ops: "c0", "n3", and an op as its origin and counter
// ("n3#12"; a trace agent's "agent0#5"), lists cut short after a few.
#pragma once

#include <string>
#include <vector>

#include "models/treedoc/dis.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// How many op ids or sites a report lists before "and N more".
inline constexpr size_t kReportListMax = 8;

// An op id as users read it: its origin site's name and counter ("n3#12"; trace agents "agent0#5").
std::string op_name(const Topology& t, OpId id);

class ReportText {
 public:
  explicit ReportText(const Topology& topology) : topology_(topology) {}
  std::string site(SiteIndex i) const { return site_name(topology_, i); }
  std::string op(OpId id) const { return op_name(topology_, id); }
  std::string attempt(const site::TxId& id) const { return attempt_name(topology_, id); }
  // At most kReportListMax ops, then "and N more".
  std::string ops(const std::vector<OpId>& ids) const;
  std::string sites(const std::vector<SiteIndex>& indices) const;

 private:
  const Topology& topology_;
};

// The first offset where two strings differ (their common length if one is a prefix).
size_t first_difference(const std::string& a, const std::string& b);

}  // namespace treedoc::sim
