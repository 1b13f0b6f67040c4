// The widths of a flattened base's atoms, stored only when some width is not 1: character atoms
// (the common case) then cost a flatten no width array to copy or to sum.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "models/treedoc/assertion.hpp"

namespace treedoc {

class BaseWidths {
 public:
  // Empties it but keeps the buffer: flattens reuse it.
  void clear() {
    values_.clear();
    size_ = 0;
    all_unit_ = true;
  }
  void reserve(size_t atoms) { values_.reserve(atoms); }
  void swap(BaseWidths& other) noexcept {
    values_.swap(other.values_);
    std::swap(size_, other.size_);
    std::swap(all_unit_, other.all_unit_);
  }

  uint32_t size() const { return size_; }
  // True while every width is 1 and none is stored.
  bool all_unit() const { return all_unit_; }
  uint32_t operator[](uint32_t i) const { return all_unit_ ? 1 : values_[i]; }

  void push_back(uint32_t width) {
    if (all_unit_ && width != 1) store_values();
    if (!all_unit_) values_.push_back(width);
    ++size_;
  }
  // Appends widths [s, e) of `from`.
  void append(const BaseWidths& from, uint32_t s, uint32_t e) {
    TD_ASSERT(s <= e && e <= from.size_, "a stretch within the source");
    if (all_unit_ && !from.all_unit_) store_values();
    if (!from.all_unit_) {
      values_.insert(values_.end(), from.values_.begin() + s, from.values_.begin() + e);
    } else if (!all_unit_) {
      values_.insert(values_.end(), e - s, 1);
    }
    size_ += e - s;
  }

  size_t memory_bytes() const { return values_.capacity() * sizeof(uint32_t); }

 private:
  // From now on one value per atom, starting with the 1s so far.
  void store_values() {
    all_unit_ = false;
    values_.assign(size_, 1);
  }

  std::vector<uint32_t> values_;  // one per atom unless all_unit_
  uint32_t size_ = 0;
  bool all_unit_ = true;
};

}  // namespace treedoc
