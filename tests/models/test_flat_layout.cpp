// The balanced layout as arithmetic (docs/protocol.md §3 place()) against flat_tid, and the base's
// flat storage: visibility counts, widths and atoms against naive models.
#include <catch2/catch.hpp>

#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/base_atoms.hpp"
#include "models/treedoc/base_counts.hpp"
#include "models/treedoc/flat_layout.hpp"
#include "models/treedoc/flatten.hpp"
#include "tests/models/random_tid.hpp"

using namespace treedoc;

namespace {

// Sizes around word and power-of-two boundaries, where off-by-one errors live.
const std::vector<uint32_t> kSizes = {1,  2,  3,  4,   7,   8,   9,   31,
                                      63, 64, 65, 127, 128, 129, 200, 1000};

}  // namespace

TEST_CASE("the layout places every atom where flat_tid says", "[flat_layout]") {
  for (uint32_t n : kSizes) {
    const FlatLayout layout(n);
    for (uint32_t i = 0; i < n; ++i) {
      INFO("n " << n << " i " << i);
      const Tid tid = flat_tid(i, n);
      std::vector<FlatLayout::Place> ancestors;
      const FlatLayout::Place p =
          layout.descend(i, [&](const FlatLayout::Place& a) { ancestors.push_back(a); });
      REQUIRE(p.index == i);
      REQUIRE(p.lo <= i);
      REQUIRE(i <= p.hi);
      REQUIRE(FlatLayout::mid(p.lo, p.hi) == i);
      REQUIRE(p.depth == tid.size());
      REQUIRE(p.branch == tid.branch(tid.size() - 1));
      REQUIRE(ancestors.size() + 1 == tid.size());
      for (size_t k = 0; k < ancestors.size(); ++k) {
        REQUIRE(ancestors[k].depth == k + 1);
        REQUIRE(ancestors[k].branch == tid.branch(k));
      }
      REQUIRE(p.parent == (ancestors.empty() ? FlatLayout::kNoParent : ancestors.back().index));
      // Children: exactly the non-empty halves of the range.
      FlatLayout::Place c;
      REQUIRE(FlatLayout::child(p, 0, &c) == (p.lo < i));
      if (p.lo < i) REQUIRE((c.lo == p.lo && c.hi == i - 1 && c.parent == i && c.branch == 0));
      REQUIRE(FlatLayout::child(p, 1, &c) == (i < p.hi));
      if (i < p.hi) REQUIRE((c.lo == i + 1 && c.hi == p.hi && c.parent == i && c.branch == 1));
    }
  }
}

TEST_CASE("the layout visits any range in order, and counts atoms per depth", "[flat_layout]") {
  RandomStream rng(7);
  for (uint32_t n : kSizes) {
    const FlatLayout layout(n);
    std::vector<uint64_t> per_depth;
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t depth = layout.locate(i).depth;
      if (per_depth.size() < depth) per_depth.resize(depth, 0);
      ++per_depth[depth - 1];
    }
    REQUIRE(layout.atoms_per_depth() == per_depth);
    for (int k = 0; k < 20; ++k) {
      const auto a = static_cast<uint32_t>(rng.below(n + 1));
      const auto b = static_cast<uint32_t>(rng.between(a, n));
      std::vector<uint32_t> seen;
      layout.for_each_in_range(a, b, [&](const FlatLayout::Place& p) {
        const FlatLayout::Place q = layout.locate(p.index);
        REQUIRE((p.depth == q.depth && p.branch == q.branch && p.parent == q.parent));
        seen.push_back(p.index);
      });
      std::vector<uint32_t> expected;
      for (uint32_t i = a; i < b; ++i) expected.push_back(i);
      REQUIRE(seen == expected);
    }
  }
  REQUIRE(FlatLayout(0).atoms_per_depth().empty());
}

TEST_CASE("base counts answer like a naive model under visibility changes", "[flat_layout]") {
  RandomStream rng(11);
  for (uint32_t n : kSizes) {
    for (bool unit : {true, false}) {
      INFO("n " << n << " unit widths " << unit);
      BaseWidths widths;
      std::vector<uint32_t> model_width;
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t w = unit ? 1 : static_cast<uint32_t>(rng.below(4));  // zero widths too
        widths.push_back(w);
        model_width.push_back(w);
      }
      REQUIRE(widths.all_unit() == (unit || n == 0));
      BaseCounts counts;
      counts.reset(&widths);
      std::vector<bool> visible(n, true);
      for (int step = 0; step < 200; ++step) {
        const auto i = static_cast<uint32_t>(rng.below(n));
        visible[i] = rng.chance(0.5);
        counts.set_visible(i, visible[i]);
        // Prefix counts and units at a few cut points, then select every visible atom and unit.
        uint32_t count = 0;
        uint64_t units = 0;
        std::vector<uint32_t> visible_atoms;
        for (uint32_t j = 0; j <= n; ++j) {
          if (j % 17 == 0 || j == n) {
            REQUIRE(counts.count_before(j) == count);
            REQUIRE(counts.units_before(j) == units);
          }
          if (j == n) break;
          REQUIRE(counts.visible(j) == visible[j]);
          if (visible[j]) {
            REQUIRE(counts.select(count) == j);
            for (uint32_t u = 0; u < model_width[j]; ++u) {
              uint64_t offset = 99;
              REQUIRE(counts.select_units(units + u, &offset) == j);
              REQUIRE(offset == u);
            }
            visible_atoms.push_back(j);
            ++count;
            units += model_width[j];
          }
        }
        REQUIRE(counts.visible_count() == count);
        REQUIRE(counts.visible_units() == units);
        // Stretches of a random range cover exactly its visible atoms, maximal and in order.
        const auto a = static_cast<uint32_t>(rng.below(n + 1));
        const auto b = static_cast<uint32_t>(rng.between(a, n));
        std::vector<uint32_t> covered;
        uint32_t last_end = 0;
        bool first = true;
        counts.for_each_visible_stretch(a, b, [&](uint32_t s, uint32_t e) {
          REQUIRE(s < e);
          REQUIRE((first || s > last_end));  // maximal: a gap separates two stretches
          first = false;
          last_end = e;
          for (uint32_t j = s; j < e; ++j) covered.push_back(j);
        });
        std::vector<uint32_t> expected;
        for (uint32_t j : visible_atoms) {
          if (a <= j && j < b) expected.push_back(j);
        }
        REQUIRE(covered == expected);
      }
    }
  }
}

TEST_CASE("base widths store values only once one is not 1", "[flat_layout]") {
  BaseWidths w;
  w.push_back(3);  // the first atom already needs stored values
  w.push_back(1);
  REQUIRE(!w.all_unit());
  REQUIRE((w.size() == 2 && w[0] == 3 && w[1] == 1));
  BaseWidths unit;
  for (int i = 0; i < 5; ++i) unit.push_back(1);
  REQUIRE(unit.all_unit());
  BaseWidths mixed;
  mixed.append(unit, 1, 4);
  mixed.append(w, 0, 2);
  mixed.append(unit, 0, 2);
  REQUIRE(mixed.size() == 7);
  const std::vector<uint32_t> expected = {1, 1, 1, 3, 1, 1, 1};
  for (uint32_t i = 0; i < 7; ++i) REQUIRE(mixed[i] == expected[i]);
  mixed.clear();
  REQUIRE((mixed.size() == 0 && mixed.all_unit()));
}

TEST_CASE("a byte bound reserves no offsets, and a wider atom after it still reads back",
          "[flat_layout]") {
  // flatten_visible knows only a bound on the new base's bytes (its deleted atoms' included):
  // one-byte atoms must then hold no offsets, or the kept buffer is oversized and shrunk (copied)
  // at every flatten.
  BaseAtoms bounded, counted;
  bounded.reserve_bytes(400);
  counted.reserve(100, 400);  // an exact count would say: some atom is wider
  for (uint64_t k = 0; k < 100; ++k) {
    bounded.push_back(OpId{kSiteIdFirst, k + 1}, "x");
    counted.push_back(OpId{kSiteIdFirst, k + 1}, "x");
  }
  REQUIRE(bounded.used_bytes() == counted.used_bytes());
  REQUIRE(bounded.memory_bytes() + 100 * sizeof(uint32_t) <= counted.memory_bytes());
  bounded.push_back(OpId{kSiteIdFirst, 101}, "\xc3\xa9");
  bounded.push_back(OpId{kSiteIdFirst, 102}, "y");
  REQUIRE(bounded.atom(99) == "x");
  REQUIRE(bounded.atom(100) == "\xc3\xa9");
  REQUIRE(bounded.atom(101) == "y");
  REQUIRE(bounded.byte_count() == 103);
}

TEST_CASE("base atoms copy stretches with their bytes and op ids", "[flat_layout]") {
  BaseAtoms a;
  const std::vector<std::string> atoms = {"a", "", "bc", "\xc3\xa9", "defg", "h"};
  for (size_t i = 0; i < atoms.size(); ++i) {
    a.push_back(OpId{static_cast<SiteId>(2 + i), 10 * i + 1}, atoms[i]);
  }
  BaseAtoms b;
  b.push_back(OpId{9, 9}, "zz");
  b.append(a, 2, 5);
  b.append(a, 0, 0);
  b.append(a, 5, 6);
  REQUIRE(b.size() == 5);
  REQUIRE(b.atom(0) == "zz");
  for (uint32_t k = 0; k < 3; ++k) {
    REQUIRE(b.atom(1 + k) == atoms[2 + k]);
    REQUIRE(b.ins_op(1 + k) == a.ins_op(2 + k));
  }
  REQUIRE(b.atom(4) == "h");
  REQUIRE(b.byte_count() == 2 + 2 + 2 + 4 + 1);
  a.swap(b);
  REQUIRE(a.size() == 5);
  b.clear();
  REQUIRE((b.size() == 0 && b.byte_count() == 0));
}

namespace {

// A random well-formed TID near a layout of n atoms: often an atom of A extended below it (the
// D_FLAT path), with Dis of every kind (D_MIN, D_FLAT, real sites) on random elements.
Tid random_tid_near_layout(RandomStream& rng, uint32_t n) {
  Tid t;
  if (rng.chance(0.5)) {
    t = flat_tid(rng.below(n), n);
  } else if (rng.chance(0.1)) {
    t.push(0);  // under R.left, the sentinel's side
  }
  const uint64_t extra = t.empty() ? rng.between(1, 14) : rng.between(1, 4);
  test::extend_randomly(rng, &t, extra, 0.15,
                        {kDisMin, kDisFlat, Dis{kSiteIdFirst, 3}, Dis{kSiteIdFirst + 1, 1}});
  return t;
}

}  // namespace

TEST_CASE("flat_rank counts the layout's atoms below a TID, as the comparator does",
          "[flat_layout][property]") {
  RandomStream rng(11);
  for (uint32_t n : kSizes) {
    std::vector<Tid> layout;
    for (uint32_t i = 0; i < n; ++i) layout.push_back(flat_tid(i, n));
    for (int trial = 0; trial < 400; ++trial) {
      const Tid t = random_tid_near_layout(rng, n);
      uint64_t below = 0;
      bool is_atom = false;
      for (const Tid& a : layout) {
        const int c = compare_tids(a, t);
        below += c < 0 ? 1 : 0;
        is_atom = is_atom || c == 0;
      }
      if (is_atom) continue;
      INFO("n " << n << " t " << to_string(t));
      REQUIRE(flat_rank(t, n) == below);
    }
  }
}
