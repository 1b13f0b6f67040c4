// Tree::find_chain_child against Tree::find: one more TID element found from a node in O(1) is the
// node a walk of the whole TID from the root finds (the checker steps run members this way).
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/run.hpp"
#include "tests/models/concurrent_history.hpp"

using namespace treedoc;

TEST_CASE("finding a chain child from a node equals finding its TID from the root",
          "[tree][property]") {
  for (bool mini_child : {false, true}) {
    for (uint64_t seed = 1; seed <= 30; ++seed) {
      RandomStream rng(seed * 31 + mini_child);
      test::HistoryShape shape;
      shape.options.document.mini_child = mini_child;
      test::ConcurrentHistory h = test::make_history(rng, shape);
      for (const Replica& r : h.replicas) {
        const Tree& tree = r.tree();
        // Every explicit or chained mini, and the Dis of every mini: the children that exist, and
        // the many that do not.
        std::vector<NodeIndex> nodes;
        std::vector<Dis> dises;
        tree.for_each_in_order([&](NodeIndex n) {
          if (tree.is_flat(n) || n == tree.sentinel()) return;
          nodes.push_back(n);
          dises.push_back(tree.dis(n));
        });
        for (NodeIndex n : nodes) {
          const Tid tid = tree.tid_of(n);
          for (int k = 0; k < 12 && !dises.empty(); ++k) {
            const Dis dis = dises[rng.below(dises.size())];
            for (bool mini_chain : {false, true}) {
              Tid child = tid;
              step_run_tid(&child, mini_chain ? RunChain::kMini : RunChain::kMajor, dis);
              INFO("seed " << seed << " from " << to_string(tid) << " to " << to_string(child));
              REQUIRE(tree.find_chain_child(n, mini_chain, dis) == tree.find(child));
            }
          }
        }
      }
    }
  }
}

TEST_CASE("tid_of names the node a walk from the root finds, whatever place it jumps to",
          "[tree][property]") {
  // The path cursors (Tree::tid_of) share prefixes with the TIDs built before: a walk that mostly
  // steps to a neighbour (typing on) and sometimes jumps anywhere (another typist) meets, passes
  // and rebuilds each cursor. Even seeds start from a flattened base, whose paths are the layout's.
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    RandomStream rng(seed * 131);
    test::HistoryShape shape;
    if (seed % 2 == 0) {
      for (uint32_t i = 0; i < 1 + rng.below(200); ++i) {
        shape.base.push_back({"b", 1, OpId{kSiteIdFirst + 40, 1 + i}});
      }
    }
    test::ConcurrentHistory h = test::make_history(rng, shape);
    for (const Replica& r : h.replicas) {
      const Tree& tree = r.tree();
      std::vector<NodeIndex> nodes;
      tree.for_each_in_order([&](NodeIndex n) {
        if (n != tree.sentinel()) nodes.push_back(n);
      });
      if (nodes.empty()) continue;
      size_t at = 0;
      for (size_t k = 0; k < 4 * nodes.size(); ++k) {
        if (rng.chance(0.2)) {
          at = rng.below(nodes.size());
        } else {
          at = std::min(nodes.size() - 1, at + 1);
        }
        const Tid tid = tree.tid_of(nodes[at]);
        INFO("seed " << seed << " node " << nodes[at] << " " << to_string(tid));
        REQUIRE(tree.find(tid) == nodes[at]);
      }
    }
  }
}
