// The atoms of an epoch's flattened base in flat arrays (original op ids, bytes): a flatten copies
// them stretch by stretch instead of building a node per atom. Widths live with the visible counts
// (BaseCounts). Op ids are split into plain integer arrays, which copy as bulk memory (OpId's
// default member initializers would make the copy element-wise) and take 12 bytes, not 16.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/treedoc/dis.hpp"

namespace treedoc {

class BaseAtoms {
 public:
  BaseAtoms() { offsets_.push_back(0); }

  // Empties the arrays but keeps their capacity: flattens reuse the buffers.
  void clear();
  void reserve(size_t atoms, size_t bytes);
  void swap(BaseAtoms& other) noexcept;

  uint32_t size() const { return static_cast<uint32_t>(sites_.size()); }
  size_t byte_count() const { return bytes_.size(); }
  OpId ins_op(uint32_t i) const { return OpId{sites_[i], counters_[i]}; }
  std::string_view atom(uint32_t i) const {
    return std::string_view(bytes_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }

  void push_back(OpId ins_op, std::string_view atom);
  // Appends atoms [s, e) of `from` with two bulk copies and one offset shift.
  void append(const BaseAtoms& from, uint32_t s, uint32_t e);

  size_t memory_bytes() const {
    return sites_.capacity() * sizeof(SiteId) + counters_.capacity() * sizeof(uint64_t) +
           offsets_.capacity() * sizeof(uint32_t) + bytes_.capacity();
  }

 private:
  std::vector<SiteId> sites_;       // of the original insert op id
  std::vector<uint64_t> counters_;  // its counter
  std::vector<uint32_t> offsets_;   // atom i is bytes_[offsets_[i], offsets_[i+1])
  std::string bytes_;
};

}  // namespace treedoc
