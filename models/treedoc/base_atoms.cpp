// Flat storage of a flattened base: run-length op ids, bytes, and offsets only when needed.
#include "models/treedoc/base_atoms.hpp"

#include <algorithm>

#include "models/treedoc/array_growth.hpp"
#include "models/treedoc/assertion.hpp"
#include "models/treedoc/node_index.hpp"

namespace treedoc {

void BaseAtoms::clear() {
  runs_.clear();
  offsets_.clear();
  bytes_.clear();
  size_ = 0;
  last_run_ = 0;
}

void BaseAtoms::reserve(size_t atoms, size_t bytes) {
  if (bytes != atoms && offsets_.empty()) offsets_.reserve(atoms + 1);
  bytes_.reserve(bytes);
}

void BaseAtoms::swap(BaseAtoms& other) noexcept {
  runs_.swap(other.runs_);
  offsets_.swap(other.offsets_);
  bytes_.swap(other.bytes_);
  std::swap(size_, other.size_);
  std::swap(last_run_, other.last_run_);
}

size_t BaseAtoms::run_index(uint32_t i) const {
  TD_ASSERT(i < size_, "a base atom of this array");
  const size_t hint = last_run_ < runs_.size() ? last_run_ : 0;
  for (size_t r = hint; r < runs_.size() && r <= hint + 1; ++r) {
    if (runs_[r].begin <= i && i < run_end(r)) return last_run_ = r;
  }
  const auto it = std::upper_bound(runs_.begin(), runs_.end(), i,
                                   [](uint32_t x, const IdRun& run) { return x < run.begin; });
  return last_run_ = static_cast<size_t>(it - runs_.begin()) - 1;
}

OpId BaseAtoms::ins_op(uint32_t i) const {
  const IdRun& run = runs_[run_index(i)];
  return OpId{run.site, run.first + (i - run.begin)};
}

void BaseAtoms::push_ids(SiteId site, uint64_t first, uint32_t count) {
  if (count == 0) return;
  if (!runs_.empty()) {
    const IdRun& last = runs_.back();
    if (last.site == site && last.first + (size_ - last.begin) == first) return;  // continues it
  }
  runs_.push_back(IdRun{size_, site, first});
}

void BaseAtoms::store_offsets() {
  offsets_.resize(size_t{size_} + 1);
  for (uint32_t k = 0; k <= size_; ++k) offsets_[k] = k;
}

void BaseAtoms::push_back(OpId ins_op, std::string_view atom) {
  push_id_run(ins_op, 1, [&](uint32_t) { return atom; });
}

uint32_t BaseAtoms::consecutive_ids_from(uint32_t i, uint32_t max) const {
  TD_ASSERT(i < size_, "an atom of the array");
  size_t r = run_index(i);
  uint32_t n = run_end(r) - i;
  // Runs are merged when pushed, but a run that continues the one before is followed all the same.
  while (n < max && r + 1 < runs_.size()) {
    const IdRun& a = runs_[r];
    const IdRun& b = runs_[r + 1];
    if (b.site != a.site || b.first != a.first + (b.begin - a.begin)) break;
    ++r;
    n = run_end(r) - i;
  }
  return std::min(n, max);
}

void BaseAtoms::append(const BaseAtoms& from, uint32_t s, uint32_t e) {
  TD_ASSERT(s <= e && e <= from.size(), "a stretch within the source");
  TD_ASSERT(size_ + (e - s) <= kBaseAtomsMax, "a flattened array below its atom limit");
  if (s == e) return;
  const uint32_t first = from.offsets_.empty() ? s : from.offsets_[s];
  const uint32_t last = from.offsets_.empty() ? e : from.offsets_[e];
  TD_ASSERT(bytes_.size() + (last - first) <= UINT32_MAX, "base bytes fit 32-bit offsets");
  if (offsets_.empty() && !from.offsets_.empty()) store_offsets();
  // Ids: the runs that overlap [s, e), each cut to the stretch.
  const uint32_t base = size_;
  for (size_t r = from.run_index(s); r < from.runs_.size() && from.runs_[r].begin < e; ++r) {
    const IdRun& run = from.runs_[r];
    const uint32_t lo = std::max(run.begin, s);
    const uint32_t hi = std::min(from.run_end(r), e);
    size_ = base + (lo - s);
    push_ids(run.site, run.first + (lo - run.begin), hi - lo);
  }
  size_ = base + (e - s);
  if (!offsets_.empty()) {
    const auto shift = static_cast<uint32_t>(bytes_.size()) - first;  // modular: adds back first
    const size_t at = offsets_.size();
    if (from.offsets_.empty()) {
      offsets_.resize(at + (e - s));
      for (uint32_t k = 0; k < e - s; ++k) offsets_[at + k] = s + k + 1 + shift;
    } else {
      // Copy, then shift in place: no zero-fill, and the loop vectorizes.
      offsets_.insert(offsets_.end(), from.offsets_.begin() + s + 1, from.offsets_.begin() + e + 1);
      uint32_t* shifted = offsets_.data() + at;
      for (uint32_t k = 0; k < e - s; ++k) shifted[k] += shift;
    }
  }
  reserve_for_append(&bytes_, last - first);
  bytes_.insert(bytes_.end(), from.bytes_.begin() + first, from.bytes_.begin() + last);
}

}  // namespace treedoc
