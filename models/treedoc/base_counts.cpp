// Fenwick tree over the visibility words of a flattened base: linear build, point update, prefix
// sums and the select descent (docs/protocol.md §2 needs the i-th visible atom for every local
// edit).
#include "models/treedoc/base_counts.hpp"

#include <algorithm>
#include <bit>

namespace treedoc {

namespace {

// Index of the k-th set bit of x (0-based), which has more than k set bits.
uint32_t select_in_word(uint64_t x, uint32_t k) {
  for (; k > 0; --k) x &= x - 1;
  return static_cast<uint32_t>(std::countr_zero(x));
}

}  // namespace

void BaseCounts::clear() {
  widths_.clear();
  words_.clear();
  tree_count_.assign(1, 0);
  tree_units_.assign(1, 0);
  top_step_ = 0;
  visible_count_ = 0;
  visible_units_ = 0;
}

void BaseCounts::reset(BaseWidths* widths) {
  widths_.swap(*widths);
  const uint32_t n = size();
  const uint32_t words = (n + kWordBits - 1) / kWordBits;
  words_.assign(words, ~uint64_t{0});
  if (n % kWordBits != 0) words_.back() = (uint64_t{1} << (n % kWordBits)) - 1;
  tree_count_.assign(words + 1, 0);
  tree_units_.assign(words + 1, 0);
  uint64_t total_units = 0;
  for (uint32_t w = 0; w < words; ++w) {
    const uint32_t first = w * kWordBits;
    const uint32_t last = first + kWordBits < n ? first + kWordBits : n;
    uint64_t units = last - first;
    if (!widths_.all_unit()) {
      units = 0;
      for (uint32_t i = first; i < last; ++i) units += widths_[i];
    }
    tree_count_[w + 1] = last - first;
    tree_units_[w + 1] = units;
    total_units += units;
  }
  // Linear Fenwick build: each node adds itself into its parent.
  for (uint32_t j = 1; j <= words; ++j) {
    const uint32_t parent = j + (j & (0u - j));
    if (parent <= words) {
      tree_count_[parent] += tree_count_[j];
      tree_units_[parent] += tree_units_[j];
    }
  }
  top_step_ = words == 0 ? 0 : std::bit_floor(words);
  visible_count_ = n;
  visible_units_ = total_units;
}

void BaseCounts::set_visible(uint32_t i, bool visible) {
  TD_ASSERT(i < size(), "a base atom in range");
  if (this->visible(i) == visible) return;
  const uint64_t bit = uint64_t{1} << (i % kWordBits);
  uint64_t& word = words_[i / kWordBits];
  word = visible ? (word | bit) : (word & ~bit);
  const uint32_t w = widths_[i];
  for (uint32_t j = i / kWordBits + 1; j <= word_count(); j += j & (0u - j)) {
    tree_count_[j] = visible ? tree_count_[j] + 1 : tree_count_[j] - 1;
    tree_units_[j] = visible ? tree_units_[j] + w : tree_units_[j] - w;
  }
  visible_count_ = visible ? visible_count_ + 1 : visible_count_ - 1;
  visible_units_ = visible ? visible_units_ + w : visible_units_ - w;
}

void BaseCounts::open_word() {
  // A new word j (1-based) covers words (j - lowbit(j), j]: its Fenwick entries are the sums of
  // the words below it in that range, which prefix sums give.
  TD_ASSERT(size() % kWordBits == 0, "the last word is full");
  words_.push_back(0);
  const uint32_t j = word_count();
  const uint32_t low = j - (j & (0u - j));
  uint32_t count = 0;
  uint64_t units = 0;
  for (uint32_t k = j - 1; k > low; k -= k & (0u - k)) {
    count += tree_count_[k];
    units += tree_units_[k];
  }
  tree_count_.push_back(count);
  tree_units_.push_back(units);
  top_step_ = std::bit_floor(j);
}

void BaseCounts::push_back(uint32_t width) {
  const uint32_t i = size();
  TD_ASSERT(i < UINT32_MAX, "atoms below the index limit");
  if (i % kWordBits == 0) open_word();
  widths_.push_back(width);
  count_appended(i, 1, width);
}

void BaseCounts::count_appended(uint32_t i, uint32_t count, uint64_t units) {
  TD_ASSERT(count >= 1 && i % kWordBits + count <= kWordBits && i / kWordBits + 1 == word_count(),
            "atoms appended within the last word");
  const uint64_t ones = count == kWordBits ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
  words_.back() |= ones << (i % kWordBits);
  for (uint32_t j = i / kWordBits + 1; j <= word_count(); j += j & (0u - j)) {
    tree_count_[j] += count;
    tree_units_[j] += units;
  }
  visible_count_ += count;
  visible_units_ += units;
}

void BaseCounts::push_back_run(const std::vector<uint32_t>& widths, size_t from, size_t count) {
  TD_ASSERT(widths.empty() || from + count <= widths.size(), "a width per atom, or none");
  TD_ASSERT(uint64_t{size()} + count < UINT32_MAX, "atoms below the index limit");
  // As push_back atom by atom, with one Fenwick update per word touched instead of per atom.
  for (size_t k = 0; k < count;) {
    const uint32_t i = size();
    if (i % kWordBits == 0) open_word();
    const auto taken =
        static_cast<uint32_t>(std::min<size_t>(count - k, kWordBits - i % kWordBits));
    uint64_t units = 0;
    for (uint32_t t = 0; t < taken; ++t) {
      const uint32_t width = widths.empty() ? 1 : widths[from + k + t];
      widths_.push_back(width);
      units += width;
    }
    count_appended(i, taken, units);
    k += taken;
  }
}

uint64_t BaseCounts::hide_range(uint32_t a, uint32_t b) {
  TD_ASSERT(a <= b && b <= size(), "a stretch of the base");
  uint64_t hidden_units = 0;
  for (uint32_t i = a; i < b;) {
    const uint32_t w = i / kWordBits;
    const uint32_t end = std::min(b, (w + 1) * kWordBits);
    const uint32_t from = i % kWordBits, count = end - i;
    const uint64_t mask = (count == kWordBits ? ~uint64_t{0} : ((uint64_t{1} << count) - 1))
                          << from;
    TD_ASSERT((words_[w] & mask) == mask, "every atom of the stretch is visible");
    words_[w] &= ~mask;
    uint64_t units = count;
    if (!widths_.all_unit()) {
      units = 0;
      for (uint32_t k = i; k < end; ++k) units += widths_[k];
    }
    for (uint32_t j = w + 1; j <= word_count(); j += j & (0u - j)) {
      tree_count_[j] -= count;
      tree_units_[j] -= units;
    }
    visible_count_ -= count;
    visible_units_ -= units;
    hidden_units += units;
    i = end;
  }
  return hidden_units;
}

uint32_t BaseCounts::count_before(uint32_t i) const {
  TD_ASSERT(i <= size(), "a prefix of the base");
  uint32_t count = 0;
  for (uint32_t j = i / kWordBits; j > 0; j -= j & (0u - j)) count += tree_count_[j];
  if (i % kWordBits != 0) {
    const uint64_t below = (uint64_t{1} << (i % kWordBits)) - 1;
    count += static_cast<uint32_t>(std::popcount(words_[i / kWordBits] & below));
  }
  return count;
}

uint64_t BaseCounts::units_before(uint32_t i) const {
  TD_ASSERT(i <= size(), "a prefix of the base");
  uint64_t units = 0;
  for (uint32_t j = i / kWordBits; j > 0; j -= j & (0u - j)) units += tree_units_[j];
  if (i % kWordBits != 0) {
    const uint32_t first = i / kWordBits * kWordBits;
    uint64_t bits = words_[i / kWordBits] & ((uint64_t{1} << (i % kWordBits)) - 1);
    for (; bits != 0; bits &= bits - 1) units += widths_[first + std::countr_zero(bits)];
  }
  return units;
}

uint32_t BaseCounts::select(uint32_t k) const {
  TD_ASSERT(k < visible_count_, "select within the visible base atoms");
  uint32_t w = 0;  // words before the answer's word
  for (uint32_t step = top_step_; step > 0; step >>= 1) {
    if (w + step <= word_count() && tree_count_[w + step] <= k) {
      w += step;
      k -= tree_count_[w];
    }
  }
  return w * kWordBits + select_in_word(words_[w], k);
}

uint32_t BaseCounts::select_units(uint64_t units, uint64_t* offset_in_atom) const {
  TD_ASSERT(units < visible_units_, "select within the visible base units");
  uint32_t w = 0;
  for (uint32_t step = top_step_; step > 0; step >>= 1) {
    if (w + step <= word_count() && tree_units_[w + step] <= units) {
      w += step;
      units -= tree_units_[w];
    }
  }
  for (uint64_t bits = words_[w];; bits &= bits - 1) {
    TD_ASSERT(bits != 0, "the unit lies in this word");
    const uint32_t i = w * kWordBits + static_cast<uint32_t>(std::countr_zero(bits));
    if (units < widths_[i]) {
      *offset_in_atom = units;
      return i;
    }
    units -= widths_[i];
  }
}

uint32_t BaseCounts::next_with(uint32_t i, uint32_t b, bool bit) const {
  if (i >= b) return b;
  uint32_t w = i / kWordBits;
  uint64_t bits = (bit ? words_[w] : ~words_[w]) & (~uint64_t{0} << (i % kWordBits));
  while (bits == 0) {
    ++w;
    if (w * kWordBits >= b) return b;
    bits = bit ? words_[w] : ~words_[w];
  }
  const uint32_t found = w * kWordBits + static_cast<uint32_t>(std::countr_zero(bits));
  return found < b ? found : b;
}

uint32_t BaseCounts::first_visible_near(uint32_t a, uint32_t b) const {
  TD_ASSERT(a <= b && b <= size(), "a range within the base");
  if (a == b) return kNone;
  const uint32_t limit =
      std::min<uint64_t>(b, (uint64_t{a} / kWordBits + kNearWordsMax) * kWordBits);
  const uint32_t found = next_with(a, limit, true);
  return found < limit ? found : kNone;
}

uint32_t BaseCounts::last_visible_near(uint32_t a, uint32_t b) const {
  TD_ASSERT(a <= b && b <= size(), "a range within the base");
  for (uint32_t words = 0; b > a && words < kNearWordsMax; ++words) {
    // Bits [lo, b) of b - 1's word.
    const uint32_t w = (b - 1) / kWordBits;
    const uint32_t lo = std::max(a, w * kWordBits);
    const uint32_t width = b - lo;
    const uint64_t mask = width == kWordBits ? ~uint64_t{0} : ((uint64_t{1} << width) - 1);
    const uint64_t bits = (words_[w] >> (lo % kWordBits)) & mask;
    if (bits != 0) return lo + static_cast<uint32_t>(std::bit_width(bits)) - 1;
    b = lo;
  }
  return kNone;
}

}  // namespace treedoc
