// Local intention, read back from the replica right after the edit.
#include "sim/check/local_intention.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "models/treedoc/run.hpp"

namespace treedoc::sim {

void LocalIntention::check(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                           const EditIntent& intent) {
  if (op.is_insert()) {
    check_insert(now, i, s, op, intent);
  } else {
    check_erase(now, i, s, op, intent);
  }
}

void LocalIntention::check_insert(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                                  const EditIntent& intent) {
  // A paste is one run op: its member j lands at index + j.
  std::optional<std::string> wrong;
  if (op.atoms() != intent.count) {
    wrong = "made " + std::to_string(op.atoms()) + " atoms of " + std::to_string(intent.count);
  }
  for_each_member(op, [&](const Op& member) {
    if (wrong) return;
    const uint64_t want = uint64_t{intent.index} + (member.id.counter - op.id.counter);
    const std::optional<uint32_t> at = s.replica().visible_index(member.tid);
    if (at == want) return;
    wrong = "atom " + text_.op(member.id) + " meant for index " + std::to_string(want) +
            " landed at " + (at ? std::to_string(*at) : "no visible index");
  });
  if (!wrong) return;
  verdict_->report({Invariant::kLocalIntention,
                    now,
                    {i},
                    {op.id},
                    "insert " + text_.op(op.id) + " at index " + std::to_string(intent.index) +
                        " of " + text_.site(i) + ": " + *wrong});
}

void LocalIntention::check_erase(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                                 const EditIntent& intent) {
  // A range erase is the fewest run ops; each is checked with the whole edit's intent: every
  // member removes one of the atoms meant, the document shrinks by the range, and the atom after
  // it moves to index.
  const Replica& r = s.replica();
  bool members_right = true;
  for_each_member(op, [&](const Op& member) {
    const bool meant =
        std::find(intent.erased.begin(), intent.erased.end(), member.target) != intent.erased.end();
    members_right = members_right && meant && !r.visible_index(member.tid).has_value();
  });
  const bool moved_up =
      !intent.next || (r.size() > intent.index && r.visible_id(intent.index) == *intent.next);
  if (members_right && uint64_t{r.size()} + intent.count == intent.size_before && moved_up) {
    return;
  }
  verdict_->report(
      {Invariant::kLocalIntention,
       now,
       {i},
       {op.id, op.target},
       "erase " + text_.op(op.id) + " of " + std::to_string(intent.count) + " at index " +
           std::to_string(intent.index) + " of " + text_.site(i) + " left " +
           std::to_string(r.size()) + " atoms of " + std::to_string(intent.size_before) +
           (members_right ? "" : ", not removing exactly the atoms meant") +
           (moved_up ? ""
                     : ", and the next atom did not move to " + std::to_string(intent.index))});
}

}  // namespace treedoc::sim
