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

bool OpArchive::add(const SharedOp& op) {
  TD_ASSERT(op && op->id.counter > 0, "logged ops have ids");
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
  const uint64_t slot = op->id.counter - it->first;
  TD_ASSERT(slot < ops.size() + kCounterGapMax, "op counter far beyond its origin's log");
  if (slot >= ops.size()) ops.resize(slot + 1);
  if (ops[slot]) return false;
  ops[slot] = op;
  ++size_;
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
  for (const Origin& o : by_origin_) {
    // Everything up to their contiguous bound they have; above it, look each one up.
    for (uint64_t c = std::max(theirs.contiguous(o.site) + 1, o.first); c - o.first < o.ops.size();
         ++c) {
      const SharedOp& op = o.ops[c - o.first];
      if (!op || !mine.contains(op->id) || theirs.contains(op->id)) continue;
      if (out.size() == count_max) return out;
      out.push_back(op);
    }
  }
  return out;
}

}  // namespace treedoc::site
