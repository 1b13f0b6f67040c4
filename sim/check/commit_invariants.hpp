// Invariants 9 and 10 over the flatten commit's steps: one decision per epoch (every commit of an
// epoch is the same attempt, cut and hash, and every attempt ends one way everywhere), and
// update-wins safety (a yes means the voter's applied set is exactly the cut; a commit has a yes
// from every member that stays in the view).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "models/site/flatten_commit.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/violation.hpp"
#include "sim/observe/run_observer.hpp"

namespace treedoc::sim {

class CommitInvariants {
 public:
  CommitInvariants(const RunHistory& history, const ReportText& text, Verdict* verdict)
      : history_(history), text_(text), verdict_(verdict) {}

  void step(TimeUs now, const CommitStepTaken& step);

 private:
  void voted_yes(TimeUs now, SiteIndex i, const site::Site& s, const site::CommitEvent& e);
  // False when it reported a commit without every yes.
  bool committed_with_every_yes(TimeUs now, SiteIndex i, const site::Site& s,
                                const site::CommitEvent& e);
  void committed_once(TimeUs now, SiteIndex i, const site::CommitEvent& e);
  // False when it reported an attempt that ended both ways.
  bool one_outcome(TimeUs now, SiteIndex i, const site::CommitEvent& e);
  std::string attempt_name(const site::CommitEvent& e) const;

  struct Decided {
    site::TxId txid;
    uint64_t hash = 0;
    std::shared_ptr<const DotSet> cut;
  };
  struct Ended {
    bool committed = false;
    SiteIndex site = 0;  // the first site to learn it
  };
  const RunHistory& history_;
  const ReportText& text_;
  Verdict* verdict_;
  std::map<site::TxId, std::set<SiteIndex>> yes_votes_;  // attempt -> members that voted yes
  std::map<uint64_t, Decided> committed_;                // epoch closed -> its commit
  std::map<uint64_t, site::TxId> view_changes_;          // view left alone -> its commit
  std::map<site::TxId, Ended> outcomes_;                 // attempt -> how it ended
};

}  // namespace treedoc::sim
