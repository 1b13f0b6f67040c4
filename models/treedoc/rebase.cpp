// Re-basing by atom identity (docs/protocol.md §4, "Beyond retention"): the walk of the old epoch
// that anchors each own insert to its nearest surviving left neighbour, and deletes by target id.
#include "models/treedoc/rebase.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/flatten.hpp"
#include "models/treedoc/run.hpp"

namespace treedoc {

BaseIndex::BaseIndex(const std::vector<FlatAtom>& base) : size_(base.size()) {
  sorted_.reserve(base.size());
  for (uint64_t i = 0; i < base.size(); ++i) sorted_.emplace_back(base[i].ins_op, i);
  std::sort(sorted_.begin(), sorted_.end());
}

std::optional<uint64_t> BaseIndex::find(OpId id) const {
  const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(id, uint64_t{0}));
  if (it == sorted_.end() || it->first != id) return std::nullopt;
  return it->second;
}

namespace {

struct Split {
  std::vector<Op> inserts, deletes;  // single-atom ops
};

Split split_held(const std::vector<Op>& held) {
  Split s;
  for (const Op& op : held) {
    for (Op& m : expand_run(op)) {
      if (m.is_insert()) {
        s.inserts.push_back(std::move(m));
      } else {
        s.deletes.push_back(std::move(m));
      }
    }
  }
  return s;
}

// The own inserts to carry, with their new TIDs, in the old epoch's order: below the nearest atom
// before them that the new base shows (n_b if none), the old path grafted whole as §4 step 6
// grafts, so a run of own atoms keeps its order and stays together.
std::map<OpId, Tid> anchor_own(const RebaseInput& in, const Split& s, const BaseIndex& next,
                               const std::function<bool(OpId)>& is_carried, Rebased* out,
                               std::vector<OpId>* order) {
  std::map<OpId, Tid> moved;
  std::optional<uint64_t> anchor;
  const CutArray old_order = flatten_array(in.old_base, s.inserts);
  auto insert = old_order.order.inserts.begin();  // the next of the old order's inserts
  for (uint64_t k = 0; k < old_order.atoms.size(); ++k) {
    const OpId id = old_order.atoms[k].ins_op;
    const bool initial = insert == old_order.order.inserts.end() || insert->position != k;
    const auto old_insert = initial ? old_order.order.inserts.end() : insert++;
    if (const std::optional<uint64_t> at = next.find(id)) {
      anchor = at;
      continue;
    }
    if (initial || !is_carried(id)) continue;
    Tid t = anchor ? flat_tid(*anchor, next.size()) : sentinel_tid();
    t.push(1);
    t.append(old_insert->old_tid);
    moved.emplace(id, std::move(t));
    order->push_back(id);
  }
  out->inserts_rebased = moved.size();
  return moved;
}

}  // namespace

Rebased rebase_onto(const RebaseInput& in, const std::function<bool(OpId)>& own) {
  Rebased out;
  const Split s = split_held(in.held);
  std::set<OpId> old_ids;
  for (const FlatAtom& a : in.old_base) old_ids.insert(a.ins_op);
  const auto integrated = [&](OpId id) { return in.integrated.contains(id) || old_ids.count(id); };
  const BaseIndex next(in.new_base);
  const auto is_carried = [&](OpId id) {
    if (integrated(id)) return false;
    if (own(id)) return true;
    ++out.foreign_inserts_left;
    return false;
  };
  std::vector<OpId> order;
  std::map<OpId, Tid> moved = anchor_own(in, s, next, is_carried, &out, &order);
  // An own insert the new epoch already holds a delete of (a pre-tombstone carried from a cut
  // that missed the insert, docs/protocol.md correction 1) goes where that delete points: it
  // lands dead, and the delete's one TID stays the insert's.
  for (const Op& d : in.carried_deletes) {
    const auto it = moved.find(d.target);
    if (it == moved.end()) continue;
    it->second = d.tid;
    ++out.placed_dead;
  }
  std::map<OpId, const Op*> insert_of;
  for (const Op& op : s.inserts) insert_of.emplace(op.id, &op);
  for (const OpId& id : order) {
    Op op = *insert_of.at(id);
    op.epoch = in.new_epoch;
    op.tid = moved.at(id);
    out.ops.push_back(std::move(op));
  }
  // Runs held come out as their members, single-atom ops: an epoch's op log names each op by its
  // first id, and a cut counts atoms (models/site/op_archive.hpp).
  // The carried deletes that met an own atom, verbatim (the core's own op): it lands dead at once.
  for (const Op& d : in.carried_deletes) {
    if (moved.count(d.target)) out.ops.push_back(d);
  }
  std::set<OpId> pending_ids;
  for (const Op& d : s.deletes) {
    if (integrated(d.id)) continue;  // a cut took it in: the base reflects it
    const std::optional<uint64_t> at = next.find(d.target);
    const auto to = moved.find(d.target);
    if (at || to != moved.end()) {
      Op op = d;
      op.epoch = in.new_epoch;
      op.tid = at ? flat_tid(*at, next.size()) : to->second;
      out.ops.push_back(std::move(op));
    } else if (pending_ids.insert(d.id).second) {
      // Another site's atom, or one a cut took in that the base lacks: removed by a later cut, or
      // still in the current epoch's ops; the delete waits for its insert, harmless if none comes.
      out.pending_deletes.push_back(d);
    }
  }
  return out;
}

}  // namespace treedoc
