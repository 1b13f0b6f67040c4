// The core's failure detector (docs/protocol.md, "Membership"): members heartbeat the
// coordinator, which suspects a member it has not heard from for suspect_after_us. It watches
// heartbeats only, never the flatten RPCs: a failed call proves nothing about a member (only the
// `expire` policy, HBase 2.1's behaviour, adds a suspect for it). Sans-I/O: the site gives it what
// it heard and asks whom it suspects; a view change carries the suspects out of the core.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "models/site/flatten_commit.hpp"
#include "models/site/time_us.hpp"

namespace treedoc::site {

class FailureDetector {
 public:
  FailureDetector(SiteId self, TimeUs suspect_after_us)
      : self_(self), suspect_after_us_(suspect_after_us) {}

  // A heartbeat (or anything that counts as one) from `from` arrived at `now`.
  void heard(SiteId from, TimeUs now) { heard_us_[from] = now; }
  // The coordinator's look at `members`: those silent for suspect_after_us, counting from the
  // first look at each, become suspects; returns the new ones.
  std::vector<SiteId> look(const std::vector<SiteId>& members, TimeUs now);
  // Suspects `member` for another cause; false when it already was, or is this site.
  bool suspect(SiteId member);
  const std::set<SiteId>& suspected() const { return suspected_; }
  // A new view starts: silence is measured afresh, and suspects outside it are forgotten.
  void new_view(const Members& members);

 private:
  SiteId self_;
  TimeUs suspect_after_us_;
  std::map<SiteId, TimeUs> heard_us_;  // when the coordinator last heard from each member
  std::set<SiteId> suspected_;         // the pending view change's members to expel
};

}  // namespace treedoc::site
