// The walk order of all minis (any state) as an implicit treap with visible counts and units.
// Its items are explicit minis and runs of implicit atoms (the flattened base's, and chained atoms
// appended after it), whose counts come from BaseCounts, so neither a flatten nor a typed or pasted
// stretch costs a treap node per atom. Index lookup, rank and visibility updates cost O(log n)
// however deep the Treedoc tree grows.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/base_counts.hpp"
#include "models/treedoc/chunked_map.hpp"
#include "models/treedoc/node_index.hpp"

namespace treedoc {

class SequenceIndex {
 public:
  // Starts an epoch with no explicit mini and one base atom per entry of `base_widths`, all
  // visible, in one run. The buffer is swapped in; the caller gets the previous one back.
  void reset(BaseWidths* base_widths);
  // Replaces everything by the explicit minis `minis`, in order, with their widths and visibility
  // (a base turned into explicit nodes). O(n).
  void build(const std::vector<NodeIndex>& minis, const std::vector<uint32_t>& widths,
             const std::vector<uint8_t>& visible);

  // Adds explicit `x` (invisible) right after `anchor` (explicit or base), or first when anchor
  // is kNoNode.
  void insert_after(NodeIndex anchor, NodeIndex x);
  // Adds explicit `x` (invisible) right before `anchor` (explicit or base).
  void insert_before(NodeIndex anchor, NodeIndex x);
  void erase(NodeIndex x);  // explicit only: base atoms are never removed
  // Makes `x` count (visible, `width` units) or not. A base atom keeps its own width.
  void set_visible(NodeIndex x, bool visible, uint32_t width);
  // Hides base atoms [a, b), all visible and in the run of a (b <= base_run_end(a)): one count
  // update, not one per atom.
  void hide_base_stretch(uint32_t a, uint32_t b);
  // The end of the run of base atoms that holds base atom i: no explicit mini lies between i and
  // any atom of [i, end).
  uint32_t base_run_end(uint32_t i) const;
  // Appends implicit atom i = base().size(), visible with `width`, right after `anchor` (explicit
  // or implicit) in the walk order; when the anchor is atom i - 1, i joins its run.
  void append_after(NodeIndex anchor, uint32_t width);
  // Appends implicit atoms i .. i + count - 1 (i = base().size()), visible, with widths[from..]
  // (1 each when widths is empty), right after implicit atom i - 1 whose run ends at i: the run
  // grows by all of them in one update.
  void extend_last_run(const std::vector<uint32_t>& widths, size_t from, size_t count);
  // Implicit atom i becomes explicit `x` in the same place and with the same visibility; i stays
  // in the arrays, hidden and in no run.
  void make_explicit(uint32_t i, NodeIndex x);

  uint32_t visible_count() const { return root_ == kNil ? 0 : nodes_[root_].count; }
  uint64_t visible_units() const { return root_ == kNil ? 0 : nodes_[root_].units; }
  // O(1) when `index` is the one last found or remembered and nothing changed since.
  NodeIndex find_index(uint32_t index) const;
  // `node` is at visible `index` now: a caller that just placed it there says so, and the next
  // find_index(index) answers without a descent. Typing asks for the atom it just inserted (the
  // next insert's left neighbour), so a typed character costs no descent.
  void remember(uint32_t index, NodeIndex node) const {
    TD_ASSERT(index < visible_count(), "a visible index");
    TD_ASSERT_SLOW(descend_to_index(index) == node, "a remembered node is at its index");
    finger_[index % kFingers] = Finger{version_, index, node};
  }
  // Base atoms [a, b), hidden just now, were at visible index `index` on: the visible atoms next
  // to them in their runs (now at index - 1 and index) are remembered when a short look finds
  // them (BaseCounts::kNearWordsMax).
  void remember_around_hidden(uint32_t index, uint32_t a, uint32_t b) const;
  NodeIndex find_units(uint64_t units, uint64_t* offset_in_slot) const;
  uint32_t rank(NodeIndex x) const;  // visible minis before x
  bool contains(NodeIndex x) const;
  const BaseCounts& base() const { return base_; }

  // In walk order: on_mini(x) for an explicit mini, on_run(a, b) for base atoms [a, b).
  template <typename OnMini, typename OnRun>
  void for_each(OnMini&& on_mini, OnRun&& on_run) const;

  size_t memory_bytes() const {
    return nodes_.capacity() * sizeof(Node) +
           (free_.capacity() + ref_of_.capacity()) * sizeof(Ref) + base_.memory_bytes() +
           runs_.memory_bytes();
  }

 private:
  using Ref = uint32_t;  // a treap node
  static constexpr Ref kNil = UINT32_MAX;
  // 32 bytes; the heap priority is a hash of the node's Ref, computed when needed. An item's own
  // counts are not stored: they are its subtree's less its children's (self_count, self_units).
  struct Node {
    Ref left = kNil, right = kNil, parent = kNil;
    uint32_t count = 0;  // visible minis in this subtree
    uint64_t units = 0;  // their width
    // A run holds implicit atoms [begin, end); an explicit mini has end == kExplicit and its
    // NodeIndex in begin.
    uint32_t begin = 0, end = 0;
    bool is_mini() const { return end == kExplicit; }
    NodeIndex mini() const { return is_mini() ? begin : kNoNode; }
  };
  static constexpr uint32_t kExplicit = UINT32_MAX;  // above any atom count (kNil is the limit)
  uint32_t self_count(Ref x) const {
    const Node& n = nodes_[x];
    return n.count - (n.left == kNil ? 0 : nodes_[n.left].count) -
           (n.right == kNil ? 0 : nodes_[n.right].count);
  }
  uint64_t self_units(Ref x) const {
    const Node& n = nodes_[x];
    return n.units - (n.left == kNil ? 0 : nodes_[n.left].units) -
           (n.right == kNil ? 0 : nodes_[n.right].units);
  }
  Ref new_node(NodeIndex mini);
  Ref ref_of(NodeIndex explicit_mini) const;
  // x's subtree counts from its own (`count`, `units`) and its children's.
  void set_totals(Ref x, uint32_t count, uint64_t units);
  // Adds (or, with `subtract`, removes) counts to x and every ancestor: cheaper than pulling.
  void add_up(Ref x, uint32_t count, uint64_t units, bool subtract);
  // Run r takes the `count` visible atoms (of `units`) just pushed after its end.
  void grow_run(Ref r, uint32_t count, uint64_t units);
  void rotate_up(Ref x);
  // Links the leaf `x` below `parent` and restores the heap order.
  void link(Ref parent, bool right, Ref x);
  void place_after(Ref anchor, Ref x);  // anchor kNil: first
  // The item `anchor` ends, a run split after an implicit anchor if needed (kNil for kNoNode):
  // what follows goes after it.
  Ref anchor_after(NodeIndex anchor);
  void place_before(Ref anchor, Ref x);
  // The run holding implicit atom i, and the visible minis before that run.
  Ref run_of(uint32_t i) const;
  uint32_t count_before(Ref x) const;  // visible minis before item x
  // Cuts run r at base atom `at` (r.begin < at < r.end); returns the new run [at, end).
  Ref split(Ref r, uint32_t at);
  Ref leftmost(Ref x) const;
  static uint32_t priority_of(Ref x);
  NodeIndex descend_to_index(uint32_t index) const;  // find_index without the finger

  std::vector<Node> nodes_;
  std::vector<Ref> free_;
  std::vector<Ref> ref_of_;  // explicit mini -> its treap node, kNil when absent
  // Runs by their first atom: implicit atoms need not follow each other in the walk order in
  // index order (a chained stretch typed before a base atom), so a run is found by its range.
  ChunkedMap<Ref> runs_;
  mutable Ref last_run_ = kNil;  // run_of's last answer
  Ref root_ = kNil;
  BaseCounts base_;
  // Every change of the walk order or of a visibility bumps version_: a finger taken before it
  // is stale (a rename, such as make_explicit, is such a change too).
  uint64_t version_ = 0;
  struct Finger {
    uint64_t version = UINT64_MAX;
    uint32_t index = 0;
    NodeIndex node = kNoNode;
  };
  // Two, by the parity of their index: a delete leaves both its neighbours found.
  static constexpr uint32_t kFingers = 2;
  mutable std::array<Finger, kFingers> finger_;
};

template <typename OnMini, typename OnRun>
void SequenceIndex::for_each(OnMini&& on_mini, OnRun&& on_run) const {
  if (root_ == kNil) return;
  // In-order successor walk over parent links: no stack, O(1) amortized per item.
  for (Ref x = leftmost(root_); x != kNil;) {
    const Node& n = nodes_[x];
    if (n.is_mini()) {
      on_mini(n.mini());
    } else {
      on_run(n.begin, n.end);
    }
    if (n.right != kNil) {
      x = leftmost(n.right);
      continue;
    }
    Ref c = x;
    x = n.parent;
    while (x != kNil && nodes_[x].right == c) {
      c = x;
      x = nodes_[x].parent;
    }
  }
}

}  // namespace treedoc
