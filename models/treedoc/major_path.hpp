// The majors a path cursor's TID passes, one per element, held as runs of consecutive names: a
// chain's members are consecutive majors, so a path down a pasted chain of 70,000 atoms is one
// run instead of 70,000 entries (docs/BENCHMARKS.md, "Remote typing as chains, cursor paths as
// runs").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/node_index.hpp"

namespace treedoc {

class MajorPath {
 public:
  size_t size() const { return size_; }

  // The major of element `element` (< size()).
  NodeIndex at(size_t element) const {
    const Run& r = runs_[run_holding(element)];
    return r.major + static_cast<NodeIndex>(element - r.element);
  }
  // How many elements from `element` (< size()) on have the majors at(element), at(element) + 1,
  // ...: to the end of its run, since runs are maximal (push_run joins a continuing one).
  size_t consecutive_from(size_t element) const {
    const size_t k = run_holding(element);
    return run_end(k) - element;
  }

  // How many of elements 0, 1, ... (at most `count`) have the majors expected(0), expected(1), ...:
  // one pass over the runs, no search per element.
  template <typename Expected>
  size_t leading_matches(size_t count, Expected&& expected) const {
    size_t k = 0;
    for (size_t r = 0; r < runs_.size() && k < count; ++r) {
      const size_t end = std::min(run_end(r), count);
      for (; k < end; ++k) {
        if (expected(k) != runs_[r].major + static_cast<NodeIndex>(k - runs_[r].element)) return k;
      }
    }
    return k;
  }

  // Appends `count` elements whose majors are first, first + 1, ...
  void push_run(NodeIndex first, uint32_t count) {
    TD_ASSERT(count > 0 && size_ + count <= kElementsMax, "a path below its element limit");
    const bool continues =
        !runs_.empty() && runs_.back().major + (size_ - runs_.back().element) == first;
    if (!continues) runs_.push_back({static_cast<uint32_t>(size_), first});
    size_ += count;
  }
  void push(NodeIndex major) { push_run(major, 1); }

  // Keeps the first `elements` elements.
  void truncate(size_t elements) {
    if (elements >= size_) return;
    while (!runs_.empty() && runs_.back().element >= elements) runs_.pop_back();
    size_ = elements;
  }

  // This path becomes the first `elements` elements of `from`.
  void assign_prefix(const MajorPath& from, size_t elements) {
    TD_ASSERT(elements <= from.size_, "a prefix of the source path");
    const auto end = std::lower_bound(from.runs_.begin(), from.runs_.end(), elements,
                                      [](const Run& r, size_t e) { return r.element < e; });
    runs_.assign(from.runs_.begin(), end);
    size_ = elements;
  }

  size_t run_count() const { return runs_.size(); }
  size_t memory_bytes() const { return runs_.capacity() * sizeof(Run); }

  // Element indices are uint32_t, as a Tid's Dis positions are.
  static constexpr size_t kElementsMax = UINT32_MAX;

 private:
  // Elements [element, the next run's element or size()) have majors major, major + 1, ...
  struct Run {
    uint32_t element;
    NodeIndex major;
  };
  size_t run_end(size_t k) const { return k + 1 < runs_.size() ? runs_[k + 1].element : size_; }
  bool holds(size_t k, size_t element) const {
    return runs_[k].element <= element && element < run_end(k);
  }
  size_t run_holding(size_t element) const {
    TD_ASSERT(element < size_, "a path element within the path");
    // Climbs read elements from the leaf up: mostly the run read last (inline), else a neighbour.
    if (hint_ < runs_.size() && holds(hint_, element)) return hint_;
    return run_holding_searched(element);
  }
  size_t run_holding_searched(size_t element) const {
    if (hint_ >= runs_.size()) hint_ = runs_.size() - 1;
    if (hint_ > 0 && holds(hint_ - 1, element)) return --hint_;
    if (hint_ + 1 < runs_.size() && holds(hint_ + 1, element)) return ++hint_;
    const auto it = std::upper_bound(runs_.begin(), runs_.end(), element,
                                     [](size_t e, const Run& r) { return e < r.element; });
    return hint_ = static_cast<size_t>(it - runs_.begin()) - 1;
  }

  std::vector<Run> runs_;
  size_t size_ = 0;
  mutable size_t hint_ = 0;  // the run at() read last
};

}  // namespace treedoc
