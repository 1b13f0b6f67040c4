// The transactions of a trace in the causal past of some heads that a replica still lacks, in
// index order (a causal order, since parents always come earlier in a trace).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace treedoc::sim {

// A search that reuses its visited marks across calls: one stamp per search, no clearing.
class CausalPastSearch {
 public:
  explicit CausalPastSearch(size_t transactions = 0) : visit_stamp_(transactions, 0) {}

  // The transactions reachable from `heads` through parents_of(x) and not has(x), sorted. The
  // search stops at transactions the replica has: applied sets are causally closed.
  template <typename ParentsOf, typename Has>
  std::vector<uint32_t> missing(const std::vector<uint32_t>& heads, ParentsOf&& parents_of,
                                Has&& has) {
    ++stamp_;
    std::vector<uint32_t> stack(heads.begin(), heads.end()), out;
    while (!stack.empty()) {
      const uint32_t x = stack.back();
      stack.pop_back();
      if (has(x) || visit_stamp_[x] == stamp_) continue;
      visit_stamp_[x] = stamp_;
      out.push_back(x);
      for (uint32_t p : parents_of(x)) stack.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::vector<uint64_t> visit_stamp_;
  uint64_t stamp_ = 0;
};

}  // namespace treedoc::sim
