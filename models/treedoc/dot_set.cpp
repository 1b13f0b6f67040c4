// Runs of consecutive counters for op-id sets (spec (b): `seen` compressed into a version vector,
// which is the one-run case).
#include "models/treedoc/dot_set.hpp"

#include <iterator>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

bool DotSet::contains(OpId id) const {
  const auto site = sites_.find(id.site);
  if (site == sites_.end()) return false;
  const Runs& runs = site->second;
  auto after = runs.upper_bound(id.counter);  // the first run starting above the counter
  if (after == runs.begin()) return false;
  return id.counter <= std::prev(after)->second;
}

bool DotSet::insert(OpId id) {
  TD_ASSERT(id.counter > 0, "op counters start at 1");
  const uint64_t c = id.counter;
  Runs& runs = sites_[id.site];
  const auto next = runs.upper_bound(c);
  const bool joins_next = next != runs.end() && next->first == c + 1;
  if (next != runs.begin()) {
    const auto prev = std::prev(next);
    if (c <= prev->second) return false;
    if (prev->second + 1 == c) {  // extends the previous run, maybe into the next
      prev->second = joins_next ? next->second : c;
      if (joins_next) runs.erase(next);
      ++size_;
      return true;
    }
  }
  if (joins_next) {  // the next run now starts one lower: re-key its node, no allocation
    auto node = runs.extract(next);
    node.key() = c;
    runs.insert(std::move(node));
  } else {
    runs.emplace_hint(next, c, c);
  }
  ++size_;
  return true;
}

std::vector<OpId> DotSet::to_vector() const {
  std::vector<OpId> out;
  out.reserve(size_);
  for (const auto& [site, runs] : sites_) {
    for (const auto& [first, last] : runs) {
      for (uint64_t c = first; c <= last; ++c) out.push_back({site, c});
    }
  }
  return out;
}

std::vector<OpId> DotSet::minus(const DotSet& other) const {
  std::vector<OpId> out;
  for (const OpId& id : to_vector()) {
    if (!other.contains(id)) out.push_back(id);
  }
  return out;
}

bool DotSet::includes(const DotSet& other) const {
  for (const OpId& id : other.to_vector()) {
    if (!contains(id)) return false;
  }
  return true;
}

}  // namespace treedoc
