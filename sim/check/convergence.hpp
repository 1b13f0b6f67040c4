// Invariant 3, convergence: sites of one epoch that claim the same op set hold the same tree (the
// same visible atoms under tombstone discard, whose trees may differ in ghosts), compared across
// sites and across time by a hash of each claimed set's state.
#pragma once

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/check/report_text.hpp"
#include "sim/check/run_history.hpp"
#include "sim/check/violation.hpp"

namespace treedoc::sim {

class Convergence {
 public:
  Convergence(const Scenario& scenario, const ReportText& text, Verdict* verdict);

  // Every site that changed since the last check, against every state seen for its op set.
  void check(TimeUs now, const SiteViews& sites);
  // Site i's state hash, computed once per version of the site.
  uint64_t state_hash_of(SiteIndex i, const site::Site& s);
  // Site i's cached hashes are void (a new replica, or none).
  void forget_site(SiteIndex i);
  uint64_t checks() const { return checks_; }
  uint64_t comparisons() const { return comparisons_; }

 private:
  void report_differ(TimeUs now, const SiteViews& sites, SiteIndex earlier, SiteIndex i,
                     uint64_t ops);

  const ReportText& text_;
  Verdict* verdict_;
  bool compare_visible_only_;  // with tombstone discard, trees may differ in ghosts
  struct HashCache {
    uint64_t version = UINT64_MAX;
    uint64_t hash = 0;
  };
  std::vector<HashCache> hash_cache_;
  // Convergence across time: the state hash of every claimed op set seen so far, and at which
  // site, so two sites that pass through the same set at different instants are compared too.
  using SetKey = std::tuple<uint64_t, uint64_t, uint64_t>;  // epoch, set hash sum, set size
  std::map<SetKey, std::pair<uint64_t, SiteIndex>> state_of_set_;
  std::vector<uint64_t> checked_version_;  // per site: the version last compared
  uint64_t checks_ = 0;
  uint64_t comparisons_ = 0;
};

}  // namespace treedoc::sim
