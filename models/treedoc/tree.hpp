// The Treedoc tree: major nodes and mini-nodes in index arenas; a SequenceIndex over the walk order
// keeps the visible counts. Every traversal is iterative, so a 200,000-deep chain is fine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/treedoc/dis.hpp"
#include "models/treedoc/sequence_index.hpp"
#include "models/treedoc/tid.hpp"

namespace treedoc {

using NodeIndex = uint32_t;
inline constexpr NodeIndex kNoNode = UINT32_MAX;
// Arena indices are 32-bit: a hard limit on nodes per epoch, asserted on allocation.
inline constexpr NodeIndex kNodesMax = UINT32_MAX - 1;

enum class MiniState : uint8_t { kLive, kDead, kGhost, kGhostDead };

const char* to_string(MiniState s);

// A major node: children by branch, and its minis as a list sorted by Dis. Visible counts live in a
// separate SequenceIndex over the walk order, so no operation costs O(depth) in counting.
struct MajorNode {
  NodeIndex parent = kNoNode;  // a major or a mini (parent_is_mini), kNoNode for the root
  NodeIndex child[2] = {kNoNode, kNoNode};
  NodeIndex first_mini = kNoNode;
  uint32_t depth = 0;  // TID elements from the root to this major (the root has 0)
  uint8_t branch = 0;  // which child of the parent this is
  bool parent_is_mini = false;
};

struct MiniNode {
  Dis dis{};
  OpId ins_op = kOpIdNone;  // the insert that made it LIVE (the original op for flattened atoms)
  NodeIndex major = kNoNode;
  NodeIndex child[2] = {kNoNode, kNoNode};   // the mini's own children (majors)
  NodeIndex prev = kNoNode, next = kNoNode;  // siblings in Dis order
  NodeIndex first_delete = kNoNode;          // list in Tree::deletes_
  uint32_t atom_offset = 0, atom_size = 0;   // bytes in Tree::atom_bytes_
  uint32_t width = 0;                        // units counted when visible
  MiniState state = MiniState::kGhost;
};

// A side list of delete op ids per mini (most minis have none or one).
struct DeleteRecord {
  OpId op{};
  NodeIndex next = kNoNode;
};

// One atom of a flattened epoch: its bytes, width and the op that originally inserted it.
struct FlatAtom {
  std::string atom;
  uint32_t width = 1;
  OpId ins_op{};
  friend bool operator==(const FlatAtom&, const FlatAtom&) = default;
};

class Tree {
 public:
  Tree();

  // --- structure -------------------------------------------------------------------------------
  NodeIndex root() const { return 0; }
  NodeIndex sentinel() const { return sentinel_; }
  const MajorNode& major(NodeIndex m) const { return majors_[m]; }
  const MiniNode& mini(NodeIndex n) const { return minis_[n]; }
  std::string_view atom(NodeIndex n) const {
    return std::string_view(atom_bytes_).substr(minis_[n].atom_offset, minis_[n].atom_size);
  }
  bool visible(NodeIndex n) const { return minis_[n].state == MiniState::kLive; }
  uint32_t visible_count() const { return sequence_.visible_count(); }
  uint64_t visible_units() const { return sequence_.visible_units(); }

  // The i-th visible mini (0-based); asserts i < visible_count().
  NodeIndex find_visible(uint32_t index) const;
  // The visible mini holding unit offset `units` and the offset inside it; asserts it is in range.
  NodeIndex find_units(uint64_t units, uint64_t* offset_in_atom) const;
  // The number of visible minis before `n` in walk order.
  uint32_t index_of(NodeIndex n) const;

  // The TID of a mini. Paths are implicit: it climbs only until it meets the path of the previous
  // call (a cursor), so TIDs of neighbouring minis cost what differs, not the whole depth.
  Tid tid_of(NodeIndex n) const;

  // Visits every mini in walk order, in any state: fn(NodeIndex).
  template <typename Fn>
  void for_each_in_order(Fn&& fn) const;

  // --- mutation --------------------------------------------------------------------------------
  // Walks `tid`, creating missing major nodes and GHOST minis on the way; returns the last mini
  // (created as GHOST if it was missing). `created` reports whether that last mini is new.
  NodeIndex walk_create(const Tid& tid, bool* created);
  // Finds the mini `tid` names without creating anything; kNoNode when absent.
  NodeIndex find(const Tid& tid) const;

  // The child major of `parent` (a major, or a mini when parent_is_mini) on `branch`, created if
  // missing.
  NodeIndex child_major(NodeIndex parent, bool parent_is_mini, uint8_t branch);
  // Creates mini `dis` in major `m` (asserting it is absent) in state GHOST. `walk_predecessor`,
  // when known (a local insert's p), places it in the walk order without a search.
  NodeIndex add_mini(NodeIndex m, Dis dis, NodeIndex walk_predecessor = kNoNode);
  // Mini `dis` in major `m`, or kNoNode.
  NodeIndex find_mini(NodeIndex m, Dis dis) const;

  // State changes keep the visible counts up to date along the path to the root.
  void set_live(NodeIndex n, OpId ins_op, std::string_view atom, uint32_t width);
  void set_state(NodeIndex n, MiniState s);
  void add_delete(NodeIndex n, OpId op);
  template <typename Fn>
  void for_each_delete(NodeIndex n, Fn&& fn) const {
    for (NodeIndex d = minis_[n].first_delete; d != kNoNode; d = deletes_[d].next)
      fn(deletes_[d].op);
  }

  // Removes a DEAD mini that has no children, then empty major nodes and further childless DEAD
  // minis upward (UDIS tombstone discard). Returns how many minis were removed.
  uint32_t discard(NodeIndex n);

  // Replaces the whole tree by the balanced layout of `atoms` (spec (c) place()).
  void build_flattened(const std::vector<FlatAtom>& atoms);

  // --- sizes -----------------------------------------------------------------------------------
  size_t major_count() const { return majors_.size() - free_majors_.size(); }
  size_t mini_count() const { return minis_.size() - free_minis_.size(); }
  size_t memory_bytes() const;

  // Leftmost / rightmost mini (any state) in the subtree of major `m`.
  NodeIndex leftmost_mini(NodeIndex m) const;
  NodeIndex rightmost_mini(NodeIndex m) const;

 private:
  enum class Indexing : uint8_t { kAfterPredecessor, kByNeighbour, kNone };
  NodeIndex new_major(NodeIndex parent, bool parent_is_mini, uint8_t branch);
  NodeIndex new_mini(NodeIndex m, Dis dis, Indexing indexing, NodeIndex predecessor);
  // Places a new leaf mini in the walk order next to a neighbour found in the tree.
  void index_new_leaf(NodeIndex x);
  void reset_to_sentinel_only();
  void forget_cursor() const;

  std::vector<MajorNode> majors_;
  std::vector<MiniNode> minis_;
  std::vector<DeleteRecord> deletes_;
  std::vector<NodeIndex> free_majors_, free_minis_;
  std::string atom_bytes_;  // atoms of this epoch, appended; compacted by build_flattened
  NodeIndex sentinel_ = kNoNode;
  SequenceIndex sequence_;
  // The path cursor of tid_of: the last TID built and the major at each of its elements.
  mutable Tid cursor_tid_;
  mutable std::vector<NodeIndex> cursor_majors_;
};

template <typename Fn>
void Tree::for_each_in_order(Fn&& fn) const {
  // Explicit stack: an entry is a major to expand, a mini to expand, or a mini to visit.
  enum : uint8_t { kExpandMajor, kExpandMini, kVisitMini };
  struct Entry {
    NodeIndex node;
    uint8_t what;
  };
  std::vector<Entry> stack;
  stack.push_back({0, kExpandMajor});
  while (!stack.empty()) {
    const Entry e = stack.back();
    stack.pop_back();
    if (e.what == kVisitMini) {
      fn(e.node);
    } else if (e.what == kExpandMini) {
      const MiniNode& n = minis_[e.node];
      if (n.child[1] != kNoNode) stack.push_back({n.child[1], kExpandMajor});
      stack.push_back({e.node, kVisitMini});
      if (n.child[0] != kNoNode) stack.push_back({n.child[0], kExpandMajor});
    } else {
      const MajorNode& m = majors_[e.node];
      if (m.child[1] != kNoNode) stack.push_back({m.child[1], kExpandMajor});
      // Minis in reverse Dis order so the smallest is expanded first.
      NodeIndex last = m.first_mini;
      while (last != kNoNode && minis_[last].next != kNoNode) last = minis_[last].next;
      for (NodeIndex x = last; x != kNoNode; x = minis_[x].prev) stack.push_back({x, kExpandMini});
      if (m.child[0] != kNoNode) stack.push_back({m.child[0], kExpandMajor});
    }
  }
}

}  // namespace treedoc
