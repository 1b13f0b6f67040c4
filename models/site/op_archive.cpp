// OpArchive: dense per-origin op storage and the anti-entropy difference.
#include "models/site/op_archive.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"

namespace treedoc::site {

namespace {
// A counter this far ahead of an origin's log would make its dense vector absurd: a broken op.
constexpr uint64_t kCounterGapMax = uint64_t{1} << 32;
}  // namespace

const OpArchive::Origin* OpArchive::find(SiteId site) const {
  auto it = std::lower_bound(by_origin_.begin(), by_origin_.end(), site,
                             [](const Origin& o, SiteId id) { return o.site < id; });
  return it != by_origin_.end() && it->site == site ? &*it : nullptr;
}

OpArchive::Origin& OpArchive::origin_for(const SharedOp& op) {
  auto it = std::lower_bound(by_origin_.begin(), by_origin_.end(), op->id.site,
                             [](const Origin& o, SiteId id) { return o.site < id; });
  if (it == by_origin_.end() || it->site != op->id.site) {
    it = by_origin_.insert(it, Origin{op->id.site, op->id.counter, {}});
  }
  std::vector<SharedOp>& ops = it->ops;
  if (op->id.counter < it->first) {  // rare: a translated op older than the epoch's first
    TD_ASSERT(it->first - op->id.counter < kCounterGapMax, "op counter far below its origin's");
    ops.insert(ops.begin(), it->first - op->id.counter, nullptr);
    it->first = op->id.counter;
  }
  const uint64_t end = op->id.counter - it->first + op->atoms();
  TD_ASSERT(end <= ops.size() + kCounterGapMax, "op counter far beyond its origin's log");
  if (end > ops.size()) ops.resize(end);
  return *it;
}

uint32_t OpArchive::held_atoms(const Origin& o, const Op& op) const {
  uint32_t held = 0;
  for (uint32_t j = 0; j < op.atoms(); ++j) held += o.ops[op.id.counter - o.first + j] ? 1 : 0;
  return held;
}

bool OpArchive::add(const SharedOp& op) {
  TD_ASSERT(op && op->id.counter > 0, "logged ops have ids");
  Origin& o = origin_for(op);
  const uint32_t held = held_atoms(o, *op);
  if (held == op->atoms()) return false;
  if (held == 0) {
    for (uint32_t j = 0; j < op->atoms(); ++j) o.ops[op->id.counter - o.first + j] = op;
  } else {
    const auto absent = [&](OpId id) { return !o.ops[id.counter - o.first]; };
    for (SharedOp& m : shared_atoms(op, absent)) o.ops[m->id.counter - o.first] = std::move(m);
  }
  size_ += op->atoms() - held;
  return true;
}

bool OpArchive::contains(OpId id) const {
  const Origin* o = find(id.site);
  return o && id.counter >= o->first && id.counter - o->first < o->ops.size() &&
         o->ops[id.counter - o->first] != nullptr;
}

std::vector<SharedOp> OpArchive::missing_from(const DotSet& mine, const DotSet& theirs,
                                              uint64_t count_max) const {
  std::vector<SharedOp> out;
  const auto wanted = [&](OpId id) { return mine.contains(id) && !theirs.contains(id); };
  for (const Origin& o : by_origin_) {
    // Everything up to their contiguous bound they have; above it, look each one up.
    uint64_t c = std::max(theirs.contiguous(o.site) + 1, o.first);
    while (c - o.first < o.ops.size()) {
      const SharedOp& op = o.ops[c - o.first];
      if (!op) {
        ++c;
        continue;
      }
      c = op->id.counter + op->atoms();  // every slot of op holds op
      uint32_t count = 0;
      for_each_atom_id(*op, [&](OpId id) { count += wanted(id) ? 1 : 0; });
      if (count == 0) continue;
      if (count == op->atoms()) {
        if (out.size() == count_max) return out;
        out.push_back(op);
        continue;
      }
      for (SharedOp& m : shared_atoms(op, wanted)) {
        if (out.size() == count_max) return out;
        out.push_back(std::move(m));
      }
    }
  }
  return out;
}

std::vector<SharedOp> OpArchive::missing_atoms_from(const DotSet& mine, const DotSet& theirs,
                                                    uint64_t count_max) const {
  std::vector<SharedOp> out;
  for (const SharedOp& op : missing_from(mine, theirs, count_max)) {
    for (SharedOp& m : shared_atoms(op, [](OpId) { return true; })) out.push_back(std::move(m));
    if (out.size() >= count_max) break;
  }
  if (out.size() > count_max) out.resize(count_max);
  return out;
}

}  // namespace treedoc::site
