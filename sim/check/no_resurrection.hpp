// Invariant 6, no resurrection: a site that has applied a delete, now or before a crash, never
// shows that atom again. With deferred integration a site's tree shows a received op only after
// its next verification, so the check of such an op waits for it.
#pragma once

#include <utility>
#include <vector>

#include "sim/check/report_text.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/violation.hpp"

namespace treedoc::sim {

class NoResurrection {
 public:
  NoResurrection(const Scenario& scenario, const RunHistory& history, const ReportText& text,
                 Verdict* verdict);

  // Site i made `op` (a user's or an agent's; a run: each member): checked at once.
  void made(TimeUs now, SiteIndex i, const site::Site& s, const Op& op);
  // Site i applied `op` of its epoch (a run: each member): checked at once, or at its
  // verification when deferred.
  void applied(TimeUs now, SiteIndex i, const site::Site& s, const site::SharedOp& op);
  // Site i's received ops are in its tree: the checks that waited for them run now.
  void verified(TimeUs now, SiteIndex i, const site::Site& s);
  // Whether checks of site i wait for its verification (a site verifies before it crashes).
  bool waiting(SiteIndex i) const { return !unverified_[i].empty(); }

 private:
  // An applied op some of whose atoms have a delete held: (member index, that delete), in
  // order. The run stays whole, so no member's TID is kept.
  struct Unverified {
    site::SharedOp op;
    std::vector<std::pair<uint32_t, OpId>> held_deletes;
    TimeUs applied_at_us;
  };
  // The members of op that site i holds a delete of: (member index, the delete).
  std::vector<std::pair<uint32_t, OpId>> held_deletes(SiteIndex i, const site::Site& s,
                                                      const Op& op) const;
  // Site i holds op (made or applied, its tree shows it): each member with a delete held must
  // be invisible.
  void check_now(TimeUs now, SiteIndex i, const site::Site& s, const Op& op);
  // check_invisible for those members, walking the run once.
  void check_members(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                     const std::vector<std::pair<uint32_t, OpId>>& held, TimeUs applied_at_us);
  // Site i, holding delete d, must not show op's atom (reads its tree). `applied_at_us`: when the
  // site applied op, if it was checked later.
  void check_invisible(TimeUs now, SiteIndex i, const site::Site& s, const Op& op, OpId d,
                       TimeUs applied_at_us);
  // The violation: site i holds delete d yet shows op's atom.
  void report(TimeUs now, SiteIndex i, const Op& op, OpId d, TimeUs applied_at_us);

  const RunHistory& history_;
  const ReportText& text_;
  Verdict* verdict_;
  std::vector<std::vector<Unverified>> unverified_;  // per site
};

}  // namespace treedoc::sim
