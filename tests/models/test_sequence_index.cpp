// The walk-order index with base runs against a naive vector: inserts next to base atoms and
// explicit minis (splitting runs), visibility changes, erases, lookups by index (with fingers
// left at random indices before each change), unit and rank.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/sequence_index.hpp"

using namespace treedoc;

namespace {

struct Model {
  std::vector<NodeIndex> order;
  std::map<NodeIndex, uint32_t> width;
  std::map<NodeIndex, bool> visible;
};

void check(const SequenceIndex& index, const Model& m) {
  std::vector<NodeIndex> walked;
  index.for_each([&](NodeIndex x) { walked.push_back(x); },
                 [&](uint32_t a, uint32_t b) {
                   REQUIRE(a < b);
                   for (uint32_t i = a; i < b; ++i) walked.push_back(base_node(i));
                 });
  REQUIRE(walked == m.order);
  uint32_t count = 0;
  uint64_t units = 0;
  for (NodeIndex x : m.order) {
    REQUIRE(index.contains(x));
    REQUIRE(index.rank(x) == count);
    if (!m.visible.at(x)) continue;
    REQUIRE(index.find_index(count) == x);
    for (uint32_t u = 0; u < m.width.at(x); ++u) {
      uint64_t offset = 99;
      REQUIRE(index.find_units(units + u, &offset) == x);
      REQUIRE(offset == u);
    }
    ++count;
    units += m.width.at(x);
  }
  REQUIRE(index.visible_count() == count);
  REQUIRE(index.visible_units() == units);
}

}  // namespace

TEST_CASE("the sequence index with base runs matches a naive sequence", "[sequence_index]") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    RandomStream rng(seed);
    const auto n = static_cast<uint32_t>(rng.below(150));
    BaseWidths widths;
    Model m;
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t w = seed % 2 ? 1 : static_cast<uint32_t>(rng.below(3));
      widths.push_back(w);
      m.order.push_back(base_node(i));
      m.width[base_node(i)] = w;
      m.visible[base_node(i)] = true;
    }
    SequenceIndex index;
    index.reset(&widths);
    std::vector<NodeIndex> explicit_minis, free_ids;
    NodeIndex next_id = 0;
    INFO("seed " << seed << " base " << n);
    check(index, m);
    for (int step = 0; step < 300; ++step) {
      // Fingers at random indices (one per parity, as find_index leaves them): every change
      // below must make them stale, or check() finds a stale answer.
      for (int k = 0; k < 2 && index.visible_count() > 0; ++k) {
        index.find_index(static_cast<uint32_t>(rng.below(index.visible_count())));
      }
      const uint64_t what = rng.below(10);
      if (what < 5 || m.order.empty()) {
        NodeIndex x = next_id;
        if (!free_ids.empty() && rng.chance(0.5)) {
          x = free_ids.back();
          free_ids.pop_back();
        } else {
          ++next_id;
        }
        const bool after = rng.chance(0.5) || m.order.empty();
        const size_t at = m.order.empty() ? 0 : rng.below(m.order.size());
        if (after) {
          const bool first = m.order.empty() || rng.chance(0.05);
          const NodeIndex anchor = first ? kNoNode : m.order[at];
          index.insert_after(anchor, x);
          m.order.insert(first ? m.order.begin() : m.order.begin() + at + 1, x);
        } else {
          index.insert_before(m.order[at], x);
          m.order.insert(m.order.begin() + at, x);
        }
        m.width[x] = 1 + static_cast<uint32_t>(rng.below(3));
        m.visible[x] = false;
        explicit_minis.push_back(x);
      } else if (what < 8) {
        const NodeIndex x = m.order[rng.below(m.order.size())];
        const bool v = rng.chance(0.5);
        index.set_visible(x, v, m.width[x]);
        m.visible[x] = v;
      } else if (!explicit_minis.empty()) {
        const size_t k = rng.below(explicit_minis.size());
        const NodeIndex x = explicit_minis[k];
        explicit_minis.erase(explicit_minis.begin() + k);
        index.erase(x);
        m.order.erase(std::find(m.order.begin(), m.order.end(), x));
        m.visible.erase(x);
        free_ids.push_back(x);
        REQUIRE(!index.contains(x));
      }
      check(index, m);
    }
  }
}

TEST_CASE("the sequence index builds from explicit minis", "[sequence_index]") {
  SequenceIndex index;
  const std::vector<NodeIndex> minis = {4, 0, 7, 2, 9};
  const std::vector<uint32_t> widths = {1, 2, 3, 1, 5};
  const std::vector<uint8_t> visible = {1, 0, 1, 1, 0};
  index.build(minis, widths, visible);
  Model m;
  for (size_t i = 0; i < minis.size(); ++i) {
    m.order.push_back(minis[i]);
    m.width[minis[i]] = widths[i];
    m.visible[minis[i]] = visible[i] != 0;
  }
  check(index, m);
  REQUIRE(!index.contains(base_node(0)));
}
