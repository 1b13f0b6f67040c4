// TIDs (position identifiers): paths of (branch, Dis-or-none) elements, stored compactly, with the
// walk-order comparator (docs/protocol.md §1) and prefix test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/treedoc/dis.hpp"

namespace treedoc {

struct TidElement {
  uint8_t branch = 0;  // 0 left, 1 right
  bool has_dis = false;
  Dis dis{};
  friend bool operator==(const TidElement&, const TidElement&) = default;
};

// A path from the virtual root. Most elements carry no Dis (a typed run is a chain of (b:⊥)), so
// the branches are one byte each and the Dis values sit in a sparse side list, sorted by element
// index.
class Tid {
 public:
  size_t size() const { return branches_.size(); }
  bool empty() const { return branches_.empty(); }

  void push(uint8_t branch) { branches_.push_back(branch); }
  void push_repeated(uint8_t branch, size_t count) {
    branches_.insert(branches_.end(), count, branch);
  }
  void push(uint8_t branch, Dis dis) {
    dises_.emplace_back(static_cast<uint32_t>(branches_.size()), dis);
    branches_.push_back(branch);
  }
  // Appends every element of `tail` (the graft rule's ⊕).
  void append(const Tid& tail);
  // Appends elements [from, src.size()) of `src`; `src_dises` is how many of src's Dis elements
  // lie before `from`.
  void append_suffix(const Tid& src, size_t from, size_t src_dises);
  void reserve(size_t elements) { branches_.reserve(elements); }
  // Keeps the first `elements` elements.
  void truncate(size_t elements) {
    if (elements >= branches_.size()) return;
    branches_.resize(elements);
    while (!dises_.empty() && dises_.back().first >= elements) dises_.pop_back();
  }

  // Removes the Dis of the last element, if it has one: t becomes major_path(t).
  void drop_last_dis() {
    if (!dises_.empty() && dises_.back().first + 1 == branches_.size()) dises_.pop_back();
  }

  uint8_t branch(size_t i) const { return branches_[i]; }
  TidElement element(size_t i) const;
  const std::vector<uint8_t>& branches() const { return branches_; }
  const std::vector<std::pair<uint32_t, Dis>>& dises() const { return dises_; }

  size_t memory_bytes() const {
    return branches_.capacity() + dises_.capacity() * sizeof(std::pair<uint32_t, Dis>);
  }

  // A well-formed TID is non-empty and its last element carries a Dis (docs/protocol.md §1).
  bool well_formed() const;

  friend bool operator==(const Tid&, const Tid&) = default;

 private:
  std::vector<uint8_t> branches_;
  std::vector<std::pair<uint32_t, Dis>> dises_;  // (element index, Dis), strictly increasing index
};

// The walk-order comparator [docs/protocol.md §1, a resolution of our own]: element tokens (2b)
// then (1,d), closed by (1,-inf). Returns <0, 0 or >0.
int compare_tids(const Tid& a, const Tid& b);

// A byte string whose order (std::string's, which is memcmp's) is compare_tids's: each token as
// a byte, 0 < (1,-inf) < (1,d) < 2, a Dis followed by its site and counter, each as its length
// in bytes then its bytes big-endian. Sorting
// many TIDs by keys built once reads each TID once instead of at every comparison.
std::string tid_sort_key(const Tid& t);

// The number of leading elements `a` and `b` share (branch and Dis alike), and in `dises` how many
// of them carry a Dis. O(shared / 32 + Dis elements) for the bytes compare in bulk.
size_t common_prefix(const Tid& a, const Tid& b, size_t* dises);

// True when `a` is a proper prefix of `b`, comparing elements including a missing Dis.
bool is_proper_prefix(const Tid& a, const Tid& b);

// `t` without the Dis of its last element: the path to the major node of the mini `t` names (x').
Tid major_path(const Tid& t);

// Human-readable form, e.g. "[0 1 (1:2:5)]", for messages and test failures.
std::string to_string(const Tid& t);

}  // namespace treedoc
