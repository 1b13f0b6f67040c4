// Replica operations: newPosID (spec (b) rules 1-4), remote apply with ghosts and pre-tombstones,
// UDIS discard, statistics and the local side of flatten.
#include "models/treedoc/replica.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"
#include "models/treedoc/fnv_hash.hpp"

namespace treedoc {

const char* to_string(ApplyOutcome o) {
  switch (o) {
    case ApplyOutcome::kApplied: return "applied";
    case ApplyOutcome::kDuplicate: return "duplicate";
    case ApplyOutcome::kWrongEpoch: return "wrong epoch";
    case ApplyOutcome::kIdCollision: return "TID collision";
    case ApplyOutcome::kMalformed: return "malformed";
  }
  return "?";
}

Replica::Replica(SiteId site, ReplicaOptions options, uint64_t counter, uint64_t epoch)
    : site_(site), options_(options), counter_(counter), epoch_(epoch) {
  TD_ASSERT(site >= kSiteIdFirst, "site ids 0 and 1 are reserved");
  TD_ASSERT(!options.discard_tombstones || options.document.dis_mode == DisMode::kUdis,
            "SDIS never discards before flatten: the site could regenerate the TID");
}

NodeIndex Replica::create_slot_after(NodeIndex p, Dis dis) {
  // f, p's walk successor among minis in every state (correction 3), is found structurally: when
  // something follows p below it, f is that subtree's leftmost mini and p or p' is a proper prefix
  // of f (rule 1); a next sibling with no left subtree is a mini-sibling (rule 3); otherwise f is
  // an ancestor or END (rules 2 and 4).
  const MiniNode& pm = tree_.mini(p);
  const bool mini_child = options_.document.mini_child;
  NodeIndex below = kNoNode;  // the subtree after p whose leftmost mini is f
  if (pm.child[1] != kNoNode) {
    below = pm.child[1];
  } else if (pm.next == kNoNode && tree_.major(pm.major).child[1] != kNoNode) {
    below = tree_.major(pm.major).child[1];
  }
  NodeIndex m;
  if (below != kNoNode) {
    const NodeIndex f = tree_.leftmost_mini(below);
    if (mini_child) {
      m = tree_.child_major(f, true, 0);  // f•(0:d)
    } else {
      TD_ASSERT(tree_.major(tree_.mini(f).major).child[0] == kNoNode, "f is leftmost");
      m = tree_.child_major(tree_.mini(f).major, false, 0);  // f'•(0:d)
    }
  } else if (pm.next != kNoNode) {
    // Rule 3 (mini-siblings) or, with mini_child, rule 4 when the sibling has a left subtree.
    TD_ASSERT(mini_child || tree_.mini(pm.next).child[0] == kNoNode,
              "in default mode no mini has a left child");
    m = tree_.child_major(p, true, 1);  // p•(1:d)
  } else if (mini_child) {
    m = tree_.child_major(p, true, 1);  // rules 2 and 4, mini_child: p•(1:d)
  } else {
    m = tree_.child_major(pm.major, false, 1);  // rules 2 and 4: p'•(1:d)
  }
  TD_ASSERT(tree_.major(m).first_mini == kNoNode && tree_.major(m).child[0] == kNoNode &&
                tree_.major(m).child[1] == kNoNode,
            "the new slot does not exist locally");
  return tree_.add_mini(m, dis, p);  // the new mini directly follows p in the walk
}

Op Replica::local_insert(uint32_t index, std::string_view atom, uint32_t width) {
  TD_ASSERT(index <= size(), "insert index within 0..size");
  const NodeIndex p = index == 0 ? tree_.sentinel() : tree_.find_visible(index - 1);
  const OpId id{site_, ++counter_};
  const Dis dis =
      options_.document.dis_mode == DisMode::kUdis ? Dis{site_, id.counter} : Dis{site_, 0};
  const NodeIndex n = create_slot_after(p, dis);
  tree_.set_live(n, id, atom, width);
  seen_.insert(id);
  ++inserts_applied_;
  Op op;
  op.kind = OpKind::kInsert;
  op.id = id;
  op.epoch = epoch_;
  op.tid = tree_.tid_of(n);
  op.atom = std::string(atom);
  op.width = width;
  TD_ASSERT_SLOW(tree_.index_of(n) == index, "local intention: an insert at i lands at i");
  TD_ASSERT_SLOW(compare_tids(tree_.tid_of(p), op.tid) < 0, "p < new");
  return op;
}

Op Replica::local_erase(uint32_t index) {
  TD_ASSERT(index < size(), "erase index within 0..size-1");
  const NodeIndex n = tree_.find_visible(index);
  Op op;
  op.kind = OpKind::kDelete;
  op.id = {site_, ++counter_};
  op.epoch = epoch_;
  op.tid = tree_.tid_of(n);
  op.target = tree_.mini(n).ins_op;
  seen_.insert(op.id);
  apply_delete_at(n, op.id);
  return op;
}

void Replica::apply_delete_at(NodeIndex n, OpId id) {
  tree_.add_delete(n, id);  // in every state (correction 5)
  switch (tree_.mini(n).state) {
    case MiniState::kLive: tree_.set_state(n, MiniState::kDead); break;
    case MiniState::kGhost: tree_.set_state(n, MiniState::kGhostDead); break;  // pre-tombstone
    case MiniState::kDead:
    case MiniState::kGhostDead: break;
  }
  const MiniNode& x = tree_.mini(n);
  if (options_.discard_tombstones && x.state == MiniState::kDead && x.child[0] == kNoNode &&
      x.child[1] == kNoNode) {
    discarded_ += tree_.discard(n);
  }
}

ApplyOutcome Replica::apply(const Op& op) {
  if (op.epoch != epoch_) return ApplyOutcome::kWrongEpoch;
  if (!op.tid.well_formed() || op.id.counter == 0) return ApplyOutcome::kMalformed;
  if (seen_.contains(op.id)) return ApplyOutcome::kDuplicate;
  if (op.is_insert()) {
    bool created = false;
    const NodeIndex n = tree_.walk_create(op.tid, &created);
    if (n == tree_.sentinel()) return ApplyOutcome::kMalformed;
    const MiniNode& x = tree_.mini(n);
    if (x.state == MiniState::kLive || x.state == MiniState::kDead) {
      // Held by another op: its insert is already in `seen`, so this is a different op id.
      return ApplyOutcome::kIdCollision;
    }
    tree_.set_live(n, op.id, op.atom, op.width);  // GHOST -> LIVE, GHOST_DEAD -> DEAD
    seen_.insert(op.id);
    ++inserts_applied_;
    if (x.state == MiniState::kDead && options_.discard_tombstones && x.child[0] == kNoNode &&
        x.child[1] == kNoNode) {
      discarded_ += tree_.discard(n);
    }
    return ApplyOutcome::kApplied;
  }
  // A late delete of an atom this replica already discarded is settled: recreating the path would
  // leave a pre-tombstone that no insert will ever fill.
  if (options_.discard_tombstones && seen_.contains(op.target) && tree_.find(op.tid) == kNoNode) {
    seen_.insert(op.id);
    return ApplyOutcome::kApplied;
  }
  bool created = false;
  const NodeIndex n = tree_.walk_create(op.tid, &created);
  if (n == tree_.sentinel()) return ApplyOutcome::kMalformed;
  seen_.insert(op.id);
  apply_delete_at(n, op.id);
  return ApplyOutcome::kApplied;
}

std::string Replica::content() const {
  std::string s;
  s.reserve(tree_.visible_units());
  tree_.for_each_in_order([&](NodeIndex n) {
    if (tree_.visible(n)) s.append(tree_.atom(n));
  });
  return s;
}

std::vector<std::pair<OpId, std::string>> Replica::visible_atoms() const {
  std::vector<std::pair<OpId, std::string>> out;
  out.reserve(size());
  tree_.for_each_in_order([&](NodeIndex n) {
    if (tree_.visible(n)) out.emplace_back(tree_.mini(n).ins_op, std::string(tree_.atom(n)));
  });
  return out;
}

std::string Replica::tree_dump() const {
  std::string s;
  tree_.for_each_in_order([&](NodeIndex n) {
    const MiniNode& x = tree_.mini(n);
    std::vector<OpId> deletes;
    tree_.for_each_delete(n, [&](OpId d) { deletes.push_back(d); });
    std::sort(deletes.begin(), deletes.end());
    s += to_string(tree_.tid_of(n)) + " " + to_string(x.state) + " ins=" + to_string(x.ins_op);
    for (const OpId& d : deletes) s += " del=" + to_string(d);
    if (x.state == MiniState::kLive || x.state == MiniState::kDead) {
      s += " '" + std::string(tree_.atom(n)) + "'";
    }
    s += '\n';
  });
  return s;
}

std::optional<uint32_t> Replica::visible_index(const Tid& tid) const {
  const NodeIndex n = tree_.find(tid);
  if (n == kNoNode || !tree_.visible(n)) return std::nullopt;
  return tree_.index_of(n);
}

OpId Replica::visible_id(uint32_t index) const {
  TD_ASSERT(index < size(), "a visible index");
  return tree_.mini(tree_.find_visible(index)).ins_op;
}

uint64_t Replica::state_hash() const {
  Fnv64 h;
  std::vector<OpId> deletes;
  tree_.for_each_in_order([&](NodeIndex n) {
    const MiniNode& x = tree_.mini(n);
    const MajorNode& m = tree_.major(x.major);
    // Depth, branch and parent kind per mini in walk order pin the shape, as the TIDs would.
    h.add_u64(m.depth);
    h.add_u64(uint64_t{m.branch} | (uint64_t{m.parent_is_mini} << 1));
    h.add_u64(x.dis.site);
    h.add_u64(x.dis.counter);
    h.add_u64(static_cast<uint64_t>(x.state));
    h.add_u64(x.ins_op.site);
    h.add_u64(x.ins_op.counter);
    deletes.clear();
    tree_.for_each_delete(n, [&](OpId d) { deletes.push_back(d); });
    std::sort(deletes.begin(), deletes.end());
    h.add_u64(deletes.size());
    for (const OpId& d : deletes) {
      h.add_u64(d.site);
      h.add_u64(d.counter);
    }
    if (x.state == MiniState::kLive || x.state == MiniState::kDead) {
      h.add_u64(x.atom_size);
      h.add_bytes(tree_.atom(n));
    }
  });
  return h.value();
}

uint64_t Replica::visible_hash() const {
  Fnv64 h;
  tree_.for_each_in_order([&](NodeIndex n) {
    if (!tree_.visible(n)) return;
    const MiniNode& x = tree_.mini(n);
    h.add_u64(x.ins_op.site);
    h.add_u64(x.ins_op.counter);
    h.add_u64(x.atom_size);
    h.add_bytes(tree_.atom(n));
  });
  return h.value();
}

ReplicaStats Replica::stats() const {
  ReplicaStats st;
  st.majors = tree_.major_count();
  st.minis = tree_.mini_count();
  st.discarded = discarded_;
  st.initial_atoms = initial_atoms_;
  st.inserts_applied = inserts_applied_;
  st.memory_bytes = tree_.memory_bytes() + seen_.size() * sizeof(uint64_t);
  // Encoded TID sizes without building TIDs: carry each path's element and Dis byte counts down.
  struct Frame {
    NodeIndex major;
    uint64_t elements_before, dis_count, dis_bytes, next_dis_index;
  };
  std::vector<Frame> stack;
  stack.push_back({tree_.major(0).child[0], 0, 0, 0, 0});
  if (tree_.major(0).child[1] != kNoNode) stack.push_back({tree_.major(0).child[1], 0, 0, 0, 0});
  uint64_t tid_bytes_total = 0, atoms_with_tid = 0;
  while (!stack.empty()) {
    const Frame f = stack.back();
    stack.pop_back();
    const MajorNode& m = tree_.major(f.major);
    const uint64_t elements = f.elements_before + 1;
    for (NodeIndex x = m.first_mini; x != kNoNode; x = tree_.mini(x).next) {
      const MiniNode& mini = tree_.mini(x);
      const uint64_t index = elements - 1;
      const uint64_t dis_bytes = f.dis_bytes + varint_size(index - f.next_dis_index) +
                                 varint_size(mini.dis.site) + varint_size(mini.dis.counter);
      if (x != tree_.sentinel()) {
        switch (mini.state) {
          case MiniState::kLive: ++st.live; break;
          case MiniState::kDead: ++st.dead; break;
          case MiniState::kGhost: ++st.ghost; break;
          case MiniState::kGhostDead: ++st.ghost_dead; break;
        }
        if (mini.state == MiniState::kLive || mini.state == MiniState::kDead) {
          const uint64_t bytes = encoded_tid_size(elements, f.dis_count + 1, dis_bytes);
          tid_bytes_total += bytes;
          ++atoms_with_tid;
          st.tid_bytes_max = std::max(st.tid_bytes_max, bytes);
        }
      }
      st.depth_max = std::max(st.depth_max, elements);
      for (NodeIndex c : mini.child) {
        if (c != kNoNode) stack.push_back({c, elements, f.dis_count + 1, dis_bytes, elements});
      }
    }
    for (NodeIndex c : m.child) {
      if (c != kNoNode) {
        stack.push_back({c, elements, f.dis_count, f.dis_bytes, f.next_dis_index});
      }
    }
  }
  st.tid_bytes_mean = atoms_with_tid == 0 ? 0.0
                                          : static_cast<double>(tid_bytes_total) /
                                                static_cast<double>(atoms_with_tid);
  return st;
}

std::vector<FlatAtom> Replica::flatten_atoms() const {
  std::vector<FlatAtom> atoms;
  atoms.reserve(size());
  tree_.for_each_in_order([&](NodeIndex n) {
    if (tree_.visible(n)) {
      atoms.push_back({std::string(tree_.atom(n)), tree_.mini(n).width, tree_.mini(n).ins_op});
    }
  });
  return atoms;
}

std::vector<FlatAtom> Replica::flatten_atoms(const DotSet& cut) const {
  TD_ASSERT(discarded_ == 0 || cut == seen_,
            "after a discard, flatten(C) for C != seen must be computed from the epoch's ops");
  std::vector<FlatAtom> atoms;
  tree_.for_each_in_order([&](NodeIndex n) {
    const MiniNode& x = tree_.mini(n);
    if (x.state != MiniState::kLive && x.state != MiniState::kDead) return;
    // Epoch-initial atoms (D_FLAT, correction 6) count as cyan inserts.
    if (x.dis != kDisFlat && !cut.contains(x.ins_op)) return;
    bool deleted_in_cut = false;
    tree_.for_each_delete(n, [&](OpId d) { deleted_in_cut = deleted_in_cut || cut.contains(d); });
    if (!deleted_in_cut) atoms.push_back({std::string(tree_.atom(n)), x.width, x.ins_op});
  });
  return atoms;
}

void Replica::install_epoch(uint64_t epoch, const std::vector<FlatAtom>& atoms) {
  TD_ASSERT(epoch > epoch_, "epochs only move forward");
  tree_.build_flattened(atoms);
  epoch_ = epoch;
  seen_.clear();
  discarded_ = 0;
  inserts_applied_ = 0;
  initial_atoms_ = atoms.size();
}

void Replica::flatten() { install_epoch(epoch_ + 1, flatten_atoms()); }

}  // namespace treedoc
