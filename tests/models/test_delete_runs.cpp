// DeleteRuns against a map from atom to its first delete: random deletes, ranges deleted forwards
// and backspaced stretches (ids falling as atoms rise), by several sites.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/delete_runs.hpp"

using namespace treedoc;

TEST_CASE("delete runs keep every atom's first delete", "[delete_runs][property]") {
  constexpr uint64_t kSeeds = 200;
  constexpr uint32_t kAtoms = 300;
  constexpr int kStretches = 60;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    INFO("seed " << seed);
    RandomStream rng(seed);
    DeleteRuns runs;
    std::map<uint32_t, OpId> oracle;
    std::map<SiteId, uint64_t> counters;
    for (int s = 0; s < kStretches; ++s) {
      const auto site = static_cast<SiteId>(2 + rng.below(3));
      const auto start = static_cast<uint32_t>(rng.below(kAtoms));
      const auto length = static_cast<uint32_t>(1 + rng.below(12));
      const bool backwards = rng.chance(0.5);
      for (uint32_t k = 0; k < length; ++k) {
        const uint32_t i = backwards ? (start >= k ? start - k : 0) : start + k;
        const OpId op{site, ++counters[site]};
        const bool fresh = oracle.emplace(i, op).second;
        REQUIRE(runs.add(i, op) == fresh);
      }
    }
    for (uint32_t i = 0; i < kAtoms + 12; ++i) {
      const auto it = oracle.find(i);
      REQUIRE(runs.first_delete(i) == (it == oracle.end() ? kOpIdNone : it->second));
    }
    // Consecutive ids over consecutive atoms share runs.
    REQUIRE(runs.run_count() < oracle.size());
  }
}

TEST_CASE("a stretch added at once gives the runs its atoms added one by one give",
          "[delete_runs][property]") {
  constexpr uint64_t kSeeds = 200;
  constexpr uint32_t kAtoms = 300;
  constexpr int kEdits = 80;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    INFO("seed " << seed);
    RandomStream rng(seed * 7 + 1);
    DeleteRuns one_by_one, stretched;
    std::vector<bool> deleted(kAtoms + 12, false);
    std::map<SiteId, uint64_t> counters;
    for (int e = 0; e < kEdits; ++e) {
      const auto site = static_cast<SiteId>(2 + rng.below(2));
      const auto start = static_cast<uint32_t>(rng.below(kAtoms));
      if (rng.chance(0.3)) {
        // A single delete, maybe one a backspace continues falling, maybe of a deleted atom.
        const OpId op{site, ++counters[site]};
        deleted[start] = true;
        REQUIRE(one_by_one.add(start, op) == stretched.add(start, op));
        continue;
      }
      // A stretch of atoms not yet deleted, ids rising, sometimes next to earlier runs.
      uint32_t length = 0;
      while (length < 1 + rng.below(12) && !deleted[start + length]) ++length;
      if (length == 0) continue;
      const OpId first{site, counters[site] + 1};
      counters[site] += length;
      for (uint32_t k = 0; k < length; ++k) {
        REQUIRE(one_by_one.add(start + k, {site, first.counter + k}));
        deleted[start + k] = true;
      }
      stretched.add_stretch(start, length, first);
    }
    REQUIRE(stretched.run_count() == one_by_one.run_count());
    for (uint32_t i = 0; i < kAtoms + 12; ++i) {
      REQUIRE(stretched.first_delete(i) == one_by_one.first_delete(i));
    }
  }
}
