// BaseCounts against a naive vector of (visible, width): a pasted stretch appended at once
// (push_back_run) against one atom at a time, and the neighbour looks (first/last_visible_near)
// against a scan of the whole range cut at their word limit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/base_counts.hpp"

using namespace treedoc;

namespace {

struct NaiveCounts {
  std::vector<uint8_t> visible;
  std::vector<uint32_t> width;
};

void require_same_counts(const BaseCounts& c, const NaiveCounts& m) {
  REQUIRE(c.size() == m.visible.size());
  uint32_t count = 0;
  uint64_t units = 0;
  for (uint32_t i = 0; i < c.size(); ++i) {
    REQUIRE(c.visible(i) == (m.visible[i] != 0));
    REQUIRE(c.width(i) == m.width[i]);
    REQUIRE(c.count_before(i) == count);
    REQUIRE(c.units_before(i) == units);
    if (m.visible[i]) {
      REQUIRE(c.select(count) == i);
      ++count;
      units += m.width[i];
    }
  }
  REQUIRE(c.visible_count() == count);
  REQUIRE(c.visible_units() == units);
}

// The naive answers: the first (last) visible atom of [a, b) within the words the look may read.
uint32_t naive_first_near(const NaiveCounts& m, uint32_t a, uint32_t b) {
  const uint64_t limit = std::min<uint64_t>(b, (a / 64 + BaseCounts::kNearWordsMax) * 64);
  for (uint64_t i = a; i < limit; ++i) {
    if (m.visible[i]) return static_cast<uint32_t>(i);
  }
  return BaseCounts::kNone;
}

uint32_t naive_last_near(const NaiveCounts& m, uint32_t a, uint32_t b) {
  if (b == 0) return BaseCounts::kNone;
  const uint64_t words_back = BaseCounts::kNearWordsMax - 1;
  const uint64_t first_word = (b - 1) / 64 >= words_back ? (b - 1) / 64 - words_back : 0;
  const uint64_t lo = std::max<uint64_t>(a, first_word * 64);
  for (uint64_t i = b; i > lo; --i) {
    if (m.visible[i - 1]) return static_cast<uint32_t>(i - 1);
  }
  return BaseCounts::kNone;
}

}  // namespace

TEST_CASE("a stretch appended at once counts as its atoms appended one by one", "[base_counts]") {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomStream rng(seed);
    BaseWidths initial;
    NaiveCounts m;
    const auto n = static_cast<uint32_t>(rng.below(200));
    for (uint32_t i = 0; i < n; ++i) {
      initial.push_back(1);
      m.visible.push_back(1);
      m.width.push_back(1);
    }
    BaseCounts bulk, single;
    BaseWidths copy = initial;
    bulk.reset(&initial);
    single.reset(&copy);
    INFO("seed " << seed);
    for (int step = 0; step < 30; ++step) {
      const auto count = static_cast<size_t>(1 + rng.below(seed % 3 == 0 ? 300 : 70));
      std::vector<uint32_t> widths;
      if (rng.chance(0.5)) {
        for (size_t k = 0; k < count + 2; ++k) widths.push_back(1 + rng.below(3));
      }
      const size_t from = widths.empty() ? 0 : 2;
      bulk.push_back_run(widths, from, widths.empty() ? count : widths.size() - from);
      for (size_t k = from; k < (widths.empty() ? count : widths.size()); ++k) {
        const uint32_t w = widths.empty() ? 1 : widths[k];
        single.push_back(w);
        m.visible.push_back(1);
        m.width.push_back(w);
      }
      // Hide a stretch now and then, so that later appends meet partly hidden words.
      if (m.visible.size() > 4 && rng.chance(0.5)) {
        const auto a = static_cast<uint32_t>(rng.below(m.visible.size() - 2));
        const auto i =
            static_cast<uint32_t>(a + rng.below(std::min<size_t>(5, m.visible.size() - a)));
        if (m.visible[i]) {
          bulk.set_visible(i, false);
          single.set_visible(i, false);
          m.visible[i] = 0;
        }
      }
      require_same_counts(bulk, m);
      require_same_counts(single, m);
    }
  }
}

TEST_CASE("the neighbour looks find the nearest visible atom within their words", "[base_counts]") {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomStream rng(seed);
    NaiveCounts m;
    BaseWidths widths;
    const auto n = static_cast<uint32_t>(1 + rng.below(900));
    for (uint32_t i = 0; i < n; ++i) {
      widths.push_back(1);
      m.visible.push_back(1);
      m.width.push_back(1);
    }
    BaseCounts c;
    c.reset(&widths);
    // Long hidden stretches as well as scattered ones: the looks must stop at their word limit.
    const double hidden = seed % 2 == 0 ? 0.97 : 0.5;
    for (uint32_t i = 0; i < n; ++i) {
      if (rng.chance(hidden)) {
        c.set_visible(i, false);
        m.visible[i] = 0;
      }
    }
    INFO("seed " << seed);
    for (int probe = 0; probe < 200; ++probe) {
      const auto a = static_cast<uint32_t>(rng.below(n + 1));
      const auto b = static_cast<uint32_t>(a + rng.below(n - a + 1));
      INFO("range [" << a << ", " << b << ")");
      REQUIRE(c.first_visible_near(a, b) == naive_first_near(m, a, b));
      REQUIRE(c.last_visible_near(a, b) == naive_last_near(m, a, b));
    }
  }
}
