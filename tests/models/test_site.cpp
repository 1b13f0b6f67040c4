// models/site without SimGrid: spreading, anti-entropy under loss and duplication, crash recovery
// from the durable store, and the sabotaged variants the simulator's checker must catch.
#include <catch2/catch.hpp>
#include <set>

#include "models/treedoc/run.hpp"
#include "tests/models/site_network.hpp"

using namespace treedoc;
using site::kUsPerMs;
using site::kUsPerS;

namespace {

// Inserts made anywhere and deleted nowhere: what every site must end up showing, once each.
std::multiset<OpId> expected_visible(const test::SiteNetwork& net) {
  std::set<OpId> deleted;
  for (const auto& [id, op] : net.made()) {
    if (!op->is_insert()) deleted.insert(op->target);
  }
  std::multiset<OpId> out;
  for (const auto& [id, op] : net.made()) {
    if (op->is_insert() && deleted.count(id) == 0) out.insert(id);
  }
  return out;
}

std::multiset<OpId> visible_ids(const site::Site& s) {
  std::multiset<OpId> out;
  for (const auto& [id, atom] : s.replica().visible_atoms()) out.insert(id);
  return out;
}

void require_no_lost_update(const test::SiteNetwork& net) {
  const std::multiset<OpId> expected = expected_visible(net);
  for (size_t i = 0; i < net.size(); ++i) {
    if (net.up(i)) REQUIRE(visible_ids(net.site(i)) == expected);
  }
}

void edit_for(test::SiteNetwork& net, RandomStream& rng, int edits) {
  for (int e = 0; e < edits; ++e) {
    const size_t i = rng.below(net.size());
    if (net.up(i)) net.edit(i);
    net.run_for(rng.below(20 * kUsPerMs));
  }
}

}  // namespace

TEST_CASE("broadcast without loss converges with no anti-entropy", "[site]") {
  site::SiteConfig c;
  c.replication.anti_entropy_period_us = 0;
  test::SiteNetwork net(1, 5, c);
  RandomStream rng(7);
  edit_for(net, rng, 200);
  net.run_for(kUsPerS);
  REQUIRE(net.converged());
  require_no_lost_update(net);
}

TEST_CASE("anti-entropy repairs loss and duplication, broadcast or epidemic", "[site][property]") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    site::SiteConfig c;
    c.replication.spread = seed % 2 ? site::Spread::kBroadcast : site::Spread::kEpidemic;
    c.replication.fanout = 2;
    c.replication.anti_entropy_period_us = 200 * kUsPerMs;
    c.replication.replica.document.dis_mode = seed % 3 ? DisMode::kUdis : DisMode::kSdis;
    test::SiteNetwork net(seed, 2 + seed % 7, c);
    net.loss = 0.3;
    net.duplicate = 0.05;
    RandomStream rng(seed * 31);
    edit_for(net, rng, 150);
    INFO("seed " << seed);
    net.loss = 0;  // heal, then let anti-entropy finish
    net.run_for(30 * kUsPerS);
    REQUIRE(net.converged());
    require_no_lost_update(net);
  }
}

TEST_CASE("a crashed site rebuilds from its own ops and catches up", "[site][property]") {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    site::SiteConfig c;
    c.replication.anti_entropy_period_us = 100 * kUsPerMs;
    c.replication.durability = seed % 2 ? site::Durability::kOwnOps : site::Durability::kAllOps;
    test::SiteNetwork net(seed, 4, c);
    net.loss = 0.2;
    RandomStream rng(seed);
    edit_for(net, rng, 60);
    const DotSet before = net.site(1).claimed();
    net.crash(1);
    edit_for(net, rng, 60);
    net.boot(1);
    INFO("seed " << seed);
    if (c.replication.durability == site::Durability::kAllOps)
      REQUIRE(net.site(1).claimed() == before);
    edit_for(net, rng, 60);
    net.loss = 0;
    net.run_for(20 * kUsPerS);
    REQUIRE(net.converged());
    require_no_lost_update(net);
  }
}

TEST_CASE("counter-only durability loses unspread ops but never reuses an op id", "[site]") {
  site::SiteConfig c;
  c.replication.anti_entropy_period_us = 100 * kUsPerMs;
  c.replication.durability = site::Durability::kCounterOnly;
  test::SiteNetwork net(3, 3, c);
  net.loss = 1;  // site 0's op reaches nobody
  net.edit(0);
  const OpId lost = net.made().begin()->first;
  net.crash(0);
  net.boot(0);
  net.loss = 0;
  net.edit(0);
  REQUIRE(net.made().rbegin()->first.counter > lost.counter);  // the counter survived
  net.run_for(5 * kUsPerS);
  REQUIRE(net.converged());
  for (size_t i = 0; i < net.size(); ++i) REQUIRE_FALSE(net.site(i).claimed().contains(lost));
}

TEST_CASE("a site that drops every 100th remote op diverges with the same claimed set", "[site]") {
  site::SiteConfig c;
  c.replication.anti_entropy_period_us = 100 * kUsPerMs;
  test::SiteNetwork net(5, 3, c);
  RandomStream rng(5);
  for (int e = 0; e < 300; ++e) {
    net.edit(rng.below(2));  // sites 0 and 1 edit; site 2 only receives
    net.run_for(5 * kUsPerMs);
  }
  net.run_for(5 * kUsPerS);
  REQUIRE(net.converged());

  c.sabotage = site::Sabotage::kDropEveryHundredthRemoteOp;
  test::SiteNetwork broken(5, 3, c);
  RandomStream rng2(5);
  for (int e = 0; e < 300; ++e) {
    broken.edit(rng2.below(2));
    broken.run_for(5 * kUsPerMs);
  }
  broken.run_for(5 * kUsPerS);
  REQUIRE(broken.site(2).claimed() == broken.site(0).claimed());
  REQUIRE_FALSE(broken.converged());
}

TEST_CASE("the op archive hands out exactly what one set has and the other lacks", "[site]") {
  site::OpArchive archive;
  DotSet mine, theirs;
  for (uint64_t c = 1; c <= 20; ++c) {
    auto op = std::make_shared<Op>();
    op->id = {2, c};
    REQUIRE(archive.add(op));
    REQUIRE_FALSE(archive.add(op));  // once per id
    if (c % 2 == 0 || c > 15) mine.insert(op->id);
    if (c % 3 == 0) theirs.insert(op->id);
  }
  std::vector<OpId> expected;
  for (uint64_t c = 1; c <= 20; ++c) {
    if ((c % 2 == 0 || c > 15) && c % 3 != 0) expected.push_back({2, c});
  }
  std::vector<OpId> got;
  for (const site::SharedOp& op : archive.missing_from(mine, theirs, 1000)) got.push_back(op->id);
  REQUIRE(got == expected);
  REQUIRE(archive.missing_from(mine, theirs, 3).size() == 3);  // the per-message bound
  REQUIRE(archive.missing_from(theirs, theirs, 1000).empty());
}

namespace {

// An insert run of `atoms` atoms from op id (site, counter) (a single-atom op when atoms == 1).
site::SharedOp archive_run(SiteId site, uint64_t counter, uint32_t atoms) {
  auto op = std::make_shared<Op>();
  op->id = {site, counter};
  op->tid.push(1, Dis{site, counter});
  op->atom = std::string(atoms, 'x');
  op->run = atoms == 1 ? 0 : atoms;
  return op;
}

}  // namespace

TEST_CASE("the op archive holds runs by all their ids and splits only what is partly wanted",
          "[site][runs]") {
  constexpr uint64_t kSeedsCount = 200;
  constexpr uint64_t kCountersMax = 60;
  constexpr int kOpsPerSeed = 12;
  for (uint64_t seed = 1; seed <= kSeedsCount; ++seed) {
    RandomStream rng(seed);
    site::OpArchive archive;
    std::set<OpId> held;  // the oracle: ids the archive holds
    for (int k = 0; k < kOpsPerSeed; ++k) {
      const SiteId site = static_cast<SiteId>(rng.between(1, 2));
      const uint64_t first = rng.between(1, kCountersMax);
      const uint32_t atoms = static_cast<uint32_t>(rng.between(1, 8));
      bool fresh = false;
      for (uint32_t j = 0; j < atoms; ++j) fresh = held.insert({site, first + j}).second || fresh;
      REQUIRE(archive.add(archive_run(site, first, atoms)) == fresh);  // some id was new
    }
    REQUIRE(archive.size() == held.size());
    DotSet mine, theirs;
    for (const OpId& id : held) {
      REQUIRE(archive.contains(id));
      if (rng.below(4) != 0) mine.insert(id);
      if (rng.below(3) == 0) theirs.insert(id);
    }
    std::vector<OpId> expected;  // (site, counter) order, as DotSet and std::set keep it
    for (const OpId& id : held) {
      if (mine.contains(id) && !theirs.contains(id)) expected.push_back(id);
    }
    std::vector<OpId> got;
    for (const site::SharedOp& op : archive.missing_from(mine, theirs, UINT64_MAX)) {
      for_each_atom_id(*op, [&](OpId id) { got.push_back(id); });
    }
    INFO("seed " << seed);
    REQUIRE(got == expected);
    got.clear();
    for (const site::SharedOp& op : archive.missing_atoms_from(mine, theirs, UINT64_MAX)) {
      REQUIRE(op->atoms() == 1);
      got.push_back(op->id);
    }
    REQUIRE(got == expected);
  }
  site::OpArchive archive;
  const site::SharedOp run = archive_run(3, 10, 5);
  REQUIRE(archive.add(run));
  DotSet all;
  for_each_atom_id(*run, [&](OpId id) { all.insert(id); });
  const std::vector<site::SharedOp> whole = archive.missing_from(all, DotSet{}, UINT64_MAX);
  REQUIRE((whole.size() == 1 && whole.front() == run));  // wholly wanted: the run itself
}

TEST_CASE("ops of a newer epoch wait, and the site asks the core how its epoch ended", "[site]") {
  site::EpochArchive archive;
  site::DurableStore store;
  site::SiteConfig config;
  config.id = 3;
  config.role = site::Role::kNebula;
  config.core = {2};
  site::Site s(config, &store, &archive);
  s.start(0);
  auto op = std::make_shared<Op>();
  op->id = {9, 1};
  op->epoch = 3;  // the site is in epoch 0
  op->tid = Tid();
  site::Message m;
  m.kind = site::MessageKind::kOps;
  m.from = 9;
  m.epoch = 3;
  m.ops = {op};
  const site::Effects fx = s.on_message(0, m);
  REQUIRE(fx.observed.wrong_epoch == 1);
  REQUIRE(fx.observed.applied.empty());
  REQUIRE(s.claimed().empty());
  REQUIRE(s.catching_up());
  REQUIRE(fx.commands.sends.size() == 1);
  REQUIRE(fx.commands.sends[0].message->kind == site::MessageKind::kHello);
  REQUIRE(fx.commands.sends[0].to.site == 2);
  REQUIRE(fx.commands.sends[0].message->epoch == 0);
}

TEST_CASE("own-ops durability is by role: a trace agent's ops at its site are logged and rebuilt",
          "[site]") {
  // A trace agent's op carries the agent's id, not the site's (sim/workload/trace_driver.hpp);
  // the site made it all the same, so under own-ops a crash must not lose it.
  site::SiteConfig c;
  c.id = kSiteIdFirst;
  c.replication.durability = site::Durability::kOwnOps;
  site::DurableStore store;
  site::EpochArchive archive;
  constexpr SiteId kAgent = kSiteIdFirst + 10;
  Replica agent(kAgent);
  const auto insert = std::make_shared<const Op>(agent.local_insert(0, "a"));
  const auto second = std::make_shared<const Op>(agent.local_insert(1, "b"));
  {
    site::Site s(c, &store, &archive);
    s.start(0);
    s.local_agent_op(1, insert);
    s.local_agent_op(2, second);
    const auto remote = std::make_shared<const Op>(Replica(kAgent + 1).local_insert(0, "r"));
    site::Message m;
    m.kind = site::MessageKind::kOps;
    m.from = kAgent + 1;
    m.ops = {remote};
    s.on_message(3, m);  // another site's insert: not logged under own-ops
    REQUIRE(s.replica().size() == 3);
  }  // the crash: only the store survives
  site::Site restarted(c, &store, &archive);
  restarted.start(10);
  CHECK(restarted.replica().content() == "ab");
  CHECK(store.agent_ops.contains(insert->id));
  CHECK(store.agent_ops.contains(second->id));
}
