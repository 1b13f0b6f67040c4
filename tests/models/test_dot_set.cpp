// Op-id sets as runs of counters against a std::set model: membership, insertion results, sizes,
// ordering, set difference and inclusion, with counters that do not start at 1.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "models/random/random_stream.hpp"
#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/replica.hpp"

using namespace treedoc;

TEST_CASE("dot sets hold exactly the ids inserted, in any order", "[dot_set]") {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    RandomStream rng(seed);
    DotSet a, b;
    std::set<OpId> model_a, model_b;
    // Counters from a high base, as in an epoch's `seen` after a flatten.
    const uint64_t base = rng.chance(0.5) ? 0 : 1000 + rng.below(1000);
    for (int step = 0; step < 400; ++step) {
      const OpId id{static_cast<SiteId>(2 + rng.below(3)), base + 1 + rng.below(60)};
      const bool into_a = rng.chance(0.7);
      DotSet& set = into_a ? a : b;
      std::set<OpId>& model = into_a ? model_a : model_b;
      REQUIRE(set.insert(id) == model.insert(id).second);
      REQUIRE(set.size() == model.size());
    }
    for (SiteId site = 1; site < 6; ++site) {
      for (uint64_t c = 1; c < base + 70; ++c) {
        REQUIRE(a.contains({site, c}) == (model_a.count({site, c}) > 0));
      }
    }
    REQUIRE(a.to_vector() == std::vector<OpId>(model_a.begin(), model_a.end()));
    std::vector<OpId> difference;
    for (const OpId& id : model_a) {
      if (!model_b.count(id)) difference.push_back(id);
    }
    REQUIRE(a.minus(b) == difference);
    REQUIRE(a.includes(b) ==
            std::includes(model_a.begin(), model_a.end(), model_b.begin(), model_b.end()));
    // Equal sets compare equal whatever the insertion order.
    DotSet reversed;
    for (auto it = model_a.rbegin(); it != model_a.rend(); ++it) reversed.insert(*it);
    REQUIRE(reversed == a);
    REQUIRE((a == b) == (model_a == model_b));
  }
}

namespace {

void fill(RandomStream& rng, DotSet* set, std::set<OpId>* reference, int count) {
  for (int i = 0; i < count; ++i) {
    const OpId id{static_cast<SiteId>(2 + rng.below(4)), 1 + rng.below(30)};
    REQUIRE(set->insert(id) == reference->insert(id).second);
  }
}

}  // namespace

TEST_CASE("DotSet behaves as a set of op ids", "[property]") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    RandomStream rng(seed);
    DotSet a, b;
    std::set<OpId> ra, rb;
    fill(rng, &a, &ra, static_cast<int>(rng.below(80)));
    fill(rng, &b, &rb, static_cast<int>(rng.below(80)));
    INFO("seed " << seed);
    REQUIRE(a.size() == ra.size());
    REQUIRE(a.to_vector() == std::vector<OpId>(ra.begin(), ra.end()));
    std::vector<OpId> a_minus_b;
    for (const OpId& id : ra) {
      if (rb.count(id) == 0) a_minus_b.push_back(id);
    }
    REQUIRE(a.minus(b) == a_minus_b);
    REQUIRE(a.includes(b) == std::includes(ra.begin(), ra.end(), rb.begin(), rb.end()));
    REQUIRE(b.includes(a) == std::includes(rb.begin(), rb.end(), ra.begin(), ra.end()));
    for (SiteId site = 2; site < 6; ++site) {
      uint64_t expected = 0;
      while (ra.count({site, expected + 1}) > 0) ++expected;
      REQUIRE(a.contiguous(site) == expected);
    }
    DotSet u = a;
    for (const OpId& id : rb) u.insert(id);
    REQUIRE(u.includes(a));
    REQUIRE(u.includes(b));
  }
}

TEST_CASE("DotSet inclusion with a site missing entirely", "[dot_set]") {
  DotSet a, b;
  a.insert({2, 1});
  b.insert({3, 1});
  REQUIRE_FALSE(a.includes(b));
  REQUIRE(a.includes(DotSet{}));
  REQUIRE_FALSE(DotSet{}.includes(a));
}

TEST_CASE("DotSet lookups find every site among many: dense, gappy or sparse ids", "[property]") {
  // Lookups guess a site's place from its id and gallop from there: ids with gaps, clusters and
  // sites of many runs must not mislead them.
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomStream rng(seed);
    const uint64_t site_count = 1 + rng.below(2000);
    const uint64_t stride = 1 + rng.below(seed % 3 == 0 ? 1000 : 3);  // dense, gappy, sparse
    DotSet set;
    std::set<OpId> model;
    for (int step = 0; step < 4000; ++step) {
      uint64_t s = rng.below(site_count);
      if (seed % 5 == 0) s = s % 7 == 0 ? s : s / 50;  // clusters of ids
      const OpId id{static_cast<SiteId>(2 + s * stride),
                    1 + rng.below(seed % 2 == 0 ? 3 : 40)};  // few runs or many
      INFO("seed " << seed << " step " << step);
      REQUIRE(set.insert(id) == model.insert(id).second);
    }
    INFO("seed " << seed);
    REQUIRE(set.size() == model.size());
    REQUIRE(set.to_vector() == std::vector<OpId>(model.begin(), model.end()));
    for (int probe = 0; probe < 2000; ++probe) {
      const OpId id{static_cast<SiteId>(rng.below(2 + site_count * stride + 5)), 1 + rng.below(45)};
      REQUIRE(set.contains(id) == (model.count(id) > 0));
    }
    for (const OpId& id : model) REQUIRE(set.contains(id));
  }
}

TEST_CASE("a replica's memory counts its seen set at 16 bytes a run", "[dot_set][replica]") {
  // One insert from each of many sites: `seen` holds one run per site, far apart in memory from
  // the one-id-in-8-bytes figure the replica once reported.
  constexpr SiteId kSites = 2000;
  Replica reader(3);
  for (SiteId site = 2; site < 2 + kSites; ++site) {
    Replica origin(site);
    origin.install_epoch(1, {});
    Op op = origin.local_insert(0, "x");
    if (reader.epoch() == 0) reader.install_epoch(1, {});
    REQUIRE(reader.apply(op) == ApplyOutcome::kApplied);
  }
  const ReplicaStats st = reader.stats();
  REQUIRE(reader.seen().size() == kSites);
  REQUIRE(reader.seen().memory_bytes() >= size_t{16} * kSites);
  REQUIRE(st.memory_bytes == reader.tree().memory_bytes() + reader.seen().memory_bytes());
}

TEST_CASE("a set appended run by run equals the set of the same ids inserted one by one",
          "[dot_set][property]") {
  // Sites of many runs, adjacent runs that must merge, and runs across sites: an epoch's base ids.
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    RandomStream rng(seed);
    DotSet appended, inserted;
    SiteId site = kSiteIdFirst;
    uint64_t next = 1;
    for (int k = 0; k < 200; ++k) {
      if (rng.chance(0.1)) {
        site += static_cast<SiteId>(rng.between(1, 3));
        next = 1;
      }
      next += rng.chance(0.3) ? 0 : rng.below(5);  // 0: adjacent to the run before
      const uint64_t count = rng.between(1, 9);
      appended.append_run({site, next}, count);
      for (uint64_t j = 0; j < count; ++j) inserted.insert({site, next + j});
      next += count;
    }
    INFO("seed " << seed);
    REQUIRE(appended == inserted);
    REQUIRE(appended.size() == inserted.size());
  }
}

TEST_CASE("a site's new ids inserted above its others equal inserting them one by one",
          "[dot_set][property]") {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    RandomStream rng(seed * 3 + 2);
    DotSet above, one_by_one;
    std::vector<uint64_t> counter(5, 0);
    for (int step = 0; step < 200; ++step) {
      const auto site = static_cast<SiteId>(2 + rng.below(3));
      if (rng.chance(0.3)) {
        // Another site's id anywhere, or this site's counter skipping (a lost op, a restart).
        counter[site] += 1 + rng.below(3);
        const OpId id{site, counter[site]};
        REQUIRE(above.insert(id) == one_by_one.insert(id));
        continue;
      }
      const uint64_t count = 1 + rng.below(rng.chance(0.5) ? 3 : 40);
      const OpId first{site, counter[site] + 1 + rng.below(2)};  // next to the run, or past a gap
      above.insert_above(first, count);
      for (uint64_t k = 0; k < count; ++k) REQUIRE(one_by_one.insert({site, first.counter + k}));
      counter[site] = first.counter + count - 1;
      REQUIRE(above == one_by_one);
    }
  }
}
