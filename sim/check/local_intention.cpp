// Local intention, read back from the replica right after the edit.
#include "sim/check/local_intention.hpp"

namespace treedoc::sim {

void LocalIntention::check(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                           const EditIntent& intent) {
  const uint32_t index = intent.index;
  const uint32_t size_before = intent.size_before;
  const Replica& r = s.replica();
  if (op.is_insert()) {
    const std::optional<uint32_t> at = r.visible_index(op.tid);
    if (at == index) return;
    verdict_->report({Invariant::kLocalIntention,
                      now,
                      {i},
                      {op.id},
                      "insert " + text_.op(op.id) + " at index " + std::to_string(index) + " of " +
                          text_.site(i) + " landed at " +
                          (at ? std::to_string(*at) : "no visible index")});
    return;
  }
  const bool moved_up = !intent.next || (r.size() > index && r.visible_id(index) == *intent.next);
  if (r.size() + 1 == size_before && !r.visible_index(op.tid).has_value() &&
      intent.erased == op.target && moved_up) {
    return;
  }
  verdict_->report(
      {Invariant::kLocalIntention,
       now,
       {i},
       {op.id, op.target},
       "erase " + text_.op(op.id) + " at index " + std::to_string(index) + " of " + text_.site(i) +
           " left " + std::to_string(r.size()) + " atoms of " + std::to_string(size_before) +
           (moved_up ? "" : ", and the next atom did not move to " + std::to_string(index))});
}

}  // namespace treedoc::sim
