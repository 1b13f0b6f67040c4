// Invariant 15, tombstone accounting (docs/protocol.md §5): in every epoch, at every replica,
// LIVE + DEAD + discarded = |A| + inserts applied, and a new epoch starts with no tombstone; over
// random concurrent histories in any delivery order, with and without discard and mini_child.
#include <catch2/catch.hpp>

#include "models/random/random_stream.hpp"
#include "tests/models/concurrent_history.hpp"

using namespace treedoc;

namespace {

void require_accounted(const Replica& r) {
  const ReplicaStats s = r.stats();
  INFO("live " << s.live << " dead " << s.dead << " discarded " << s.discarded << " initial "
               << s.initial_atoms << " inserts applied " << s.inserts_applied);
  REQUIRE(s.live + s.dead + s.discarded == s.initial_atoms + s.inserts_applied);
  if (!r.options().discard_tombstones) REQUIRE(s.discarded == 0);
}

}  // namespace

TEST_CASE("every replica accounts for its atoms in every epoch", "[replica][property]") {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomStream rng(seed);
    test::HistoryShape shape;
    shape.steps = 120;
    shape.options.discard_tombstones = seed % 2 == 0;
    shape.options.document.mini_child = seed % 3 == 0;
    INFO("seed " << seed);
    test::ConcurrentHistory h = test::make_history(rng, shape);
    for (const Replica& r : h.replicas) require_accounted(r);
    for (Replica& r : h.replicas) {
      test::deliver_everything(rng, r, h.ops, seed % 5 == 0);
      require_accounted(r);
      r.flatten();  // a local flatten: the new epoch's A is what was live, nothing dead
      const ReplicaStats after = r.stats();
      REQUIRE(after.dead == 0);
      REQUIRE(after.initial_atoms == after.live);
      require_accounted(r);
      if (r.size() > 0) r.local_erase(static_cast<uint32_t>(rng.below(r.size())));
      r.local_insert(0, "z");
      require_accounted(r);
    }
  }
}
