// Which implicit atoms (base or chained) have a side entry in the tree, and which: a bit per atom
// and a map for the few that have one, so an atom without attachments costs an eighth of a byte
// and the usual lookup (none) is one bit test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/chunked_map.hpp"
#include "models/treedoc/node_index.hpp"

namespace treedoc {

class AttachmentIndex {
 public:
  // Starts over with `atoms` atoms, none attached.
  void reset(uint32_t atoms) {
    entries_.clear();
    bits_.assign((atoms + kWordBits - 1) / kWordBits, 0);
    size_ = atoms;
  }
  void shrink_to_fit() { bits_.shrink_to_fit(); }
  void push_back() {
    if (size_ % kWordBits == 0) bits_.push_back(0);
    ++size_;
  }
  // `count` push_back()s: a word per 64 atoms, the bits growing as one by one (a resize would
  // size them otherwise, and memory_bytes counts capacity).
  void push_back(uint32_t count) {
    TD_ASSERT(uint64_t{size_} + count <= UINT32_MAX, "atoms below the index limit");
    const uint32_t end = size_ + count;
    const uint32_t first_new_word = (size_ + kWordBits - 1) / kWordBits;
    for (uint32_t w = first_new_word; w * kWordBits < end; ++w) bits_.push_back(0);
    size_ = end;
  }
  uint32_t size() const { return size_; }

  // Atom i's entry, or kNoNode.
  NodeIndex find(uint32_t i) const {
    TD_ASSERT(i < size_, "an implicit atom");
    if (((bits_[i / kWordBits] >> (i % kWordBits)) & 1u) == 0) return kNoNode;
    return *entries_.find(i);
  }
  void set(uint32_t i, NodeIndex entry) {
    TD_ASSERT(i < size_ && find(i) == kNoNode, "an atom gets one entry");
    bits_[i / kWordBits] |= uint64_t{1} << (i % kWordBits);
    entries_.insert(i, entry);
  }
  void erase(uint32_t i) {
    bits_[i / kWordBits] &= ~(uint64_t{1} << (i % kWordBits));
    entries_.erase(i);
  }

  // fn(i, entry) for every atom i in [lo, hi) with an entry, in order.
  template <typename Fn>
  void for_each_in(uint32_t lo, uint32_t hi, Fn&& fn) const {
    entries_.for_each_in(lo, hi, fn);
  }
  size_t memory_bytes() const {
    return bits_.capacity() * sizeof(uint64_t) + entries_.memory_bytes();
  }
  size_t used_bytes() const { return bits_.size() * sizeof(uint64_t) + entries_.memory_bytes(); }

 private:
  static constexpr uint32_t kWordBits = 64;

  std::vector<uint64_t> bits_;
  ChunkedMap<NodeIndex> entries_;
  uint32_t size_ = 0;
};

}  // namespace treedoc
