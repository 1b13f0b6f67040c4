// Version vector with exceptions for op-id sets (spec (b): `seen` compressed into a version
// vector).
#include "models/treedoc/dot_set.hpp"

#include "models/treedoc/assertion.hpp"

namespace treedoc {

bool DotSet::contains(OpId id) const {
  auto it = sites_.find(id.site);
  if (it == sites_.end()) return false;
  return id.counter <= it->second.contiguous || it->second.extras.count(id.counter) > 0;
}

bool DotSet::insert(OpId id) {
  TD_ASSERT(id.counter > 0, "op counters start at 1");
  PerSite& s = sites_[id.site];
  if (id.counter <= s.contiguous) return false;
  if (id.counter == s.contiguous + 1) {
    ++s.contiguous;
    // Absorb extras that have become contiguous.
    while (!s.extras.empty() && *s.extras.begin() == s.contiguous + 1) {
      s.extras.erase(s.extras.begin());
      ++s.contiguous;
    }
  } else if (!s.extras.insert(id.counter).second) {
    return false;
  }
  ++size_;
  return true;
}

std::vector<OpId> DotSet::to_vector() const {
  std::vector<OpId> out;
  out.reserve(size_);
  for (const auto& [site, s] : sites_) {
    for (uint64_t c = 1; c <= s.contiguous; ++c) out.push_back({site, c});
    for (uint64_t c : s.extras) out.push_back({site, c});
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
