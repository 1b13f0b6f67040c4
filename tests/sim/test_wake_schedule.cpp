// The courier's view of when sites' actors wake: the earliest plan is always the minimum of the
// current plans, however often plans are superseded, and never a superseded one.
#include <catch2/catch.hpp>

#include <algorithm>

#include "models/random/random_stream.hpp"
#include "sim/world/wake_schedule.hpp"

using namespace treedoc;
using sim::SiteIndex;
using sim::WakeSchedule;

TEST_CASE("every actor runs at time 0 until it plans otherwise", "[wake_schedule]") {
  WakeSchedule w(3);
  REQUIRE(w.earliest() == 0);
  w.plan(0, 50);
  w.plan(1, 20);
  REQUIRE(w.earliest() == 0);
  w.plan(2, site::kTimeUsMax);
  REQUIRE(w.earliest() == 20);
  w.plan(1, 70);  // superseded: 20 no longer counts
  REQUIRE(w.earliest() == 50);
  w.plan(0, site::kTimeUsMax);
  w.plan(1, site::kTimeUsMax);
  REQUIRE(w.earliest() == site::kTimeUsMax);
}

TEST_CASE("the earliest wake is the minimum of the current plans", "[wake_schedule][property]") {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    RandomStream rng(seed);
    const size_t sites = 1 + rng.below(40);
    WakeSchedule w(sites);
    std::vector<site::TimeUs> plans(sites, 0);
    for (int step = 0; step < 3000; ++step) {  // enough supersessions to force rebuilds
      const auto i = static_cast<SiteIndex>(rng.below(sites));
      const site::TimeUs t = rng.chance(0.1) ? site::kTimeUsMax : rng.below(1000);
      w.plan(i, t);
      plans[i] = t;
      INFO("seed " << seed << " step " << step);
      REQUIRE(w.planned(i) == t);
      REQUIRE(w.earliest() == *std::min_element(plans.begin(), plans.end()));
    }
  }
}
