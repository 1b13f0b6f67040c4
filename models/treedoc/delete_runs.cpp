// DeleteRuns: an atom's delete joins the run that ends just before it or starts just after it
// when its id continues that run's ids.
#include "models/treedoc/delete_runs.hpp"

#include <iterator>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

bool DeleteRuns::Run::continue_at_end(OpId op) {
  if (site != op.site) return false;
  if (count == 1 && op.counter + 1 == first) falling = true;
  if (op.counter != id(count)) return false;
  ++count;
  return true;
}

bool DeleteRuns::add(uint32_t i, OpId op) {
  TD_ASSERT(op.counter > 0, "a real delete op");
  auto next = runs_.upper_bound(i);
  if (next != runs_.begin()) {
    auto before = std::prev(next);
    Run& r = before->second;
    if (i < before->first + r.count) return false;  // i has its first delete
    // Atom i continues the run at its end: its id is the next one, or the run's second.
    if (before->first + r.count == i && r.continue_at_end(op)) return true;
  }
  if (next != runs_.end() && next->first == i + 1 && next->second.site == op.site) {
    // Atom i continues the run at its start: the run's first id follows op's.
    Run r = next->second;
    if (r.count == 1) r.falling = r.first + 1 == op.counter;
    if (r.first == (r.falling ? op.counter - 1 : op.counter + 1)) {
      r.first = op.counter;
      ++r.count;
      // The run now starts at i: re-keyed in place, without a new allocation.
      const auto after = std::next(next);
      auto entry = runs_.extract(next);
      entry.key() = i;
      entry.mapped() = r;
      runs_.insert(after, std::move(entry));
      return true;
    }
  }
  runs_.emplace(i, Run{1, false, op.site, op.counter});
  return true;
}

void DeleteRuns::add_stretch(uint32_t i, uint32_t count, OpId first) {
  TD_ASSERT(count >= 1 && first.counter > 0, "a stretch of real delete ops");
  if (count > 1) {  // a backspace is one atom: add() alone, one map search
    const auto after = runs_.lower_bound(i + 1);
    TD_ASSERT(after == runs_.end() || after->first >= i + count,
              "no atom of the stretch has a first delete");
  }
  const bool added = add(i, first);
  TD_ASSERT(added, "the stretch's first atom had no first delete");
  // Each next atom meets the run holding the atom before it at its end, which is add()'s first
  // branch (Run::continue_at_end). Otherwise add() itself decides (a run of its own, or the run
  // after the stretch), and the atoms after go on from it.
  auto holding = std::prev(runs_.upper_bound(i));
  for (uint32_t k = 1; k < count; ++k) {
    TD_ASSERT(holding->first + holding->second.count == i + k, "the run ends before the next atom");
    const OpId op{first.site, first.counter + k};
    if (holding->second.continue_at_end(op)) continue;
    const bool added_next = add(i + k, op);
    TD_ASSERT(added_next, "no atom of the stretch has a first delete");
    holding = std::prev(runs_.upper_bound(i + k));
  }
}

size_t DeleteRuns::memory_bytes() const { return runs_.size() * kMapEntryBytes<uint32_t, Run>; }

OpId DeleteRuns::first_delete(uint32_t i) const {
  auto next = runs_.upper_bound(i);
  if (next == runs_.begin()) return kOpIdNone;
  const auto before = std::prev(next);
  const Run& r = before->second;
  if (i >= before->first + r.count) return kOpIdNone;
  return OpId{r.site, r.id(i - before->first)};
}

}  // namespace treedoc
