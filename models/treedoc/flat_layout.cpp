// The balanced layout's per-depth census (docs/protocol.md §3 place()), without visiting the atoms.
#include "models/treedoc/flat_layout.hpp"

#include <utility>

namespace treedoc {

std::vector<uint64_t> FlatLayout::atoms_per_depth() const {
  // Ranges on one level differ in size by at most one, so a level is at most two (size, how many)
  // pairs; a range of s atoms puts one on this level and splits into floor and ceil of (s-1)/2.
  std::vector<uint64_t> per_depth;
  std::vector<std::pair<uint64_t, uint64_t>> level{{count_, 1}}, next;
  while (!level.empty()) {
    uint64_t atoms = 0;
    next.clear();
    auto add = [&](uint64_t size, uint64_t times) {
      if (size == 0) return;
      for (auto& [s, n] : next) {
        if (s == size) {
          n += times;
          return;
        }
      }
      next.emplace_back(size, times);
    };
    for (const auto& [size, times] : level) {
      if (size == 0) continue;
      atoms += times;
      const uint64_t left = (size - 1) / 2;
      add(left, times);
      add(size - 1 - left, times);
    }
    if (atoms == 0) break;
    per_depth.push_back(atoms);
    std::swap(level, next);
  }
  return per_depth;
}

}  // namespace treedoc
