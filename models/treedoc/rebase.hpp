// Re-basing onto a newer epoch by atom identity (docs/protocol.md §4, "Beyond retention"): what a
// site further behind than the core's archives does with the ops no cut took in, instead of
// losing them. Its own inserts go after their nearest surviving left neighbour; every delete
// targets its atom by op id. Pure functions, no site state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/op.hpp"
#include "models/treedoc/tree.hpp"

namespace treedoc {

// A base's atoms by their original insert op id (docs/protocol.md correction 6: identity survives
// every flatten).
class BaseIndex {
 public:
  explicit BaseIndex(const std::vector<FlatAtom>& base);
  // The index in the base of the atom op `id` inserted, if the base shows it.
  std::optional<uint64_t> find(OpId id) const;
  uint64_t size() const { return size_; }

 private:
  std::vector<std::pair<OpId, uint64_t>> sorted_;
  uint64_t size_ = 0;
};

struct RebaseInput {
  const std::vector<FlatAtom>& old_base;  // the base of the epoch the site leaves
  // Every op the site holds of that epoch (runs allowed), and its deletes still waiting for
  // their targets from earlier re-bases (any epoch: only their targets matter).
  const std::vector<Op>& held;
  const DotSet& integrated;  // the op ids the cuts since that epoch took in
  // Deletes of the new epoch that the core carries for atoms no cut took in (pre-tombstones).
  const std::vector<Op>& carried_deletes;
  const std::vector<FlatAtom>& new_base;
  uint64_t new_epoch = 0;
};

struct Rebased {
  // The site's own inserts no cut took in, at their new TIDs in document order (single-atom ops),
  // then every delete no cut took in whose target the new epoch shows or these place: all of the
  // new epoch. Every own op is carried, deleted or not: each must stay held somewhere.
  std::vector<Op> ops;
  // Deletes whose target the new epoch does not show yet (another site's insert that its origin
  // re-bases): kept as made, applied when the target arrives.
  std::vector<Op> pending_deletes;
  uint64_t inserts_rebased = 0;       // atoms
  uint64_t foreign_inserts_left = 0;  // atoms of other sites' inserts: their origins re-base them
  uint64_t placed_dead = 0;           // own atoms placed where a carried pre-tombstone points
};

// `own(id)`: whether this site made op `id` (its users' or its trace agents' op). Deterministic:
// the same inputs give the same ops, and only the origin re-bases an insert, so one TID per op.
Rebased rebase_onto(const RebaseInput& in, const std::function<bool(OpId)>& own);

}  // namespace treedoc
