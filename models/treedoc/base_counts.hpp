// Visible counts and units of an epoch's flattened base atoms: a visibility bitset, the widths,
// and a Fenwick tree over 64-atom words. A flatten builds it in O(n / 64) after the widths are
// copied; a visibility change, a rank or a select costs O(log n).
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/base_widths.hpp"

namespace treedoc {

class BaseCounts {
 public:
  // Starts over with one atom per entry of `widths`, all visible. The buffer is swapped in, so the
  // caller gets the previous one back to reuse.
  void reset(BaseWidths* widths);
  void clear();

  uint32_t size() const { return static_cast<uint32_t>(widths_.size()); }
  bool visible(uint32_t i) const { return (words_[i / kWordBits] >> (i % kWordBits)) & 1u; }
  uint32_t width(uint32_t i) const { return widths_[i]; }
  const BaseWidths& widths() const { return widths_; }
  uint32_t visible_count() const { return visible_count_; }
  uint64_t visible_units() const { return visible_units_; }

  void set_visible(uint32_t i, bool visible);
  // Appends one visible atom of `width` (a chained atom, docs/protocol.md §2): O(log n).
  void push_back(uint32_t width);
  // Appends `count` visible atoms with widths[from..] (1 each when widths is empty): a pasted or
  // typed stretch, O(count + words * log n).
  void push_back_run(const std::vector<uint32_t>& widths, size_t from, size_t count);
  // Hides atoms [a, b), every one visible: one Fenwick update per word touched, not per atom.
  // Returns their units.
  uint64_t hide_range(uint32_t a, uint32_t b);
  // Visible atoms (units) among [0, i).
  uint32_t count_before(uint32_t i) const;
  uint64_t units_before(uint32_t i) const;
  // The k-th visible atom (0-based), k < visible_count().
  uint32_t select(uint32_t k) const;
  // The visible atom holding unit `units` and the offset inside it, units < visible_units().
  uint32_t select_units(uint64_t units, uint64_t* offset_in_atom) const;
  // The first (last) visible atom of [a, b), looking at no more than kNearWordsMax words from a
  // (from b): kNone when there is none that close. A neighbour's short look, not a search.
  static constexpr uint32_t kNone = UINT32_MAX;
  // The first hidden atom of [a, b), or b: a word at a time.
  uint32_t next_hidden(uint32_t a, uint32_t b) const {
    TD_ASSERT(a <= b && b <= size(), "a range within the base");
    return next_with(a, b, false);
  }
  static constexpr uint32_t kNearWordsMax = 4;
  uint32_t first_visible_near(uint32_t a, uint32_t b) const;
  uint32_t last_visible_near(uint32_t a, uint32_t b) const;
  // fn(s, e) for each maximal run [s, e) of visible atoms within [a, b), in order.
  template <typename Fn>
  void for_each_visible_stretch(uint32_t a, uint32_t b, Fn&& fn) const;

  size_t memory_bytes() const {
    return widths_.memory_bytes() + words_.capacity() * sizeof(uint64_t) +
           tree_count_.capacity() * sizeof(uint32_t) + tree_units_.capacity() * sizeof(uint64_t);
  }

 private:
  static constexpr uint32_t kWordBits = 64;
  // First atom >= i in [i, b) whose bit equals `bit`, or b.
  uint32_t next_with(uint32_t i, uint32_t b, bool bit) const;
  // Starts word size() / 64 (size() a multiple of 64) with its Fenwick entries.
  void open_word();
  // Atoms [i, i + count), just appended to the last word with `units` in all, become visible.
  void count_appended(uint32_t i, uint32_t count, uint64_t units);
  uint32_t word_count() const { return static_cast<uint32_t>(words_.size()); }

  BaseWidths widths_;
  std::vector<uint64_t> words_;       // bit i % 64 of word i / 64: atom i is visible
  std::vector<uint32_t> tree_count_;  // Fenwick tree over words, 1-based: visible atoms
  std::vector<uint64_t> tree_units_;  // and their units
  uint32_t top_step_ = 0;             // the largest power of two <= word_count()
  uint32_t visible_count_ = 0;
  uint64_t visible_units_ = 0;
};

template <typename Fn>
void BaseCounts::for_each_visible_stretch(uint32_t a, uint32_t b, Fn&& fn) const {
  TD_ASSERT(a <= b && b <= size(), "a stretch within the base");
  while (a < b) {
    const uint32_t s = next_with(a, b, true);
    if (s == b) return;
    const uint32_t e = next_with(s, b, false);
    fn(s, e);
    a = e;
  }
}

}  // namespace treedoc
