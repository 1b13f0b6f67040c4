// Flat storage of a flattened base: bulk appends that keep 32-bit byte offsets in range.
#include "models/treedoc/base_atoms.hpp"

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/node_index.hpp"

namespace treedoc {

void BaseAtoms::clear() {
  sites_.clear();
  counters_.clear();
  offsets_.assign(1, 0);
  bytes_.clear();
}

void BaseAtoms::reserve(size_t atoms, size_t bytes) {
  sites_.reserve(atoms);
  counters_.reserve(atoms);
  offsets_.reserve(atoms + 1);
  bytes_.reserve(bytes);
}

void BaseAtoms::swap(BaseAtoms& other) noexcept {
  sites_.swap(other.sites_);
  counters_.swap(other.counters_);
  offsets_.swap(other.offsets_);
  bytes_.swap(other.bytes_);
}

void BaseAtoms::push_back(OpId ins_op, std::string_view atom) {
  TD_ASSERT(sites_.size() < kBaseAtomsMax, "a flattened array below its atom limit");
  TD_ASSERT(bytes_.size() + atom.size() <= UINT32_MAX, "base bytes fit 32-bit offsets");
  sites_.push_back(ins_op.site);
  counters_.push_back(ins_op.counter);
  bytes_.append(atom);
  offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
}

void BaseAtoms::append(const BaseAtoms& from, uint32_t s, uint32_t e) {
  TD_ASSERT(s <= e && e <= from.size(), "a stretch within the source");
  TD_ASSERT(sites_.size() + (e - s) <= kBaseAtomsMax, "a flattened array below its atom limit");
  const uint32_t first = from.offsets_[s], last = from.offsets_[e];
  TD_ASSERT(bytes_.size() + (last - first) <= UINT32_MAX, "base bytes fit 32-bit offsets");
  sites_.insert(sites_.end(), from.sites_.begin() + s, from.sites_.begin() + e);
  counters_.insert(counters_.end(), from.counters_.begin() + s, from.counters_.begin() + e);
  const auto shift = static_cast<uint32_t>(bytes_.size()) - first;  // modular: adds back `first`
  // Copy, then shift in place: no zero-fill, and the loop vectorizes.
  const size_t at = offsets_.size();
  offsets_.insert(offsets_.end(), from.offsets_.begin() + s + 1, from.offsets_.begin() + e + 1);
  uint32_t* shifted = offsets_.data() + at;
  for (uint32_t k = 0; k < e - s; ++k) shifted[k] += shift;
  bytes_.append(from.bytes_, first, last - first);
}

}  // namespace treedoc
