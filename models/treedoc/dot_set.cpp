// Runs of consecutive counters for op-id sets (spec (b): `seen` compressed into a version vector,
// which is the one-run case).
#include "models/treedoc/dot_set.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"

namespace treedoc {

namespace {

using Run = std::pair<uint64_t, uint64_t>;

// The first run starting above c.
std::vector<Run>::const_iterator run_after(const std::vector<Run>& runs, uint64_t c) {
  return std::upper_bound(runs.begin(), runs.end(), c,
                          [](uint64_t x, const Run& r) { return x < r.first; });
}

bool runs_contain(const std::vector<Run>& runs, uint64_t c) {
  const auto after = run_after(runs, c);
  return after != runs.begin() && c <= std::prev(after)->second;
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
  if (site == sites_.end() || site->site != id.site) site = sites_.insert(site, PerSite{id.site, {}});
  std::vector<Run>& runs = site->runs;
  const auto next = runs.begin() + (run_after(runs, c) - runs.begin());
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
  if (joins_next) {
    next->first = c;  // the next run now starts one lower
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
    for (const auto& [first, last] : s.runs) {
      for (uint64_t c = first; c <= last; ++c) out.push_back({s.site, c});
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
    for (const auto& [first, last] : theirs.runs) {
      const auto after = run_after(mine->runs, first);
      if (after == mine->runs.begin() || std::prev(after)->second < last) return false;
    }
  }
  return true;
}

uint64_t DotSet::contiguous(SiteId site) const {
  const PerSite* s = find(site);
  return s && !s->runs.empty() && s->runs.front().first == 1 ? s->runs.front().second : 0;
}

size_t DotSet::encoded_size() const {
  size_t n = varint_size(sites_.size());
  for (const PerSite& s : sites_) {
    n += varint_size(s.site) + varint_size(s.runs.size());
    uint64_t previous_last = 0;
    for (const auto& [first, last] : s.runs) {  // gaps and lengths: small numbers, short varints
      n += varint_size(first - previous_last) + varint_size(last - first);
      previous_last = last;
    }
  }
  return n;
}

}  // namespace treedoc
