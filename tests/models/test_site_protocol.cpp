// The flatten protocol in models/site without SimGrid: the core's commit wired to a policy,
// epochs, catch-up epoch by epoch, state transfer beyond the retention bound, under loss,
// duplication, reordering and crashes.
#include <catch2/catch.hpp>
#include <set>

#include "tests/models/site_network.hpp"

using namespace treedoc;

namespace {

site::SiteConfig flattening_config(uint64_t every_ops) {
  site::SiteConfig c;
  c.anti_entropy_period_us = 200 * site::kUsPerMs;
  c.flatten.kind = site::FlattenPolicy::Kind::kEveryOps;
  c.flatten.ops = every_ops;
  c.flatten.check_period_us = 20 * site::kUsPerMs;
  c.flatten.vote_timeout_us = 300 * site::kUsPerMs;
  c.flatten.retry_backoff_us_min = 20 * site::kUsPerMs;
  c.flatten.retry_backoff_us_max = 200 * site::kUsPerMs;
  c.catch_up_retry_us = 300 * site::kUsPerMs;
  return c;
}

}  // namespace

TEST_CASE("a core of one flattens alone and a restart rebuilds the new epoch", "[protocol]") {
  test::SiteNetwork net(1, 1, flattening_config(3), 1);
  for (int k = 0; k < 3; ++k) net.edit(0);
  const std::string before = net.site(0).replica().content();
  net.run_for(100 * site::kUsPerMs);
  REQUIRE(net.site(0).epoch() == 1);
  REQUIRE(net.site(0).claimed().empty());
  REQUIRE(net.site(0).replica().content() == before);
  net.crash(0);
  net.boot(0);
  REQUIRE(net.site(0).epoch() == 1);
  REQUIRE(net.site(0).replica().content() == before);
}

TEST_CASE("the core flattens under loss, duplication and crashes, and nothing is lost",
          "[protocol]") {
  uint64_t epochs = 0;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    INFO("seed " << seed);
    test::SiteNetwork net(seed, 6, flattening_config(8), 3);
    net.loss = 0.05;
    net.duplicate = 0.05;
    sim::RandomStream rng(seed * 7919);
    for (int step = 0; step < 120; ++step) {
      const size_t i = rng.below(net.size());
      if (net.up(i)) net.edit(i);
      if (rng.chance(0.03)) {
        const size_t victim = rng.below(net.size());
        if (net.up(victim)) net.crash(victim);
      }
      net.run_for(rng.below(150 * site::kUsPerMs));
    }
    for (size_t i = 0; i < net.size(); ++i) {
      if (!net.up(i)) net.boot(i);
    }
    net.loss = 0;
    net.duplicate = 0;
    net.run_for(20 * site::kUsPerS);
    REQUIRE(net.converged());
    REQUIRE(test::visible_ids(net.site(0)) == test::surviving(net));
    epochs += net.site(0).epoch();
  }
  REQUIRE(epochs > 25);  // flattens did commit, in most seeds more than once
}

TEST_CASE("a nebula site offline across epochs catches up and translates its own ops",
          "[protocol]") {
  site::SiteConfig c = flattening_config(4);
  test::SiteNetwork net(3, 3, c, 2);
  for (int k = 0; k < 4; ++k) net.edit(k % 3);
  net.run_for(2 * site::kUsPerS);
  REQUIRE(net.site(2).epoch() == 1);
  // The nebula site is cut off (every message lost) while everyone edits and the core flattens.
  net.loss = 1;
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < 4; ++k) net.edit(k % 2);
    net.edit(2);
    net.run_for(site::kUsPerS);
  }
  net.loss = 0;  // the core's messages are lost too, so it commits nothing while cut: heal and
  for (int round = 0; round < 3; ++round) {  // let it flatten without the nebula site's edits
    for (int k = 0; k < 4; ++k) net.edit(k % 2);
    net.run_for(site::kUsPerS);
  }
  net.run_for(10 * site::kUsPerS);
  REQUIRE(net.converged());
  REQUIRE(net.site(0).epoch() >= 2);
  REQUIRE(test::visible_ids(net.site(2)) == test::surviving(net));
  REQUIRE(net.lost_by_policy().empty());
}

TEST_CASE("beyond the retention bound a state transfer reports what it cannot translate",
          "[protocol]") {
  site::SiteConfig c = flattening_config(2);
  c.retention_epochs = 0;        // no archive at all: any site behind gets a state transfer
  c.anti_entropy_period_us = 0;  // nothing repairs the lost op before the flatten
  test::SiteNetwork net(4, 2, c, 1);
  net.loss = 1;
  net.edit(1);  // the nebula site's op, made in epoch 0 and never sent anywhere
  const OpId offline = net.made().rbegin()->first;
  net.run_for(site::kUsPerS);
  net.loss = 0;
  net.edit(0);
  net.edit(0);
  net.run_for(site::kUsPerS);
  REQUIRE(net.site(0).epoch() == 1);
  net.edit(0);  // an epoch-1 op reaches the nebula site, which learns it is behind
  net.run_for(5 * site::kUsPerS);
  REQUIRE(net.converged());
  REQUIRE(net.site(1).epoch() == net.site(0).epoch());
  REQUIRE(net.lost_by_policy().count(offline) == 1);
  REQUIRE(test::visible_ids(net.site(1)) == test::surviving(net));
}
