// DotSet against a plain std::set reference: membership, size, order, difference and inclusion.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "models/treedoc/dot_set.hpp"
#include "sim/random_stream.hpp"

using namespace treedoc;

namespace {

void fill(sim::RandomStream& rng, DotSet* set, std::set<OpId>* reference, int count) {
  for (int i = 0; i < count; ++i) {
    const OpId id{static_cast<SiteId>(2 + rng.below(4)), 1 + rng.below(30)};
    REQUIRE(set->insert(id) == reference->insert(id).second);
  }
}

}  // namespace

TEST_CASE("DotSet behaves as a set of op ids", "[property]") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    sim::RandomStream rng(seed);
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
