// Re-basing beyond retention (docs/protocol.md §4, "Beyond retention"): the pure function's
// anchoring and deletes by identity, and the property that a site missing up to 100 epochs, with
// random edits of its own and of others, converges to the document of the sites that never left,
// its own edits kept in their order among the atoms that survived.
#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "models/treedoc/flatten.hpp"
#include "models/treedoc/rebase.hpp"
#include "models/treedoc/replica.hpp"
#include "tests/models/site_network.hpp"

using namespace treedoc;

namespace {

constexpr SiteId kMe = 7;
constexpr SiteId kOther = 8;

std::vector<OpId> ids_in_order(const Replica& r) {
  std::vector<OpId> ids;
  for (const auto& [id, atom] : r.visible_atoms()) ids.push_back(id);
  return ids;
}

// The atoms of `after` that `before` also shows, in after's order, are in before's order.
bool keeps_order(const std::vector<OpId>& before, const std::vector<OpId>& after) {
  std::map<OpId, size_t> at;
  for (size_t k = 0; k < before.size(); ++k) at.emplace(before[k], k);
  size_t last = 0;
  bool any = false;
  for (const OpId& id : after) {
    const auto it = at.find(id);
    if (it == at.end()) continue;
    if (any && it->second < last) return false;
    last = it->second;
    any = true;
  }
  return true;
}

}  // namespace

TEST_CASE("a re-based insert lands after its nearest surviving left neighbour", "[rebase]") {
  // Epoch 0 base: a b c d (by another site). Offline, this site types x y after b and z at the
  // front; meanwhile b was deleted by a cut and the base of epoch 5 is a c d.
  Replica base_maker(kOther);
  std::vector<Op> others;
  for (const char* a : {"a", "b", "c", "d"})
    others.push_back(base_maker.local_insert(base_maker.size(), a));
  const std::vector<FlatAtom> old_base = base_maker.flatten_atoms();
  Replica me(kMe);
  me.install_epoch(1, old_base);
  std::vector<Op> held{me.local_insert(2, "x"), me.local_insert(3, "y"), me.local_insert(0, "z")};
  const std::vector<OpId> before = ids_in_order(me);  // z a b x y c d
  std::vector<FlatAtom> new_base = {old_base[0], old_base[2], old_base[3]};
  DotSet integrated;
  integrated.insert(old_base[1].ins_op);  // b's delete is elsewhere: b is simply gone
  const Rebased r = rebase_onto({old_base, held, integrated, {}, new_base, 5},
                                [](OpId id) { return id.site == kMe; });
  REQUIRE(r.inserts_rebased == 3);
  REQUIRE(r.pending_deletes.empty());
  Replica fresh(kOther, {}, 100);
  fresh.install_epoch(5, new_base);
  for (const Op& op : r.ops) REQUIRE(fresh.apply(op) == ApplyOutcome::kApplied);
  CHECK(fresh.content() == "zaxycd");
  CHECK(keeps_order(before, ids_in_order(fresh)));
}

TEST_CASE("a re-base deletes by identity, waits for unknown targets and carries deleted own atoms",
          "[rebase]") {
  Replica maker(kOther);
  maker.local_insert(0, "a");
  maker.local_insert(1, "b");
  const std::vector<FlatAtom> old_base = maker.flatten_atoms();
  Replica me(kMe);
  me.install_epoch(1, old_base);
  Replica other(kOther, {}, 10);
  other.install_epoch(1, old_base);
  const Op foreign = other.local_insert(2, "f");  // relayed to this site, never integrated
  REQUIRE(me.apply(foreign) == ApplyOutcome::kApplied);
  std::vector<Op> held{foreign};
  held.push_back(me.local_erase(0));        // deletes a: in the new base
  held.push_back(me.local_erase(1));        // deletes f (now at index 1): unknown
  const Op gone = me.local_insert(0, "g");  // own, then deleted by this site
  held.push_back(gone);
  held.push_back(me.local_erase(0));
  const Rebased r = rebase_onto({old_base, held, DotSet{}, {}, old_base, 2},
                                [](OpId id) { return id.site == kMe; });
  CHECK(r.inserts_rebased == 1);  // g, carried although deleted: every op stays held somewhere
  CHECK(r.foreign_inserts_left == 1);
  REQUIRE(r.ops.size() == 3);  // g, then the deletes of a (at a's TID in the base) and of g
  CHECK(r.ops[1].target == old_base[0].ins_op);
  CHECK(r.ops[1].tid == flat_tid(0, 2));
  CHECK(r.ops[2].target == gone.id);
  CHECK(r.ops[2].tid == r.ops[0].tid);
  REQUIRE(r.pending_deletes.size() == 1);
  CHECK(r.pending_deletes[0].target == foreign.id);
  Replica fresh(kOther, {}, 100);
  fresh.install_epoch(2, old_base);
  for (const Op& op : r.ops) REQUIRE(fresh.apply(op) == ApplyOutcome::kApplied);
  CHECK(fresh.content() == "b");
}

namespace {

site::SiteConfig rebase_config(RandomStream& rng) {
  site::SiteConfig c;
  c.replication.anti_entropy_period_us = 200 * site::kUsPerMs;
  c.replication.replica.document.mini_child = rng.chance(0.3);
  c.flatten.kind = site::FlattenPolicy::Kind::kEveryOps;
  c.flatten.ops = 3;
  c.flatten.check_period_us = 20 * site::kUsPerMs;
  c.flatten.vote_timeout_us = 300 * site::kUsPerMs;
  c.flatten.retry_backoff_us_min = 20 * site::kUsPerMs;
  c.flatten.retry_backoff_us_max = 200 * site::kUsPerMs;
  c.epochs.catch_up_retry_us = 300 * site::kUsPerMs;
  c.epochs.retention_epochs = rng.below(5);
  return c;
}

}  // namespace

TEST_CASE("a site missing up to 100 epochs converges with its own edits in place", "[rebase]") {
  constexpr size_t kCore = 2, kAway = 2, kOnline = 3, kSites = 4;
  uint64_t total_rebased = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomStream rng(seed);
    const site::SiteConfig c = rebase_config(rng);
    const uint64_t missed = 1 + rng.below(100);
    test::SiteNetwork net(seed, kSites, c, kCore);
    for (int k = 0; k < 6; ++k) net.edit(k % kSites);
    net.run_for(2 * site::kUsPerS);
    for (size_t j = 0; j < kSites; ++j) {  // the away site hears nothing and says nothing
      if (j != kAway) net.cut.insert({kAway, j}), net.cut.insert({j, kAway});
    }
    const uint64_t start = net.site(0).epoch();
    for (int guard = 0; net.site(0).epoch() < start + missed && guard < 2000; ++guard) {
      net.edit(guard % 3 == 2 ? kOnline
                              : guard % kCore);  // others' edits, the core's and a nebula's
      if (rng.chance(0.5)) net.edit(kAway);      // its own, offline
      net.run_for(100 * site::kUsPerMs);
    }
    REQUIRE(net.site(0).epoch() >= start + missed);
    std::vector<OpId> before;
    for (const auto& [id, atom] : net.site(kAway).replica().visible_atoms()) before.push_back(id);
    net.cut.clear();
    net.edit(0);  // a newer epoch's op tells the away site it is behind
    net.run_for(20 * site::kUsPerS);
    INFO("seed " << seed << ", missed " << missed << " epochs, retention "
                 << c.epochs.retention_epochs);
    REQUIRE(net.converged());
    REQUIRE(net.lost_by_policy().empty());
    const std::vector<OpId> survivors = test::surviving(net);
    for (size_t j = 0; j < kSites; ++j) REQUIRE(test::visible_ids(net.site(j)) == survivors);
    std::vector<OpId> after;
    for (const auto& [id, atom] : net.site(0).replica().visible_atoms()) after.push_back(id);
    REQUIRE(keeps_order(before, after));
    uint64_t transfers = 0, rebased = 0;
    for (const auto& [i, e] : net.entered) {
      if (i != kAway || e.ending) continue;
      ++transfers;
      rebased += e.rebased;
    }
    // Beyond the retention bound it took a state transfer (more than one when the core flattened
    // again meanwhile and the retention is 0).
    if (missed > c.epochs.retention_epochs) CHECK(transfers >= 1);
    total_rebased += rebased;
  }
  CHECK(total_rebased > 0);
}
