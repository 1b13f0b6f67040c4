// Version vector with exceptions for op-id sets (spec (b): `seen` compressed into a version
// vector).
#include "models/treedoc/dot_set.hpp"

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"

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
  for (const auto& [site, theirs] : other.sites_) {
    auto it = sites_.find(site);
    if (it == sites_.end()) return theirs.contiguous == 0 && theirs.extras.empty();
    const PerSite& mine = it->second;
    for (uint64_t c = mine.contiguous + 1; c <= theirs.contiguous; ++c) {
      if (mine.extras.count(c) == 0) return false;
    }
    for (uint64_t c : theirs.extras) {
      if (c > mine.contiguous && mine.extras.count(c) == 0) return false;
    }
  }
  return true;
}

uint64_t DotSet::contiguous(SiteId site) const {
  auto it = sites_.find(site);
  return it == sites_.end() ? 0 : it->second.contiguous;
}

size_t DotSet::encoded_size() const {
  size_t n = varint_size(sites_.size());
  for (const auto& [site, s] : sites_) {
    n += varint_size(site) + varint_size(s.contiguous) + varint_size(s.extras.size());
    for (uint64_t c : s.extras) n += varint_size(c);
  }
  return n;
}

}  // namespace treedoc
