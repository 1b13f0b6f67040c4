// Implicit treap over mini slots. Priorities are a fixed hash of the slot, so the shape (and every
// run) is deterministic.
#include "models/treedoc/sequence_index.hpp"

#include "models/treedoc/assertion.hpp"

namespace treedoc {

uint32_t SequenceIndex::priority_of(Slot x) {
  uint64_t z = uint64_t{x} + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<uint32_t>(z ^ (z >> 31));
}

void SequenceIndex::clear() {
  nodes_.clear();
  root_ = kNone;
}

void SequenceIndex::ensure(Slot x) {
  if (x >= nodes_.size()) nodes_.resize(static_cast<size_t>(x) + 1);
}

void SequenceIndex::pull(Slot x) {
  Node& n = nodes_[x];
  n.count = n.visible ? 1 : 0;
  n.units = n.visible ? n.self_width : 0;
  if (n.left != kNone) {
    n.count += nodes_[n.left].count;
    n.units += nodes_[n.left].units;
  }
  if (n.right != kNone) {
    n.count += nodes_[n.right].count;
    n.units += nodes_[n.right].units;
  }
}

void SequenceIndex::pull_up(Slot x) {
  for (; x != kNone; x = nodes_[x].parent) pull(x);
}

void SequenceIndex::rotate_up(Slot x) {
  const Slot p = nodes_[x].parent;
  const Slot g = nodes_[p].parent;
  if (nodes_[p].left == x) {
    nodes_[p].left = nodes_[x].right;
    if (nodes_[x].right != kNone) nodes_[nodes_[x].right].parent = p;
    nodes_[x].right = p;
  } else {
    nodes_[p].right = nodes_[x].left;
    if (nodes_[x].left != kNone) nodes_[nodes_[x].left].parent = p;
    nodes_[x].left = p;
  }
  nodes_[p].parent = x;
  nodes_[x].parent = g;
  if (g == kNone) {
    root_ = x;
  } else if (nodes_[g].left == p) {
    nodes_[g].left = x;
  } else {
    nodes_[g].right = x;
  }
  pull(p);
  pull(x);
}

void SequenceIndex::attach(Slot parent, bool right, Slot x) {
  ensure(x);
  TD_ASSERT(!nodes_[x].present, "a slot is indexed once");
  nodes_[x] = Node{};
  nodes_[x].priority = priority_of(x);
  nodes_[x].present = true;
  nodes_[x].parent = parent;
  if (parent == kNone) {
    TD_ASSERT(root_ == kNone, "only an empty index takes a new root");
    root_ = x;
    return;
  }
  (right ? nodes_[parent].right : nodes_[parent].left) = x;
  while (nodes_[x].parent != kNone && nodes_[nodes_[x].parent].priority < nodes_[x].priority) {
    rotate_up(x);
  }
}

void SequenceIndex::insert_after(Slot anchor, Slot x) {
  if (anchor == kNone) {
    if (root_ == kNone) return attach(kNone, false, x);
    Slot first = root_;
    while (nodes_[first].left != kNone) first = nodes_[first].left;
    return attach(first, false, x);
  }
  TD_ASSERT(contains(anchor), "the anchor is indexed");
  if (nodes_[anchor].right == kNone) return attach(anchor, true, x);
  Slot s = nodes_[anchor].right;
  while (nodes_[s].left != kNone) s = nodes_[s].left;
  attach(s, false, x);
}

void SequenceIndex::insert_before(Slot anchor, Slot x) {
  TD_ASSERT(contains(anchor), "the anchor is indexed");
  if (nodes_[anchor].left == kNone) return attach(anchor, false, x);
  Slot s = nodes_[anchor].left;
  while (nodes_[s].right != kNone) s = nodes_[s].right;
  attach(s, true, x);
}

void SequenceIndex::erase(Slot x) {
  TD_ASSERT(contains(x), "erase an indexed slot");
  // Rotate x down to a leaf (towards the child of higher priority), then unlink it.
  for (;;) {
    const Slot l = nodes_[x].left, r = nodes_[x].right;
    if (l == kNone && r == kNone) break;
    const Slot up = (r == kNone || (l != kNone && nodes_[l].priority > nodes_[r].priority)) ? l : r;
    rotate_up(up);
  }
  const Slot p = nodes_[x].parent;
  if (p == kNone) {
    root_ = kNone;
  } else {
    (nodes_[p].left == x ? nodes_[p].left : nodes_[p].right) = kNone;
    pull_up(p);
  }
  nodes_[x] = Node{};
}

void SequenceIndex::set_visible(Slot x, bool visible, uint32_t width) {
  TD_ASSERT(contains(x), "a visibility change on an indexed slot");
  nodes_[x].visible = visible;
  nodes_[x].self_width = width;
  pull_up(x);
}

SequenceIndex::Slot SequenceIndex::find_index(uint32_t index) const {
  TD_ASSERT(index < visible_count(), "index within the visible count");
  Slot x = root_;
  for (;;) {
    const Node& n = nodes_[x];
    const uint32_t left = n.left == kNone ? 0 : nodes_[n.left].count;
    if (index < left) {
      x = n.left;
      continue;
    }
    index -= left;
    if (n.visible) {
      if (index == 0) return x;
      --index;
    }
    x = n.right;
  }
}

SequenceIndex::Slot SequenceIndex::find_units(uint64_t units, uint64_t* offset_in_slot) const {
  TD_ASSERT(units < visible_units(), "unit offset within the visible units");
  Slot x = root_;
  for (;;) {
    const Node& n = nodes_[x];
    const uint64_t left = n.left == kNone ? 0 : nodes_[n.left].units;
    if (units < left) {
      x = n.left;
      continue;
    }
    units -= left;
    if (n.visible) {
      if (units < n.self_width) {
        *offset_in_slot = units;
        return x;
      }
      units -= n.self_width;
    }
    x = n.right;
  }
}

uint32_t SequenceIndex::rank(Slot x) const {
  TD_ASSERT(contains(x), "rank of an indexed slot");
  uint32_t before = nodes_[x].left == kNone ? 0 : nodes_[nodes_[x].left].count;
  for (Slot c = x, p = nodes_[x].parent; p != kNone; c = p, p = nodes_[p].parent) {
    if (nodes_[p].right == c) {
      before += (nodes_[p].left == kNone ? 0 : nodes_[nodes_[p].left].count) +
                (nodes_[p].visible ? 1 : 0);
    }
  }
  return before;
}

void SequenceIndex::build(const std::vector<Slot>& slots, const std::vector<uint32_t>& widths) {
  clear();
  // Cartesian-tree construction in O(n) with a right spine stack; then counts bottom-up.
  std::vector<Slot> spine;
  for (size_t i = 0; i < slots.size(); ++i) {
    const Slot x = slots[i];
    ensure(x);
    nodes_[x] = Node{};
    nodes_[x].priority = priority_of(x);
    nodes_[x].present = true;
    nodes_[x].visible = true;  // a flattened epoch starts all visible
    nodes_[x].self_width = widths[i];
    Slot last = kNone;
    while (!spine.empty() && nodes_[spine.back()].priority < nodes_[x].priority) {
      last = spine.back();
      spine.pop_back();
    }
    nodes_[x].left = last;
    if (last != kNone) nodes_[last].parent = x;
    if (!spine.empty()) {
      nodes_[spine.back()].right = x;
      nodes_[x].parent = spine.back();
    }
    spine.push_back(x);
  }
  root_ = spine.empty() ? kNone : spine.front();
  // Post-order pull without recursion: children are pulled before parents.
  std::vector<Slot> order;
  std::vector<Slot> stack;
  if (root_ != kNone) stack.push_back(root_);
  while (!stack.empty()) {
    const Slot x = stack.back();
    stack.pop_back();
    order.push_back(x);
    if (nodes_[x].left != kNone) stack.push_back(nodes_[x].left);
    if (nodes_[x].right != kNone) stack.push_back(nodes_[x].right);
  }
  for (size_t i = order.size(); i-- > 0;) pull(order[i]);
}

}  // namespace treedoc
