// Invariant 7, local intention: a user's insert at index i lands at i, and an erase at i removes
// that atom and moves the next one to i; a paste of n atoms lands at i .. i + n - 1, and a range
// erase of n removes exactly those atoms and moves the one after them to i.
#pragma once

#include "models/site/site.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/violation.hpp"
#include "sim/observe/run_observer.hpp"

namespace treedoc::sim {

class LocalIntention {
 public:
  LocalIntention(const ReportText& text, Verdict* verdict) : text_(text), verdict_(verdict) {}

  // Site i made `op` from an edit meant as `intent`; its replica shows the result.
  void check(TimeUs now, SiteIndex i, const site::Site& s, const Op& op, const EditIntent& intent);

 private:
  void check_insert(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                    const EditIntent& intent);
  void check_erase(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                   const EditIntent& intent);

  const ReportText& text_;
  Verdict* verdict_;
};

}  // namespace treedoc::sim
