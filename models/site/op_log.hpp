// The ops a site can hand to others during anti-entropy: per origin site, indexed by counter.
// One counter numbers all of a site's ops, so each origin's ops fill 1..max densely.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "models/site/message.hpp"
#include "models/treedoc/dot_set.hpp"

namespace treedoc::site {

class OpLog {
 public:
  // Adds `op`; returns false if an op with its id is already there.
  bool add(const SharedOp& op);
  bool contains(OpId id) const;
  uint64_t size() const { return size_; }
  // The ops here whose ids `theirs` lacks, in (site, counter) order, at most `count_max`.
  std::vector<SharedOp> missing_from(const DotSet& theirs, uint64_t count_max) const;
  // fn(op) for every op, in (site, counter) order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [site, ops] : by_origin_) {
      for (const SharedOp& op : ops) {
        if (op) fn(op);
      }
    }
  }

 private:
  std::map<SiteId, std::vector<SharedOp>> by_origin_;  // slot counter-1; null where missing
  uint64_t size_ = 0;
};

}  // namespace treedoc::site
