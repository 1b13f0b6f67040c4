// Implicit treap over explicit minis and base runs. Priorities are a fixed hash of the node, so the
// shape (and every run) is deterministic; the shape never changes an answer, only its cost.
#include "models/treedoc/sequence_index.hpp"

#include "models/treedoc/array_growth.hpp"
#include "models/treedoc/assertion.hpp"

namespace treedoc {

uint32_t SequenceIndex::priority_of(Ref x) {
  uint64_t z = uint64_t{x} + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<uint32_t>(z ^ (z >> 31));
}

SequenceIndex::Ref SequenceIndex::new_node(NodeIndex mini) {
  Ref x;
  if (!free_.empty()) {
    x = free_.back();
    free_.pop_back();
    nodes_[x] = Node{};
  } else {
    TD_ASSERT(nodes_.size() < kNil, "treap nodes below their limit");
    x = static_cast<Ref>(nodes_.size());
    reserve_for_append(&nodes_, 1);
    nodes_.emplace_back();
  }
  if (mini != kNoNode) {
    nodes_[x].begin = mini;
    nodes_[x].end = kExplicit;
    TD_ASSERT(!is_base(mini), "only explicit minis get a treap node of their own");
    if (mini >= ref_of_.size()) ref_of_.resize(static_cast<size_t>(mini) + 1, kNil);
    TD_ASSERT(ref_of_[mini] == kNil, "a mini is indexed once");
    ref_of_[mini] = x;
  }
  return x;
}

SequenceIndex::Ref SequenceIndex::ref_of(NodeIndex explicit_mini) const {
  TD_ASSERT(contains(explicit_mini), "an indexed explicit mini");
  return ref_of_[explicit_mini];
}

bool SequenceIndex::contains(NodeIndex x) const {
  if (is_base(x)) return base_index(x) < base_.size();
  return x < ref_of_.size() && ref_of_[x] != kNil;
}

void SequenceIndex::reset(BaseWidths* base_widths) {
  ++version_;
  nodes_.clear();
  free_.clear();
  ref_of_.clear();
  runs_.clear();
  root_ = kNil;
  base_.reset(base_widths);
  if (base_.size() == 0) return;
  const Ref r = new_node(kNoNode);
  runs_.insert(0, r);
  Node& run = nodes_[r];
  run.begin = 0;
  run.end = base_.size();
  run.count = base_.visible_count();
  run.units = base_.visible_units();
  root_ = r;
}

void SequenceIndex::set_totals(Ref x, uint32_t count, uint64_t units) {
  Node& n = nodes_[x];
  n.count = count;
  n.units = units;
  if (n.left != kNil) {
    n.count += nodes_[n.left].count;
    n.units += nodes_[n.left].units;
  }
  if (n.right != kNil) {
    n.count += nodes_[n.right].count;
    n.units += nodes_[n.right].units;
  }
}

void SequenceIndex::add_up(Ref x, uint32_t count, uint64_t units, bool subtract) {
  if (count == 0 && units == 0) return;
  for (; x != kNil; x = nodes_[x].parent) {
    Node& n = nodes_[x];
    n.count = subtract ? n.count - count : n.count + count;
    n.units = subtract ? n.units - units : n.units + units;
  }
}

void SequenceIndex::rotate_up(Ref x) {
  const Ref p = nodes_[x].parent;
  const Ref g = nodes_[p].parent;
  // The own counts, read before the links change; x's subtree becomes p's whole subtree.
  const uint32_t p_self_count = self_count(p);
  const uint64_t p_self_units = self_units(p);
  const uint32_t subtree_count = nodes_[p].count;
  const uint64_t subtree_units = nodes_[p].units;
  if (nodes_[p].left == x) {
    nodes_[p].left = nodes_[x].right;
    if (nodes_[x].right != kNil) nodes_[nodes_[x].right].parent = p;
    nodes_[x].right = p;
  } else {
    nodes_[p].right = nodes_[x].left;
    if (nodes_[x].left != kNil) nodes_[nodes_[x].left].parent = p;
    nodes_[x].left = p;
  }
  nodes_[p].parent = x;
  nodes_[x].parent = g;
  if (g == kNil) {
    root_ = x;
  } else if (nodes_[g].left == p) {
    nodes_[g].left = x;
  } else {
    nodes_[g].right = x;
  }
  set_totals(p, p_self_count, p_self_units);
  nodes_[x].count = subtree_count;
  nodes_[x].units = subtree_units;
}

void SequenceIndex::link(Ref parent, bool right, Ref x) {
  nodes_[x].parent = parent;
  if (parent == kNil) {
    TD_ASSERT(root_ == kNil, "only an empty index takes a new root");
    root_ = x;
  } else {
    (right ? nodes_[parent].right : nodes_[parent].left) = x;
  }
  // x is a leaf, so its counts are its own: a run's, or none for a new (invisible) mini.
  TD_ASSERT(nodes_[x].left == kNil && nodes_[x].right == kNil, "a new leaf");
  add_up(parent, nodes_[x].count, nodes_[x].units, false);
  const uint32_t priority = priority_of(x);
  while (nodes_[x].parent != kNil && priority_of(nodes_[x].parent) < priority) rotate_up(x);
}

SequenceIndex::Ref SequenceIndex::leftmost(Ref x) const {
  while (nodes_[x].left != kNil) x = nodes_[x].left;
  return x;
}

void SequenceIndex::place_after(Ref anchor, Ref x) {
  if (anchor == kNil) return root_ == kNil ? link(kNil, false, x) : link(leftmost(root_), false, x);
  if (nodes_[anchor].right == kNil) return link(anchor, true, x);
  link(leftmost(nodes_[anchor].right), false, x);
}

void SequenceIndex::place_before(Ref anchor, Ref x) {
  if (nodes_[anchor].left == kNil) return link(anchor, false, x);
  Ref s = nodes_[anchor].left;
  while (nodes_[s].right != kNil) s = nodes_[s].right;
  link(s, true, x);
}

SequenceIndex::Ref SequenceIndex::run_of(uint32_t i) const {
  TD_ASSERT(i < base_.size(), "an implicit atom of this epoch");
  // Edits come in stretches: the run found last is usually the one (an unused or freed node holds
  // no atom, so a stale hint never matches).
  const auto holds = [&](Ref r) {
    return r < nodes_.size() && !nodes_[r].is_mini() && nodes_[r].begin <= i && i < nodes_[r].end;
  };
  if (holds(last_run_)) return last_run_;
  const auto run = runs_.floor(i);
  TD_ASSERT(run, "every implicit atom lies in a run");
  last_run_ = *run.value;
  TD_ASSERT(holds(last_run_), "the run holds the atom");
  return last_run_;
}

uint32_t SequenceIndex::count_before(Ref x) const {
  uint32_t before = nodes_[x].left == kNil ? 0 : nodes_[nodes_[x].left].count;
  for (Ref c = x, p = nodes_[x].parent; p != kNil; c = p, p = nodes_[p].parent) {
    if (nodes_[p].right == c) {
      before += nodes_[p].count - nodes_[c].count;  // p's left subtree and p itself
    }
  }
  return before;
}

SequenceIndex::Ref SequenceIndex::split(Ref r, uint32_t at) {
  TD_ASSERT(nodes_[r].begin < at && at < nodes_[r].end, "a split inside the run");
  const Ref s = new_node(kNoNode);
  Node& tail = nodes_[s];
  Node& head = nodes_[r];
  tail.begin = at;
  tail.end = head.end;
  tail.count = base_.count_before(tail.end) - base_.count_before(at);
  tail.units = base_.units_before(tail.end) - base_.units_before(at);
  head.end = at;
  runs_.insert(at, s);
  add_up(r, tail.count, tail.units, true);
  place_after(r, s);  // adds them back from s's parent up
  return s;
}

void SequenceIndex::insert_after(NodeIndex anchor, NodeIndex x) {
  ++version_;
  const Ref a = anchor_after(anchor);  // before x's node: a split takes a node too
  place_after(a, new_node(x));
}

SequenceIndex::Ref SequenceIndex::anchor_after(NodeIndex anchor) {
  if (anchor == kNoNode) return kNil;
  if (!is_base(anchor)) return ref_of(anchor);
  const uint32_t i = base_index(anchor);
  const Ref r = run_of(i);
  if (i + 1 < nodes_[r].end) split(r, i + 1);
  return r;
}

void SequenceIndex::append_after(NodeIndex anchor, uint32_t width) {
  ++version_;
  const uint32_t i = base_.size();
  base_.push_back(width);
  if (i > 0 && anchor == base_node(i - 1)) {
    const Ref r = run_of(i - 1);
    if (nodes_[r].end == i) return grow_run(r, 1, width);  // i joins atom i - 1's run
  }
  const Ref a = anchor_after(anchor);
  const Ref x = new_node(kNoNode);
  Node& run = nodes_[x];
  run.begin = i;
  run.end = i + 1;
  run.count = 1;
  run.units = width;
  runs_.insert(i, x);
  place_after(a, x);
}

void SequenceIndex::extend_last_run(const std::vector<uint32_t>& widths, size_t from,
                                    size_t count) {
  ++version_;
  const uint32_t i = base_.size();
  TD_ASSERT(i > 0 && count > 0, "atoms to append after implicit atom i - 1");
  TD_ASSERT(widths.empty() || from + count == widths.size(), "a width per atom, or none");
  const Ref r = run_of(i - 1);
  TD_ASSERT(nodes_[r].end == i, "atom i - 1 ends its run");
  const uint64_t units_before = base_.visible_units();
  base_.push_back_run(widths, from, count);
  grow_run(r, static_cast<uint32_t>(count), base_.visible_units() - units_before);
}

void SequenceIndex::grow_run(Ref r, uint32_t count, uint64_t units) {
  nodes_[r].end += count;
  add_up(r, count, units, false);
}

void SequenceIndex::make_explicit(uint32_t i, NodeIndex x) {
  ++version_;
  Ref r = run_of(i);
  if (i > nodes_[r].begin) r = split(r, i);
  if (i + 1 < nodes_[r].end) split(r, i + 1);
  const bool erased = runs_.erase(i);
  TD_ASSERT(erased, "the atom's run of one is indexed");
  // The item keeps its counts: x is visible exactly when atom i was.
  if (base_.visible(i)) base_.set_visible(i, false);
  nodes_[r].begin = x;
  nodes_[r].end = kExplicit;
  TD_ASSERT(!is_base(x), "an implicit atom becomes an explicit mini");
  if (x >= ref_of_.size()) ref_of_.resize(static_cast<size_t>(x) + 1, kNil);
  TD_ASSERT(ref_of_[x] == kNil, "a mini is indexed once");
  ref_of_[x] = r;
}

void SequenceIndex::insert_before(NodeIndex anchor, NodeIndex x) {
  ++version_;
  if (is_base(anchor)) {
    const uint32_t i = base_index(anchor);
    Ref r = run_of(i);
    if (i > nodes_[r].begin) r = split(r, i);
    return place_before(r, new_node(x));
  }
  place_before(ref_of(anchor), new_node(x));
}

void SequenceIndex::erase(NodeIndex mini) {
  ++version_;
  TD_ASSERT(!is_base(mini), "base atoms are never removed from the index");
  const Ref x = ref_of(mini);
  // Rotate x down to a leaf (towards the child of higher priority), then unlink it.
  for (;;) {
    const Ref l = nodes_[x].left, r = nodes_[x].right;
    if (l == kNil && r == kNil) break;
    const Ref up = (r == kNil || (l != kNil && priority_of(l) > priority_of(r))) ? l : r;
    rotate_up(up);
  }
  const Ref p = nodes_[x].parent;
  if (p == kNil) {
    root_ = kNil;
  } else {
    (nodes_[p].left == x ? nodes_[p].left : nodes_[p].right) = kNil;
    add_up(p, nodes_[x].count, nodes_[x].units, true);
  }
  nodes_[x] = Node{};
  free_.push_back(x);
  ref_of_[mini] = kNil;
}

void SequenceIndex::set_visible(NodeIndex x, bool visible, uint32_t width) {
  ++version_;
  if (is_base(x)) {
    const uint32_t i = base_index(x);
    TD_ASSERT(width == base_.width(i), "a base atom keeps its width");
    if (base_.visible(i) == visible) return;
    base_.set_visible(i, visible);
    return add_up(run_of(i), 1, width, !visible);
  }
  const Ref r = ref_of(x);
  if ((self_count(r) != 0) == visible) return;
  add_up(r, 1, width, !visible);
}

uint32_t SequenceIndex::base_run_end(uint32_t i) const { return nodes_[run_of(i)].end; }

void SequenceIndex::hide_base_stretch(uint32_t a, uint32_t b) {
  ++version_;
  if (a == b) return;
  const Ref r = run_of(a);
  TD_ASSERT(b <= nodes_[r].end, "a stretch within one run");
  const auto count = b - a;
  const uint64_t units = base_.hide_range(a, b);
  add_up(r, count, units, true);
}

NodeIndex SequenceIndex::find_index(uint32_t index) const {
  TD_ASSERT(index < visible_count(), "index within the visible count");
  if (const Finger& f = finger_[index % kFingers]; f.version == version_ && f.index == index) {
    TD_ASSERT_SLOW(descend_to_index(index) == f.node, "the finger is the index's answer");
    return f.node;
  }
  const NodeIndex found = descend_to_index(index);
  remember(index, found);
  return found;
}

void SequenceIndex::remember_around_hidden(uint32_t index, uint32_t a, uint32_t b) const {
  TD_ASSERT(a < b && b <= base_.size(), "a stretch of implicit atoms");
  if (index > 0) {
    const uint32_t before = base_.last_visible_near(nodes_[run_of(a)].begin, a);
    if (before != BaseCounts::kNone) remember(index - 1, base_node(before));
  }
  if (index < visible_count()) {
    const uint32_t after = base_.first_visible_near(b, nodes_[run_of(b - 1)].end);
    if (after != BaseCounts::kNone) remember(index, base_node(after));
  }
}

NodeIndex SequenceIndex::descend_to_index(uint32_t index) const {
  Ref x = root_;
  for (;;) {
    const Node& n = nodes_[x];
    const uint32_t left = n.left == kNil ? 0 : nodes_[n.left].count;
    if (index < left) {
      x = n.left;
      continue;
    }
    index -= left;
    const uint32_t own = n.count - left - (n.right == kNil ? 0 : nodes_[n.right].count);
    if (index < own) {
      if (n.is_mini()) return n.mini();
      return base_node(base_.select(base_.count_before(n.begin) + index));
    }
    index -= own;
    x = n.right;
  }
}

NodeIndex SequenceIndex::find_units(uint64_t units, uint64_t* offset_in_slot) const {
  TD_ASSERT(units < visible_units(), "unit offset within the visible units");
  Ref x = root_;
  for (;;) {
    const Node& n = nodes_[x];
    const uint64_t left = n.left == kNil ? 0 : nodes_[n.left].units;
    if (units < left) {
      x = n.left;
      continue;
    }
    units -= left;
    const uint64_t own = n.units - left - (n.right == kNil ? 0 : nodes_[n.right].units);
    if (units < own) {
      if (n.is_mini()) {
        *offset_in_slot = units;
        return n.mini();
      }
      return base_node(base_.select_units(base_.units_before(n.begin) + units, offset_in_slot));
    }
    units -= own;
    x = n.right;
  }
}

uint32_t SequenceIndex::rank(NodeIndex mini) const {
  TD_ASSERT(contains(mini), "rank of an indexed mini");
  if (is_base(mini)) {
    const uint32_t i = base_index(mini);
    const Ref r = run_of(i);
    return count_before(r) + base_.count_before(i) - base_.count_before(nodes_[r].begin);
  }
  return count_before(ref_of(mini));
}

void SequenceIndex::build(const std::vector<NodeIndex>& minis, const std::vector<uint32_t>& widths,
                          const std::vector<uint8_t>& visible) {
  ++version_;
  TD_ASSERT(minis.size() == widths.size() && minis.size() == visible.size(), "one entry per mini");
  nodes_.clear();
  free_.clear();
  ref_of_.clear();
  runs_.clear();
  root_ = kNil;
  base_.clear();
  // Cartesian-tree construction in O(n) with a right spine stack; then counts bottom-up.
  std::vector<Ref> spine;
  for (size_t i = 0; i < minis.size(); ++i) {
    const Ref x = new_node(minis[i]);
    Node& n = nodes_[x];
    n.count = visible[i] ? 1 : 0;  // its own counts: the children's are added below
    n.units = visible[i] ? widths[i] : 0;
    Ref last = kNil;
    const uint32_t priority = priority_of(x);
    while (!spine.empty() && priority_of(spine.back()) < priority) {
      last = spine.back();
      spine.pop_back();
    }
    n.left = last;
    if (last != kNil) nodes_[last].parent = x;
    if (!spine.empty()) {
      nodes_[spine.back()].right = x;
      n.parent = spine.back();
    }
    spine.push_back(x);
  }
  root_ = spine.empty() ? kNil : spine.front();
  // Post-order without recursion: children's totals are final before their parent's.
  std::vector<Ref> order;
  std::vector<Ref> stack;
  if (root_ != kNil) stack.push_back(root_);
  while (!stack.empty()) {
    const Ref x = stack.back();
    stack.pop_back();
    order.push_back(x);
    if (nodes_[x].left != kNil) stack.push_back(nodes_[x].left);
    if (nodes_[x].right != kNil) stack.push_back(nodes_[x].right);
  }
  for (size_t i = order.size(); i-- > 0;) {
    set_totals(order[i], nodes_[order[i]].count, nodes_[order[i]].units);
  }
}

}  // namespace treedoc
