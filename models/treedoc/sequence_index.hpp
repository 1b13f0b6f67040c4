// The walk order of all minis (any state) as an implicit treap with visible counts and units: index
// lookup, rank and visibility updates in O(log n) however deep the Treedoc tree grows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace treedoc {

class SequenceIndex {
 public:
  using Slot = uint32_t;  // the mini's arena index
  static constexpr Slot kNone = UINT32_MAX;

  void clear();
  // Builds the index of `slots` in order, each visible with the given width (a flattened epoch).
  void build(const std::vector<Slot>& slots, const std::vector<uint32_t>& widths);
  // Adds `x` (invisible) right after `anchor`, or first when anchor is kNone.
  void insert_after(Slot anchor, Slot x);
  // Adds `x` (invisible) right before `anchor`.
  void insert_before(Slot anchor, Slot x);
  void erase(Slot x);
  // Makes `x` count (visible, `width` units) or not.
  void set_visible(Slot x, bool visible, uint32_t width);

  uint32_t visible_count() const { return root_ == kNone ? 0 : nodes_[root_].count; }
  uint64_t visible_units() const { return root_ == kNone ? 0 : nodes_[root_].units; }
  Slot find_index(uint32_t index) const;
  Slot find_units(uint64_t units, uint64_t* offset_in_slot) const;
  uint32_t rank(Slot x) const;  // visible slots before x
  bool contains(Slot x) const { return x < nodes_.size() && nodes_[x].present; }
  size_t memory_bytes() const { return nodes_.capacity() * sizeof(Node); }

 private:
  struct Node {
    Slot left = kNone, right = kNone, parent = kNone;
    uint32_t priority = 0;
    uint32_t count = 0;       // visible slots in this subtree
    uint64_t units = 0;       // their width
    uint32_t self_width = 0;  // width when visible, else 0
    bool visible = false;
    bool present = false;
  };
  void ensure(Slot x);
  void pull(Slot x);
  void pull_up(Slot x);
  void rotate_up(Slot x);
  void attach(Slot parent, bool right, Slot x);
  static uint32_t priority_of(Slot x);

  std::vector<Node> nodes_;
  Slot root_ = kNone;
};

}  // namespace treedoc
