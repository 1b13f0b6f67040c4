// FailureDetector: silence, counted from the first look.
#include "models/site/failure_detector.hpp"

#include <algorithm>

namespace treedoc::site {

std::vector<SiteId> FailureDetector::look(const std::vector<SiteId>& members, TimeUs now) {
  std::vector<SiteId> fresh;
  for (SiteId m : members) {
    if (m == self_) continue;
    const TimeUs heard = heard_us_.try_emplace(m, now).first->second;  // grace from first look
    if (now - heard < suspect_after_us_ || suspected_.count(m)) continue;
    suspected_.insert(m);
    fresh.push_back(m);
  }
  return fresh;
}

bool FailureDetector::suspect(SiteId member) {
  return member != self_ && suspected_.insert(member).second;
}

void FailureDetector::new_view(const Members& members) {
  heard_us_.clear();  // the grace period restarts with the view
  std::erase_if(suspected_, [&](SiteId s) { return !is_member_of(members, s); });
}

}  // namespace treedoc::site
