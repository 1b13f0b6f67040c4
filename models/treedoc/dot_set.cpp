// Runs of consecutive counters for op-id sets (spec (b): `seen` compressed into a version vector,
// which is the one-run case).
#include "models/treedoc/dot_set.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"

namespace treedoc {

namespace {

bool runs_contain(const RunList& runs, uint64_t c) {
  const size_t after = runs.upper(c);
  return after > 0 && c <= runs[after - 1].second;
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
  return s != nullptr && runs_contain(s->runs, id.counter);
}

bool DotSet::insert(OpId id) {
  TD_ASSERT(id.counter > 0, "op counters start at 1");
  const uint64_t c = id.counter;
  auto site = sites_.begin() + static_cast<std::ptrdiff_t>(position(id.site));
  if (site == sites_.end() || site->site != id.site)
    site = sites_.insert(site, PerSite{id.site, {}});
  RunList& runs = site->runs;
  const size_t next = runs.upper(c);
  const bool joins_next = next < runs.size() && runs[next].first == c + 1;
  if (next > 0) {
    RunList::Run& prev = runs[next - 1];
    if (c <= prev.second) return false;
    if (prev.second + 1 == c) {  // extends the previous run, maybe into the next
      prev.second = joins_next ? runs[next].second : c;
      if (joins_next) runs.erase(next);
      ++size_;
      return true;
    }
  }
  if (joins_next) {
    runs[next].first = c;  // the next run now starts one lower
  } else {
    runs.insert(next, {c, c});
  }
  ++size_;
  return true;
}

std::vector<OpId> DotSet::to_vector() const {
  std::vector<OpId> out;
  out.reserve(size_);
  for (const PerSite& s : sites_) {
    for (size_t k = 0; k < s.runs.size(); ++k) {
      for (uint64_t c = s.runs[k].first; c <= s.runs[k].second; ++c) out.push_back({s.site, c});
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
  for (const PerSite& theirs : other.sites_) {
    const PerSite* mine = find(theirs.site);
    if (!mine) {
      if (!theirs.runs.empty()) return false;
      continue;
    }
    // Runs are maximal, so each of theirs must lie inside a single one of mine.
    for (size_t k = 0; k < theirs.runs.size(); ++k) {
      const auto [first, last] = theirs.runs[k];
      const size_t after = mine->runs.upper(first);
      if (after == 0 || mine->runs[after - 1].second < last) return false;
    }
  }
  return true;
}

uint64_t DotSet::contiguous(SiteId site) const {
  const PerSite* s = find(site);
  return s && !s->runs.empty() && s->runs[0].first == 1 ? s->runs[0].second : 0;
}

size_t DotSet::encoded_size() const {
  size_t n = varint_size(sites_.size());
  for (const PerSite& s : sites_) {
    n += varint_size(s.site) + varint_size(s.runs.size());
    uint64_t previous_last = 0;
    for (size_t k = 0; k < s.runs.size(); ++k) {  // gaps and lengths: small numbers, short varints
      n += varint_size(s.runs[k].first - previous_last) +
           varint_size(s.runs[k].second - s.runs[k].first);
      previous_last = s.runs[k].second;
    }
  }
  return n;
}

}  // namespace treedoc
