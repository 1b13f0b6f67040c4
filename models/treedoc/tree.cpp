// The Treedoc tree's arenas, implicit base, walks and order-statistic counts (docs/protocol.md §1,
// §2 and (c) place()).
#include "models/treedoc/tree.hpp"

#include <algorithm>
#include <array>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/run.hpp"

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

Tree::Tree() { install_base(&spare_atoms_, &spare_widths_); }

// --- epochs --------------------------------------------------------------------------------------

void Tree::clear_base_attachments() {
  for (const BaseAttachments& a : attachments_) attachment_of_.erase(a.base);
  attachments_.clear();
}

namespace {

// A buffer kept for reuse is released when it holds more than twice the bytes needed, beyond a
// slack that keeps small documents from reallocating at every flatten.
constexpr size_t kKeptSlackBytes = size_t{1} << 16;
bool oversized(size_t held_bytes, size_t needed_bytes) {
  return held_bytes > 2 * needed_bytes + kKeptSlackBytes;
}

}  // namespace

void Tree::install_base(BaseAtoms* atoms, BaseWidths* widths) {
  TD_ASSERT(atoms->size() == widths->size(), "one width per base atom");
  clear_base_attachments();
  majors_.clear();
  minis_.clear();
  deletes_.clear();
  free_majors_.clear();
  free_minis_.clear();
  atom_bytes_.clear();
  chains_.clear();
  holes_ = 0;
  last_chain_ = 0;
  delete_runs_.clear();
  forget_cursor();
  base_.swap(*atoms);
  layout_ = FlatLayout(base_.size());
  attachment_of_.reset(base_.size());
  sequence_.reset(widths);
  // Buffers kept for the next flatten follow the document down: one that holds more than twice
  // what this epoch needs (a document that shrank) is released, so memory tracks the current
  // epoch, not the largest so far, at the cost of one allocation when the document halves.
  if (oversized(base_.memory_bytes(), base_.used_bytes())) base_.shrink_to_fit();
  if (oversized(atoms->memory_bytes(), base_.used_bytes())) *atoms = BaseAtoms{};
  if (oversized(widths->memory_bytes(), sequence_.base().widths().memory_bytes())) {
    *widths = BaseWidths{};
  }
  if (oversized(attachment_of_.memory_bytes(), attachment_of_.used_bytes())) {
    attachment_of_.shrink_to_fit();
  }
  majors_.emplace_back();  // the virtual root R: no minis, never removed
  // A sits under R.right (docs/protocol.md §3); n_b = [(0:D_MIN)] under R.left is never visible or
  // deleted.
  if (layout_.count() > 0) majors_[0].child[1] = base_node(layout_.root().index);
  const NodeIndex m = new_major(0, false, 0);
  sentinel_ = new_mini(m, kDisMin, Indexing::kNone, kNoNode);
  sequence_.insert_after(kNoNode, sentinel_);
}

void Tree::build_flattened(const std::vector<FlatAtom>& atoms) {
  spare_atoms_.clear();
  spare_widths_.clear();
  size_t bytes = 0;
  for (const FlatAtom& a : atoms) bytes += a.atom.size();
  spare_atoms_.reserve(atoms.size(), bytes);
  // By runs of consecutive ids (typed and pasted text): one id run each, not a lookup per atom.
  for (size_t k = 0; k < atoms.size();) {
    const OpId first = atoms[k].ins_op;
    size_t e = k + 1;
    while (e < atoms.size() && atoms[e].ins_op == OpId{first.site, first.counter + (e - k)}) ++e;
    spare_atoms_.push_id_run(first, static_cast<uint32_t>(e - k),
                             [&](uint32_t j) -> std::string_view { return atoms[k + j].atom; });
    k = e;
  }
  for (const FlatAtom& a : atoms) spare_widths_.push_back(a.width);
  install_base(&spare_atoms_, &spare_widths_);
}

void Tree::flatten_visible() {
  // The visible atoms in walk order: whole stretches of base atoms are copied in bulk, explicit
  // minis one by one. The buffers are the previous base's, so nothing is allocated in steady state.
  spare_atoms_.clear();
  spare_widths_.clear();
  // A bound, not the count: the bytes of atoms deleted this epoch are in it. Reserving offsets from
  // it (bytes != atoms) made the new base oversized, so install_base shrank it, copying the
  // document, at 559 of rustcode's 980 flattens.
  const size_t bytes_max = base_.byte_count() + atom_bytes_.size();
  if (base_.has_wide_atoms()) {
    spare_atoms_.reserve(visible_count(), bytes_max);  // wide atoms likely stay: offsets now
  } else {
    spare_atoms_.reserve_bytes(bytes_max);
  }
  const BaseCounts& counts = sequence_.base();
  sequence_.for_each(
      [&](NodeIndex x) {
        const MiniNode& mini = minis_[x];
        if (mini.state != MiniState::kLive) return;
        spare_atoms_.push_back(mini.ins_op, atom(x));
        spare_widths_.push_back(mini.width);
      },
      [&](uint32_t a, uint32_t b) {
        counts.for_each_visible_stretch(a, b, [&](uint32_t s, uint32_t e) {
          spare_atoms_.append(base_, s, e);
          spare_widths_.append(counts.widths(), s, e);
        });
      });
  install_base(&spare_atoms_, &spare_widths_);
}

Tree::WalkOrder Tree::walk_order_with_base(const Materialized& map) const {
  const BaseCounts& counts = sequence_.base();
  WalkOrder w;
  const size_t n = minis_.size() + layout_.count();
  w.minis.reserve(n);
  w.widths.reserve(n);
  w.visible.reserve(n);
  sequence_.for_each(
      [&](NodeIndex x) {
        w.minis.push_back(x);
        w.widths.push_back(minis_[x].width);
        w.visible.push_back(minis_[x].state == MiniState::kLive);
      },
      [&](uint32_t a, uint32_t b) {
        for (uint32_t i = a; i < b; ++i) {
          w.minis.push_back(map.mini0 + i);
          w.widths.push_back(counts.width(i));
          w.visible.push_back(counts.visible(i));
        }
      });
  return w;
}

void Tree::materialize_place(const Materialized& map, const FlatLayout::Place& p) {
  MajorNode& major = majors_[map.major0 + p.index];
  MiniNode& mini = minis_[map.mini0 + p.index];
  major = MajorNode{};
  major.parent = p.parent == FlatLayout::kNoParent ? 0 : map.major0 + p.parent;
  major.branch = p.branch;
  major.depth = p.depth;
  major.first_mini = map.mini0 + p.index;
  mini = MiniNode{};
  mini.dis = kDisFlat;
  mini.major = map.major0 + p.index;
  copy_implicit_atom(p.index, &mini);
  FlatLayout::Place c;
  for (uint8_t b = 0; b < 2; ++b) {
    if (FlatLayout::child(p, b, &c)) major.child[b] = map.major0 + c.index;
  }
  const BaseAttachments* at = attachments(p.index);
  if (at == nullptr) {
    mini.first_delete = explicit_deletes(p.index, kNoNode);
    return;
  }
  for (uint8_t b = 0; b < 2; ++b) {
    if (at->major_child[b] != kNoNode) {
      major.child[b] = at->major_child[b];
      majors_[at->major_child[b]].parent = map.major0 + p.index;
    }
    if (at->mini_child[b] != kNoNode) {
      mini.child[b] = at->mini_child[b];
      majors_[at->mini_child[b]].parent = map.mini0 + p.index;
    }
  }
  mini.first_delete = explicit_deletes(p.index, at->first_delete);
}

void Tree::copy_implicit_atom(uint32_t i, MiniNode* mini) {
  const std::string_view bytes = base_.atom(i);
  mini->ins_op = base_.ins_op(i);
  mini->atom_offset = static_cast<uint32_t>(atom_bytes_.size());
  mini->atom_size = static_cast<uint32_t>(bytes.size());
  atom_bytes_.append(bytes);
  TD_ASSERT(atom_bytes_.size() <= UINT32_MAX, "atom bytes of one epoch fit 32-bit offsets");
  mini->width = sequence_.base().width(i);
  mini->state = sequence_.base().visible(i) ? MiniState::kLive : MiniState::kDead;
}

NodeIndex Tree::explicit_deletes(uint32_t i, NodeIndex listed) {
  const OpId first = delete_runs_.first_delete(i);
  if (first == kOpIdNone) return listed;
  deletes_.push_back({first, listed});
  return static_cast<NodeIndex>(deletes_.size() - 1);
}

Tree::Materialized Tree::materialize_base() {
  // Chains first, member 0 of each in turn: then every implicit atom left is the layout's, and
  // every child of one is explicit.
  while (!chains_.empty()) materialize_chained(base_node(chains_.back().first));
  const uint32_t n = layout_.count();
  const Materialized map{static_cast<NodeIndex>(majors_.size()),
                         static_cast<NodeIndex>(minis_.size())};
  if (n == 0) return map;
  TD_ASSERT(majors_.size() + n < kNodesMax && minis_.size() + n < kNodesMax,
            "a materialized base fits the arenas");
  // The walk order first, while the index still holds the base as runs.
  const WalkOrder walk = walk_order_with_base(map);
  majors_.resize(map.major0 + n);
  minis_.resize(map.mini0 + n);
  layout_.for_each_in_range(0, n, [&](const FlatLayout::Place& p) { materialize_place(map, p); });
  majors_[0].child[1] = map.major(majors_[0].child[1]);
  sequence_.build(walk.minis, walk.widths, walk.visible);
  clear_base_attachments();
  attachment_of_.reset(0);
  base_.clear();
  holes_ = 0;
  delete_runs_.clear();
  layout_ = FlatLayout(0);
  forget_cursor();
  return map;
}

// --- structure -----------------------------------------------------------------------------------

MiniState Tree::state(NodeIndex n) const {
  if (is_base(n)) {
    // A base mini is LIVE until deleted, then DEAD: the other states need a materialized base.
    return sequence_.base().visible(base_index(n)) ? MiniState::kLive : MiniState::kDead;
  }
  return minis_[n].state;
}

std::string_view Tree::atom(NodeIndex n) const {
  if (is_base(n)) return base_.atom(base_index(n));
  return std::string_view(atom_bytes_).substr(minis_[n].atom_offset, minis_[n].atom_size);
}

uint32_t Tree::width(NodeIndex n) const {
  return is_base(n) ? sequence_.base().width(base_index(n)) : minis_[n].width;
}

OpId Tree::ins_op(NodeIndex n) const {
  return is_base(n) ? base_.ins_op(base_index(n)) : minis_[n].ins_op;
}

Dis Tree::dis(NodeIndex n) const {
  if (!is_base(n)) return minis_[n].dis;
  if (is_flat(n)) return kDisFlat;
  const Chain& c = chain_of(base_index(n));
  return run_dis(c.dis0(), base_index(n) - c.first);
}

size_t Tree::chain_index(uint32_t i) const {
  TD_ASSERT(i >= layout_.count() && i < base_.size(), "a chained atom");
  const auto holds = [&](size_t k) {
    return k < chains_.size() && chains_[k].first <= i && i < chains_[k].first + chains_[k].count;
  };
  // The last one found first (typing stays in one chain), then its neighbours.
  if (holds(last_chain_)) return last_chain_;
  if (holds(last_chain_ + 1)) return ++last_chain_;
  if (last_chain_ > 0 && holds(last_chain_ - 1)) return --last_chain_;
  const auto it = std::upper_bound(chains_.begin(), chains_.end(), i,
                                   [](uint32_t a, const Chain& c) { return a < c.first; });
  TD_ASSERT(it != chains_.begin(), "a chained atom lies in a chain");
  last_chain_ = static_cast<size_t>(it - chains_.begin()) - 1;
  TD_ASSERT(holds(last_chain_), "a chained atom lies in a chain");
  return last_chain_;
}

uint32_t Tree::chain_successors(NodeIndex n) const {
  TD_ASSERT(is_chained(n), "a chained atom");
  const uint32_t i = base_index(n);
  const Chain& c = chain_of(i);
  return std::min(c.first + c.count - 1 - i, base_.ids_continuing_after(i));
}

MajorLink Tree::chained_link(NodeIndex n) const {
  const Chain& c = chain_of(base_index(n));
  const uint32_t j = base_index(n) - c.first;
  if (j == 0) return c.link;
  return MajorLink{n - 1, false, 1, c.link.depth + j};
}

NodeIndex Tree::chained_child(NodeIndex m, bool is_mini, uint8_t branch) const {
  const uint32_t i = base_index(m);
  if (!is_mini && branch == 1) {
    const Chain& c = chain_of(i);
    if (i + 1 < c.first + c.count) return m + 1;
  }
  const BaseAttachments* at = attachments(i);
  if (at == nullptr) return kNoNode;
  return is_mini ? at->mini_child[branch] : at->major_child[branch];
}

NodeIndex Tree::mini_child(NodeIndex n, uint8_t branch) const {
  if (!is_base(n)) return minis_[n].child[branch];
  const BaseAttachments* at = attachments(base_index(n));
  return at == nullptr ? kNoNode : at->mini_child[branch];
}

NodeIndex Tree::major_child(NodeIndex m, uint8_t branch) const {
  if (!is_base(m)) return majors_[m].child[branch];
  if (is_chained(m)) return chained_child(m, false, branch);
  FlatLayout::Place child_place;
  return child_at(m, false, branch, layout_.locate(base_index(m)), &child_place);
}

NodeIndex Tree::child_at(NodeIndex cur, bool cur_is_mini, uint8_t branch,
                         const FlatLayout::Place& place, FlatLayout::Place* child_place) const {
  if (!is_base(cur)) {
    const NodeIndex c = cur_is_mini ? minis_[cur].child[branch] : majors_[cur].child[branch];
    if (is_flat(c)) *child_place = layout_.root();  // only R.right holds a flat major
    return c;
  }
  if (is_chained(cur)) return chained_child(cur, cur_is_mini, branch);
  if (!cur_is_mini && FlatLayout::child(place, branch, child_place)) {
    return base_node(child_place->index);
  }
  const BaseAttachments* at = attachments(base_index(cur));
  if (at == nullptr) return kNoNode;
  return cur_is_mini ? at->mini_child[branch] : at->major_child[branch];
}

MajorLink Tree::link_of(NodeIndex m) const {
  if (!is_base(m)) {
    const MajorNode& major = majors_[m];
    return MajorLink{major.parent, major.parent_is_mini, major.branch, major.depth};
  }
  if (is_chained(m)) return chained_link(m);
  const FlatLayout::Place p = layout_.locate(base_index(m));
  const NodeIndex parent = p.parent == FlatLayout::kNoParent ? 0 : base_node(p.parent);
  return MajorLink{parent, false, p.branch, p.depth};
}

NodeIndex Tree::first_delete(NodeIndex n) const {
  if (!is_base(n)) return minis_[n].first_delete;
  const BaseAttachments* at = attachments(base_index(n));
  return at == nullptr ? kNoNode : at->first_delete;
}

Tree::BaseAttachments& Tree::attachments_for(uint32_t i) {
  NodeIndex entry = attachment_of_.find(i);
  if (entry == kNoNode) {
    entry = static_cast<NodeIndex>(attachments_.size());
    attachment_of_.set(i, entry);
    attachments_.push_back(BaseAttachments{});
    attachments_.back().base = i;
  }
  return attachments_[entry];
}

void Tree::forget_cursor() const {
  for (PathCursor& c : cursors_) c = PathCursor{};
  walk_tid_ = Tid{};
  walk_steps_.clear();
  ++cursor_resets_;
}

// --- creation ------------------------------------------------------------------------------------

NodeIndex Tree::allocate_major() {
  if (!free_majors_.empty()) {
    const NodeIndex m = free_majors_.back();
    free_majors_.pop_back();
    majors_[m] = MajorNode{};
    return m;
  }
  TD_ASSERT(majors_.size() < kNodesMax, "major node arena below its limit");
  majors_.emplace_back();
  return static_cast<NodeIndex>(majors_.size() - 1);
}

NodeIndex Tree::allocate_mini() {
  if (!free_minis_.empty()) {
    const NodeIndex n = free_minis_.back();
    free_minis_.pop_back();
    minis_[n] = MiniNode{};
    return n;
  }
  TD_ASSERT(minis_.size() < kNodesMax, "mini node arena below its limit");
  minis_.emplace_back();
  return static_cast<NodeIndex>(minis_.size() - 1);
}

NodeIndex* Tree::slot_of(NodeIndex parent, bool parent_is_mini, uint8_t branch) {
  if (is_base(parent)) {
    BaseAttachments& at = attachments_for(base_index(parent));
    return parent_is_mini ? &at.mini_child[branch] : &at.major_child[branch];
  }
  return parent_is_mini ? &minis_[parent].child[branch] : &majors_[parent].child[branch];
}

void Tree::set_parent(NodeIndex child, NodeIndex parent, bool parent_is_mini) {
  if (is_base(child)) {
    TD_ASSERT(is_chained(child), "a flat major hangs only in the layout");
    Chain& c = chains_[chain_index(base_index(child))];
    TD_ASSERT(c.first == base_index(child), "a chain hangs by its member 0");
    c.link.parent = parent;
    c.link.parent_is_mini = parent_is_mini;
    return;
  }
  majors_[child].parent = parent;
  majors_[child].parent_is_mini = parent_is_mini;
}

NodeIndex Tree::new_major(NodeIndex parent, bool parent_is_mini, uint8_t branch) {
  const NodeIndex parent_major = parent_is_mini ? major_of(parent) : parent;
  if (is_flat(parent) && !parent_is_mini) {
    FlatLayout::Place unused;
    TD_ASSERT(!FlatLayout::child(layout_.locate(base_index(parent)), branch, &unused),
              "a base major's new child fills a slot the layout leaves free");
  }
  const uint32_t depth = 1 + link_of(parent_major).depth;
  const NodeIndex m = allocate_major();
  MajorNode& node = majors_[m];
  node.parent = parent;
  node.parent_is_mini = parent_is_mini;
  node.branch = branch;
  node.depth = depth;
  NodeIndex* slot = slot_of(parent, parent_is_mini, branch);
  TD_ASSERT(*slot == kNoNode && (!is_chained(parent) || parent_is_mini ||
                                 chained_child(parent, false, branch) == kNoNode),
            "a new major node fills an empty slot");
  *slot = m;
  return m;
}

NodeIndex Tree::add_chained(NodeIndex parent, bool parent_is_mini, uint8_t branch, Dis dis,
                            NodeIndex walk_predecessor, OpId ins_op, std::string_view atom,
                            uint32_t width) {
  TD_ASSERT(dis.site >= kSiteIdFirst, "a chained atom's Dis is a real site's");
  TD_ASSERT(base_.size() < kBaseAtomsMax, "implicit atoms below their limit");
  const NodeIndex parent_major = parent_is_mini ? major_of(parent) : parent;
  FlatLayout::Place place{}, unused;
  if (is_flat(parent)) place = layout_.locate(base_index(parent));
  TD_ASSERT(child_at(parent, parent_is_mini, branch, place, &unused) == kNoNode,
            "a chained atom fills an empty slot");
  const uint32_t i = base_.size();
  const NodeIndex n = base_node(i);
  if (!parent_is_mini && branch == 1 && chain_continues(parent, dis)) {
    ++chains_.back().count;
  } else {
    const MajorLink link{parent, parent_is_mini, branch, 1 + link_of(parent_major).depth};
    *slot_of(parent, parent_is_mini, branch) = n;
    chains_.push_back(Chain{i, 1, link, dis});
  }
  base_.push_back(ins_op, atom);
  attachment_of_.push_back();
  sequence_.append_after(walk_predecessor, width);
  return n;
}

bool Tree::chain_continues(NodeIndex n, Dis next) const {
  if (!is_base(n) || chains_.empty()) return false;
  const uint32_t i = base_index(n);
  const Chain& c = chains_.back();
  return i + 1 == base_.size() && c.first + c.count == base_.size() && chains_after(n) &&
         run_dis(c.dis0(), c.count) == next;
}

NodeIndex Tree::extend_last_chain(NodeIndex n, OpId first_id, Dis first_dis,
                                  const std::vector<std::string_view>& atoms,
                                  const std::vector<uint32_t>& widths, size_t from) {
  TD_ASSERT(chain_continues(n, first_dis), "the members continue the last chain from its end");
  TD_ASSERT((widths.empty() || atoms.size() == widths.size()) && from < atoms.size(),
            "one width per atom, or none");
  TD_ASSERT(base_.size() + (atoms.size() - from) <= kBaseAtomsMax,
            "implicit atoms below their limit");
  Chain& c = chains_.back();
  base_.push_id_run(first_id, static_cast<uint32_t>(atoms.size() - from),
                    [&](uint32_t k) { return atoms[from + k]; });
  attachment_of_.push_back(static_cast<uint32_t>(atoms.size() - from));
  c.count += static_cast<uint32_t>(atoms.size() - from);
  sequence_.extend_last_run(widths, from, atoms.size() - from);
  return base_node(base_.size() - 1);
}

NodeIndex Tree::materialize_chained(NodeIndex n) {
  const uint32_t i = base_index(n);
  const size_t ci = chain_index(i);
  const Chain c = chains_[ci];
  const uint32_t j = i - c.first;
  const MajorLink link = chained_link(n);
  BaseAttachments at{};
  if (const NodeIndex entry = attachment_of_.find(i); entry != kNoNode) {
    at = attachments_[entry];
    attachments_[entry] = BaseAttachments{.base = i};
    attachment_of_.erase(i);
  }
  const NodeIndex m = allocate_major();
  const NodeIndex x = allocate_mini();
  MajorNode& major = majors_[m];
  major.parent = link.parent;
  major.parent_is_mini = link.parent_is_mini;
  major.branch = link.branch;
  major.depth = link.depth;
  major.first_mini = x;
  major.child[0] = at.major_child[0];
  major.child[1] = j + 1 < c.count ? n + 1 : at.major_child[1];
  MiniNode& mini = minis_[x];
  mini.dis = run_dis(c.dis0(), j);
  mini.major = m;
  mini.child[0] = at.mini_child[0];
  mini.child[1] = at.mini_child[1];
  mini.first_delete = explicit_deletes(i, at.first_delete);
  copy_implicit_atom(i, &mini);
  // The chain keeps members [0, j); members after j become a chain of their own, below m.
  const bool tail = j + 1 < c.count;
  const Chain rest{i + 1, c.count - j - 1, MajorLink{m, false, 1, link.depth + 1},
                   run_dis(c.dis0(), j + 1)};
  if (j > 0) {
    chains_[ci].count = j;
    if (tail) chains_.insert(chains_.begin() + static_cast<std::ptrdiff_t>(ci) + 1, rest);
  } else if (tail) {
    chains_[ci] = rest;
  } else {
    chains_.erase(chains_.begin() + static_cast<std::ptrdiff_t>(ci));
  }
  last_chain_ = 0;
  *slot_of(link.parent, link.parent_is_mini, link.branch) = m;
  for (uint8_t b = 0; b < 2; ++b) {
    if (at.major_child[b] != kNoNode) set_parent(at.major_child[b], m, false);
    if (at.mini_child[b] != kNoNode) set_parent(at.mini_child[b], x, true);
  }
  sequence_.make_explicit(i, x);
  ++holes_;
  forget_cursor();
  return x;
}

NodeIndex Tree::new_mini(NodeIndex m, Dis dis, Indexing indexing, NodeIndex predecessor) {
  TD_ASSERT(!is_base(m), "a new mini goes into an explicit major");
  const NodeIndex n = allocate_mini();
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
  auto rightmost_of_mini = [&](NodeIndex y) {
    const NodeIndex c = mini_child(y, 1);
    return c != kNoNode ? rightmost_mini(c) : y;
  };
  auto leftmost_of_mini = [&](NodeIndex y) {
    const NodeIndex c = mini_child(y, 0);
    return c != kNoNode ? leftmost_mini(c) : y;
  };
  const MiniNode leaf = minis_[x];
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
    const MajorLink link = link_of(m);
    TD_ASSERT(link.parent != kNoNode, "the sentinel's major precedes every new leaf");
    if (link.parent_is_mini) {
      // Below a mini's right child, that mini precedes; below its left child, it follows.
      if (link.branch == 1) return sequence_.insert_after(link.parent, x);
      return sequence_.insert_before(link.parent, x);
    }
    const NodeIndex parent = link.parent;
    if (link.branch == 1) {
      NodeIndex last = first_mini(parent);
      while (last != kNoNode && next_sibling(last) != kNoNode) last = next_sibling(last);
      if (last != kNoNode) return sequence_.insert_after(rightmost_of_mini(last), x);
      const NodeIndex left = major_child(parent, 0);
      if (left != kNoNode) return sequence_.insert_after(rightmost_mini(left), x);
    } else {
      const NodeIndex first = first_mini(parent);
      if (first != kNoNode) return sequence_.insert_before(leftmost_of_mini(first), x);
      const NodeIndex right = major_child(parent, 1);
      if (right != kNoNode) return sequence_.insert_before(leftmost_mini(right), x);
    }
    m = parent;
  }
}

NodeIndex Tree::child_major(NodeIndex parent, bool parent_is_mini, uint8_t branch) {
  FlatLayout::Place place{}, child_place;
  if (is_flat(parent)) place = layout_.locate(base_index(parent));
  const NodeIndex c = child_at(parent, parent_is_mini, branch, place, &child_place);
  return c != kNoNode ? c : new_major(parent, parent_is_mini, branch);
}

NodeIndex Tree::find_mini(NodeIndex m, Dis dis) const {
  if (is_base(m)) return dis == this->dis(m) ? m : kNoNode;  // an implicit major holds only it
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
  const NodeIndex n = walk_prefix(tid, tid.size(), created);
  TD_ASSERT_SLOW(find(tid) == n, "the cursor walks to the node a walk from the root finds");
  return n;
}

NodeIndex Tree::add_chained_at(const Tid& tid, OpId ins_op, std::string_view atom, uint32_t width) {
  TD_ASSERT(tid.well_formed(), "a remote insert's TID is well formed");
  const auto& dises = tid.dises();
  const size_t last = tid.size() - 1;
  const Dis dis = dises.back().second;
  const bool parent_is_mini = dises.size() >= 2 && dises[dises.size() - 2].first + 1 == last;
  const bool below_major = last > 0 && tid.branch(last) == 1 && !parent_is_mini;
  if (!below_major || dis.site < kSiteIdFirst || base_.size() >= kBaseAtomsMax) return kNoNode;
  bool created = false;
  const NodeIndex m = walk_prefix(tid, last, &created);
  NodeIndex n = first_mini(m);  // m's last mini: chains_after asks the rest (m not the layout's)
  while (n != kNoNode && next_sibling(n) != kNoNode) n = next_sibling(n);
  if (n == kNoNode || !chains_after(n)) return kNoNode;
  // Only typing: n is the same site's previous op. A lone insert at a random place stays
  // explicit, since a chain of one costs more to read than a node (chain_index, attachments:
  // 1.3x the wall time of a 1,000-site run when every remote insert was chained).
  if (this->ins_op(n) != OpId{ins_op.site, ins_op.counter - 1}) return kNoNode;
  const NodeIndex x = add_chained(m, false, 1, dis, n, ins_op, atom, width);
  TD_ASSERT_SLOW(find(tid) == x, "the chained atom is the mini its TID names");
  return x;
}

NodeIndex Tree::walk_prefix(const Tid& tid, size_t elements, bool* created) {
  TD_ASSERT(elements > 0 && elements <= tid.size(), "walk one element or more of the TID");
  // Resume below the elements this TID shares with the previous walk's: their nodes exist still
  // (nodes only go with a discard, a materialization or a new epoch, which forget the cursor).
  size_t d = 0;
  size_t shared = std::min(common_prefix(walk_tid_, tid, &d), walk_steps_.size());
  const auto& dises = tid.dises();
  if (shared > elements) {
    shared = elements;
    while (d > 0 && dises[d - 1].first >= shared) --d;
  }
  *created = false;
  // A TID the last walk passed through (or ended at): its node is on the cursor's path.
  if (shared == elements) return walk_steps_[shared - 1].node;
  const uint64_t resets = cursor_resets_;
  NodeIndex cur = shared == 0 ? 0 : walk_steps_[shared - 1].node;
  bool cur_is_mini = shared == 0 ? false : walk_steps_[shared - 1].is_mini;
  FlatLayout::Place place{};  // cur's atom while cur is a flat node
  if (is_flat(cur)) place = walk_places_[shared - 1];
  walk_tid_.truncate(shared);
  walk_steps_.resize(shared);
  const size_t dises_shared = d;
  for (size_t i = shared; i < elements; ++i) {
    FlatLayout::Place child_place{};
    NodeIndex m = child_at(cur, cur_is_mini, tid.branch(i), place, &child_place);
    if (m == kNoNode) m = new_major(cur, cur_is_mini, tid.branch(i));
    if (d < dises.size() && dises[d].first == i) {
      NodeIndex x = find_mini(m, dises[d].second);
      if (x == kNoNode) {
        // A second mini in a base major or a member's is a shape neither can hold.
        if (is_flat(m)) m = materialize_base().major(m);
        if (is_chained(m)) m = major_of(materialize_chained(m));
        x = new_mini(m, dises[d].second, Indexing::kByNeighbour, kNoNode);
        *created = (i + 1 == elements);
      }
      ++d;
      cur = x;
      cur_is_mini = true;
    } else {
      cur = m;
      cur_is_mini = false;
    }
    if (is_flat(cur)) {
      TD_ASSERT(i < walk_places_.size(), "base nodes lie within the layout's depth");
      place = child_place;
      walk_places_[i] = place;
    }
    walk_steps_.push_back({cur, cur_is_mini});
  }
  if (resets != cursor_resets_ || walk_steps_.size() != elements) {
    forget_cursor();  // a materialization renamed the nodes walked before it
  } else {
    walk_tid_.append_suffix(tid, shared, dises_shared);
    walk_tid_.truncate(elements);
  }
  return cur;
}

NodeIndex Tree::chain_child(NodeIndex n, bool mini_chain, Dis dis, bool* created) {
  TD_ASSERT(!is_flat(n) && n != sentinel_, "a run member is an explicit or chained mini");
  TD_ASSERT(dis.site >= kSiteIdFirst, "a run member's Dis is a real site's");
  // Below an explicit or chained node no flat major hangs (the base hangs from R alone).
  NodeIndex m = child_major(mini_chain ? n : major_of(n), mini_chain, 1);
  TD_ASSERT(!is_flat(m), "a run member's major is not the layout's");
  NodeIndex x = find_mini(m, dis);
  *created = x == kNoNode;
  if (!*created) return x;
  if (is_chained(m)) m = major_of(materialize_chained(m));
  return new_mini(m, dis, Indexing::kByNeighbour, kNoNode);
}

NodeIndex Tree::find_chain_child(NodeIndex n, bool mini_chain, Dis dis) const {
  TD_ASSERT(!is_flat(n) && n != sentinel_, "a run member is an explicit or chained mini");
  FlatLayout::Place unused;
  const NodeIndex m = child_at(mini_chain ? n : major_of(n), mini_chain, 1, FlatLayout::Place{},
                               &unused);  // not a flat node: no place needed
  return m == kNoNode ? kNoNode : find_mini(m, dis);
}

NodeIndex Tree::find(const Tid& tid) const {
  if (!tid.well_formed()) return kNoNode;
  NodeIndex cur = 0;
  bool cur_is_mini = false;
  FlatLayout::Place place{};
  size_t d = 0;
  const auto& dises = tid.dises();
  for (size_t i = 0; i < tid.size(); ++i) {
    FlatLayout::Place child_place{};
    const NodeIndex m = child_at(cur, cur_is_mini, tid.branch(i), place, &child_place);
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
    if (is_flat(cur)) place = child_place;
  }
  return cur;
}

// --- state ---------------------------------------------------------------------------------------

void Tree::set_live(NodeIndex n, OpId ins_op, std::string_view atom, uint32_t width) {
  TD_ASSERT(!is_base(n), "a base atom is LIVE or DEAD already: no insert fills it");
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
  if (is_base(n)) {
    TD_ASSERT(s == MiniState::kLive || s == MiniState::kDead, "a base mini is LIVE or DEAD");
    return sequence_.set_visible(n, s == MiniState::kLive, width(n));
  }
  const bool was = visible(n);
  minis_[n].state = s;
  const bool now = visible(n);
  if (was != now) sequence_.set_visible(n, now, minis_[n].width);
}

void Tree::add_delete(NodeIndex n, OpId op) {
  if (is_base(n) && delete_runs_.add(base_index(n), op)) return;
  NodeIndex& head =
      is_base(n) ? attachments_for(base_index(n)).first_delete : minis_[n].first_delete;
  deletes_.push_back({op, head});
  head = static_cast<NodeIndex>(deletes_.size() - 1);
}

uint32_t Tree::visible_base_stretch(uint32_t i, uint32_t index, uint32_t max) const {
  TD_ASSERT(i < base_.size() && sequence_.base().visible(i), "a visible implicit atom");
  // Flat atoms and chained ones are never in one stretch (flat delete runs name flat TIDs).
  const uint32_t end = is_flat(base_node(i)) ? layout_.count() : base_.size();
  const BaseCounts& counts = sequence_.base();
  const auto limit = static_cast<uint32_t>(std::min<uint64_t>(end, uint64_t{i} + max));
  uint32_t run_end = sequence_.base_run_end(i);
  uint32_t at = i + 1;  // the stretch so far is [i, at)
  for (;;) {
    // Within a run of base atoms nothing lies between neighbours: its visible atoms are read a
    // word at a time.
    const uint32_t stop = std::min(limit, run_end);
    if (at < stop) at = counts.next_hidden(at, stop);
    if (at < stop || at >= limit || !counts.visible(at)) break;
    // Across runs the explicit minis in between must all be invisible, which the index at the
    // next atom tells.
    if (find_visible(index + (at - i)) != base_node(at)) break;
    run_end = sequence_.base_run_end(at);
    ++at;
  }
  return at - i;
}

void Tree::delete_base_stretch(uint32_t i, uint32_t count, OpId first_delete) {
  TD_ASSERT(i + count <= base_.size(), "a stretch of implicit atoms");
  // Visible implicit atoms have no delete yet, so each first delete goes to the runs, as
  // add_delete would put it: a precondition add_stretch asserts.
  delete_runs_.add_stretch(i, count, first_delete);
  for (uint32_t a = i, b = i + count; a < b;) {
    const uint32_t end = std::min(b, sequence_.base_run_end(a));
    sequence_.hide_base_stretch(a, end);
    a = end;
  }
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

// --- paths ---------------------------------------------------------------------------------------

Tid Tree::tid_of(NodeIndex n) const {
  // Climb, collecting elements leaf-first, until a major is on a cursor's path: the elements
  // above it are shared. Element i of a TID belongs to the major at depth i + 1. Once the climb
  // reaches the base, the rest of the path is the layout's. A climb that meets no cursor rebuilds
  // the one used least recently.
  std::vector<Climbed>& climbed = climbed_;
  climbed.clear();
  NodeIndex m = major_of(n);
  bool has_dis = true;
  Dis element_dis = dis(n);
  Meeting met{(cursor_recent_ + 1) % kPathCursors, 0};  // the cursor, the elements taken from it
  for (;;) {
    if (is_chained(m)) {
      if (climb_chain(&m, &has_dis, &element_dis, &met) || m == root()) break;
      continue;
    }
    if (is_base(m)) {
      met = climb_flat(m, has_dis, element_dis, met.cursor);
      break;
    }
    const MajorNode& major = majors_[m];
    climbed.push_back({m, major.branch, has_dis, element_dis});
    const size_t index = major.depth - 1;
    if (const int c = cursor_holding(index, m); c >= 0) {
      met = {static_cast<size_t>(c), index};
      break;
    }
    TD_ASSERT(major.parent != kNoNode, "a mini's major hangs below the root");
    if (major.parent == 0 && !major.parent_is_mini) break;
    if (major.parent_is_mini) {
      has_dis = true;
      element_dis = dis(major.parent);
      m = major_of(major.parent);
    } else {
      has_dis = false;
      m = major.parent;
    }
  }
  return rebuild_cursor(met);
}

size_t Tree::cursors_memory_bytes() const {
  size_t bytes = 0;
  for (const PathCursor& c : cursors_) {
    bytes += c.tid.memory_bytes() + c.majors.memory_bytes();
  }
  return bytes;
}

int Tree::cursor_holding(size_t element, NodeIndex major) const {
  // The most recent first: when both hold it, either shares as much.
  for (size_t k = 0; k < kPathCursors; ++k) {
    const size_t c = (cursor_recent_ + k) % kPathCursors;
    const MajorPath& majors = cursors_[c].majors;
    if (element < majors.size() && majors.at(element) == major) return static_cast<int>(c);
  }
  return -1;
}

const Tid& Tree::rebuild_cursor(Meeting met) const {
  TD_ASSERT(met.cursor < kPathCursors && met.shared <= cursors_[met.cursor].majors.size(),
            "a climb shares a prefix of the cursor it met");
  // A long climb from the recent cursor's path is a switch to another place (another typist's,
  // or a delete away from the typing): the new path goes to the other cursor, copied from the
  // shared prefix, and the place left keeps its cursor for the climb back.
  size_t target = met.cursor;
  if (met.cursor == cursor_recent_ && climbed_.size() >= kCursorSwitchClimbedMin) {
    target = (met.cursor + 1) % kPathCursors;
    const PathCursor& from = cursors_[met.cursor];
    cursors_[target].tid = from.tid;
    cursors_[target].majors.assign_prefix(from.majors, met.shared);
  }
  PathCursor& cursor = cursors_[target];
  cursor.tid.truncate(met.shared);
  cursor.majors.truncate(met.shared);
  for (size_t i = climbed_.size(); i-- > 0;) {
    const Climbed& u = climbed_[i];
    if (u.count > 1) {
      cursor.tid.push_repeated(u.branch, u.count);
      cursor.majors.push_run(u.major, u.count);
      continue;
    }
    if (u.has_dis) {
      cursor.tid.push(u.branch, u.dis);
    } else {
      cursor.tid.push(u.branch);
    }
    cursor.majors.push(u.major);
  }
  cursor_recent_ = target;
  return cursor.tid;
}

Tree::Meeting Tree::climb_flat(NodeIndex m, bool has_dis, Dis element_dis,
                               size_t unmet_cursor) const {
  std::array<FlatLayout::Place, FlatLayout::kDepthMax> above;
  size_t count = 0;
  const FlatLayout::Place p =
      layout_.descend(base_index(m), [&](const FlatLayout::Place& a) { above[count++] = a; });
  climbed_.push_back({m, p.branch, has_dis, element_dis});
  // As for explicit majors, a major on a cursor's path shares the elements strictly above it;
  // its own element may differ (the cursor may end at its mini, or pass through it elsewhere).
  Meeting best{unmet_cursor, 0};
  for (size_t c = 0; c < kPathCursors; ++c) {
    const MajorPath& majors = cursors_[c].majors;
    const size_t k = majors.leading_matches(  // ancestors on this cursor's path
        count, [&](size_t e) { return base_node(above[e].index); });
    if (k == count && count < majors.size() && majors.at(count) == m) return {c, count};
    if (k > 0 && k - 1 > best.shared) best = {c, k - 1};
  }
  for (size_t j = count; j-- > best.shared;) {
    climbed_.push_back({base_node(above[j].index), above[j].branch, false, {}});
  }
  return best;
}

bool Tree::climb_chain(NodeIndex* m, bool* has_dis, Dis* element_dis, Meeting* met_at) const {
  const Chain& c = chain_of(base_index(*m));
  const uint32_t j = base_index(*m) - c.first;
  // Member k's major is at depth d0 + k, so its element has index d0 - 1 + k. A cursor's path is
  // a path from the root: it holds members 0..K of the chain for some K, or none.
  const size_t d0 = c.link.depth;
  bool met = false;
  uint32_t top = 0;  // the deepest member at or above j on the chosen cursor's path
  size_t chosen = 0;
  for (size_t cursor = 0; cursor < kPathCursors; ++cursor) {
    const MajorPath& majors = cursors_[cursor].majors;
    const size_t e0 = d0 - 1;  // member 0's element
    if (e0 >= majors.size() || majors.at(e0) != base_node(c.first)) continue;
    // Members 0..K on the path are consecutive majors at consecutive elements: one run.
    const auto lo = static_cast<uint32_t>(std::min<size_t>(j, majors.consecutive_from(e0) - 1));
    if (!met || lo > top) {
      chosen = cursor;
      top = lo;
    }
    met = true;
  }
  // Leaf first: member j's element, members below j but above 0 as one entry, member 0.
  climbed_.push_back(
      {base_node(c.first + j), j == 0 ? c.link.branch : uint8_t{1}, *has_dis, *element_dis});
  if (j > top) {
    const uint32_t low = top == 0 ? 1 : top;  // member 0's branch is the chain's own
    if (j > low) climbed_.push_back({base_node(c.first + low), 1, false, {}, j - low});
    if (top == 0) climbed_.push_back({base_node(c.first), c.link.branch, false, {}});
  }
  if (met) {
    *met_at = {chosen, d0 - 1 + top};
    return true;
  }
  if (c.link.parent_is_mini) {
    *has_dis = true;
    *element_dis = dis(c.link.parent);
    *m = major_of(c.link.parent);
  } else {
    *has_dis = false;
    *m = c.link.parent;
  }
  return false;
}

NodeIndex Tree::rightmost_mini(NodeIndex m) const {
  for (;;) {
    if (is_chained(m)) {
      // Right of member j's major come the later members; after the last member's mini come only
      // that mini's own right child and the last major's free right slot.
      const Chain& c = chain_of(base_index(m));
      const NodeIndex last = base_node(c.first + c.count - 1);
      const BaseAttachments* at = attachments(base_index(last));
      if (at != nullptr && at->major_child[1] != kNoNode) {
        m = at->major_child[1];
      } else if (at != nullptr && at->mini_child[1] != kNoNode) {
        m = at->mini_child[1];
      } else {
        return last;
      }
      continue;
    }
    if (is_base(m)) {
      // The last base atom of m's range has no right range: after its mini come only that mini's
      // own right child and the major's free right slot.
      const uint32_t hi = layout_.locate(base_index(m)).hi;
      const BaseAttachments* at = attachments(hi);
      if (at != nullptr && at->major_child[1] != kNoNode) {
        m = at->major_child[1];
      } else if (at != nullptr && at->mini_child[1] != kNoNode) {
        m = at->mini_child[1];
      } else {
        return base_node(hi);
      }
      continue;
    }
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
    if (is_chained(m)) {
      // Member j's major has no implicit left child: its free left slot, then its mini's.
      const BaseAttachments* at = attachments(base_index(m));
      if (at != nullptr && at->major_child[0] != kNoNode) {
        m = at->major_child[0];
      } else if (at != nullptr && at->mini_child[0] != kNoNode) {
        m = at->mini_child[0];
      } else {
        return m;
      }
      continue;
    }
    if (is_base(m)) {
      // The first base atom of m's range has no left range: before its mini come only the
      // major's free left slot and that mini's own left child.
      const uint32_t lo = layout_.locate(base_index(m)).lo;
      const BaseAttachments* at = attachments(lo);
      if (at != nullptr && at->major_child[0] != kNoNode) {
        m = at->major_child[0];
      } else if (at != nullptr && at->mini_child[0] != kNoNode) {
        m = at->mini_child[0];
      } else {
        return base_node(lo);
      }
      continue;
    }
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

// --- discard -------------------------------------------------------------------------------------

uint32_t Tree::discard(NodeIndex n) {
  // Removing a base mini or a member is a shape neither can hold: materialize first.
  if (is_flat(n)) n = materialize_base().mini(n);
  if (is_chained(n)) n = materialize_chained(n);
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
      const MajorNode major = majors_[cur];
      if (major.first_mini != kNoNode || major.child[0] != kNoNode || major.child[1] != kNoNode) {
        break;
      }
      const NodeIndex parent = major.parent;
      if (is_base(parent)) {
        BaseAttachments& at = attachments_for(base_index(parent));
        (major.parent_is_mini ? at.mini_child : at.major_child)[major.branch] = kNoNode;
      } else {
        (major.parent_is_mini ? minis_[parent].child : majors_[parent].child)[major.branch] =
            kNoNode;
      }
      majors_[cur] = MajorNode{};
      free_majors_.push_back(cur);
      if (major.parent_is_mini) {
        if (state(parent) == MiniState::kDead && mini_is_leaf(parent)) {
          next_dead = parent;
        }
        break;
      }
      if (is_base(parent)) break;  // a base major keeps its own mini
      cur = parent;
    }
    if (next_dead == kNoNode) return removed;
    if (is_flat(next_dead)) next_dead = materialize_base().mini(next_dead);
    if (is_chained(next_dead)) next_dead = materialize_chained(next_dead);
    x = next_dead;
  }
}

size_t Tree::memory_bytes() const {
  return majors_.capacity() * sizeof(MajorNode) + minis_.capacity() * sizeof(MiniNode) +
         deletes_.capacity() * sizeof(DeleteRecord) + atom_bytes_.capacity() +
         (free_majors_.capacity() + free_minis_.capacity()) * sizeof(NodeIndex) +
         sequence_.memory_bytes() + base_.memory_bytes() + spare_atoms_.memory_bytes() +
         spare_widths_.memory_bytes() + attachment_of_.memory_bytes() +
         attachments_.capacity() * sizeof(BaseAttachments) + chains_.capacity() * sizeof(Chain) +
         delete_runs_.memory_bytes() + cursors_memory_bytes() +
         climbed_.capacity() * sizeof(Climbed) + walk_tid_.memory_bytes() +
         walk_steps_.capacity() * sizeof(WalkStep);
}

}  // namespace treedoc
