// Version vector with exceptions for op-id sets (spec (b): `seen` compressed into a version
// vector).
#include "models/treedoc/dot_set.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"

namespace treedoc {

namespace {

bool has_extra(const std::vector<uint64_t>& extras, uint64_t c) {
  return std::binary_search(extras.begin(), extras.end(), c);
}

}  // namespace

size_t DotSet::position(SiteId site) const {
  // Site ids are dense in practice, so where the site would sit if every id from the first were
  // present is usually exactly where it is: one probe instead of a binary search.
  if (!sites_.empty() && site >= sites_.front().site) {
    const size_t guess = site - sites_.front().site;
    if (guess < sites_.size() && sites_[guess].site == site) return guess;
  }
  return static_cast<size_t>(
      std::lower_bound(sites_.begin(), sites_.end(), site,
                       [](const PerSite& s, SiteId id) { return s.site < id; }) -
      sites_.begin());
}

const DotSet::PerSite* DotSet::find(SiteId site) const {
  const size_t at = position(site);
  return at < sites_.size() && sites_[at].site == site ? &sites_[at] : nullptr;
}

bool DotSet::contains(OpId id) const {
  const PerSite* s = find(id.site);
  if (!s) return false;
  return id.counter <= s->contiguous || has_extra(s->extras, id.counter);
}

bool DotSet::insert(OpId id) {
  TD_ASSERT(id.counter > 0, "op counters start at 1");
  auto it = sites_.begin() + static_cast<std::ptrdiff_t>(position(id.site));
  if (it == sites_.end() || it->site != id.site) it = sites_.insert(it, PerSite{id.site, 0, {}});
  PerSite& s = *it;
  if (id.counter <= s.contiguous) return false;
  if (id.counter == s.contiguous + 1) {
    ++s.contiguous;
    // Absorb extras that have become contiguous.
    size_t absorbed = 0;
    while (absorbed < s.extras.size() && s.extras[absorbed] == s.contiguous + 1) {
      ++absorbed;
      ++s.contiguous;
    }
    s.extras.erase(s.extras.begin(), s.extras.begin() + static_cast<std::ptrdiff_t>(absorbed));
  } else {
    auto e = std::lower_bound(s.extras.begin(), s.extras.end(), id.counter);
    if (e != s.extras.end() && *e == id.counter) return false;
    s.extras.insert(e, id.counter);
  }
  ++size_;
  return true;
}

std::vector<OpId> DotSet::to_vector() const {
  std::vector<OpId> out;
  out.reserve(size_);
  for (const PerSite& s : sites_) {
    for (uint64_t c = 1; c <= s.contiguous; ++c) out.push_back({s.site, c});
    for (uint64_t c : s.extras) out.push_back({s.site, c});
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
  for (const PerSite& theirs : other.sites_) {
    const PerSite* mine = find(theirs.site);
    if (!mine) {
      if (theirs.contiguous > 0 || !theirs.extras.empty()) return false;
      continue;
    }
    for (uint64_t c = mine->contiguous + 1; c <= theirs.contiguous; ++c) {
      if (!has_extra(mine->extras, c)) return false;
    }
    for (uint64_t c : theirs.extras) {
      if (c > mine->contiguous && !has_extra(mine->extras, c)) return false;
    }
  }
  return true;
}

uint64_t DotSet::contiguous(SiteId site) const {
  const PerSite* s = find(site);
  return s ? s->contiguous : 0;
}

size_t DotSet::encoded_size() const {
  size_t n = varint_size(sites_.size());
  for (const PerSite& s : sites_) {
    n += varint_size(s.site) + varint_size(s.contiguous) + varint_size(s.extras.size());
    for (uint64_t c : s.extras) n += varint_size(c);
  }
  return n;
}

}  // namespace treedoc
