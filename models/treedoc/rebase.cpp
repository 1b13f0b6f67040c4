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
  std::set<OpId> deleted;            // targets of every held delete, taken in by a cut or not
};

Split split_held(const std::vector<Op>& held) {
  Split s;
  for (const Op& op : held) {
    for (Op& m : expand_run(op)) {
      if (m.is_insert()) {
        s.inserts.push_back(std::move(m));
      } else {
        s.deleted.insert(m.target);
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
  for (const CutAtom& a : flatten_array(in.old_base, s.inserts)) {
    const OpId id = a.atom.ins_op;
    if (const std::optional<uint64_t> at = next.find(id)) {
      anchor = at;
      continue;
    }
    if (a.initial || !is_carried(id)) continue;
    Tid t = anchor ? flat_tid(*anchor, next.size()) : sentinel_tid();
    t.push(1);
    t.append(a.old_tid);
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
  // An own insert a held delete removed is not carried, nor its deletes: the delete may be in a
  // cut that missed the insert (docs/protocol.md correction 1), and the atom must not come back.
  const auto is_carried = [&](OpId id) {
    if (integrated(id)) return false;
    if (!own(id)) {
      ++out.foreign_inserts_left;
      return false;
    }
    if (s.deleted.count(id) == 0) return true;
    ++out.deleted_unsent;
    return false;
  };
  std::vector<OpId> order;
  const std::map<OpId, Tid> moved = anchor_own(in, s, next, is_carried, &out, &order);
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
  std::set<OpId> pending_ids;
  for (const Op& d : s.deletes) {
    if (integrated(d.id)) continue;  // a cut took it in: the base reflects it
    if (const std::optional<uint64_t> at = next.find(d.target)) {
      Op op = d;
      op.epoch = in.new_epoch;
      op.tid = flat_tid(*at, next.size());
      out.ops.push_back(std::move(op));
    } else if (integrated(d.target) || (own(d.target) && insert_of.count(d.target))) {
      ++out.deletes_absorbed;  // removed by a cut, or an own atom that is not carried
    } else if (pending_ids.insert(d.id).second) {
      out.pending_deletes.push_back(d);
    }
  }
  return out;
}

}  // namespace treedoc
