// Property tests: any delivery order of the same ops gives identical content and identical trees.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/models/concurrent_history.hpp"

using namespace treedoc;

namespace {

void check_convergence(uint64_t seed, ReplicaOptions options, bool compare_trees) {
  RandomStream rng(seed);
  test::HistoryShape shape;
  shape.replica_count = 2 + rng.below(7);  // 2 to 8 replicas
  shape.steps = 50 + rng.below(250);
  shape.options = options;
  test::ConcurrentHistory h = test::make_history(rng, shape);
  for (size_t r = 0; r < h.replicas.size(); ++r) {
    test::deliver_everything(rng, h.replicas[r], h.ops, r % 3 == 2);
  }
  const std::string content = h.replicas[0].content();
  const std::string tree = h.replicas[0].tree_dump();
  for (size_t r = 1; r < h.replicas.size(); ++r) {
    INFO("seed " << seed << " replica " << r);
    REQUIRE(h.replicas[r].seen() == h.replicas[0].seen());
    REQUIRE(h.replicas[r].content() == content);
    REQUIRE(h.replicas[r].visible_atoms() == h.replicas[0].visible_atoms());
    REQUIRE(h.replicas[r].visible_hash() == h.replicas[0].visible_hash());
    if (compare_trees) {
      REQUIRE(h.replicas[r].tree_dump() == tree);
      REQUIRE(h.replicas[r].state_hash() == h.replicas[0].state_hash());
    }
  }
}

}  // namespace

TEST_CASE("UDIS replicas converge to identical trees under any delivery order", "[property]") {
  for (uint64_t seed = 1; seed <= 300; ++seed) check_convergence(seed, {}, true);
}

TEST_CASE("SDIS replicas converge to identical trees under any delivery order", "[property]") {
  ReplicaOptions o;
  o.document.dis_mode = DisMode::kSdis;
  for (uint64_t seed = 1; seed <= 300; ++seed) check_convergence(1000 + seed, o, true);
}

TEST_CASE("mini_child replicas converge to identical trees", "[property]") {
  for (DisMode mode : {DisMode::kUdis, DisMode::kSdis}) {
    ReplicaOptions o;
    o.document.dis_mode = mode;
    o.document.mini_child = true;
    for (uint64_t seed = 1; seed <= 200; ++seed) check_convergence(2000 + seed, o, true);
  }
}

TEST_CASE("UDIS replicas that discard tombstones converge in content", "[property]") {
  // Trees differ by discarded leaves and their recreated ghosts (docs/protocol.md §8, trap 4),
  // content may not.
  ReplicaOptions o;
  o.discard_tombstones = true;
  for (uint64_t seed = 1; seed <= 300; ++seed) check_convergence(3000 + seed, o, false);
}

TEST_CASE("discarding replicas agree with non-discarding ones", "[property]") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    RandomStream rng(4000 + seed);
    test::HistoryShape shape;
    shape.replica_count = 3;
    shape.steps = 200;
    test::ConcurrentHistory h = test::make_history(rng, shape);
    ReplicaOptions discarding;
    discarding.discard_tombstones = true;
    Replica keeper(9, {}), discarder(10, discarding);
    test::deliver_everything(rng, keeper, h.ops, false);
    test::deliver_everything(rng, discarder, h.ops, seed % 2 == 0);
    INFO("seed " << seed);
    REQUIRE(discarder.visible_atoms() == keeper.visible_atoms());
    REQUIRE(discarder.stats().minis <= keeper.stats().minis);
  }
}

TEST_CASE("state and visible hashes are equal exactly when dumps are", "[property]") {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    RandomStream rng(seed);
    test::HistoryShape shape;
    shape.replica_count = 4;
    shape.steps = 40 + rng.below(60);
    test::ConcurrentHistory h = test::make_history(rng, shape);
    // Replicas at different points of their histories: some equal, most not.
    for (size_t a = 0; a < h.replicas.size(); ++a) {
      for (size_t b = 0; b < h.replicas.size(); ++b) {
        INFO("seed " << seed << " replicas " << a << ", " << b);
        const Replica& x = h.replicas[a];
        const Replica& y = h.replicas[b];
        REQUIRE((x.tree_dump() == y.tree_dump()) == (x.state_hash() == y.state_hash()));
        REQUIRE((x.visible_atoms() == y.visible_atoms()) == (x.visible_hash() == y.visible_hash()));
      }
    }
    for (Replica& r : h.replicas) test::deliver_everything(rng, r, h.ops, false);
    const uint64_t converged = h.replicas[0].state_hash();
    for (const Replica& r : h.replicas) REQUIRE(r.state_hash() == converged);
  }
}

TEST_CASE("visible_index finds every visible atom by its TID", "[property]") {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    RandomStream rng(seed);
    test::HistoryShape shape;
    shape.replica_count = 3;
    shape.steps = 100;
    test::ConcurrentHistory h = test::make_history(rng, shape);
    Replica& r = h.replicas[0];
    test::deliver_everything(rng, r, h.ops, false);
    const auto atoms = r.visible_atoms();
    for (const Op& op : h.ops) {
      if (!op.is_insert()) continue;
      const auto it =
          std::find_if(atoms.begin(), atoms.end(), [&](const auto& a) { return a.first == op.id; });
      const std::optional<uint32_t> index = r.visible_index(op.tid);
      INFO("seed " << seed << " op " << to_string(op.id));
      if (it == atoms.end()) {
        REQUIRE(!index.has_value());
      } else {
        REQUIRE(index == static_cast<uint32_t>(it - atoms.begin()));
      }
    }
  }
}

TEST_CASE("received ops integrated in batches give exactly apply's replica", "[property]") {
  // Replica::receive defers the tree work; nothing a caller can see may differ from apply(),
  // outcome for outcome and op for op, whatever the batches and the local edits between them.
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    RandomStream rng(5000 + seed);
    test::HistoryShape shape;
    shape.replica_count = 2 + rng.below(5);
    shape.steps = 50 + rng.below(200);
    if (seed % 4 == 0) shape.options.document.mini_child = true;
    if (seed % 4 == 1) shape.options.document.dis_mode = DisMode::kSdis;
    test::ConcurrentHistory h = test::make_history(rng, shape);
    const SiteId site = static_cast<SiteId>(kSiteIdFirst + shape.replica_count);
    Replica eager(site, shape.options), deferred(site, shape.options);
    std::vector<size_t> order;
    for (size_t i = 0; i < h.ops.size(); ++i) {
      order.push_back(i);
      if (rng.chance(0.2)) order.push_back(i);  // duplicates, some while still only received
    }
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    INFO("seed " << seed);
    for (size_t i : order) {
      const auto op = std::make_shared<const Op>(h.ops[i]);
      REQUIRE(deferred.receive(op) == eager.apply(*op));
      REQUIRE(deferred.seen() == eager.seen());
      if (rng.chance(0.1)) deferred.integrate();
      if (rng.chance(0.05)) {  // a local edit integrates first and must make the same op
        const auto at = static_cast<uint32_t>(rng.below(eager.size() + 1));
        REQUIRE(deferred.local_insert(at, "x") == eager.local_insert(at, "x"));
        REQUIRE(deferred.received_count() == 0);
      }
    }
    deferred.integrate();
    REQUIRE(deferred.received_count() == 0);
    REQUIRE(deferred.tree_dump() == eager.tree_dump());
    REQUIRE(deferred.state_hash() == eager.state_hash());
    REQUIRE(deferred.content() == eager.content());
  }
}
