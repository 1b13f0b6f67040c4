// DeleteRuns: an atom's delete joins the run that ends just before it or starts just after it
// when its id continues that run's ids.
#include "models/treedoc/delete_runs.hpp"

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/node_index.hpp"

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
  if (const auto before = runs_.floor(i)) {
    Run& r = *before.value;
    if (i < before.key + r.count) return false;  // i has its first delete
    // Atom i continues the run at its end: its id is the next one, or the run's second.
    if (before.key + r.count == i && r.continue_at_end(op)) return true;
  }
  if (Run* next = runs_.find(i + 1); next != nullptr && next->site == op.site) {
    // Atom i continues the run at its start: the run's first id follows op's.
    Run r = *next;
    if (r.count == 1) r.falling = r.first + 1 == op.counter;
    if (r.first == (r.falling ? op.counter - 1 : op.counter + 1)) {
      r.first = op.counter;
      ++r.count;
      *next = r;
      runs_.rekey(i + 1, i);  // no entry lies between: i has no first delete
      return true;
    }
  }
  runs_.insert(i, Run{1, false, op.site, op.counter});
  return true;
}

void DeleteRuns::add_stretch(uint32_t i, uint32_t count, OpId first) {
  TD_ASSERT(count >= 1 && first.counter > 0, "a stretch of real delete ops");
  if (count > 1) {  // a backspace is one atom: add() alone, one search
    const auto after = runs_.ceiling(i + 1);
    TD_ASSERT(!after || after.key >= i + count, "no atom of the stretch has a first delete");
  }
  const bool added = add(i, first);
  TD_ASSERT(added, "the stretch's first atom had no first delete");
  // Each next atom meets the run holding the atom before it at its end, which is add()'s first
  // branch (Run::continue_at_end). Otherwise add() itself decides (a run of its own, or the run
  // after the stretch), and the atoms after go on from it.
  auto holding = runs_.floor(i);
  for (uint32_t k = 1; k < count; ++k) {
    TD_ASSERT(holding.key + holding.value->count == i + k, "the run ends before the next atom");
    const OpId op{first.site, first.counter + k};
    if (holding.value->continue_at_end(op)) {
      // A rising run that took op takes each next atom too (its next id is op's next): the rest
      // of the stretch in one step.
      if (!holding.value->falling) {
        const uint32_t rest = count - 1 - k;
        TD_ASSERT(holding.value->count + uint64_t{rest} < kBaseAtomsMax, "a run within the base");
        holding.value->count += rest;
        break;
      }
      continue;
    }
    const bool added_next = add(i + k, op);
    TD_ASSERT(added_next, "no atom of the stretch has a first delete");
    holding = runs_.floor(i + k);
  }
}

OpId DeleteRuns::first_delete(uint32_t i) const {
  const auto before = runs_.floor(i);
  if (!before) return kOpIdNone;
  const Run& r = *before.value;
  if (i >= before.key + r.count) return kOpIdNone;
  return OpId{r.site, r.id(i - before.key)};
}

}  // namespace treedoc
