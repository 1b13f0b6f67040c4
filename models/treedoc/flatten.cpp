// Flatten layout, flatten(C) from ops, colouring and graft translation (docs/protocol.md §3 and
// §4).
#include "models/treedoc/flatten.hpp"

#include <algorithm>
#include <bit>
#include <iterator>
#include <set>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/flat_layout.hpp"
#include "models/treedoc/fnv_hash.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc {

Tid flat_tid(uint64_t index, uint64_t count) {
  TD_ASSERT(index < count, "flat_tid index within the array");
  Tid t;
  // One allocation for the branches (the descent is at most 64 levels), not one per doubling.
  t.reserve(static_cast<size_t>(std::bit_width(count)));
  uint64_t lo = 0, hi = count - 1;
  uint8_t branch = 1;  // A sits under R.right
  for (;;) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (index == mid) {
      t.push(branch, kDisFlat);
      return t;
    }
    t.push(branch);
    if (index < mid) {
      hi = mid - 1;
      branch = 0;
    } else {
      lo = mid + 1;
      branch = 1;
    }
  }
}

uint64_t flat_rank(const Tid& t, uint64_t count) {
  TD_ASSERT(t.well_formed(), "a flat rank of a well-formed TID");
  TD_ASSERT(count < (uint64_t{1} << 31), "a layout FlatLayout can describe");
  // Under R.left (the sentinel's side), t precedes all of A, which hangs below R.right.
  if (count == 0 || t.branch(0) == 0) return 0;
  const FlatLayout layout(static_cast<uint32_t>(count));
  const size_t first_dis = t.dises().front().first;
  const Dis& dis = t.dises().front().second;
  // Invariant: t's elements before i carry no Dis and follow p's major path, and element i's
  // branch is p.branch, so t lies between p's left subtree (whose next token is 0) and its right
  // one (2); only A[p.index]'s token (1, D_FLAT) remains to compare (docs/protocol.md §1).
  FlatLayout::Place p = layout.root();
  for (size_t i = 0;; ++i) {
    if (i == first_dis && dis != kDisFlat) return dis < kDisFlat ? p.index : p.index + 1;
    // Either element i carries D_FLAT, so t continues below A[p.index] itself and its next
    // branch meets A[p.index]'s terminal (1, -inf); or it carries no Dis, and its next branch
    // meets (1, D_FLAT). Both times a left branch sorts before A[p.index] and a right one after.
    // Only t == A[p.index] has no next element here (well-formed t ends with a Dis).
    TD_ASSERT(i + 1 < t.size(), "t is not an atom of A");
    const uint8_t next = t.branch(i + 1);
    FlatLayout::Place child;
    if (i == first_dis || !FlatLayout::child(p, next, &child)) {
      return next == 0 ? p.index : p.index + 1;
    }
    p = child;
  }
}

Tid sentinel_tid() {
  Tid t;
  t.push(0, kDisMin);
  return t;
}

std::vector<CutAtom> flatten_array(const std::vector<FlatAtom>& initial_atoms,
                                   const std::vector<Op>& cut_ops) {
  // Every cut atom carries its own TID here, so runs are expanded (members' TIDs are implicit).
  std::vector<Op> expanded;
  for (const Op& op : cut_ops) {
    if (op.run == 0) continue;
    for (Op& m : expand_run(op)) expanded.push_back(std::move(m));
  }
  std::set<OpId> deleted;
  const auto for_each_single = [&](auto&& fn) {
    for (const Op& op : cut_ops) {
      if (op.run == 0) fn(op);
    }
    for (const Op& op : expanded) fn(op);
  };
  for_each_single([&](const Op& op) {
    if (!op.is_insert()) deleted.insert(op.target);
  });
  // The epoch-initial atoms are already in comparator order (place() lays A out in order), so
  // only the cut's inserts are sorted and merged in: no TID is built for an atom of A (CutAtom
  // keeps A's as indices).
  std::vector<CutAtom> inserted;
  for_each_single([&](const Op& op) {
    if (!op.is_insert() || deleted.count(op.id)) return;
    inserted.push_back({FlatAtom{op.atom, op.width, op.id}, op.tid});
  });
  // Each insert's place among A comes from a descent of A's implicit layout (flat_rank), O(log n)
  // with no TID built. Inserts between the same two atoms of A (typing after a
  // flatten: most of them) are then ordered by sort keys, each TID read once (tid_sort_key).
  // Indices are sorted, not CutAtoms: a swap would move two strings and four vectors.
  const uint64_t n = initial_atoms.size();
  std::vector<uint64_t> rank(inserted.size());
  std::vector<std::string> key(inserted.size());
  std::vector<uint32_t> order(inserted.size());
  for (uint32_t k = 0; k < order.size(); ++k) {
    order[k] = k;
    rank[k] = flat_rank(inserted[k].old_tid, n);
    key[k] = tid_sort_key(inserted[k].old_tid);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return rank[x] != rank[y] ? rank[x] < rank[y] : key[x] < key[y];
  });
  std::vector<CutAtom> out;
  out.reserve(n + inserted.size());
  uint64_t next_initial = 0;  // A's atoms before it are placed
  const auto place_initial_below = [&](uint64_t end) {
    for (; next_initial < end; ++next_initial) {
      const FlatAtom& a = initial_atoms[next_initial];
      if (!deleted.count(a.ins_op)) out.push_back({a, Tid{}, true, next_initial, n});
    }
  };
  for (size_t k = 1; k < order.size(); ++k) {
    const uint32_t x = order[k - 1], y = order[k];
    TD_ASSERT(rank[x] < rank[y] || key[x] < key[y], "TIDs in a cut are unique");
  }
  for (const uint32_t k : order) {
    place_initial_below(rank[k]);
    out.push_back(std::move(inserted[k]));
  }
  place_initial_below(n);
  return out;
}

Tid old_tid_of(const CutAtom& a) {
  return a.initial ? flat_tid(a.flat_index, a.flat_count) : a.old_tid;
}

int compare_cut_atom(const CutAtom& a, const Tid& t) {
  return compare_tids(a.initial ? flat_tid(a.flat_index, a.flat_count) : a.old_tid, t);
}

std::vector<FlatAtom> atoms_of(const std::vector<CutAtom>& cut_atoms) {
  std::vector<FlatAtom> atoms;
  atoms.reserve(cut_atoms.size());
  for (const CutAtom& c : cut_atoms) atoms.push_back(c.atom);
  return atoms;
}

uint64_t flatten_hash(const std::vector<FlatAtom>& atoms) {
  Fnv64 h;
  h.add_u64(atoms.size());
  for (const FlatAtom& a : atoms) {
    h.add_u64(a.ins_op.site);
    h.add_u64(a.ins_op.counter);
    h.add_u64(a.width);
    h.add_u64(a.atom.size());
    h.add_bytes(a.atom);
  }
  return h.value();
}

Colour colour_of(const Op& op, const DotSet& cut, const DotSet& initial_ids) {
  TD_ASSERT(op.run == 0, "a run is coloured member by member");
  if (!cut.contains(op.id)) return Colour::kBlack;
  if (op.is_insert()) return Colour::kCyan;
  const bool target_cyan = cut.contains(op.target) || initial_ids.contains(op.target);
  return target_cyan ? Colour::kCyan : Colour::kBlack;
}

namespace {

// An array's atoms as runs of consecutive insert ids, sorted by first id, each id once (asserted).
// Grouping before sorting sorts runs, not atoms.
template <typename Atoms, typename IdOf>
std::vector<AtomIdRun> sorted_id_runs(const Atoms& atoms, IdOf id_of) {
  std::vector<AtomIdRun> runs;
  for (uint64_t i = 0; i < atoms.size(); ++i) {
    const OpId id = id_of(atoms[i]);
    if (!runs.empty()) {
      AtomIdRun& r = runs.back();
      if (r.first.site == id.site && r.first.counter + r.count == id.counter) {
        ++r.count;
        continue;
      }
    }
    runs.push_back({id, 1, i});
  }
  std::sort(runs.begin(), runs.end(),
            [](const AtomIdRun& x, const AtomIdRun& y) { return x.first < y.first; });
  for (size_t k = 1; k < runs.size(); ++k) {
    const AtomIdRun& x = runs[k - 1];
    const AtomIdRun& y = runs[k];
    TD_ASSERT(x.first.site != y.first.site || x.first.counter + x.count <= y.first.counter,
              "each atom's insert id appears once");
  }
  return runs;
}

}  // namespace

DotSet ids_of_atoms(const std::vector<FlatAtom>& atoms) {
  DotSet set;
  for (const AtomIdRun& r : sorted_id_runs(atoms, [](const FlatAtom& a) { return a.ins_op; }))
    set.append_run(r.first, r.count);
  return set;
}

Translator::Translator(std::vector<CutAtom> a_cyan, DotSet cut, DotSet initial_ids,
                       uint64_t new_epoch)
    : a_cyan_(std::move(a_cyan)),
      cut_(std::move(cut)),
      initial_ids_(std::move(initial_ids)),
      new_epoch_(new_epoch),
      index_of_insert_(sorted_id_runs(a_cyan_, [](const CutAtom& a) { return a.atom.ins_op; })) {}

std::optional<uint64_t> Translator::index_of(OpId insert) const {
  // The last run starting at or before `insert`, if it reaches it.
  const auto after = std::partition_point(index_of_insert_.begin(), index_of_insert_.end(),
                                          [&](const AtomIdRun& r) { return !(insert < r.first); });
  if (after == index_of_insert_.begin()) return std::nullopt;
  const AtomIdRun& r = *std::prev(after);
  if (r.first.site != insert.site || insert.counter >= r.first.counter + r.count)
    return std::nullopt;
  return r.index + (insert.counter - r.first.counter);
}

Tid Translator::translate_tid(const Tid& old_tid) const {
  const auto after = std::partition_point(a_cyan_.begin(), a_cyan_.end(), [&](const CutAtom& a) {
    return compare_cut_atom(a, old_tid) < 0;
  });
  TD_ASSERT(after == a_cyan_.end() || compare_cut_atom(*after, old_tid) != 0,
            "a black op's TID is not a cyan atom's");
  const auto before = static_cast<uint64_t>(after - a_cyan_.begin());
  Tid t = before == 0 ? sentinel_tid() : flat_tid(before - 1, a_cyan_.size());
  t.push(1);  // (1:⊥): under c's own right child, which the layout leaves free
  t.append(old_tid);
  return t;
}

std::vector<Op> Translator::translate_run(const Op& op) const {
  std::vector<Op> moved;
  for (const Op& member : expand_run(op)) {
    if (colour_of(member, cut_, initial_ids_) == Colour::kCyan) continue;
    if (auto m = translate(member)) moved.push_back(std::move(*m));
  }
  // Translated base members are single ops: compress_runs regroups chains only.
  return compress_runs(moved, op.chain == RunChain::kBase ? RunChain::kMajor : op.chain);
}

std::optional<Op> Translator::translate(const Op& black) const {
  TD_ASSERT(colour_of(black, cut_, initial_ids_) == Colour::kBlack, "only black ops translate");
  Op out = black;
  out.epoch = new_epoch_;
  if (black.is_insert()) {
    out.tid = translate_tid(black.tid);
    return out;
  }
  if (const std::optional<uint64_t> at = index_of(black.target)) {
    out.tid = flat_tid(*at, a_cyan_.size());  // x in A_cyan
    return out;
  }
  if (cut_.contains(black.target) || initial_ids_.contains(black.target)) {
    return std::nullopt;  // x is a cyan tombstone: already gone in the new epoch
  }
  out.tid = translate_tid(black.tid);  // x is black: delete its translated position
  return out;
}

}  // namespace treedoc
