// The Treedoc tree: an implicit flattened base plus explicit major and mini nodes in index arenas;
// a SequenceIndex over the walk order keeps the visible counts. Every traversal is iterative, so a
// 200,000-deep chain is fine.
//
// After a flatten the epoch's array A sits in the balanced layout of docs/protocol.md §3 place(), a
// pure function of |A| (FlatLayout): base atom i has no node, only its op id, bytes and width in
// flat arrays, and is named base_node(i) both as a mini and as a major. Nodes made later (inserts,
// ghosts, the paths of remote ops) are explicit and hang from slots the layout leaves free: a base
// major's missing children and a base mini's own children, recorded per base atom in a side table.
// A base mini can only be LIVE or DEAD there. A shape the layout cannot express (a base mini
// discarded, a second mini in a base major) first materializes the base: explicit nodes for the
// rest of the epoch, exactly the tree the layout describes.
//
// Chained atoms (docs/protocol.md §2, "Runs inside the tree") extend the same arrays past A: a
// local insert (or a remote run's next member) whose new major fills a free slot and holds only
// its mini is appended there, with no node of its own, and an insert that continues the last
// chain (the right child of its last member's major, with the next Dis) only lengthens it. A chain
// records where member 0's major hangs; member j's major is member j - 1's right child. Explicit
// nodes hang from a member's free slots through the same side table as the base's. A shape a chain
// cannot express (a second mini in a member's major, a member discarded) makes that one member
// explicit, splitting its chain.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/treedoc/attachment_index.hpp"
#include "models/treedoc/base_atoms.hpp"
#include "models/treedoc/delete_runs.hpp"
#include "models/treedoc/dis.hpp"
#include "models/treedoc/flat_layout.hpp"
#include "models/treedoc/major_path.hpp"
#include "models/treedoc/node_index.hpp"
#include "models/treedoc/sequence_index.hpp"
#include "models/treedoc/tid.hpp"

namespace treedoc {

enum class MiniState : uint8_t { kLive, kDead, kGhost, kGhostDead };

const char* to_string(MiniState s);

// An explicit major node: children by branch, and its minis as a list sorted by Dis. Visible
// counts live in a separate SequenceIndex over the walk order, so no operation costs O(depth) in
// counting.
struct MajorNode {
  NodeIndex parent = kNoNode;  // a major or a mini (parent_is_mini), maybe a base node; kNoNode: R
  NodeIndex child[2] = {kNoNode, kNoNode};
  NodeIndex first_mini = kNoNode;
  uint32_t depth = 0;  // TID elements from the root to this major (the root has 0)
  uint8_t branch = 0;  // which child of the parent this is
  bool parent_is_mini = false;
};

// An explicit mini node.
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

// Where a major node hangs: its parent (a major or a mini, kNoNode for R), branch and depth.
struct MajorLink {
  NodeIndex parent = kNoNode;
  bool parent_is_mini = false;
  uint8_t branch = 0;
  uint32_t depth = 0;
};

// Counts over every mini but the sentinel, and encoded TID sizes (codec.hpp) over LIVE and DEAD
// ones, computed without building TIDs.
struct TreeCensus {
  uint64_t live = 0, dead = 0, ghost = 0, ghost_dead = 0;
  uint64_t tid_bytes_total = 0, atoms_with_tid = 0, tid_bytes_max = 0;
  uint64_t depth_max = 0;  // TID elements, any mini
};

class Tree {
 public:
  Tree();

  // --- structure: minis and majors, explicit or base ---------------------------------------------
  NodeIndex root() const { return 0; }
  NodeIndex sentinel() const { return sentinel_; }
  MiniState state(NodeIndex n) const;
  bool visible(NodeIndex n) const { return state(n) == MiniState::kLive; }
  std::string_view atom(NodeIndex n) const;
  uint32_t width(NodeIndex n) const;
  OpId ins_op(NodeIndex n) const;
  Dis dis(NodeIndex n) const;
  NodeIndex major_of(NodeIndex n) const { return is_base(n) ? n : minis_[n].major; }
  NodeIndex mini_child(NodeIndex n, uint8_t branch) const;
  bool mini_is_leaf(NodeIndex n) const {
    return mini_child(n, 0) == kNoNode && mini_child(n, 1) == kNoNode;
  }
  NodeIndex next_sibling(NodeIndex n) const { return is_base(n) ? kNoNode : minis_[n].next; }
  NodeIndex major_child(NodeIndex m, uint8_t branch) const;
  NodeIndex first_mini(NodeIndex m) const { return is_base(m) ? m : majors_[m].first_mini; }
  MajorLink link_of(NodeIndex m) const;
  // Whether the base is still implicit (not materialized) and how many atoms it has.
  uint32_t base_count() const { return layout_.count(); }
  // Whether `n` is an atom of the flattened array in its layout, with a flat TID (is_base(n) holds
  // for chained atoms too: they share the base's arrays and names).
  bool is_flat(NodeIndex n) const { return is_base(n) && base_index(n) < layout_.count(); }
  bool is_chained(NodeIndex n) const { return is_base(n) && base_index(n) >= layout_.count(); }

  uint32_t visible_count() const { return sequence_.visible_count(); }
  uint64_t visible_units() const { return sequence_.visible_units(); }

  // The i-th visible mini (0-based); asserts i < visible_count().
  NodeIndex find_visible(uint32_t index) const;
  // Visible `n` is at `index` (the caller just put it there): find_visible(index) answers in
  // O(1) until the next change (SequenceIndex::remember).
  void remember_visible(uint32_t index, NodeIndex n) const { sequence_.remember(index, n); }
  // How many of implicit atoms i, i + 1, ... (at most max) have insert ids consecutive from i's.
  uint32_t consecutive_ids_from(uint32_t i, uint32_t max) const {
    return base_.consecutive_ids_from(i, max);
  }
  // Implicit atoms [a, b) were just hidden from visible index `index` on: their visible
  // neighbours, when close in their runs, are remembered at index - 1 and index.
  void remember_around_hidden(uint32_t index, uint32_t a, uint32_t b) const {
    sequence_.remember_around_hidden(index, a, b);
  }
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
  // The same with where each mini's major hangs: fn(NodeIndex, uint32_t depth, uint8_t branch,
  // bool parent_is_mini), in O(n) for the base too.
  template <typename Fn>
  void for_each_in_order_placed(Fn&& fn) const;

  // --- mutation ----------------------------------------------------------------------------------
  // Walks `tid`, creating missing major nodes and GHOST minis on the way; returns the last mini
  // (created as GHOST if it was missing). `created` reports whether that last mini is new.
  NodeIndex walk_create(const Tid& tid, bool* created);
  // A remote insert's new atom as a chained one: when `tid` ends (1:d) in the right slot of an
  // explicit or chained major (rule 2's p'•(1:d)), that slot is free and the major's last mini has
  // nothing after it in its subtree (chains_after) and was inserted by the same site's previous op
  // (typing), makes the mini LIVE with (ins_op, atom, width) by add_chained, as walk_create and
  // set_live would make it explicit. Otherwise returns kNoNode having created at most the missing
  // nodes of the TID's prefix, which walk_create then reuses.
  NodeIndex add_chained_at(const Tid& tid, OpId ins_op, std::string_view atom, uint32_t width);
  // One more element (1:dis) below explicit mini `n`: in n's major's right child (mini_chain
  // false) or in n's own right child, creating the major and a GHOST mini when missing, as
  // walk_create does for a TID that extends n's by that element. How a run's next member is found
  // without building its TID.
  NodeIndex chain_child(NodeIndex n, bool mini_chain, Dis dis, bool* created);
  // The node chain_child would return without creating anything, or kNoNode: what find() gives
  // for n's TID extended by that element, in O(1).
  NodeIndex find_chain_child(NodeIndex n, bool mini_chain, Dis dis) const;
  // A new LIVE atom whose major fills the empty slot (parent, parent_is_mini, branch) and holds
  // only it, placed right after `walk_predecessor` in the walk order: a chained atom, which
  // lengthens the last chain when it is that chain's next member.
  NodeIndex add_chained(NodeIndex parent, bool parent_is_mini, uint8_t branch, Dis dis,
                        NodeIndex walk_predecessor, OpId ins_op, std::string_view atom,
                        uint32_t width);
  // Whether `n` is the last member of the last chain and the newest implicit atom, its right slots
  // free (chains_after), and `next` the chain's next Dis: an atom with that Dis in n's chain child
  // is the chain's next member (add_chained lengthens the chain exactly then).
  bool chain_continues(NodeIndex n, Dis next) const;
  // atoms[from..] as the next members after `n` (chain_continues), each LIVE, the chain child of
  // the one before and right after it in the walk, with ids first_id.. and Dis run_dis(first_dis,
  // k), widths[from..] (1 each when widths is empty): what add_chained does one atom at a time,
  // with one walk-order update. Returns the last.
  NodeIndex extend_last_chain(NodeIndex n, OpId first_id, Dis first_dis,
                              const std::vector<std::string_view>& atoms,
                              const std::vector<uint32_t>& widths, size_t from);
  // How many atoms after chained atom n are, each, the chain child of the one before with the
  // next Dis (its chain's next members) and the next insert id: the members a delete run that
  // takes n takes in turn (Replica::erase_chained_stretch).
  uint32_t chain_successors(NodeIndex n) const;
  // Whether a new major in n's major's right slot would hold n's walk successor with nothing
  // between them: n is the last mini of its major and has no right child, and the slot is free.
  bool chains_after(NodeIndex n) const {
    return !is_flat(n) && next_sibling(n) == kNoNode && mini_child(n, 1) == kNoNode &&
           major_child(major_of(n), 1) == kNoNode;
  }
  // `n` itself, or, for a chained atom, the explicit mini it becomes (its chain split there).
  NodeIndex make_explicit(NodeIndex n) { return is_chained(n) ? materialize_chained(n) : n; }
  // Finds the mini `tid` names without creating anything; kNoNode when absent.
  NodeIndex find(const Tid& tid) const;

  // The child major of `parent` (a major, or a mini when parent_is_mini) on `branch`, created if
  // missing.
  NodeIndex child_major(NodeIndex parent, bool parent_is_mini, uint8_t branch);
  // Creates mini `dis` in the new explicit major `m` (asserting it is absent) in state GHOST.
  // `walk_predecessor`, when known (a local insert's p), places it in the walk order without a
  // search.
  NodeIndex add_mini(NodeIndex m, Dis dis, NodeIndex walk_predecessor = kNoNode);
  // Mini `dis` in major `m`, or kNoNode.
  NodeIndex find_mini(NodeIndex m, Dis dis) const;

  // State changes keep the visible counts up to date.
  void set_live(NodeIndex n, OpId ins_op, std::string_view atom, uint32_t width);
  void set_state(NodeIndex n, MiniState s);
  void add_delete(NodeIndex n, OpId op);
  template <typename Fn>
  void for_each_delete(NodeIndex n, Fn&& fn) const {
    if (is_base(n)) {
      const OpId first = delete_runs_.first_delete(base_index(n));
      if (first != kOpIdNone) fn(first);
    }
    for (NodeIndex d = first_delete(n); d != kNoNode; d = deletes_[d].next) fn(deletes_[d].op);
  }
  bool has_delete(NodeIndex n) const {
    bool any = false;
    for_each_delete(n, [&](OpId) { any = true; });
    return any;
  }

  // How many of implicit atoms i, i + 1, ... (at most `max`; all flat or all chained) follow each
  // other among the visible atoms, from i at visible index `index` on: the atoms a range delete
  // reaches in turn.
  uint32_t visible_base_stretch(uint32_t i, uint32_t index, uint32_t max) const;
  // Deletes implicit atoms [i, i + count), all visible: delete ops first_delete,
  // first_delete + 1, ... recorded on them in order, and their counts hidden in one update per run.
  void delete_base_stretch(uint32_t i, uint32_t count, OpId first_delete);

  // Removes a DEAD mini that has no children, then empty major nodes and further childless DEAD
  // minis upward (UDIS tombstone discard). Returns how many minis were removed.
  uint32_t discard(NodeIndex n);

  // Replaces the whole tree by the balanced layout of `atoms` (docs/protocol.md §3 place()).
  void build_flattened(const std::vector<FlatAtom>& atoms);
  // Replaces the whole tree by the balanced layout of its own visible atoms: flatten(S) without
  // building FlatAtoms. O(n) array copies, no node per atom.
  void flatten_visible();

  // --- sizes -------------------------------------------------------------------------------------
  size_t major_count() const { return majors_.size() - free_majors_.size() + implicit_count(); }
  size_t mini_count() const { return minis_.size() - free_minis_.size() + implicit_count(); }
  size_t chain_count() const { return chains_.size(); }
  size_t memory_bytes() const;
  TreeCensus census() const;

  // Leftmost / rightmost mini (any state) in the subtree of major `m`.
  NodeIndex leftmost_mini(NodeIndex m) const;
  NodeIndex rightmost_mini(NodeIndex m) const;

 private:
  // What hangs from one base atom's free slots, and its deletes.
  struct BaseAttachments {
    uint32_t base = 0;                              // the atom's index
    NodeIndex major_child[2] = {kNoNode, kNoNode};  // where the layout has no child
    NodeIndex mini_child[2] = {kNoNode, kNoNode};   // the base mini's own children
    NodeIndex first_delete = kNoNode;
  };
  // Chained atoms [first, first + count), member j's major the right child of member j - 1's;
  // member 0's major hangs at `link`, and its Dis is dis0() (member j's: run_dis(dis0(), j)).
  // 32 bytes, not a Dis's padded 40: dis0's counter is kept as two 32-bit halves (a chain per
  // typed stretch: thousands on a long trace).
  struct Chain {
    uint32_t first = 0, count = 0;
    MajorLink link;
    SiteId dis0_site = 0;
    uint32_t dis0_counter_low = 0, dis0_counter_high = 0;
    Chain() = default;
    Chain(uint32_t first_atom, uint32_t atoms, MajorLink where, Dis dis)
        : first(first_atom),
          count(atoms),
          link(where),
          dis0_site(dis.site),
          dis0_counter_low(static_cast<uint32_t>(dis.counter)),
          dis0_counter_high(static_cast<uint32_t>(dis.counter >> 32)) {}
    Dis dis0() const {
      return Dis{dis0_site, (uint64_t{dis0_counter_high} << 32) | dis0_counter_low};
    }
  };
  static_assert(sizeof(Chain) == 32, "a chain in four words");
  // Base names become explicit ones: base atom i's major is majors_[major0 + i], its mini
  // minis_[mini0 + i].
  struct Materialized {
    NodeIndex major0, mini0;
    NodeIndex mini(NodeIndex n) const { return is_base(n) ? mini0 + base_index(n) : n; }
    NodeIndex major(NodeIndex m) const { return is_base(m) ? major0 + base_index(m) : m; }
  };
  enum class Indexing : uint8_t { kAfterPredecessor, kByNeighbour, kNone };

  NodeIndex new_major(NodeIndex parent, bool parent_is_mini, uint8_t branch);
  // walk_create for the first `elements` elements of `tid`: the node the last of them reaches.
  NodeIndex walk_prefix(const Tid& tid, size_t elements, bool* created);
  NodeIndex allocate_major();
  NodeIndex allocate_mini();
  // Implicit atoms alive: the base's and the chained ones not made explicit.
  size_t implicit_count() const { return base_.size() - holes_; }
  // The chain holding chained atom i (O(1) for the last one found or its neighbours).
  size_t chain_index(uint32_t i) const;
  const Chain& chain_of(uint32_t i) const { return chains_[chain_index(i)]; }
  // Where member `n`'s major hangs; its child on `branch`, kNoNode when none.
  MajorLink chained_link(NodeIndex n) const;
  NodeIndex chained_child(NodeIndex m, bool is_mini, uint8_t branch) const;
  // The slot of (parent, parent_is_mini) on `branch`: a child array or a free slot's side entry.
  NodeIndex* slot_of(NodeIndex parent, bool parent_is_mini, uint8_t branch);
  // Records that major `child` (explicit, or a chain's member 0) now hangs from `parent`.
  void set_parent(NodeIndex child, NodeIndex parent, bool parent_is_mini);
  // Makes chained atom `n` an explicit major and mini in place, splitting its chain; returns the
  // mini. Renames nothing else.
  NodeIndex materialize_chained(NodeIndex n);
  // Where tid_of's climb met a path cursor: which one, and how many leading elements it shares.
  struct Meeting {
    size_t cursor;
    size_t shared;
  };
  // tid_of's climb through a chain from member `m`: pushes the elements, sets `met` and returns
  // true when it met a cursor's path; otherwise moves m (and the Dis state) above it.
  bool climb_chain(NodeIndex* m, bool* has_dis, Dis* element_dis, Meeting* met) const;
  // tid_of's climb from flat major `m` to the root through the layout: pushes the elements not on
  // the path of the cursor sharing most and returns that meeting (`unmet_cursor`, sharing 0, if
  // none shares an element).
  Meeting climb_flat(NodeIndex m, bool has_dis, Dis element_dis, size_t unmet_cursor) const;
  // The cursor whose path has explicit `major` at `element`, the most recent first; -1 if none.
  int cursor_holding(size_t element, NodeIndex major) const;
  // The climbed elements below the meeting's shared prefix make that cursor's path the new TID.
  const Tid& rebuild_cursor(Meeting met) const;
  size_t cursors_memory_bytes() const;
  // census() of the chain whose member 0 is f.major, reached with path state `f`.
  struct CensusFrame;
  void census_of_chain(const CensusFrame& f, TreeCensus* c, std::vector<CensusFrame>* stack) const;
  NodeIndex new_mini(NodeIndex m, Dis dis, Indexing indexing, NodeIndex predecessor);
  // Places a new leaf mini in the walk order next to a neighbour found in the tree.
  void index_new_leaf(NodeIndex x);
  NodeIndex first_delete(NodeIndex n) const;
  const BaseAttachments* attachments(uint32_t i) const {
    const NodeIndex entry = attachment_of_.find(i);
    return entry == kNoNode ? nullptr : &attachments_[entry];
  }
  BaseAttachments& attachments_for(uint32_t i);
  // The child of (cur, cur_is_mini) on `branch` without creating it; when cur is a base node,
  // `place` is its atom's place and `child_place` receives the child's when that is a base major.
  NodeIndex child_at(NodeIndex cur, bool cur_is_mini, uint8_t branch,
                     const FlatLayout::Place& place, FlatLayout::Place* child_place) const;
  // census(): a major to visit, and what its path carries.
  struct CensusFrame {
    NodeIndex major;
    uint64_t elements_before, dis_count, dis_bytes, next_dis_index;
  };
  // census()'s part for the implicit base: its atoms by depth, and the explicit nodes hanging
  // from it, pushed to visit.
  void census_of_base(TreeCensus* c, std::vector<CensusFrame>* stack) const;
  // Turns the base into explicit nodes (the tree place() describes); O(n), rare.
  Materialized materialize_base();
  // Every mini in walk order, base atoms by their names to be, with widths and visibility.
  struct WalkOrder {
    std::vector<NodeIndex> minis;
    std::vector<uint32_t> widths;
    std::vector<uint8_t> visible;
  };
  WalkOrder walk_order_with_base(const Materialized& map) const;
  // The explicit major and mini of base place `p`, with the layout's and the attached children.
  void materialize_place(const Materialized& map, const FlatLayout::Place& p);
  // Implicit atom i's op id, bytes (appended to this epoch's), width and LIVE or DEAD state into
  // explicit `mini`.
  void copy_implicit_atom(uint32_t i, MiniNode* mini);
  // The delete list of implicit atom i as an explicit mini's: its first delete, then the rest.
  NodeIndex explicit_deletes(uint32_t i, NodeIndex listed);
  // Starts an epoch whose base is `atoms` with `widths` (both swapped in, old buffers returned).
  void install_base(BaseAtoms* atoms, BaseWidths* widths);
  void clear_base_attachments();
  void forget_cursor() const;

  std::vector<MajorNode> majors_;
  std::vector<MiniNode> minis_;
  std::vector<DeleteRecord> deletes_;
  std::vector<NodeIndex> free_majors_, free_minis_;
  std::string atom_bytes_;  // explicit atoms of this epoch, appended
  NodeIndex sentinel_ = kNoNode;
  SequenceIndex sequence_;  // also holds the base's visibility and widths
  // The implicit atoms: the base's layout, the atoms and their attachments (attachment_of_
  // gives implicit atom i's index in attachments_, kNoNode when it has none).
  FlatLayout layout_;
  BaseAtoms base_;
  AttachmentIndex attachment_of_;
  std::vector<BaseAttachments> attachments_;
  // Chained atoms: chains sorted by first atom, and how many atoms were made explicit.
  std::vector<Chain> chains_;
  uint32_t holes_ = 0;
  // Implicit atoms' first deletes; any later one is listed in their side entry.
  DeleteRuns delete_runs_;
  mutable size_t last_chain_ = 0;
  // Buffers of the previous base, reused by the next flatten so it allocates nothing.
  BaseAtoms spare_atoms_;
  BaseWidths spare_widths_;
  // The path cursors of tid_of: the last TIDs built and the major at each of their elements.
  // Two: a replay of two typists (friendsforever_flat) or a site that types in one place and
  // deletes in another would otherwise climb from one place to the other's common ancestor at
  // every switch (docs/BENCHMARKS.md, "Two path cursors").
  struct PathCursor {
    Tid tid;
    MajorPath majors;
  };
  static constexpr size_t kPathCursors = 2;
  // Climbed entries (about two per chain) from which a climb counts as a switch of place.
  static constexpr size_t kCursorSwitchClimbedMin = 8;
  mutable std::array<PathCursor, kPathCursors> cursors_;
  mutable size_t cursor_recent_ = 0;  // the cursor the last tid_of built
  // tid_of's climbed elements, leaf first: kept to reuse the buffer.
  // One element, or (count > 1) the elements of `count` majors named major, major + 1, ... with
  // the same branch and no Dis: the middle members of a chain, in one entry.
  struct Climbed {
    NodeIndex major;
    uint8_t branch;
    bool has_dis;
    Dis dis;
    uint32_t count = 1;
  };
  mutable std::vector<Climbed> climbed_;
  // The walk cursor of walk_create: the last TID walked and the node each of its elements reached
  // (mini or major), so that the next walk starts below their common prefix: remote ops of one
  // typed run share all but their last elements. The base part of a path, never deeper than
  // FlatLayout::kDepthMax, keeps its layout places. Forgotten with the tid_of cursor.
  struct WalkStep {
    NodeIndex node;
    bool is_mini;
  };
  mutable Tid walk_tid_;
  mutable std::vector<WalkStep> walk_steps_;
  mutable std::array<FlatLayout::Place, FlatLayout::kDepthMax> walk_places_{};
  mutable uint64_t cursor_resets_ = 0;  // forget_cursor calls: a walk that saw one keeps no cursor
};

template <typename Fn>
void Tree::for_each_in_order(Fn&& fn) const {
  sequence_.for_each([&](NodeIndex x) { fn(x); },
                     [&](uint32_t a, uint32_t b) {
                       for (uint32_t i = a; i < b; ++i) fn(base_node(i));
                     });
}

template <typename Fn>
void Tree::for_each_in_order_placed(Fn&& fn) const {
  sequence_.for_each(
      [&](NodeIndex x) {
        const MajorNode& m = majors_[minis_[x].major];
        fn(x, m.depth, m.branch, m.parent_is_mini);
      },
      [&](uint32_t a, uint32_t b) {
        // A run may hold the layout's last atoms and then chained ones.
        const uint32_t flat_end = b < layout_.count() ? b : layout_.count();
        if (a < flat_end) {
          layout_.for_each_in_range(a, flat_end, [&](const FlatLayout::Place& p) {
            fn(base_node(p.index), p.depth, p.branch, false);
          });
        }
        for (uint32_t i = a > flat_end ? a : flat_end; i < b; ++i) {
          const MajorLink link = chained_link(base_node(i));
          fn(base_node(i), link.depth, link.branch, link.parent_is_mini);
        }
      });
}

}  // namespace treedoc
