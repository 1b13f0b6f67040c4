// Replica operations: newPosID (docs/protocol.md §2 rules 1-4), remote apply with ghosts and
// pre-tombstones, UDIS discard, statistics and the local side of flatten.
#include "models/treedoc/replica.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/fnv_hash.hpp"
#include "models/treedoc/run.hpp"

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

Dis Replica::own_dis(OpId id) const {
  return options_.document.dis_mode == DisMode::kUdis ? Dis{site_, id.counter} : Dis{site_, 0};
}

NodeIndex Replica::insert_after(NodeIndex p, OpId id, Dis dis, std::string_view atom,
                                uint32_t width) {
  // f, p's walk successor among minis in every state (docs/protocol.md correction 3), is found
  // structurally: when something follows p below it, f is that subtree's leftmost mini and p or p'
  // is a proper prefix of f (rule 1); a next sibling with no left subtree is a mini-sibling (rule
  // 3); otherwise f is an ancestor or END (rules 2 and 4). The new major fills (parent, branch).
  const NodeIndex p_major = tree_.major_of(p);
  const NodeIndex p_next = tree_.next_sibling(p);
  const bool mini_child = options_.document.mini_child;
  NodeIndex below = tree_.mini_child(p, 1);  // the subtree after p whose leftmost mini is f
  if (below == kNoNode && p_next == kNoNode) below = tree_.major_child(p_major, 1);
  NodeIndex parent;
  bool parent_is_mini;
  uint8_t branch;
  if (below != kNoNode) {
    const NodeIndex f = tree_.leftmost_mini(below);
    TD_ASSERT(mini_child || tree_.major_child(tree_.major_of(f), 0) == kNoNode, "f is leftmost");
    parent = mini_child ? f : tree_.major_of(f);  // f•(0:d) or f'•(0:d)
    parent_is_mini = mini_child;
    branch = 0;
  } else if (p_next != kNoNode) {
    // Rule 3 (mini-siblings) or, with mini_child, rule 4 when the sibling has a left subtree.
    TD_ASSERT(mini_child || tree_.mini_child(p_next, 0) == kNoNode,
              "in default mode no mini has a left child");
    parent = p;  // p•(1:d)
    parent_is_mini = true;
    branch = 1;
  } else {
    parent = mini_child ? p : p_major;  // rules 2 and 4: p•(1:d) with mini_child, else p'•(1:d)
    parent_is_mini = mini_child;
    branch = 1;
  }
  if (options_.chained_atoms && !mini_child) {
    return tree_.add_chained(parent, parent_is_mini, branch, dis, p, id, atom, width);
  }
  const NodeIndex m = tree_.child_major(parent, parent_is_mini, branch);
  TD_ASSERT(tree_.first_mini(m) == kNoNode && tree_.major_child(m, 0) == kNoNode &&
                tree_.major_child(m, 1) == kNoNode,
            "the new slot does not exist locally");
  const NodeIndex n = tree_.add_mini(m, dis, p);  // the new mini directly follows p in the walk
  tree_.set_live(n, id, atom, width);
  return n;
}

Op Replica::local_insert(uint32_t index, std::string_view atom, uint32_t width) {
  integrate();
  TD_ASSERT(index <= size(), "insert index within 0..size");
  const NodeIndex p = index == 0 ? tree_.sentinel() : tree_.find_visible(index - 1);
  const OpId id{site_, ++counter_};
  const NodeIndex n = insert_after(p, id, own_dis(id), atom, width);
  // Typing inserts next right after n: its left neighbour is then found without a descent.
  tree_.remember_visible(index, n);
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

Op Replica::local_insert_run(uint32_t index, const std::vector<std::string_view>& atoms,
                             const std::vector<uint32_t>& widths) {
  TD_ASSERT(!atoms.empty() && atoms.size() <= kRunAtomsMax, "a run of 1..kRunAtomsMax atoms");
  TD_ASSERT(widths.empty() || widths.size() == atoms.size(), "one width per atom, or none");
  const auto width_of = [&](size_t j) { return widths.empty() ? 1u : widths[j]; };
  if (atoms.size() == 1) return local_insert(index, atoms[0], width_of(0));
  integrate();
  TD_ASSERT(index <= size(), "insert index within 0..size");
  NodeIndex p = index == 0 ? tree_.sentinel() : tree_.find_visible(index - 1);
  Op op;
  op.kind = OpKind::kInsert;
  op.epoch = epoch_;
  op.chain = typed_chain(options_.document);
  for (size_t j = 0; j < atoms.size(); ++j) {
    const OpId id{site_, ++counter_};
    // After atom 0, p is the member just made: a childless leaf alone in its new major, so rules
    // 2 and 4 put the next one in the chain child (RunChain) and nothing is searched.
    const NodeIndex n = insert_after(p, id, own_dis(id), atoms[j], width_of(j));
    seen_.insert(id);
    ++inserts_applied_;
    if (j == 0) {
      op.id = id;
      op.tid = tree_.tid_of(n);
      op.atom = std::string(atoms[0]);
      op.width = width_of(0);
    } else {
      append_to_run(&op, atoms[j], width_of(j));
    }
    p = n;
    // Member 0 ended the last chain: the rest lengthen it, as insert_after would one by one, in
    // one walk-order update (Tree::extend_last_chain). Never so without chained atoms or with
    // mini_child: n is then explicit.
    const OpId next{site_, counter_ + 1};
    if (j == 0 && tree_.chain_continues(n, own_dis(next))) {
      const NodeIndex last = tree_.extend_last_chain(n, next, own_dis(next), atoms, widths, 1);
      const uint64_t rest = atoms.size() - 1;
      seen_.insert_above(next, rest);
      counter_ += rest;
      inserts_applied_ += rest;
      append_and_finish_run(&op, atoms, widths, 1);
      tree_.remember_visible(index + static_cast<uint32_t>(rest), last);
      TD_ASSERT_SLOW(run_well_formed(op), "a local run is well formed");
      return op;
    }
  }
  finish_run(&op);
  tree_.remember_visible(index + static_cast<uint32_t>(atoms.size()) - 1, p);
  TD_ASSERT_SLOW(run_well_formed(op), "a local run is well formed");
  return op;
}

bool Replica::extends_delete_run(const Op& run, const ErasedMember& prev, NodeIndex n,
                                 OpId target) const {
  if (run.atoms() >= kRunAtomsMax || target.site != run.target.site ||
      target.counter != run.target.counter + run.atoms()) {
    return false;
  }
  if (prev.base) {
    // Epoch-initial atoms i, i + 1 of a still implicit base (a materialized one has no base
    // names): their TIDs follow from |A| (RunChain::kBase).
    return tree_.is_flat(n) && base_index(n) == base_index(prev.mini) + 1;
  }
  const Dis first = run.tid.dises().back().second;
  if (tree_.is_flat(n) || first.site < kSiteIdFirst) return false;
  const bool mini_chain = options_.document.mini_child;
  const MajorLink link = tree_.link_of(tree_.major_of(n));
  return link.branch == 1 && link.parent_is_mini == mini_chain &&
         link.parent == (mini_chain ? prev.mini : prev.major) &&
         tree_.dis(n) == run_dis(first, run.atoms());
}

std::vector<Op> Replica::local_erase_run(uint32_t index, uint32_t count) {
  integrate();
  TD_ASSERT(count <= size() && index <= size() - count, "erase range within 0..size");
  std::vector<Op> ops;
  ErasedMember prev;  // as it was before its delete (a discard may free its nodes)
  for (uint32_t k = 0; k < count;) {
    NodeIndex n = tree_.find_visible(index);
    if (tree_.is_flat(n) && !options_.discard_tombstones) {
      k += erase_base_stretch(n, index, count - k, &prev, &ops);
      continue;
    }
    if (tree_.is_chained(n) && !options_.discard_tombstones) {
      k += erase_chained_stretch(n, index, count - k, &prev, &ops);
      continue;
    }
    ++k;
    // A discard would make a chained atom explicit under the node names `prev` keeps: do it first.
    if (options_.discard_tombstones && tree_.mini_is_leaf(n)) n = tree_.make_explicit(n);
    const OpId id = add_delete_member(n, &prev, &ops);
    apply_delete_at(n, id);
  }
  return ops;
}

OpId Replica::add_delete_member(NodeIndex n, ErasedMember* prev, std::vector<Op>* ops) {
  const OpId target = tree_.ins_op(n);
  const OpId id{site_, ++counter_};
  if (!ops->empty() && extends_delete_run(ops->back(), *prev, n, target)) {
    Op& run = ops->back();
    run.run = run.atoms() + 1;
    if (prev->base) {
      run.chain = RunChain::kBase;
      run.run_base_atoms = tree_.base_count();
    } else {
      run.chain = typed_chain(options_.document);
    }
  } else {
    ops->push_back(delete_op(id, n, target));
  }
  *prev = ErasedMember{tree_.major_of(n), n, tree_.is_flat(n)};
  seen_.insert(id);
  return id;
}

uint32_t Replica::erase_chained_stretch(NodeIndex n, uint32_t index, uint32_t max,
                                        ErasedMember* prev, std::vector<Op>* ops) {
  // The chained atoms the next per-atom deletes would reach in turn: their ops grouped one by one
  // as those deletes would, their delete ids consecutive, and the tree changed in one update.
  const uint32_t i = base_index(n);
  const uint32_t m = tree_.visible_base_stretch(i, index, max);
  const OpId first{site_, counter_ + 1};
  for (uint32_t j = 0; j < m;) {
    const NodeIndex member = base_node(i + j);
    add_delete_member(member, prev, ops);
    ++j;
    // The member's chain successors each pass extends_delete_run against the op that now ends
    // with it (the chain child of the one before, the next Dis, the next target): they lengthen
    // that op in one step, up to its limit, as add_delete_member would one by one.
    Op& run = ops->back();
    const auto follow =
        std::min({m - j, tree_.chain_successors(member), kRunAtomsMax - run.atoms()});
    if (follow == 0) continue;
    // The first successor checked as add_delete_member would (in slow-assertion builds); the
    // rest follow from it by the same chain and id run.
    TD_ASSERT_SLOW(extends_delete_run(run, *prev, base_node(i + j), tree_.ins_op(base_node(i + j))),
                   "a chain successor extends the delete run");
    run.run = run.atoms() + follow;
    run.chain = typed_chain(options_.document);
    seen_.insert_above({site_, counter_ + 1}, follow);
    counter_ += follow;
    j += follow;
    const NodeIndex last = base_node(i + j - 1);
    *prev = ErasedMember{tree_.major_of(last), last, false};
  }
  tree_.delete_base_stretch(i, m, first);
  // Backspace erases next at index - 1, the delete key at index again.
  tree_.remember_around_hidden(index, i, i + m);
  return m;
}

uint32_t Replica::erase_base_stretch(NodeIndex n, uint32_t index, uint32_t max, ErasedMember* prev,
                                     std::vector<Op>* ops) {
  // The base atoms the next local_erase(index) calls would reach, with consecutive ids: the
  // members one delete run takes in turn, deleted together.
  const uint32_t i = base_index(n);
  const OpId first = tree_.ins_op(n);
  const bool extends = !ops->empty() && extends_delete_run(ops->back(), *prev, n, first);
  const uint32_t held = extends ? ops->back().atoms() : 0;
  const uint32_t room = std::min(max, kRunAtomsMax - held);
  // The stretch's ids must be consecutive too: one run names them by its first.
  const uint32_t m = tree_.consecutive_ids_from(i, tree_.visible_base_stretch(i, index, room));
  const OpId id{site_, counter_ + 1};
  if (!extends) ops->push_back(delete_op(id, n, first));
  Op& run = ops->back();
  run.run = run.atoms() + (extends ? m : m - 1);
  if (run.run == 1) run.run = 0;
  if (run.run != 0) {
    run.chain = RunChain::kBase;
    run.run_base_atoms = tree_.base_count();
  }
  seen_.insert_above({site_, counter_ + 1}, m);
  counter_ += m;
  tree_.delete_base_stretch(i, m, id);
  tree_.remember_around_hidden(index, i, i + m);
  *prev = ErasedMember{base_node(i + m - 1), base_node(i + m - 1), true};
  return m;
}

Op Replica::local_erase(uint32_t index) {
  integrate();
  TD_ASSERT(index < size(), "erase index within 0..size-1");
  const NodeIndex n = tree_.find_visible(index);
  Op op = delete_op({site_, ++counter_}, n, tree_.ins_op(n));
  seen_.insert(op.id);
  apply_delete_at(n, op.id);
  return op;
}

Op Replica::delete_op(OpId id, NodeIndex n, OpId target) const {
  Op op;
  op.kind = OpKind::kDelete;
  op.id = id;
  op.epoch = epoch_;
  op.tid = tree_.tid_of(n);
  op.target = target;
  return op;
}

void Replica::apply_delete_at(NodeIndex n, OpId id) {
  tree_.add_delete(n, id);  // in every state (docs/protocol.md correction 5)
  switch (tree_.state(n)) {
    case MiniState::kLive: tree_.set_state(n, MiniState::kDead); break;
    case MiniState::kGhost: tree_.set_state(n, MiniState::kGhostDead); break;  // pre-tombstone
    case MiniState::kDead:
    case MiniState::kGhostDead: break;
  }
  if (options_.discard_tombstones && tree_.state(n) == MiniState::kDead && tree_.mini_is_leaf(n)) {
    discarded_ += tree_.discard(n);
  }
}

namespace {

// The sentinel n_b = [(0:D_MIN)] (docs/protocol.md §3): no op may name it.
bool names_sentinel(const Tid& tid) {
  return tid.size() == 1 && tid.branch(0) == 0 && tid.dises().size() == 1 &&
         tid.dises()[0].second == kDisMin;
}

}  // namespace

uint32_t Replica::seen_members(const Op& run) const {
  uint32_t seen = 0;
  for (uint32_t j = 0; j < run.atoms(); ++j) {
    seen += seen_.contains({run.id.site, run.id.counter + j}) ? 1 : 0;
  }
  return seen;
}

ApplyOutcome Replica::apply_expanded(const Op& run) {
  bool any = false;
  ApplyOutcome failure = ApplyOutcome::kApplied;
  for (const Op& member : expand_run(run)) {
    const ApplyOutcome o = apply(member);
    any = any || o == ApplyOutcome::kApplied;
    if (o != ApplyOutcome::kApplied && o != ApplyOutcome::kDuplicate) failure = o;
  }
  if (failure != ApplyOutcome::kApplied) return failure;
  return any ? ApplyOutcome::kApplied : ApplyOutcome::kDuplicate;
}

ApplyOutcome Replica::apply(const Op& op) {
  integrate();
  if (op.epoch != epoch_) return ApplyOutcome::kWrongEpoch;
  if (!op.tid.well_formed() || op.id.counter == 0) return ApplyOutcome::kMalformed;
  if (op.run != 0) {
    if (!run_well_formed(op)) return ApplyOutcome::kMalformed;
    const uint32_t seen = seen_members(op);
    if (seen == op.run) return ApplyOutcome::kDuplicate;
    if (seen != 0 || options_.discard_tombstones) return apply_expanded(op);
    const ApplyOutcome outcome = change_tree_run(op);
    // A collision is an invariant already broken: the members stay seen, so a re-delivery is a
    // duplicate rather than a second collision.
    for (uint32_t j = 0; j < op.run; ++j) seen_.insert({op.id.site, op.id.counter + j});
    return outcome;
  }
  if (seen_.contains(op.id)) return ApplyOutcome::kDuplicate;
  const ApplyOutcome outcome = change_tree(op);
  if (outcome == ApplyOutcome::kApplied) seen_.insert(op.id);
  return outcome;
}

ApplyOutcome Replica::receive(std::shared_ptr<const Op> op) {
  if (options_.discard_tombstones) return apply(*op);
  if (op->epoch != epoch_) return ApplyOutcome::kWrongEpoch;
  if (!op->tid.well_formed() || op->id.counter == 0) return ApplyOutcome::kMalformed;
  if (op->run != 0) {
    if (!run_well_formed(*op)) return ApplyOutcome::kMalformed;
    const uint32_t seen = seen_members(*op);
    if (seen == op->run) return ApplyOutcome::kDuplicate;
    if (seen != 0) return apply(*op);  // integrates first, so the order received is kept
    for (uint32_t j = 0; j < op->run; ++j) seen_.insert({op->id.site, op->id.counter + j});
    received_.push_back(std::move(op));
    return ApplyOutcome::kApplied;
  }
  if (names_sentinel(op->tid)) {  // apply() finds it in the tree, after the duplicate check
    return seen_.contains(op->id) ? ApplyOutcome::kDuplicate : ApplyOutcome::kMalformed;
  }
  if (!seen_.insert(op->id)) return ApplyOutcome::kDuplicate;
  received_.push_back(std::move(op));
  return ApplyOutcome::kApplied;
}

size_t Replica::integrate() {
  const size_t n = received_.size();
  for (std::shared_ptr<const Op>& op : received_) {
    const ApplyOutcome outcome = change_tree(*op);
    if (outcome != ApplyOutcome::kApplied) rejected_.push_back({std::move(op), outcome});
  }
  received_.clear();
  return n;
}

bool Replica::late_delete_of_discarded(const Op& op) const {
  if (!options_.discard_tombstones) return false;
  // The target was inserted here: its insert is in `seen`, or it is an epoch-initial atom (the
  // only atoms whose position ends in D_FLAT, docs/protocol.md correction 6).
  const bool base_atom = op.tid.dises().back().second == kDisFlat;
  const bool target_held =
      seen_.contains(op.target) || (base_atom && !options_.keep_late_base_deletes);
  if (!target_held) return false;
  // A held target that is not LIVE or DEAD was discarded: absent, or a GHOST that a later op's path
  // recreated. Either way the delete is settled (a no-op: docs/BENCHMARKS.md, "Engine exactness"):
  // recording it would leave a GHOST_DEAD that no insert will ever fill.
  const NodeIndex n = tree_.find(op.tid);
  return n == kNoNode || tree_.state(n) == MiniState::kGhost;
}

ApplyOutcome Replica::change_tree_run(const Op& run) {
  TD_ASSERT(!options_.discard_tombstones, "with discard a run applies member by member");
  if (run.chain == RunChain::kBase) {
    const uint32_t first = flat_index(run.tid, run.run_base_atoms).value();
    // The epoch's implicit base names its atoms by index; a materialized one (or a base of another
    // size, which no correct site sends) is walked member by member.
    const bool implicit = tree_.base_count() == run.run_base_atoms;
    const std::vector<Op> members = implicit ? std::vector<Op>{} : expand_run(run);
    for (uint32_t j = 0; j < run.run; ++j) {
      bool created = false;
      const NodeIndex n =
          implicit ? base_node(first + j) : tree_.walk_create(members[j].tid, &created);
      apply_delete_at(n, {run.id.site, run.id.counter + j});
    }
    return ApplyOutcome::kApplied;
  }
  bool created = false;
  NodeIndex n = tree_.walk_create(run.tid, &created);
  const Dis first = run.tid.dises().back().second;
  ApplyOutcome outcome = ApplyOutcome::kApplied;
  size_t offset = 0;  // of member j's bytes in run.atom
  for (uint32_t j = 0; j < run.run; ++j) {
    const OpId id{run.id.site, run.id.counter + j};
    const size_t size = run.is_insert() ? run_member_size(run, j) : 0;
    const std::string_view atom = std::string_view(run.atom).substr(offset, size);
    offset += size;
    if (j > 0 && run.is_insert() && options_.chained_atoms && run.chain == RunChain::kMajor &&
        tree_.chains_after(n)) {
      // The member's slot is free and nothing else lies between it and n: a chained atom.
      n = tree_.add_chained(tree_.major_of(n), false, 1, run_dis(first, j), n, id, atom,
                            run_width(run, j));
      ++inserts_applied_;
      if (j + 1 < run.run && tree_.chain_continues(n, run_dis(first, j + 1))) {
        // The rest lengthen that chain, as the lines above would one by one.
        append_run_members(run, j + 1, offset, n);
        break;
      }
      continue;
    }
    if (j > 0) n = tree_.chain_child(n, run.chain == RunChain::kMini, run_dis(first, j), &created);
    if (!run.is_insert()) {
      apply_delete_at(n, id);
      continue;
    }
    if (tree_.state(n) == MiniState::kLive || tree_.state(n) == MiniState::kDead) {
      outcome = ApplyOutcome::kIdCollision;  // as that member's own op would be
      continue;
    }
    tree_.set_live(n, id, atom, run_width(run, j));
    ++inserts_applied_;
  }
  return outcome;
}

void Replica::append_run_members(const Op& run, uint32_t from, size_t offset, NodeIndex last) {
  std::vector<std::string_view> atoms(run.run);
  std::vector<uint32_t> widths(run.run);
  for (uint32_t j = from; j < run.run; ++j) {
    const size_t size = run_member_size(run, j);
    atoms[j] = std::string_view(run.atom).substr(offset, size);
    widths[j] = run_width(run, j);
    offset += size;
  }
  const Dis first = run.tid.dises().back().second;
  tree_.extend_last_chain(last, {run.id.site, run.id.counter + from}, run_dis(first, from), atoms,
                          widths, from);
  inserts_applied_ += run.run - from;
}

ApplyOutcome Replica::change_tree(const Op& op) {
  if (op.run != 0) {
    // receive() defers runs only without discard (with it, receive is apply).
    return change_tree_run(op);
  }
  if (op.is_insert()) {
    // As insert_after makes a local one, a remote insert by rule 2 right after the same site's
    // previous op is a chained atom: a typist's single-atom ops, received one by one, lengthen
    // one chain (Tree::add_chained_at says when exactly).
    if (options_.chained_atoms && !options_.document.mini_child && op.tid.well_formed()) {
      if (tree_.add_chained_at(op.tid, op.id, op.atom, op.width) != kNoNode) {
        ++inserts_applied_;
        return ApplyOutcome::kApplied;
      }
    }
    bool created = false;
    const NodeIndex n = tree_.walk_create(op.tid, &created);
    if (n == tree_.sentinel()) return ApplyOutcome::kMalformed;
    if (tree_.state(n) == MiniState::kLive || tree_.state(n) == MiniState::kDead) {
      // Held by another op: its insert is already in `seen`, so this is a different op id.
      return ApplyOutcome::kIdCollision;
    }
    tree_.set_live(n, op.id, op.atom, op.width);  // GHOST -> LIVE, GHOST_DEAD -> DEAD
    ++inserts_applied_;
    if (tree_.state(n) == MiniState::kDead && options_.discard_tombstones &&
        tree_.mini_is_leaf(n)) {
      discarded_ += tree_.discard(n);
    }
    return ApplyOutcome::kApplied;
  }
  if (late_delete_of_discarded(op)) return ApplyOutcome::kApplied;
  bool created = false;
  const NodeIndex n = tree_.walk_create(op.tid, &created);
  if (n == tree_.sentinel()) return ApplyOutcome::kMalformed;
  apply_delete_at(n, op.id);
  return ApplyOutcome::kApplied;
}

std::string Replica::content() const {
  assert_integrated();
  std::string s;
  s.reserve(tree_.visible_units());
  tree_.for_each_in_order([&](NodeIndex n) {
    if (tree_.visible(n)) s.append(tree_.atom(n));
  });
  return s;
}

std::vector<std::pair<OpId, std::string>> Replica::visible_atoms() const {
  assert_integrated();
  std::vector<std::pair<OpId, std::string>> out;
  out.reserve(size());
  tree_.for_each_in_order([&](NodeIndex n) {
    if (tree_.visible(n)) out.emplace_back(tree_.ins_op(n), std::string(tree_.atom(n)));
  });
  return out;
}

std::string Replica::tree_dump() const {
  assert_integrated();
  std::string s;
  tree_.for_each_in_order([&](NodeIndex n) {
    const MiniState state = tree_.state(n);
    std::vector<OpId> deletes;
    tree_.for_each_delete(n, [&](OpId d) { deletes.push_back(d); });
    std::sort(deletes.begin(), deletes.end());
    s += to_string(tree_.tid_of(n)) + " " + to_string(state) + " ins=" + to_string(tree_.ins_op(n));
    for (const OpId& d : deletes) s += " del=" + to_string(d);
    if (state == MiniState::kLive || state == MiniState::kDead) {
      s += " '" + std::string(tree_.atom(n)) + "'";
    }
    s += '\n';
  });
  return s;
}

std::optional<uint32_t> Replica::visible_index(const Tid& tid) const {
  assert_integrated();
  const NodeIndex n = tree_.find(tid);
  if (n == kNoNode || !tree_.visible(n)) return std::nullopt;
  return tree_.index_of(n);
}

OpId Replica::visible_id(uint32_t index) const {
  TD_ASSERT(index < size(), "a visible index");
  return tree_.ins_op(tree_.find_visible(index));
}

uint64_t Replica::state_hash() const {
  assert_integrated();
  Fnv64 h;
  std::vector<OpId> deletes;
  tree_.for_each_in_order_placed(
      [&](NodeIndex n, uint32_t depth, uint8_t branch, bool parent_is_mini) {
        // Depth, branch and parent kind per mini in walk order pin the shape, as the TIDs would.
        // Fields packed without loss into few words: each word is one step of the hash's
        // dependent chain, which the convergence check runs over every mini of every site.
        const Dis dis = tree_.dis(n);
        const MiniState state = tree_.state(n);
        const OpId ins = tree_.ins_op(n);
        deletes.clear();
        tree_.for_each_delete(n, [&](OpId d) { deletes.push_back(d); });
        h.add_u64(uint64_t{depth} | (uint64_t{branch} << 32) | (uint64_t{parent_is_mini} << 33) |
                  (static_cast<uint64_t>(state) << 34) | (uint64_t{!deletes.empty()} << 36));
        h.add_u64(uint64_t{dis.site} | (uint64_t{ins.site} << 32));
        h.add_u64(dis.counter);
        h.add_u64(ins.counter);
        if (!deletes.empty()) {
          std::sort(deletes.begin(), deletes.end());
          h.add_u64(deletes.size());
          for (const OpId& d : deletes) {
            h.add_u64(d.site);
            h.add_u64(d.counter);
          }
        }
        if (state == MiniState::kLive || state == MiniState::kDead) {
          h.add_u64(tree_.atom(n).size());
          h.add_bytes(tree_.atom(n));
        }
      });
  return h.value();
}

uint64_t Replica::visible_hash() const {
  assert_integrated();
  Fnv64 h;
  tree_.for_each_in_order([&](NodeIndex n) {
    if (!tree_.visible(n)) return;
    const OpId ins = tree_.ins_op(n);
    h.add_u64(ins.site);
    h.add_u64(ins.counter);
    h.add_u64(tree_.atom(n).size());
    h.add_bytes(tree_.atom(n));
  });
  return h.value();
}

ReplicaStats Replica::stats() const {
  assert_integrated();
  ReplicaStats st;
  st.majors = tree_.major_count();
  st.minis = tree_.mini_count();
  st.discarded = discarded_;
  st.initial_atoms = initial_atoms_;
  st.inserts_applied = inserts_applied_;
  st.memory_bytes = tree_.memory_bytes() + seen_.memory_bytes();
  const TreeCensus c = tree_.census();
  st.live = c.live;
  st.dead = c.dead;
  st.ghost = c.ghost;
  st.ghost_dead = c.ghost_dead;
  st.tid_bytes_max = c.tid_bytes_max;
  st.depth_max = c.depth_max;
  st.tid_bytes_mean = c.atoms_with_tid == 0 ? 0.0
                                            : static_cast<double>(c.tid_bytes_total) /
                                                  static_cast<double>(c.atoms_with_tid);
  return st;
}

std::vector<FlatAtom> Replica::flatten_atoms() const {
  assert_integrated();
  std::vector<FlatAtom> atoms;
  atoms.reserve(size());
  tree_.for_each_in_order([&](NodeIndex n) {
    if (tree_.visible(n))
      atoms.push_back({std::string(tree_.atom(n)), tree_.width(n), tree_.ins_op(n)});
  });
  return atoms;
}

template <typename Fn>
void Replica::for_each_cut_atom(const DotSet& cut, Fn&& fn) const {
  assert_integrated();
  TD_ASSERT(discarded_ == 0 || cut == seen_,
            "after a discard, flatten(C) for C != seen must be computed from the epoch's ops");
  tree_.for_each_in_order([&](NodeIndex n) {
    const MiniState state = tree_.state(n);
    if (state != MiniState::kLive && state != MiniState::kDead) return;
    // Epoch-initial atoms (D_FLAT, docs/protocol.md correction 6) count as cyan inserts.
    if (tree_.dis(n) != kDisFlat && !cut.contains(tree_.ins_op(n))) return;
    // A LIVE atom has no delete (every delete makes its target DEAD or GHOST_DEAD): no lookup.
    bool deleted_in_cut = false;
    if (state == MiniState::kDead) {
      tree_.for_each_delete(n, [&](OpId d) { deleted_in_cut = deleted_in_cut || cut.contains(d); });
    } else {
      TD_ASSERT_SLOW(!tree_.has_delete(n), "a LIVE atom has no delete");
    }
    if (!deleted_in_cut) fn(n);
  });
}

std::vector<FlatAtom> Replica::flatten_atoms(const DotSet& cut) const {
  std::vector<FlatAtom> atoms;
  for_each_cut_atom(cut, [&](NodeIndex n) {
    atoms.push_back({std::string(tree_.atom(n)), tree_.width(n), tree_.ins_op(n)});
  });
  return atoms;
}

bool Replica::flatten_equals(const DotSet& cut, const std::vector<FlatAtom>& atoms) const {
  size_t k = 0;
  bool equal = true;
  for_each_cut_atom(cut, [&](NodeIndex n) {
    equal = equal && k < atoms.size() && atoms[k].ins_op == tree_.ins_op(n) &&
            atoms[k].width == tree_.width(n) && atoms[k].atom == tree_.atom(n);
    ++k;
  });
  return equal && k == atoms.size();
}

void Replica::install_epoch(uint64_t epoch, const std::vector<FlatAtom>& atoms) {
  integrate();
  TD_ASSERT(epoch > epoch_, "epochs only move forward");
  tree_.build_flattened(atoms);
  start_epoch(epoch);
}

void Replica::flatten() {
  integrate();
  // install_epoch(epoch() + 1, flatten_atoms()) without building the FlatAtoms: the tree copies
  // its visible atoms into the new base directly.
  tree_.flatten_visible();
  start_epoch(epoch_ + 1);
}

void Replica::start_epoch(uint64_t epoch) {
  epoch_ = epoch;
  seen_.clear();
  discarded_ = 0;
  inserts_applied_ = 0;
  initial_atoms_ = tree_.base_count();
}

}  // namespace treedoc
