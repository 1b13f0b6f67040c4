// No resurrection: a held delete, then the tree's word on the atom.
#include "sim/check/no_resurrection.hpp"

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/run.hpp"
#include "sim/base/time_text.hpp"

namespace treedoc::sim {

namespace {

// A bound on checks waiting for one site's verification; the simulator verifies every
// kReceivedOpsMax ops and after every step, so reaching it means a site is never verified.
constexpr size_t kUnverifiedOpsMax = 1 << 22;

OpId insert_of(const Op& op) { return op.is_insert() ? op.id : op.target; }  // one atom's op

}  // namespace

NoResurrection::NoResurrection(const Scenario& scenario, const RunHistory& history,
                               const ReportText& text, Verdict* verdict)
    : history_(history),
      text_(text),
      verdict_(verdict),
      unverified_(scenario.topology.site_count()) {}

std::vector<std::pair<uint32_t, OpId>> NoResurrection::held_deletes(SiteIndex i,
                                                                    const site::Site& s,
                                                                    const Op& op) const {
  std::vector<std::pair<uint32_t, OpId>> held;
  for (uint32_t j = 0; j < op.atoms(); ++j) {
    const OpId insert = op.is_insert() ? run_member_id(op, j) : run_member_target(op, j);
    if (const std::optional<OpId> d = history_.held_delete(i, s, insert, run_member_id(op, j))) {
      held.emplace_back(j, *d);
    }
  }
  return held;
}

void NoResurrection::check_members(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                                   const std::vector<std::pair<uint32_t, OpId>>& held,
                                   TimeUs applied_at_us) {
  if (op.run == 0) {  // a single-atom op is its own member: nothing to build
    if (!verdict_->failed()) check_invisible(now, i, s, op, held.front().second, applied_at_us);
    return;
  }
  size_t k = 0;  // the next of `held`
  RunMembers members(op);
  const Tree& tree = s.replica().tree();
  NodeIndex node = kNoNode;  // the member's node, found by its TID
  do {
    if (k == held.size() || verdict_->failed()) return;
    const Op& member = members.member();
    // Member j + 1's TID is member j's and one more element (RunChain), so its node is found from
    // j's in O(1), as find() would reach it, instead of walking a TID that grows with j.
    node = node != kNoNode && op.chain != RunChain::kBase
               ? tree.find_chain_child(node, op.chain == RunChain::kMini,
                                       member.tid.dises().back().second)
               : tree.find(member.tid);
    if (held[k].first != members.index()) continue;
    if (node != kNoNode && tree.visible(node)) {
      report(now, i, member, held[k].second, applied_at_us);
    }
    ++k;
  } while (members.next());
}

void NoResurrection::check_now(TimeUs now, SiteIndex i, const site::Site& s, const Op& op) {
  if (op.run == 0) {  // the common case, without a vector (this runs for every op at every site)
    const std::optional<OpId> d = history_.held_delete(i, s, insert_of(op), op.id);
    if (d) check_invisible(now, i, s, op, *d, now);
    return;
  }
  const std::vector<std::pair<uint32_t, OpId>> held = held_deletes(i, s, op);
  if (!held.empty()) check_members(now, i, s, op, held, now);
}

void NoResurrection::made(TimeUs now, SiteIndex i, const site::Site& s, const Op& op) {
  check_now(now, i, s, op);
}

void NoResurrection::applied(TimeUs now, SiteIndex i, const site::Site& s,
                             const site::SharedOp& op) {
  if (!s.config().defer_integration) {
    check_now(now, i, s, *op);
    return;
  }
  // The tree shows the op after the site's next verification, an instant the run defines
  // whatever the observer does, and a site acts on its tree only after it.
  std::vector<std::pair<uint32_t, OpId>> held = held_deletes(i, s, *op);
  if (held.empty()) return;
  TD_ASSERT(unverified_[i].size() < kUnverifiedOpsMax, "the simulator verifies in batches");
  unverified_[i].push_back({op, std::move(held), now});
}

void NoResurrection::verified(TimeUs now, SiteIndex i, const site::Site& s) {
  std::vector<Unverified> waiting;
  waiting.swap(unverified_[i]);
  // Latest first: of several ops that show the same resurrection, the one applied last says best
  // when it began.
  for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) {
    const Unverified& u = *it;
    if (verdict_->failed()) return;
    // Applied in an epoch the site has since left (within one step): as applied(), not checked.
    if (u.op->epoch != s.epoch()) continue;
    check_members(now, i, s, *u.op, u.held_deletes, u.applied_at_us);
  }
}

void NoResurrection::check_invisible(TimeUs now, SiteIndex i, const site::Site& s, const Op& op,
                                     OpId d, TimeUs applied_at_us) {
  // A delete carries its target's TID.
  if (s.replica().visible_index(op.tid).has_value()) report(now, i, op, d, applied_at_us);
}

void NoResurrection::report(TimeUs now, SiteIndex i, const Op& op, OpId d, TimeUs applied_at_us) {
  const OpId insert = insert_of(op);
  const Tid& tid = op.tid;
  verdict_->report(
      {Invariant::kNoResurrection,
       now,
       {i},
       {insert, d},
       text_.site(i) + " has applied delete " + text_.op(d) + " yet shows atom " +
           text_.op(insert) + " (TID " + to_string(tid) + ")" +
           (applied_at_us == now ? ""
                                 : "; found at its verification, having applied op " +
                                       text_.op(op.id) + " at " + seconds_text(applied_at_us))});
}

}  // namespace treedoc::sim
