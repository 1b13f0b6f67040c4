// SyntheticEditor: arrival times, positions (uniform or hot spot) and atoms of synthetic edits.
#include "sim/workload/synthetic_editor.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "sim/base/deterministic_math.hpp"
#include "sim/scenario/limits.hpp"

namespace treedoc::sim {

SyntheticEditor::SyntheticEditor(const SyntheticWorkloadConfig& workload, RandomStream rng)
    : workload_(workload), rng_(rng) {
  TD_ASSERT(workload.atom_bytes >= 1, "atoms have bytes");
}

TimeUs SyntheticEditor::next_gap_us() {
  if (workload_.ops_per_s <= 0) return site::kTimeUsMax;
  const double gap_s = exponential_from_unit(rng_.unit()) / workload_.ops_per_s;
  const double gap_us = gap_s * static_cast<double>(site::kUsPerS);
  if (gap_us >= static_cast<double>(site::kTimeUsMax)) return site::kTimeUsMax;
  return std::max<TimeUs>(1, static_cast<TimeUs>(gap_us));
}

uint32_t SyntheticEditor::pick_index(uint32_t slots) {
  TD_ASSERT(slots > 0, "somewhere to edit");
  if (workload_.hot_spot_probability > 0 && rng_.chance(workload_.hot_spot_probability)) {
    const double centre = workload_.hot_spot_at * static_cast<double>(slots - 1);
    const uint32_t half = workload_.hot_spot_width_atoms / 2;
    const auto c = static_cast<uint32_t>(centre);
    const uint32_t lo = c > half ? c - half : 0;
    const uint32_t hi = std::min<uint32_t>(slots - 1, c + half);
    return static_cast<uint32_t>(rng_.between(lo, hi));
  }
  return static_cast<uint32_t>(rng_.below(slots));
}

SyntheticEdit SyntheticEditor::next_edit(uint32_t size) {
  SyntheticEdit e;
  e.insert = size == 0 || rng_.chance(workload_.insert_ratio);
  // Drawn only when pastes are on, so a scenario without them keeps its stream (and hashes).
  if (workload_.paste_probability > 0 && rng_.chance(workload_.paste_probability)) {
    e.count = static_cast<uint32_t>(rng_.between(kPasteAtomsMin, workload_.paste_atoms_max));
  }
  if (e.insert) {
    e.index = pick_index(size + 1);
    e.atom.resize(uint64_t{workload_.atom_bytes} * e.count);
    for (char& c : e.atom) c = static_cast<char>('a' + rng_.below(26));
  } else {
    e.index = pick_index(size);
    e.count = std::min(e.count, size - e.index);
  }
  TD_ASSERT(e.count >= 1 && (e.insert || e.index + e.count <= size), "an edit within the document");
  return e;
}

}  // namespace treedoc::sim
