// The atoms of an epoch's flattened base in flat arrays (original op ids, bytes): a flatten copies
// them stretch by stretch instead of building a node per atom. Widths live with the visible counts
// (BaseCounts). Op ids are stored as runs of consecutive counters of one site (typed and pasted
// text is such runs), and byte offsets only once some atom is not one byte long: a base of
// characters costs about a byte per atom, and a flatten copies bytes and runs, not ids
// (docs/BENCHMARKS.md, "Runs").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/treedoc/array_growth.hpp"
#include "models/treedoc/assertion.hpp"
#include "models/treedoc/dis.hpp"
#include "models/treedoc/node_index.hpp"

namespace treedoc {

class BaseAtoms {
 public:
  // Empties the arrays but keeps their capacity: flattens reuse the buffers.
  void clear();
  // Room for `atoms` atoms of `bytes` bytes in all (offsets too when some atom is wider).
  void reserve(size_t atoms, size_t bytes);
  // Room for at most `bytes` bytes, when only a bound is known: offsets are then stored only once
  // a wider atom arrives, since reserving them for one-byte atoms would leave the buffer oversized.
  void reserve_bytes(size_t bytes) { bytes_.reserve(bytes); }
  // Whether some atom is wider than a byte (offsets are stored).
  bool has_wide_atoms() const { return !offsets_.empty(); }
  void swap(BaseAtoms& other) noexcept;

  uint32_t size() const { return size_; }
  size_t byte_count() const { return bytes_.size(); }
  // O(1) when i is in or right after the run of the previous call (walks in order), else
  // O(log runs).
  OpId ins_op(uint32_t i) const;
  // How many atoms after i have the ids after i's: i + 1 .. i + k continue i's id run.
  uint32_t ids_continuing_after(uint32_t i) const { return run_end(run_index(i)) - i - 1; }
  // How many of atoms i, i + 1, ... (at most `max`) have ids consecutive from i's: O(runs read),
  // where asking atom by atom costs an ins_op each.
  uint32_t consecutive_ids_from(uint32_t i, uint32_t max) const;
  std::string_view atom(uint32_t i) const {
    if (offsets_.empty()) return std::string_view(bytes_.data() + i, 1);
    return std::string_view(bytes_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  void push_back(OpId ins_op, std::string_view atom);
  // Appends `count` atoms with ids first, first + 1, ... and bytes bytes_of(k) (k < count): the
  // ids as one run, the bytes in one reservation (a paste, or a flattened array's id run).
  template <typename BytesOf>
  void push_id_run(OpId first, uint32_t count, BytesOf&& bytes_of);
  // Appends atoms [s, e) of `from`: their bytes in one copy, their id runs one by one.
  void append(const BaseAtoms& from, uint32_t s, uint32_t e);
  size_t id_run_count() const { return runs_.size(); }

  // Bytes in use (memory_bytes() counts capacity).
  size_t used_bytes() const {
    return runs_.size() * sizeof(IdRun) + offsets_.size() * sizeof(uint32_t) + bytes_.size();
  }
  void shrink_to_fit() {
    runs_.shrink_to_fit();
    offsets_.shrink_to_fit();
    bytes_.shrink_to_fit();
  }
  size_t memory_bytes() const {
    return runs_.capacity() * sizeof(IdRun) + offsets_.capacity() * sizeof(uint32_t) +
           bytes_.capacity();
  }

 private:
  // Atoms [begin, next run's begin) have ids (site, first), (site, first + 1), ...
  struct IdRun {
    uint32_t begin = 0;
    SiteId site = 0;
    uint64_t first = 0;
  };
  // Adds ids (site, first ...) for `count` atoms starting at size_, merging with the last run.
  void push_ids(SiteId site, uint64_t first, uint32_t count);
  // From now on one offset per atom, starting with the one-byte atoms so far.
  void store_offsets();
  size_t run_index(uint32_t i) const;
  // One past run r's last atom.
  uint32_t run_end(size_t r) const { return r + 1 < runs_.size() ? runs_[r + 1].begin : size_; }

  std::vector<IdRun> runs_;        // sorted by begin, the first at 0 when size_ > 0
  std::vector<uint32_t> offsets_;  // empty while every atom is one byte; else size_ + 1 entries
  std::vector<char> bytes_;  // a vector: it grows by half (array_growth.hpp), a string doubles
  uint32_t size_ = 0;
  mutable size_t last_run_ = 0;  // the run of the last ins_op lookup: the hint for the next
};

template <typename BytesOf>
void BaseAtoms::push_id_run(OpId first, uint32_t count, BytesOf&& bytes_of) {
  TD_ASSERT(count > 0 && size_ + uint64_t{count} <= kBaseAtomsMax,
            "atoms to push, below the atom limit");
  size_t bytes = 0;
  bool one_byte_each = true;
  bool back_to_back = true;  // atoms split from one pasted text: their bytes in one copy
  const char* next = bytes_of(0).data();
  // The capacity that reserving atom by atom reaches, so that a stretch pushed at once leaves the
  // bytes as large as pushing its atoms one by one (memory_bytes counts capacity).
  size_t capacity = bytes_.capacity();
  for (uint32_t k = 0; k < count; ++k) {
    const std::string_view atom = bytes_of(k);
    capacity = grown_capacity(bytes_.size() + bytes, capacity, atom.size());
    bytes += atom.size();
    one_byte_each = one_byte_each && atom.size() == 1;
    back_to_back = back_to_back && atom.data() == next;
    next = atom.data() + atom.size();
  }
  TD_ASSERT(bytes_.size() + bytes <= UINT32_MAX, "base bytes fit 32-bit offsets");
  if (offsets_.empty() && !one_byte_each) store_offsets();
  push_ids(first.site, first.counter, count);
  bytes_.reserve(capacity);
  if (back_to_back && count > 1) {
    const char* begin = bytes_of(0).data();
    bytes_.insert(bytes_.end(), begin, begin + bytes);
  } else {
    for (uint32_t k = 0; k < count; ++k) {
      const std::string_view atom = bytes_of(k);
      if (atom.size() == 1) {
        bytes_.push_back(atom[0]);  // the room is reserved: no growth of its own
      } else {
        bytes_.insert(bytes_.end(), atom.begin(), atom.end());
      }
    }
  }
  if (!offsets_.empty()) {
    uint32_t end = offsets_.back();  // the byte count before these atoms
    for (uint32_t k = 0; k < count; ++k) {
      end += static_cast<uint32_t>(bytes_of(k).size());
      offsets_.push_back(end);
    }
    TD_ASSERT(end == bytes_.size(), "the offsets end at the bytes' end");
  }
  size_ += count;
}

}  // namespace treedoc
