// The runs of one site's counters in a DotSet: sorted, disjoint (first, last) pairs, the first run
// kept inline. Nearly every site has exactly one run, so copying a set (a digest snapshot per
// anti-entropy round) allocates nothing for it.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

class RunList {
 public:
  using Run = std::pair<uint64_t, uint64_t>;  // (first, last) counters, inclusive

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const Run& operator[](size_t k) const { return k == 0 ? head_ : tail_[k - 1]; }
  Run& operator[](size_t k) { return k == 0 ? head_ : tail_[k - 1]; }

  // The index of the first run starting above c (size() if none).
  size_t upper(uint64_t c) const {
    size_t lo = 0, hi = count_;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if ((*this)[mid].first <= c) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  void insert(size_t k, Run r) {
    TD_ASSERT(k <= count_, "insert within the list");
    if (k == 0) {
      if (count_ > 0) tail_.insert(tail_.begin(), head_);
      head_ = r;
    } else {
      tail_.insert(tail_.begin() + static_cast<std::ptrdiff_t>(k - 1), r);
    }
    ++count_;
  }

  void erase(size_t k) {
    TD_ASSERT(k < count_, "erase within the list");
    if (k == 0) {
      if (count_ > 1) {
        head_ = tail_.front();
        tail_.erase(tail_.begin());
      }
    } else {
      tail_.erase(tail_.begin() + static_cast<std::ptrdiff_t>(k - 1));
    }
    --count_;
  }

  friend bool operator==(const RunList& a, const RunList& b) {
    if (a.count_ != b.count_) return false;
    for (size_t k = 0; k < a.count_; ++k) {
      if (a[k] != b[k]) return false;
    }
    return true;
  }

 private:
  Run head_{0, 0};
  std::vector<Run> tail_;  // runs 1.. (empty for most sites)
  size_t count_ = 0;
};

}  // namespace treedoc
