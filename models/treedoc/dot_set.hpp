// A set of op ids compressed as runs of consecutive counters per site: `seen`, S and the cut C.
// A version vector is the one-run case; runs also stay compact for an epoch's `seen`, which starts
// empty while counters keep counting (spec (a): never reset), so it never starts at 1.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "models/treedoc/dis.hpp"

namespace treedoc {

class DotSet {
 public:
  bool contains(OpId id) const;
  // Adds `id`; returns false when it was already there.
  bool insert(OpId id);
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    sites_.clear();
    size_ = 0;
  }
  // Every id, ordered by (site, counter).
  std::vector<OpId> to_vector() const;
  // Ids in this set and not in `other`, ordered.
  std::vector<OpId> minus(const DotSet& other) const;
  bool includes(const DotSet& other) const;

  friend bool operator==(const DotSet&, const DotSet&) = default;

 private:
  // Per site, first counter -> last counter of each run: disjoint and never adjacent (merged), so
  // equal sets have equal maps. Ordered maps: iteration order is deterministic.
  using Runs = std::map<uint64_t, uint64_t>;
  std::map<SiteId, Runs> sites_;
  uint64_t size_ = 0;
};

}  // namespace treedoc
