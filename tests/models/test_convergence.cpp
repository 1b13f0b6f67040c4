// Property tests: any delivery order of the same ops gives identical content and identical trees.
#include <catch2/catch.hpp>

#include "tests/models/concurrent_history.hpp"

using namespace treedoc;

namespace {

void check_convergence(uint64_t seed, ReplicaOptions options, bool compare_trees) {
  sim::RandomStream rng(seed);
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
    if (compare_trees) REQUIRE(h.replicas[r].tree_dump() == tree);
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
  // Trees differ by discarded leaves and their recreated ghosts (spec trap 4), content may not.
  ReplicaOptions o;
  o.discard_tombstones = true;
  for (uint64_t seed = 1; seed <= 300; ++seed) check_convergence(3000 + seed, o, false);
}

TEST_CASE("discarding replicas agree with non-discarding ones", "[property]") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    sim::RandomStream rng(4000 + seed);
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
