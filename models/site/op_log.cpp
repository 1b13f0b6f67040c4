// OpLog: dense per-origin op storage and the anti-entropy difference.
#include "models/site/op_log.hpp"

#include "models/treedoc/assertion.hpp"

namespace treedoc::site {

namespace {
// A counter this far ahead of an origin's log would make its dense vector absurd: a broken op.
constexpr uint64_t kCounterGapMax = uint64_t{1} << 32;
}  // namespace

bool OpLog::add(const SharedOp& op) {
  TD_ASSERT(op && op->id.counter > 0, "logged ops have ids");
  std::vector<SharedOp>& ops = by_origin_[op->id.site];
  const uint64_t slot = op->id.counter - 1;
  TD_ASSERT(slot < ops.size() + kCounterGapMax, "op counter far beyond its origin's log");
  if (slot >= ops.size()) ops.resize(slot + 1);
  if (ops[slot]) return false;
  ops[slot] = op;
  ++size_;
  return true;
}

bool OpLog::contains(OpId id) const {
  auto it = by_origin_.find(id.site);
  return it != by_origin_.end() && id.counter >= 1 && id.counter <= it->second.size() &&
         it->second[id.counter - 1] != nullptr;
}

std::vector<SharedOp> OpLog::missing_from(const DotSet& theirs, uint64_t count_max) const {
  std::vector<SharedOp> out;
  for (const auto& [site, ops] : by_origin_) {
    // Everything up to their contiguous bound they have; above it, look each one up.
    for (uint64_t c = theirs.contiguous(site) + 1; c <= ops.size(); ++c) {
      const SharedOp& op = ops[c - 1];
      if (!op || theirs.contains(op->id)) continue;
      if (out.size() == count_max) return out;
      out.push_back(op);
    }
  }
  return out;
}

}  // namespace treedoc::site
