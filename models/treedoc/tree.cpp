// The Treedoc tree's arenas, walks and order-statistic counts (spec (a), (b) and (c) place()).
#include "models/treedoc/tree.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

const char* to_string(MiniState s) {
  switch (s) {
    case MiniState::kLive: return "LIVE";
    case MiniState::kDead: return "DEAD";
    case MiniState::kGhost: return "GHOST";
    case MiniState::kGhostDead: return "GHOST_DEAD";
  }
  return "?";
}

Tree::Tree() { reset_to_sentinel_only(); }

void Tree::reset_to_sentinel_only() {
  majors_.clear();
  minis_.clear();
  deletes_.clear();
  free_majors_.clear();
  free_minis_.clear();
  atom_bytes_.clear();
  sequence_.clear();
  forget_cursor();
  majors_.emplace_back();  // the virtual root R: no minis, never removed
  // n_b = [(0:D_MIN)]: R's left child holds the sentinel; it is never visible, never deleted.
  const NodeIndex m = new_major(0, false, 0);
  sentinel_ = new_mini(m, kDisMin, Indexing::kNone, kNoNode);
  sequence_.insert_after(SequenceIndex::kNone, sentinel_);
}

void Tree::forget_cursor() const {
  cursor_tid_ = Tid{};
  cursor_majors_.clear();
}

NodeIndex Tree::new_major(NodeIndex parent, bool parent_is_mini, uint8_t branch) {
  NodeIndex m;
  if (!free_majors_.empty()) {
    m = free_majors_.back();
    free_majors_.pop_back();
    majors_[m] = MajorNode{};
  } else {
    TD_ASSERT(majors_.size() < kNodesMax, "major node arena below its limit");
    m = static_cast<NodeIndex>(majors_.size());
    majors_.emplace_back();
  }
  MajorNode& node = majors_[m];
  node.parent = parent;
  node.parent_is_mini = parent_is_mini;
  node.branch = branch;
  node.depth = 1 + (parent_is_mini ? majors_[minis_[parent].major].depth : majors_[parent].depth);
  NodeIndex& slot = parent_is_mini ? minis_[parent].child[branch] : majors_[parent].child[branch];
  TD_ASSERT(slot == kNoNode, "a new major node fills an empty slot");
  slot = m;
  return m;
}

NodeIndex Tree::new_mini(NodeIndex m, Dis dis, Indexing indexing, NodeIndex predecessor) {
  NodeIndex n;
  if (!free_minis_.empty()) {
    n = free_minis_.back();
    free_minis_.pop_back();
    minis_[n] = MiniNode{};
  } else {
    TD_ASSERT(minis_.size() < kNodesMax, "mini node arena below its limit");
    n = static_cast<NodeIndex>(minis_.size());
    minis_.emplace_back();
  }
  MiniNode& x = minis_[n];
  x.dis = dis;
  x.major = m;
  // Keep the sibling list sorted by Dis.
  NodeIndex prev = kNoNode, next = majors_[m].first_mini;
  while (next != kNoNode && minis_[next].dis < dis) {
    prev = next;
    next = minis_[next].next;
  }
  TD_ASSERT(next == kNoNode || minis_[next].dis != dis, "a new mini has a fresh Dis in its major");
  x.prev = prev;
  x.next = next;
  if (prev == kNoNode) {
    majors_[m].first_mini = n;
  } else {
    minis_[prev].next = n;
  }
  if (next != kNoNode) minis_[next].prev = n;
  if (indexing == Indexing::kAfterPredecessor) {
    sequence_.insert_after(predecessor, n);
  } else if (indexing == Indexing::kByNeighbour) {
    index_new_leaf(n);
  }
  return n;
}

void Tree::index_new_leaf(NodeIndex x) {
  // x has no children yet. Its walk neighbour is a sibling's subtree, one of its major's subtrees,
  // or found by climbing until an ancestor has something on the side we need.
  const MiniNode& leaf = minis_[x];
  auto rightmost_of_mini = [&](NodeIndex y) {
    return minis_[y].child[1] != kNoNode ? rightmost_mini(minis_[y].child[1]) : y;
  };
  auto leftmost_of_mini = [&](NodeIndex y) {
    return minis_[y].child[0] != kNoNode ? leftmost_mini(minis_[y].child[0]) : y;
  };
  if (leaf.prev != kNoNode) return sequence_.insert_after(rightmost_of_mini(leaf.prev), x);
  if (leaf.next != kNoNode) return sequence_.insert_before(leftmost_of_mini(leaf.next), x);
  NodeIndex m = leaf.major;
  if (majors_[m].child[0] != kNoNode) {
    return sequence_.insert_after(rightmost_mini(majors_[m].child[0]), x);
  }
  if (majors_[m].child[1] != kNoNode) {
    return sequence_.insert_before(leftmost_mini(majors_[m].child[1]), x);
  }
  for (;;) {
    const MajorNode& major = majors_[m];
    TD_ASSERT(major.parent != kNoNode, "the sentinel's major precedes every new leaf");
    if (major.parent_is_mini) {
      // Below a mini's right child, that mini precedes; below its left child, it follows.
      if (major.branch == 1) return sequence_.insert_after(major.parent, x);
      return sequence_.insert_before(major.parent, x);
    }
    const MajorNode& parent = majors_[major.parent];
    if (major.branch == 1) {
      NodeIndex last = parent.first_mini;
      while (last != kNoNode && minis_[last].next != kNoNode) last = minis_[last].next;
      if (last != kNoNode) return sequence_.insert_after(rightmost_of_mini(last), x);
      if (parent.child[0] != kNoNode) {
        return sequence_.insert_after(rightmost_mini(parent.child[0]), x);
      }
    } else {
      if (parent.first_mini != kNoNode) {
        return sequence_.insert_before(leftmost_of_mini(parent.first_mini), x);
      }
      if (parent.child[1] != kNoNode) {
        return sequence_.insert_before(leftmost_mini(parent.child[1]), x);
      }
    }
    m = major.parent;
  }
}

NodeIndex Tree::child_major(NodeIndex parent, bool parent_is_mini, uint8_t branch) {
  const NodeIndex c = parent_is_mini ? minis_[parent].child[branch] : majors_[parent].child[branch];
  return c != kNoNode ? c : new_major(parent, parent_is_mini, branch);
}

NodeIndex Tree::find_mini(NodeIndex m, Dis dis) const {
  for (NodeIndex x = majors_[m].first_mini; x != kNoNode; x = minis_[x].next) {
    if (minis_[x].dis == dis) return x;
    if (dis < minis_[x].dis) break;
  }
  return kNoNode;
}

NodeIndex Tree::add_mini(NodeIndex m, Dis dis, NodeIndex walk_predecessor) {
  return walk_predecessor == kNoNode
             ? new_mini(m, dis, Indexing::kByNeighbour, kNoNode)
             : new_mini(m, dis, Indexing::kAfterPredecessor, walk_predecessor);
}

NodeIndex Tree::walk_create(const Tid& tid, bool* created) {
  TD_ASSERT(tid.well_formed(), "walk a well-formed TID");
  NodeIndex cur = 0;
  bool cur_is_mini = false;
  size_t d = 0;
  const auto& dises = tid.dises();
  *created = false;
  for (size_t i = 0; i < tid.size(); ++i) {
    const NodeIndex m = child_major(cur, cur_is_mini, tid.branch(i));
    if (d < dises.size() && dises[d].first == i) {
      NodeIndex x = find_mini(m, dises[d].second);
      if (x == kNoNode) {
        x = new_mini(m, dises[d].second, Indexing::kByNeighbour, kNoNode);
        *created = (i + 1 == tid.size());
      }
      ++d;
      cur = x;
      cur_is_mini = true;
    } else {
      cur = m;
      cur_is_mini = false;
    }
  }
  return cur;
}

NodeIndex Tree::find(const Tid& tid) const {
  if (!tid.well_formed()) return kNoNode;
  NodeIndex cur = 0;
  bool cur_is_mini = false;
  size_t d = 0;
  const auto& dises = tid.dises();
  for (size_t i = 0; i < tid.size(); ++i) {
    const uint8_t b = tid.branch(i);
    const NodeIndex m = cur_is_mini ? minis_[cur].child[b] : majors_[cur].child[b];
    if (m == kNoNode) return kNoNode;
    if (d < dises.size() && dises[d].first == i) {
      cur = find_mini(m, dises[d].second);
      if (cur == kNoNode) return kNoNode;
      ++d;
      cur_is_mini = true;
    } else {
      cur = m;
      cur_is_mini = false;
    }
  }
  return cur;
}

void Tree::set_live(NodeIndex n, OpId ins_op, std::string_view atom, uint32_t width) {
  MiniNode& x = minis_[n];
  x.ins_op = ins_op;
  x.atom_offset = static_cast<uint32_t>(atom_bytes_.size());
  x.atom_size = static_cast<uint32_t>(atom.size());
  x.width = width;
  atom_bytes_.append(atom);
  TD_ASSERT(atom_bytes_.size() <= UINT32_MAX, "atom bytes of one epoch fit 32-bit offsets");
  set_state(n, x.state == MiniState::kGhostDead ? MiniState::kDead : MiniState::kLive);
}

void Tree::set_state(NodeIndex n, MiniState s) {
  TD_ASSERT(n != sentinel_, "the sentinel never changes state");
  const bool was = visible(n);
  minis_[n].state = s;
  const bool now = visible(n);
  if (was != now) sequence_.set_visible(n, now, minis_[n].width);
}

void Tree::add_delete(NodeIndex n, OpId op) {
  deletes_.push_back({op, minis_[n].first_delete});
  minis_[n].first_delete = static_cast<NodeIndex>(deletes_.size() - 1);
}

NodeIndex Tree::find_visible(uint32_t index) const {
  TD_ASSERT(index < visible_count(), "visible index in range");
  return sequence_.find_index(index);
}

NodeIndex Tree::find_units(uint64_t units, uint64_t* offset_in_atom) const {
  TD_ASSERT(units < visible_units(), "unit offset in range");
  return sequence_.find_units(units, offset_in_atom);
}

uint32_t Tree::index_of(NodeIndex n) const { return sequence_.rank(n); }

Tid Tree::tid_of(NodeIndex n) const {
  // Climb, collecting elements leaf-first, until a major is on the cursor's path: the elements
  // above it are shared. Element i of a TID belongs to the major at depth i + 1.
  struct Up {
    NodeIndex major;
    bool has_dis;
    Dis dis;
  };
  std::vector<Up> climbed;
  NodeIndex m = minis_[n].major;
  Up element{m, true, minis_[n].dis};
  size_t shared = 0;  // elements taken from the cursor
  for (;;) {
    climbed.push_back(element);
    const MajorNode& major = majors_[m];
    const size_t index = major.depth - 1;
    if (index < cursor_majors_.size() && cursor_majors_[index] == m) {
      shared = index;
      break;
    }
    TD_ASSERT(major.parent != kNoNode, "a mini's major hangs below the root");
    if (major.parent == 0 && !major.parent_is_mini) break;
    if (major.parent_is_mini) {
      const MiniNode& p = minis_[major.parent];
      m = p.major;
      element = {m, true, p.dis};
    } else {
      m = major.parent;
      element = {m, false, {}};
    }
  }
  cursor_tid_.truncate(shared);
  cursor_majors_.resize(shared);
  for (size_t i = climbed.size(); i-- > 0;) {
    const Up& u = climbed[i];
    if (u.has_dis) {
      cursor_tid_.push(majors_[u.major].branch, u.dis);
    } else {
      cursor_tid_.push(majors_[u.major].branch);
    }
    cursor_majors_.push_back(u.major);
  }
  return cursor_tid_;
}

NodeIndex Tree::rightmost_mini(NodeIndex m) const {
  for (;;) {
    const MajorNode& major = majors_[m];
    if (major.child[1] != kNoNode) {
      m = major.child[1];
      continue;
    }
    NodeIndex last = major.first_mini;
    while (last != kNoNode && minis_[last].next != kNoNode) last = minis_[last].next;
    if (last != kNoNode) {
      if (minis_[last].child[1] == kNoNode) return last;
      m = minis_[last].child[1];
      continue;
    }
    TD_ASSERT(major.child[0] != kNoNode, "every major node has a mini in its subtree");
    m = major.child[0];
  }
}

NodeIndex Tree::leftmost_mini(NodeIndex m) const {
  for (;;) {
    const MajorNode& major = majors_[m];
    if (major.child[0] != kNoNode) {
      m = major.child[0];
      continue;
    }
    if (major.first_mini != kNoNode) {
      const NodeIndex x = major.first_mini;
      if (minis_[x].child[0] == kNoNode) return x;
      m = minis_[x].child[0];
      continue;
    }
    // A major with no minis exists only as a path to descendants, which hang on its right here.
    TD_ASSERT(major.child[1] != kNoNode, "every major node has a mini in its subtree");
    m = major.child[1];
  }
}

uint32_t Tree::discard(NodeIndex n) {
  uint32_t removed = 0;
  NodeIndex x = n;
  for (;;) {
    MiniNode& dead = minis_[x];
    TD_ASSERT(dead.state == MiniState::kDead, "only DEAD minis are discarded");
    TD_ASSERT(dead.child[0] == kNoNode && dead.child[1] == kNoNode, "only leaves are discarded");
    TD_ASSERT(x != sentinel_, "the sentinel is never discarded");
    const NodeIndex m = dead.major;
    if (dead.prev == kNoNode) {
      majors_[m].first_mini = dead.next;
    } else {
      minis_[dead.prev].next = dead.next;
    }
    if (dead.next != kNoNode) minis_[dead.next].prev = dead.prev;
    sequence_.erase(x);
    forget_cursor();  // freed majors may be reused on another path
    minis_[x] = MiniNode{};
    free_minis_.push_back(x);
    ++removed;
    // Prune empty majors upward; a childless DEAD mini reached on the way goes too.
    NodeIndex cur = m;
    NodeIndex next_dead = kNoNode;
    while (cur != 0) {
      MajorNode& major = majors_[cur];
      if (major.first_mini != kNoNode || major.child[0] != kNoNode || major.child[1] != kNoNode) {
        break;
      }
      const NodeIndex parent = major.parent;
      const bool parent_is_mini = major.parent_is_mini;
      (parent_is_mini ? minis_[parent].child[major.branch] : majors_[parent].child[major.branch]) =
          kNoNode;
      majors_[cur] = MajorNode{};
      free_majors_.push_back(cur);
      if (parent_is_mini) {
        const MiniNode& p = minis_[parent];
        if (p.state == MiniState::kDead && p.child[0] == kNoNode && p.child[1] == kNoNode) {
          next_dead = parent;
        }
        break;
      }
      cur = parent;
    }
    if (next_dead == kNoNode) return removed;
    x = next_dead;
  }
}

void Tree::build_flattened(const std::vector<FlatAtom>& atoms) {
  reset_to_sentinel_only();
  const size_t n = atoms.size();
  if (n == 0) return;
  TD_ASSERT(n < kNodesMax / 2, "a flattened epoch fits the arenas");
  majors_.reserve(n + 2);
  minis_.reserve(n + 1);
  std::vector<NodeIndex> slot_of(n, kNoNode);  // the mini of A[i]
  size_t bytes = 0;
  for (const FlatAtom& a : atoms) bytes += a.atom.size();
  TD_ASSERT(bytes <= UINT32_MAX, "atom bytes of one epoch fit 32-bit offsets");
  atom_bytes_.reserve(bytes);
  // place(lo, hi, path, b) with an explicit stack: the range's node hangs off `parent` (a major).
  struct Range {
    size_t lo, hi;
    NodeIndex parent;
    uint8_t branch;
  };
  std::vector<Range> stack;
  stack.push_back({0, n - 1, 0, 1});
  while (!stack.empty()) {
    const Range r = stack.back();
    stack.pop_back();
    const size_t mid = r.lo + (r.hi - r.lo) / 2;
    const NodeIndex m = new_major(r.parent, false, r.branch);
    const NodeIndex x = new_mini(m, kDisFlat, Indexing::kNone, kNoNode);
    slot_of[mid] = x;
    MiniNode& mini = minis_[x];
    const FlatAtom& a = atoms[mid];
    mini.ins_op = a.ins_op;
    mini.atom_offset = static_cast<uint32_t>(atom_bytes_.size());
    mini.atom_size = static_cast<uint32_t>(a.atom.size());
    mini.width = a.width;
    mini.state = MiniState::kLive;
    atom_bytes_.append(a.atom);
    if (mid + 1 <= r.hi) stack.push_back({mid + 1, r.hi, m, 1});
    if (mid > r.lo) stack.push_back({r.lo, mid - 1, m, 0});
  }
  std::vector<uint32_t> widths(n);
  for (size_t i = 0; i < n; ++i) widths[i] = atoms[i].width;
  sequence_.build(slot_of, widths);
  sequence_.insert_after(SequenceIndex::kNone, sentinel_);  // n_b first, never visible
}

size_t Tree::memory_bytes() const {
  return majors_.capacity() * sizeof(MajorNode) + minis_.capacity() * sizeof(MiniNode) +
         deletes_.capacity() * sizeof(DeleteRecord) + atom_bytes_.capacity() +
         (free_majors_.capacity() + free_minis_.capacity()) * sizeof(NodeIndex) +
         sequence_.memory_bytes();
}

}  // namespace treedoc
