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

#include "models/treedoc/dis.hpp"

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
  // push_back((first.site, first.counter + k), atoms[from + k]) for every k, with one id run and
  // one reservation: a pasted stretch.
  void push_run(OpId first, const std::vector<std::string_view>& atoms, size_t from);
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

}  // namespace treedoc
