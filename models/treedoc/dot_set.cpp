// Runs of consecutive counters for op-id sets (docs/protocol.md §2: `seen` compressed into a
// version vector, which is the one-run case), kept in one sorted flat vector.
#include "models/treedoc/dot_set.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/codec.hpp"

namespace treedoc {

void DotSet::Run::set_last(uint64_t last) {
  TD_ASSERT(last >= first && last - first < kRunCountersMax, "a run within kRunCountersMax");
  span = static_cast<uint32_t>(last - first);
}

void DotSet::Run::set_first(uint64_t first_new) {
  const uint64_t kept_last = last();
  first = first_new;
  set_last(kept_last);
}

size_t DotSet::first_run_of(SiteId site) const {
  const size_t n = runs_.size();
  if (n == 0 || site <= runs_.front().site) return 0;
  if (site > runs_.back().site) return n;
  // Site ids are dense in practice and most sites have one run, so the site's place among the
  // ids predicts its index: guess there, then gallop to bracket it and search only the bracket.
  // A set of a thousand sites then costs a cache line or two per lookup instead of the ten
  // misses of a binary search.
  const uint64_t span = runs_.back().site - runs_.front().site;  // > 0: front < site <= back
  const size_t guess = static_cast<size_t>(static_cast<uint64_t>(site - runs_.front().site) *
                                           static_cast<uint64_t>(n - 1) / span);
  size_t lo = 0, hi = 0;  // runs_[lo].site < site <= runs_[hi].site (hi == n: past the end)
  if (runs_[guess].site < site) {
    lo = guess;
    hi = guess + 1;
    for (size_t step = 1; hi < n && runs_[hi].site < site; step *= 2) {
      lo = hi;
      hi = std::min(n, lo + 2 * step);
    }
  } else {
    hi = guess;
    lo = hi - 1;  // guess > 0 here: runs_[0].site < site
    for (size_t step = 1; runs_[lo].site >= site; step *= 2) {
      hi = lo;
      lo = hi > 2 * step ? hi - 2 * step : 0;
    }
  }
  const auto at = std::lower_bound(runs_.begin() + static_cast<std::ptrdiff_t>(lo) + 1,
                                   runs_.begin() + static_cast<std::ptrdiff_t>(hi), site,
                                   [](const Run& r, SiteId s) { return r.site < s; });
  return static_cast<size_t>(at - runs_.begin());
}

size_t DotSet::run_after(OpId id) const {
  const auto starts_above = [&](const Run& r) {
    return r.site != id.site || r.first > id.counter;  // r.site >= id.site from k on
  };
  size_t k = first_run_of(id.site);
  // Most sites hold a run or two: look at those, then halve the rest of the site's runs. A scan
  // made a site's runs quadratic to build in id order (an epoch's base ids, a cut of a merged
  // history: measured in docs/BENCHMARKS.md).
  for (int step = 0; step < 2; ++step, ++k) {
    if (k == runs_.size() || starts_above(runs_[k])) return k;
  }
  const auto at = std::partition_point(runs_.begin() + static_cast<std::ptrdiff_t>(k), runs_.end(),
                                       [&](const Run& r) { return !starts_above(r); });
  return static_cast<size_t>(at - runs_.begin());
}

bool DotSet::contains(OpId id) const {
  const size_t after = run_after(id);
  return after > 0 && runs_[after - 1].site == id.site && id.counter <= runs_[after - 1].last();
}

bool DotSet::insert(OpId id) {
  TD_ASSERT(id.counter > 0, "op counters start at 1");
  const uint64_t c = id.counter;
  const size_t next = run_after(id);
  const bool has_next = next < runs_.size() && runs_[next].site == id.site;
  const bool joins_next = has_next && runs_[next].first == c + 1;
  if (next > 0 && runs_[next - 1].site == id.site) {
    Run& prev = runs_[next - 1];
    if (c <= prev.last()) return false;
    if (prev.last() + 1 == c) {  // extends the previous run, maybe into the next
      prev.set_last(joins_next ? runs_[next].last() : c);
      if (joins_next) runs_.erase(runs_.begin() + static_cast<std::ptrdiff_t>(next));
      ++size_;
      return true;
    }
  }
  if (joins_next) {
    runs_[next].set_first(c);  // the next run now starts one lower
  } else {
    runs_.insert(runs_.begin() + static_cast<std::ptrdiff_t>(next), Run{id.site, 0, c});
  }
  ++size_;
  return true;
}

void DotSet::insert_above(OpId first, uint64_t count) {
  TD_ASSERT(count > 0, "a non-empty run of ids");
  const bool added = insert(first);
  TD_ASSERT(added, "ids above every id of their site");
  if (count == 1) return;
  // first is now in its site's last run, at its end: the rest continue it.
  const size_t r = run_after(first) - 1;
  TD_ASSERT(runs_[r].site == first.site && runs_[r].last() == first.counter,
            "the run holding the first id ends with it");
  TD_ASSERT(r + 1 == runs_.size() || runs_[r + 1].site != first.site,
            "ids above every id of their site");
  runs_[r].set_last(first.counter + (count - 1));
  size_ += count - 1;
}

void DotSet::append_run(OpId first, uint64_t count) {
  TD_ASSERT(first.counter > 0 && count > 0, "a non-empty run of op counters from 1");
  const uint64_t last = first.counter + (count - 1);
  if (!runs_.empty() && runs_.back().site == first.site) {
    Run& back = runs_.back();
    TD_ASSERT(back.last() < first.counter, "an appended run follows the set");
    if (back.last() + 1 == first.counter) {
      back.set_last(last);
      size_ += count;
      return;
    }
  } else {
    TD_ASSERT(runs_.empty() || runs_.back().site < first.site, "an appended run follows the set");
  }
  runs_.push_back(Run{first.site, 0, first.counter});
  runs_.back().set_last(last);
  size_ += count;
}

std::vector<OpId> DotSet::to_vector() const {
  std::vector<OpId> out;
  out.reserve(size_);
  for (const Run& r : runs_) {
    for (uint64_t c = r.first; c <= r.last(); ++c) out.push_back({r.site, c});
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
  // Runs are maximal, so each of theirs must lie inside a single one of mine.
  for (const Run& theirs : other.runs_) {
    const size_t after = run_after({theirs.site, theirs.first});
    if (after == 0) return false;
    const Run& mine = runs_[after - 1];
    if (mine.site != theirs.site || mine.last() < theirs.last()) return false;
  }
  return true;
}

uint64_t DotSet::contiguous(SiteId site) const {
  const size_t k = first_run_of(site);
  return k < runs_.size() && runs_[k].site == site && runs_[k].first == 1 ? runs_[k].last() : 0;
}

size_t DotSet::encoded_size() const {
  size_t sites = 0, n = 0;
  for (size_t k = 0; k < runs_.size();) {
    const SiteId site = runs_[k].site;
    size_t end = k;
    uint64_t previous_last = 0;
    for (; end < runs_.size() && runs_[end].site == site; ++end) {
      // Gaps and lengths: small numbers, short varints.
      n += varint_size(runs_[end].first - previous_last) + varint_size(runs_[end].span);
      previous_last = runs_[end].last();
    }
    n += varint_size(site) + varint_size(end - k);
    ++sites;
    k = end;
  }
  return varint_size(sites) + n;
}

}  // namespace treedoc
