// TID uniqueness: one owner per (epoch, TID).
#include "sim/check/tid_uniqueness.hpp"

namespace treedoc::sim {

bool TidUniqueness::claim(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid,
                          const char* how) {
  const auto [owner, first] = owner_.emplace(encoded_tid + '@' + std::to_string(op.epoch), op.id);
  if (first || owner->second == op.id) return true;
  verdict_->report({Invariant::kTidUniqueness,
                    now,
                    {i},
                    {op.id, owner->second},
                    "insert " + text_.op(op.id) + " " + how + " at " + text_.site(i) +
                        " reuses TID " + to_string(op.tid) + " of insert " +
                        text_.op(owner->second)});
  return false;
}

void TidUniqueness::rejected(TimeUs now, SiteIndex i, const site::Rejection& r) {
  if (verdict_->failed()) return;
  const bool collision = r.outcome == ApplyOutcome::kIdCollision;
  verdict_->report({collision ? Invariant::kTidUniqueness : Invariant::kWellFormedOps,
                    now,
                    {i},
                    {r.op->id},
                    text_.site(i) + " rejected op " + text_.op(r.op->id) + " " + to_string(*r.op) +
                        ": " + to_string(r.outcome)});
}

}  // namespace treedoc::sim
