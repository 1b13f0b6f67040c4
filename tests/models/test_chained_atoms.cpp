// Chained atoms against explicit nodes (docs/protocol.md §2, "Runs inside the tree"): a replica
// that keeps local inserts as chained atoms and one that keeps a node per atom (chained_atoms
// off, the oracle) run the same random scripts (typed and pasted runs, single and range erases,
// backspacing, concurrent remote ops and runs that land inside chains or chain themselves, remote
// typing one atom an op, delivered in order, out of order and twice, so that ghosts and
// pre-tombstones form under chains; flattens) and must agree on every op they make, every TID,
// dump, hash and statistic, in every document mode.
#include <catch2/catch.hpp>

#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/replica.hpp"
#include "tests/models/replica_equality.hpp"

using namespace treedoc;

namespace {

constexpr uint64_t kSeedsCount = 40;
constexpr int kStepsPerSeed = 80;
constexpr uint32_t kRunLengthMax = 16;
constexpr uint32_t kEraseLengthMax = 10;

ReplicaOptions options_of(uint64_t variant, bool chained) {
  ReplicaOptions o;
  o.document.mini_child = (variant & 1) != 0;
  o.document.dis_mode = (variant & 2) != 0 ? DisMode::kSdis : DisMode::kUdis;
  o.discard_tombstones = (variant & 4) != 0 && o.document.dis_mode == DisMode::kUdis;
  o.chained_atoms = chained;
  return o;
}

// Site 2 twice (chained and explicit), and site 3 editing concurrently and exchanging ops.
struct World {
  Replica chained, explicit_nodes, other;
  std::vector<Op> to_twins, to_other;  // ops in flight
};

void local_edit(RandomStream& rng, World* w) {
  const uint32_t size = w->chained.size();
  std::vector<Op> a, b;
  if (size == 0 || rng.chance(0.6)) {
    const auto index = static_cast<uint32_t>(rng.below(size + 1));
    const uint64_t n = 1 + rng.below(kRunLengthMax);
    std::vector<std::string> atoms;
    std::vector<uint32_t> widths;
    for (uint64_t k = 0; k < n; ++k) {
      atoms.emplace_back(1 + rng.below(2), static_cast<char>('a' + rng.below(26)));
      widths.push_back(static_cast<uint32_t>(rng.below(3)));
    }
    const std::vector<std::string_view> views(atoms.begin(), atoms.end());
    if (n == 1 && rng.chance(0.5)) {
      a.push_back(w->chained.local_insert(index, atoms[0], widths[0]));
      b.push_back(w->explicit_nodes.local_insert(index, atoms[0], widths[0]));
    } else {
      a.push_back(w->chained.local_insert_run(index, views, widths));
      b.push_back(w->explicit_nodes.local_insert_run(index, views, widths));
    }
  } else if (rng.chance(0.25)) {
    // Backspacing: atoms index, index - 1, ... one op each (falling delete ids).
    const auto index = static_cast<uint32_t>(rng.below(size));
    const auto count = static_cast<uint32_t>(1 + rng.below(std::min<uint64_t>(index + 1, 8)));
    for (uint32_t k = 0; k < count; ++k) {
      a.push_back(w->chained.local_erase(index - k));
      b.push_back(w->explicit_nodes.local_erase(index - k));
    }
  } else {
    const auto index = static_cast<uint32_t>(rng.below(size));
    const auto count =
        static_cast<uint32_t>(1 + rng.below(std::min<uint64_t>(size - index, kEraseLengthMax)));
    if (count == 1 && rng.chance(0.5)) {
      a.push_back(w->chained.local_erase(index));
      b.push_back(w->explicit_nodes.local_erase(index));
    } else {
      a = w->chained.local_erase_run(index, count);
      b = w->explicit_nodes.local_erase_run(index, count);
    }
  }
  REQUIRE(a == b);
  for (Op& op : a) w->to_other.push_back(std::move(op));
}

void other_edit(RandomStream& rng, World* w) {
  const uint32_t size = w->other.size();
  if (size == 0 || rng.chance(0.6)) {
    // Typed or pasted runs too: the twins apply them, the chained one as chained atoms.
    const auto index = static_cast<uint32_t>(rng.below(size + 1));
    const auto n = static_cast<size_t>(1 + rng.below(kRunLengthMax));
    if (rng.chance(0.5)) {
      // Typed atom by atom: single-atom ops, which the chained twin receives as chained atoms
      // (Tree::add_chained_at) when they arrive in order.
      for (size_t k = 0; k < n; ++k) {
        w->to_twins.push_back(w->other.local_insert(index + static_cast<uint32_t>(k), "Y"));
      }
      return;
    }
    const std::vector<std::string_view> atoms(n, "X");
    w->to_twins.push_back(w->other.local_insert_run(index, atoms, {}));
  } else {
    // Range erases arrive as delete runs over the twins' chained members.
    const auto index = static_cast<uint32_t>(rng.below(size));
    const auto count =
        static_cast<uint32_t>(1 + rng.below(std::min<uint64_t>(size - index, kEraseLengthMax)));
    for (Op& op : w->other.local_erase_run(index, count)) w->to_twins.push_back(std::move(op));
  }
}

void deliver(RandomStream& rng, World* w) {
  // Any order and duplicates (ops of one epoch need eventual delivery only): a delete may come
  // before its insert, an insert before the atom it hangs below.
  std::vector<const Op*> order;
  for (const Op& op : w->to_twins) {
    order.push_back(&op);
    if (rng.chance(0.1)) order.push_back(&op);
  }
  // Half the time in the order made (typing received as typed), else shuffled.
  if (rng.chance(0.5)) {
    for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[rng.below(k)]);
  }
  for (const Op* op : order) {
    REQUIRE(w->chained.apply(*op) == w->explicit_nodes.apply(*op));
  }
  for (const Op& op : w->to_other) w->other.apply(op);
  w->to_twins.clear();
  w->to_other.clear();
}

}  // namespace

TEST_CASE("chained atoms give the explicit engine's ops, tree and statistics",
          "[chained][property]") {
  uint64_t chains_seen = 0;
  for (uint64_t seed = 1; seed <= kSeedsCount; ++seed) {
    for (uint64_t variant = 0; variant < 8; ++variant) {
      INFO("seed " << seed << " variant " << variant);
      RandomStream rng(seed * 977 + variant);
      World w{Replica(2, options_of(variant, true)),
              Replica(2, options_of(variant, false)),
              Replica(3, options_of(variant, false)),
              {},
              {}};
      for (int step = 0; step < kStepsPerSeed; ++step) {
        const uint64_t what = rng.below(10);
        if (what < 6) {
          local_edit(rng, &w);
        } else if (what < 8) {
          other_edit(rng, &w);
        } else if (what == 8) {
          deliver(rng, &w);
        } else if (rng.chance(0.2)) {
          // A flatten needs every site at the same state: sync, then all three flatten.
          deliver(rng, &w);
          w.chained.flatten();
          w.explicit_nodes.flatten();
          w.other.flatten();
        }
        chains_seen += w.chained.tree().chain_count();
        require_same_replica(w.chained, w.explicit_nodes);
      }
      deliver(rng, &w);
      require_same_replica(w.chained, w.explicit_nodes);
      // With discard, sites converge in content while the trees they discarded may differ.
      REQUIRE(w.chained.content() == w.other.content());
      if ((variant & 4) == 0) REQUIRE(w.chained.state_hash() == w.other.state_hash());
    }
  }
  REQUIRE(chains_seen > 0);
}
