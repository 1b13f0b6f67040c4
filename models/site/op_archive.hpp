// The ops of one epoch, shared by all sites: ops are immutable and named by their ids, so one copy
// serves every site (a site hands out only ops its own claimed set holds, so what it can repair is
// exactly what it would hold in a log of its own). Per origin, indexed by counter: one counter
// numbers all of a site's ops, so each origin's ops of an epoch fill a dense range.
#pragma once

#include <cstdint>
#include <vector>

#include "models/site/message.hpp"
#include "models/treedoc/dot_set.hpp"

namespace treedoc::site {

class OpArchive {
 public:
  // Adds `op`; returns false if an op with its id is already there.
  bool add(const SharedOp& op);
  bool contains(OpId id) const;
  uint64_t size() const { return size_; }
  // The ops in `mine` and not in `theirs`, in (site, counter) order, at most `count_max`.
  std::vector<SharedOp> missing_from(const DotSet& mine, const DotSet& theirs,
                                     uint64_t count_max) const;

 private:
  struct Origin {
    SiteId site = 0;
    uint64_t first = 0;         // the counter of ops[0]
    std::vector<SharedOp> ops;  // slot counter - first; null where missing
  };
  const Origin* find(SiteId site) const;
  std::vector<Origin> by_origin_;  // sorted by site: a flat vector, as DotSet (measured faster)
  uint64_t size_ = 0;
};

}  // namespace treedoc::site
