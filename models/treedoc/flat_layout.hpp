// The balanced layout of a flattened array (docs/protocol.md §3 place()) as arithmetic: the shape
// of n atoms is a pure function of n, so an epoch's base needs no nodes. Atom i is the midpoint of
// a range [lo, hi] and sits in that range's major node; its left child holds [lo, i-1], its right
// child [i+1, hi], and the whole array hangs below R.right.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

class FlatLayout {
 public:
  // count < 2^31, so a path has at most this many elements (the tree's depth is floor(log2 n)+1).
  static constexpr uint32_t kDepthMax = 32;
  static constexpr uint32_t kNoParent = UINT32_MAX;  // the root's parent is R, not an atom

  // Where an atom sits: its index, its range, its major's depth (TID elements; the root has 1),
  // the branch from its parent and the parent atom.
  struct Place {
    uint32_t index = 0, lo = 0, hi = 0, depth = 0;
    uint32_t parent = kNoParent;
    uint8_t branch = 1;
  };

  FlatLayout() = default;
  explicit FlatLayout(uint32_t count) : count_(count) {}
  uint32_t count() const { return count_; }

  static uint32_t mid(uint32_t lo, uint32_t hi) { return lo + (hi - lo) / 2; }
  Place root() const {
    TD_ASSERT(count_ > 0, "an empty layout has no root");
    return Place{mid(0, count_ - 1), 0, count_ - 1, 1, kNoParent, 1};
  }
  // The child of `p` on `branch`; false when that range is empty (the slot is free).
  static bool child(const Place& p, uint8_t branch, Place* out) {
    if (branch == 0 ? p.index == p.lo : p.index == p.hi) return false;
    const uint32_t lo = branch == 0 ? p.lo : p.index + 1;
    const uint32_t hi = branch == 0 ? p.index - 1 : p.hi;
    *out = Place{mid(lo, hi), lo, hi, p.depth + 1, p.index, branch};
    return true;
  }
  // The place of atom i, found from the root in O(log n); `on_ancestor(place)` sees each strict
  // ancestor, top-down.
  template <typename Fn>
  Place descend(uint32_t i, Fn&& on_ancestor) const;
  Place locate(uint32_t i) const {
    return descend(i, [](const Place&) {});
  }

  // How many atoms sit at each depth (entry d-1 for depth d), in O(log n).
  std::vector<uint64_t> atoms_per_depth() const;
  // Visits the places of atoms [a, b) in order, in O(b - a + log n).
  template <typename Fn>
  void for_each_in_range(uint32_t a, uint32_t b, Fn&& fn) const;

 private:
  uint32_t count_ = 0;
};

template <typename Fn>
FlatLayout::Place FlatLayout::descend(uint32_t i, Fn&& on_ancestor) const {
  TD_ASSERT(i < count_, "a base atom within the layout");
  Place p = root();
  while (p.index != i) {
    on_ancestor(p);
    const bool found = child(p, i < p.index ? 0 : 1, &p);
    TD_ASSERT(found, "every atom's range holds it");
  }
  return p;
}

template <typename Fn>
void FlatLayout::for_each_in_range(uint32_t a, uint32_t b, Fn&& fn) const {
  if (a >= b) return;
  TD_ASSERT(b <= count_, "a range within the layout");
  // In-order walk that skips subtrees outside [a, b); the stack holds one path.
  std::array<Place, kDepthMax> stack;
  size_t top = 0;
  Place cur = root();
  bool have = true;
  for (;;) {
    while (have) {
      TD_ASSERT(top < kDepthMax, "a layout path fits the stack");
      stack[top++] = cur;
      // The left subtree [lo, index-1] meets [a, b) only if index > a.
      have = cur.index > a && child(cur, 0, &cur);
    }
    if (top == 0) return;
    const Place p = stack[--top];
    if (p.index >= b) return;  // everything after it in the walk is past b too
    if (p.index >= a) fn(p);
    have = p.index + 1 < b && child(p, 1, &cur);
  }
}

}  // namespace treedoc
