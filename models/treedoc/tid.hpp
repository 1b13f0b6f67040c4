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
// the branches are bits, 64 to a word, and the Dis values sit in a sparse side list, sorted by
// element index. Bits: a TID without flatten grows with the chains it passes (thousands of
// elements on a long paste-heavy trace), and each op copies it; a byte per element made that copy
// most of the replay (docs/BENCHMARKS.md, "Branches as bits").
class Tid {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void push(uint8_t branch) { put_bits(branch, 1); }
  void push_repeated(uint8_t branch, size_t count);
  void push(uint8_t branch, Dis dis) {
    dises_.emplace_back(static_cast<uint32_t>(size_), dis);
    put_bits(branch, 1);
  }
  // Appends every element of `tail` (the graft rule's ⊕).
  void append(const Tid& tail);
  // Appends elements [from, src.size()) of `src`; `src_dises` is how many of src's Dis elements
  // lie before `from`.
  void append_suffix(const Tid& src, size_t from, size_t src_dises);
  void reserve(size_t elements) { words_.reserve(words_for(elements)); }
  // Keeps the first `elements` elements.
  void truncate(size_t elements);

  // Removes the Dis of the last element, if it has one: t becomes major_path(t).
  void drop_last_dis() {
    if (!dises_.empty() && dises_.back().first + 1 == size_) dises_.pop_back();
  }

  uint8_t branch(size_t i) const { return (words_[i / kWordBits] >> (i % kWordBits)) & 1; }
  TidElement element(size_t i) const;
  // Branch bits [64 w, 64 w + 64): element 64 w + k's branch is bit k; bits past size() are 0.
  uint64_t branch_word(size_t w) const { return words_[w]; }
  const std::vector<std::pair<uint32_t, Dis>>& dises() const { return dises_; }

  size_t memory_bytes() const {
    return words_.capacity() * sizeof(uint64_t) +
           dises_.capacity() * sizeof(std::pair<uint32_t, Dis>);
  }

  // A well-formed TID is non-empty and its last element carries a Dis (docs/protocol.md §1).
  bool well_formed() const;

  friend bool operator==(const Tid&, const Tid&) = default;

  static constexpr size_t kWordBits = 64;

 private:
  static size_t words_for(size_t elements) { return (elements + kWordBits - 1) / kWordBits; }
  // Appends the low `count` (1..64) bits of `bits`, whose higher bits are 0.
  void put_bits(uint64_t bits, size_t count);
  // Appends `count` branches of `src` from element `from`.
  void append_branches(const Tid& src, size_t from, size_t count);

  std::vector<uint64_t> words_;  // words_for(size_) words, bits past size_ zero (== relies on it)
  size_t size_ = 0;
  std::vector<std::pair<uint32_t, Dis>> dises_;  // (element index, Dis), strictly increasing index
};

// The walk-order comparator [docs/protocol.md §1, a resolution of our own]: element tokens (2b)
// then (1,d), closed by (1,-inf). Returns <0, 0 or >0.
int compare_tids(const Tid& a, const Tid& b);

// A byte string whose order (std::string's, which is memcmp's) is compare_tids's: each token as
// a base-4 digit, 0 < (1,-inf) < (1,d) < 2, four to a byte; a Dis closes its byte and is
// followed by its site and counter, each as its length in bytes then its bytes big-endian.
// Sorting many TIDs by keys built once reads each TID once instead of at every comparison.
std::string tid_sort_key(const Tid& t);

// The number of leading elements `a` and `b` share (branch and Dis alike), and in `dises` how many
// of them carry a Dis. O(shared / 64 + Dis elements): the branches compare a word at a time.
size_t common_prefix(const Tid& a, const Tid& b, size_t* dises);

// True when `a` is a proper prefix of `b`, comparing elements including a missing Dis.
bool is_proper_prefix(const Tid& a, const Tid& b);

// `t` without the Dis of its last element: the path to the major node of the mini `t` names (x').
Tid major_path(const Tid& t);

// Human-readable form, e.g. "[0 1 (1:2:5)]", for messages and test failures.
std::string to_string(const Tid& t);

}  // namespace treedoc
