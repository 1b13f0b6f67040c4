// Two replicas that must hold the same document the same way: the property tests' comparison of
// an engine variant (implicit base, runs, chained atoms) with its oracle.
#pragma once

#include <catch2/catch.hpp>

#include "models/treedoc/replica.hpp"

namespace treedoc {

// The same tree: every TID, state, op id and atom, the hashes and the statistics; and every
// visible atom of `a` found by index, by unit and by TID.
inline void require_same_tree(const Replica& a, const Replica& b) {
  REQUIRE(a.tree_dump() == b.tree_dump());
  REQUIRE(a.visible_atoms() == b.visible_atoms());
  REQUIRE(a.content() == b.content());
  REQUIRE(a.state_hash() == b.state_hash());
  REQUIRE(a.visible_hash() == b.visible_hash());
  REQUIRE(a.size() == b.size());
  REQUIRE(a.units() == b.units());
  const ReplicaStats x = a.stats(), y = b.stats();
  REQUIRE(x.majors == y.majors);
  REQUIRE(x.minis == y.minis);
  REQUIRE(x.live == y.live);
  REQUIRE(x.dead == y.dead);
  REQUIRE(x.ghost == y.ghost);
  REQUIRE(x.ghost_dead == y.ghost_dead);
  REQUIRE(x.tid_bytes_mean == y.tid_bytes_mean);
  REQUIRE(x.tid_bytes_max == y.tid_bytes_max);
  REQUIRE(x.depth_max == y.depth_max);
  // Every visible atom by index, by unit and back by TID.
  uint64_t units = 0;
  for (uint32_t i = 0; i < a.size(); ++i) {
    const NodeIndex n = a.tree().find_visible(i);
    const Tid tid = a.tree().tid_of(n);
    REQUIRE(tid == b.tree().tid_of(b.tree().find_visible(i)));
    REQUIRE(a.visible_index(tid) == i);
    REQUIRE(a.tree().index_of(n) == i);
    if (a.tree().width(n) > 0) {
      uint64_t offset = 99;
      REQUIRE(a.tree().find_units(units, &offset) == n);
      REQUIRE(offset == 0);
    }
    units += a.tree().width(n);
  }
}

// The same tree reached the same way: also the counter, `seen` and what was applied and discarded.
inline void require_same_replica(const Replica& a, const Replica& b) {
  require_same_tree(a, b);
  REQUIRE(a.counter() == b.counter());
  REQUIRE(a.seen() == b.seen());
  const ReplicaStats x = a.stats(), y = b.stats();
  REQUIRE(x.discarded == y.discarded);
  REQUIRE(x.inserts_applied == y.inserts_applied);
}

}  // namespace treedoc
