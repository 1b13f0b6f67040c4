// The flatten protocol in models/site without SimGrid: the core's commit wired to a policy,
// epochs, catch-up epoch by epoch, state transfer beyond the retention bound, under loss,
// duplication, reordering and crashes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "tests/models/site_network.hpp"

using namespace treedoc;

namespace {

site::SiteConfig flattening_config(uint64_t every_ops) {
  site::SiteConfig c;
  c.replication.anti_entropy_period_us = 200 * site::kUsPerMs;
  c.flatten.kind = site::FlattenPolicy::Kind::kEveryOps;
  c.flatten.ops = every_ops;
  c.flatten.check_period_us = 20 * site::kUsPerMs;
  c.flatten.vote_timeout_us = 300 * site::kUsPerMs;
  c.flatten.retry_backoff_us_min = 20 * site::kUsPerMs;
  c.flatten.retry_backoff_us_max = 200 * site::kUsPerMs;
  c.epochs.catch_up_retry_us = 300 * site::kUsPerMs;
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
    RandomStream rng(seed * 7919);
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

TEST_CASE("an offline paste stays one run op through catch-up's translation", "[protocol][runs]") {
  constexpr uint32_t kPasteAtoms = 20;
  site::SiteConfig c = flattening_config(4);
  test::SiteNetwork net(3, 3, c, 2);
  for (int k = 0; k < 4; ++k) net.edit(k % 3);
  net.run_for(2 * site::kUsPerS);
  REQUIRE(net.site(2).epoch() == 1);
  // The nebula site pastes while cut off from both core sites, which flatten without it.
  const std::set<std::pair<size_t, size_t>> isolated = {{2, 0}, {0, 2}, {2, 1}, {1, 2}};
  net.cut = isolated;
  net.paste(2, kPasteAtoms);
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < 4; ++k) net.edit(k % 2);
    net.run_for(site::kUsPerS);
  }
  REQUIRE(net.site(0).epoch() >= 3);
  net.cut.clear();
  net.run_for(10 * site::kUsPerS);
  REQUIRE(net.converged());
  REQUIRE(net.site(0).epoch() >= 2);
  REQUIRE(test::visible_ids(net.site(0)) == test::surviving(net));
  // Translated atom by atom and regrouped: no cyan atom came between the paste's members.
  bool as_one_run = false;
  for (const auto& [i, op] : net.translated) {
    if (i != 2 || op->id.site != net.site(2).id() || !op->is_insert()) continue;
    REQUIRE(op->atoms() == kPasteAtoms);
    as_one_run = true;
  }
  REQUIRE(as_one_run);
}

namespace {

// Nebula site 1 makes an op no one receives; the core then flattens into epoch 1 without it, and
// an epoch-1 op reaches site 1, which learns it is behind. Returns the unsent op.
OpId fall_behind_with_an_unsent_op(test::SiteNetwork& net) {
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
  return offline;
}

}  // namespace

TEST_CASE(
    "beyond the retention bound, under the opt-in policy lose, a state transfer reports "
    "what it cannot translate",
    "[protocol]") {
  site::SiteConfig c = flattening_config(2);
  c.epochs.retention_epochs = 0;  // no archive at all: any site behind gets a state transfer
  c.epochs.beyond_retention = site::EpochPolicy::BeyondRetention::kLose;
  c.replication.anti_entropy_period_us = 0;  // nothing repairs the lost op before the flatten
  test::SiteNetwork net(4, 2, c, 1);
  const OpId offline = fall_behind_with_an_unsent_op(net);
  REQUIRE(net.converged());
  REQUIRE(net.site(1).epoch() == net.site(0).epoch());
  REQUIRE(net.lost_by_policy().count(offline) == 1);
  REQUIRE(test::visible_ids(net.site(1)) == test::surviving(net));
}

TEST_CASE("beyond the retention bound a state transfer re-bases the site's own ops: none lost",
          "[protocol]") {
  site::SiteConfig c = flattening_config(2);
  c.epochs.retention_epochs = 0;
  c.replication.anti_entropy_period_us = 0;
  test::SiteNetwork net(4, 2, c, 1);
  const OpId offline = fall_behind_with_an_unsent_op(net);
  net.edit(0);  // the re-based op and that one made the core flatten again: tell the nebula site
  net.run_for(5 * site::kUsPerS);
  REQUIRE(net.converged());
  REQUIRE(net.lost_by_policy().empty());
  const std::vector<OpId> survivors = test::surviving(net);
  REQUIRE(test::visible_ids(net.site(0)) == survivors);
  REQUIRE(std::count(survivors.begin(), survivors.end(), offline) == 1);
  const site::EpochEntered* transfer = nullptr;
  for (const auto& [i, e] : net.entered) {
    if (i == 1 && !e.ending && !transfer) transfer = &e;  // the first, which carried the op
  }
  REQUIRE(transfer != nullptr);
  CHECK(transfer->rebased == 1);
  CHECK(transfer->lost_by_policy == 0);
}

TEST_CASE("a state transfer tells which ops of the cut its base brought that the site lacked",
          "[protocol]") {
  // A CUT's ops are applied before the flatten, so the sequence cannot change; a STATE brings
  // none, so its base may show atoms the site never held. The site says how many such ops there
  // were, and what it showed before and after, so that the checker does not take them for moved
  // or lost atoms (flatten invisibility, invariants 11 and 13).
  site::SiteConfig c = flattening_config(3);
  c.epochs.retention_epochs = 0;             // any site behind gets a state transfer
  c.replication.anti_entropy_period_us = 0;  // nothing repairs what the nebula site misses
  test::SiteNetwork net(5, 2, c, 1);
  net.edit(0);  // an insert (the document is empty), which reaches the nebula site
  const OpId first = net.made().begin()->first;
  net.run_for(site::kUsPerS);
  REQUIRE(test::visible_ids(net.site(1)) == std::vector<OpId>{first});
  net.loss = 1;  // two more core ops the nebula site never gets; the core of one flattens them
  net.edit(0);
  net.edit(0);
  net.run_for(site::kUsPerS);
  REQUIRE(net.site(0).epoch() == 1);
  std::vector<OpId> base;
  for (const auto& [id, atom] : net.site(0).replica().visible_atoms()) base.push_back(id);
  net.loss = 0;
  net.edit(0);  // an epoch-1 op tells the nebula site it is behind: HELLO, then STATE
  net.run_for(5 * site::kUsPerS);
  REQUIRE(net.site(1).epoch() == 1);
  REQUIRE(net.lost_by_policy().empty());
  const site::EpochEntered* transfer = nullptr;
  for (const auto& [i, e] : net.entered) {
    if (i == 1) transfer = &e;
  }
  REQUIRE(transfer != nullptr);
  CHECK(transfer->ending == nullptr);  // a state transfer, not a catch-up by CUT
  CHECK(transfer->epoch == 1);
  CHECK(transfer->lost_by_policy == 0);
  CHECK(transfer->gained == 2);
  CHECK(transfer->visible_ids_before == std::vector<OpId>{first});
  CHECK(transfer->visible_ids_after == base);
  CHECK(transfer->visible_hash_before != transfer->visible_hash_after);
}

TEST_CASE("a catch-up by CUT applies the cut's ops first: nothing gained, the sequence is kept",
          "[protocol]") {
  site::SiteConfig c = flattening_config(3);
  c.replication.anti_entropy_period_us = 0;
  test::SiteNetwork net(5, 2, c, 1);
  net.edit(0);
  net.run_for(site::kUsPerS);
  net.loss = 1;
  net.edit(0);
  net.edit(0);
  net.run_for(site::kUsPerS);
  REQUIRE(net.site(0).epoch() == 1);
  net.loss = 0;
  net.edit(0);
  net.run_for(5 * site::kUsPerS);
  REQUIRE(net.site(1).epoch() == 1);
  const site::EpochEntered* catch_up = nullptr;
  for (const auto& [i, e] : net.entered) {
    if (i == 1) catch_up = &e;
  }
  REQUIRE(catch_up != nullptr);
  CHECK(catch_up->ending != nullptr);
  CHECK(catch_up->gained == 0);
  CHECK(catch_up->visible_ids_before.empty());  // only a state transfer that gains or loses
  CHECK(catch_up->visible_hash_before == catch_up->visible_hash_after);
}
