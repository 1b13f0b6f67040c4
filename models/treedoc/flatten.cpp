// Flatten layout, flatten(C) from ops, colouring and graft translation (docs/protocol.md §3 and
// §4).
#include "models/treedoc/flatten.hpp"

#include <algorithm>
#include <bit>
#include <iterator>

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

namespace {

struct PendingInsert {
  FlatAtom atom;
  Tid old_tid;
};

// The order of `inserts` in the comparator's order, and each one's place among A's `n` atoms.
// Each place comes from a descent of A's implicit layout (flat_rank), O(log n) with no TID built.
// Inserts between the same two atoms of A (typing after a flatten: most of them) are then ordered
// by sort keys, each TID read once (tid_sort_key). Indices are sorted, not inserts: a swap would
// move a string and two vectors.
std::vector<uint32_t> order_inserts(const std::vector<PendingInsert>& inserts, uint64_t n,
                                    std::vector<uint64_t>* rank) {
  rank->resize(inserts.size());
  std::vector<std::string> key(inserts.size());
  std::vector<uint32_t> order(inserts.size());
  for (uint32_t k = 0; k < order.size(); ++k) {
    order[k] = k;
    (*rank)[k] = flat_rank(inserts[k].old_tid, n);
    key[k] = tid_sort_key(inserts[k].old_tid);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return (*rank)[x] != (*rank)[y] ? (*rank)[x] < (*rank)[y] : key[x] < key[y];
  });
  for (size_t k = 1; k < order.size(); ++k) {
    const uint32_t x = order[k - 1], y = order[k];
    TD_ASSERT((*rank)[x] < (*rank)[y] || key[x] < key[y], "TIDs in a cut are unique");
  }
  return order;
}

}  // namespace

CutArray flatten_array(const std::vector<FlatAtom>& initial_atoms, const std::vector<Op>& cut_ops) {
  // Every cut atom carries its own TID here, so runs are expanded (members' TIDs are implicit).
  std::vector<Op> expanded;
  for (const Op& op : cut_ops) {
    if (op.run == 0) continue;
    for (Op& m : expand_run(op)) expanded.push_back(std::move(m));
  }
  // Runs of ids, as deletes of a typed or pasted stretch come: lookups for every atom of A touch
  // a few runs rather than a tree node per delete.
  DotSet deleted;
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
  // only the cut's inserts are sorted and merged in: no TID is built for an atom of A.
  std::vector<PendingInsert> inserted;
  for_each_single([&](const Op& op) {
    if (!op.is_insert() || deleted.contains(op.id)) return;
    inserted.push_back({FlatAtom{op.atom, op.width, op.id}, op.tid});
  });
  const uint64_t n = initial_atoms.size();
  std::vector<uint64_t> rank;
  const std::vector<uint32_t> order = order_inserts(inserted, n, &rank);
  CutArray out;
  out.order.initial_count = n;
  out.atoms.reserve(n + inserted.size());
  out.order.inserts.reserve(inserted.size());
  uint64_t next_initial = 0;  // A's atoms before it are placed
  const auto place_initial_below = [&](uint64_t end) {
    for (; next_initial < end; ++next_initial) {
      const FlatAtom& a = initial_atoms[next_initial];
      if (deleted.contains(a.ins_op)) {
        out.order.deleted_initial.push_back(next_initial);
      } else {
        out.atoms.push_back(a);
      }
    }
  };
  for (const uint32_t k : order) {
    place_initial_below(rank[k]);
    out.order.inserts.push_back({out.atoms.size(), std::move(inserted[k].old_tid)});
    out.atoms.push_back(std::move(inserted[k].atom));
  }
  place_initial_below(n);
  return out;
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

Translator::Translator(const std::vector<FlatAtom>& atoms, CutOrder order, DotSet cut,
                       DotSet initial_ids, uint64_t new_epoch)
    : a_cyan_size_(atoms.size()),
      order_(std::move(order)),
      cut_(std::move(cut)),
      initial_ids_(std::move(initial_ids)),
      new_epoch_(new_epoch),
      index_of_insert_(sorted_id_runs(atoms, [](const FlatAtom& a) { return a.ins_op; })) {
  TD_ASSERT(
      a_cyan_size_ + order_.deleted_initial.size() == order_.initial_count + order_.inserts.size(),
      "A_cyan is A less its deleted atoms, plus the cut's inserts");
}

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

uint64_t Translator::a_cyan_below(const Tid& old_tid) const {
  // A_cyan merges A less its deleted atoms with the cut's inserts, so its atoms below old_tid are
  // A's below it (flat_rank), less the deleted ones among those, plus the inserts below it.
  const uint64_t initial_below = flat_rank(old_tid, order_.initial_count);
  const std::vector<uint64_t>& deleted = order_.deleted_initial;
  const auto deleted_below =
      std::lower_bound(deleted.begin(), deleted.end(), initial_below) - deleted.begin();
  const std::vector<CutInsert>& inserts = order_.inserts;
  const auto after = std::partition_point(inserts.begin(), inserts.end(), [&](const CutInsert& c) {
    return compare_tids(c.old_tid, old_tid) < 0;
  });
  TD_ASSERT(after == inserts.end() || compare_tids(after->old_tid, old_tid) != 0,
            "a black op's TID is not a cyan atom's");
  const auto inserts_below = after - inserts.begin();
  return initial_below - static_cast<uint64_t>(deleted_below) +
         static_cast<uint64_t>(inserts_below);
}

Tid Translator::translate_tid(const Tid& old_tid) const {
  const uint64_t before = a_cyan_below(old_tid);
  Tid t = before == 0 ? sentinel_tid() : flat_tid(before - 1, a_cyan_size_);
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
    out.tid = flat_tid(*at, a_cyan_size_);  // x in A_cyan
    return out;
  }
  if (cut_.contains(black.target) || initial_ids_.contains(black.target)) {
    return std::nullopt;  // x is a cyan tombstone: already gone in the new epoch
  }
  out.tid = translate_tid(black.tid);  // x is black: delete its translated position
  return out;
}

}  // namespace treedoc
