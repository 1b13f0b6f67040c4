// Names of sites and ops in violation messages.
#include "sim/check/report_text.hpp"

#include <algorithm>

namespace treedoc::sim {

std::string op_name(const Topology& t, OpId id) {
  const uint64_t index = id.site - kSiteIdFirst;
  const std::string origin = id.site < kSiteIdFirst ? "reserved" + std::to_string(id.site)
                             : index < t.site_count()
                                 ? site_name(t, static_cast<SiteIndex>(index))
                                 : "agent" + std::to_string(index - t.site_count());
  return origin + "#" + std::to_string(id.counter);
}

std::string ReportText::ops(const std::vector<OpId>& ids) const {
  std::string s;
  for (size_t k = 0; k < ids.size() && k < kReportListMax; ++k) {
    s += (k ? ", " : "") + op(ids[k]);
  }
  if (ids.size() > kReportListMax) {
    s += " and " + std::to_string(ids.size() - kReportListMax) + " more";
  }
  return s;
}

std::string ReportText::sites(const std::vector<SiteIndex>& indices) const {
  std::string s;
  for (SiteIndex i : indices) s += (s.empty() ? "" : ", ") + site(i);
  return s;
}

size_t first_difference(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t k = 0; k < n; ++k) {
    if (a[k] != b[k]) return k;
  }
  return n;
}

}  // namespace treedoc::sim
