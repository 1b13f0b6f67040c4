// The ops of one epoch, shared by all sites: ops are immutable and named by their ids, so one copy
// serves every site (a site hands out only ops its own claimed set holds, so what it can repair is
// exactly what it would hold in a log of its own). Per origin, indexed by counter: one counter
// numbers all of a site's ops, so each origin's ops of an epoch fill a dense range. A run op
// (docs/BENCHMARKS.md, "Runs") fills the slots of all its atoms' ids.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "models/site/message.hpp"
#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc::site {

// The atoms of `op` that `keep(OpId)` wants, as shared single-atom ops (a single-atom op is
// handed back itself, not copied): where a run is only partly held or wanted.
template <typename Keep>
std::vector<SharedOp> shared_atoms(const SharedOp& op, Keep&& keep) {
  std::vector<SharedOp> atoms;
  if (op->run == 0) {
    if (keep(op->id)) atoms.push_back(op);
    return atoms;
  }
  for (Op& m : expand_run(*op)) {
    if (keep(m.id)) atoms.push_back(std::make_shared<const Op>(std::move(m)));
  }
  return atoms;
}

class OpArchive {
 public:
  // Adds `op`; returns false if every one of its ids is already there. A run some of whose ids
  // are there (rare: its atoms came by another path too) adds its other atoms as single-atom
  // ops, so every stored op fills exactly the slots of its own ids.
  bool add(const SharedOp& op);
  bool contains(OpId id) const;
  uint64_t size() const { return size_; }  // atoms: ids held
  // The ops holding the ids in `mine` and not in `theirs`, in (site, counter) order, at most
  // `count_max` ops: a run whole when all its ids are wanted, else its wanted atoms alone.
  std::vector<SharedOp> missing_from(const DotSet& mine, const DotSet& theirs,
                                     uint64_t count_max) const;
  // The same with every run as its single-atom ops (at most `count_max` of them): for the paths
  // that reason atom by atom (colouring and translation, re-basing, pre-tombstones).
  std::vector<SharedOp> missing_atoms_from(const DotSet& mine, const DotSet& theirs,
                                           uint64_t count_max) const;

 private:
  struct Origin {
    SiteId site = 0;
    uint64_t first = 0;         // the counter of ops[0]
    std::vector<SharedOp> ops;  // slot counter - first; null where missing
  };
  const Origin* find(SiteId site) const;
  Origin& origin_for(const SharedOp& op);
  // How many of op's ids are already here.
  uint32_t held_atoms(const Origin& o, const Op& op) const;
  std::vector<Origin> by_origin_;  // sorted by site: a flat vector, as DotSet (measured faster)
  uint64_t size_ = 0;
};

}  // namespace treedoc::site
