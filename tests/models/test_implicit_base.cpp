// The implicit flattened base against an explicit one. A replica whose epoch comes from
// install_epoch keeps its base atoms without nodes; a reference replica gets the same atoms as
// inserts at flat_tid, which builds the tree docs/protocol.md §3 describes out of explicit nodes.
// Both must agree on every TID, dump, hash, statistic and generated op: local edits at every gap,
// deletes of base atoms, remote ops in any order (ghosts and pre-tombstones under base nodes),
// mini_child, SDIS, later flattens, and the shapes that materialize the base.
#include <catch2/catch.hpp>

#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/flatten.hpp"
#include "models/treedoc/replica.hpp"
#include "tests/models/replica_equality.hpp"

using namespace treedoc;

namespace {

// Base atoms with op ids of sites no test replica uses, 1 to 3 bytes and, unless `unit`, widths
// of 0 to 3.
std::vector<FlatAtom> random_atoms(RandomStream& rng, uint32_t n, bool unit) {
  std::vector<FlatAtom> atoms;
  for (uint32_t i = 0; i < n; ++i) {
    FlatAtom a;
    a.atom = std::string(1 + rng.below(3), static_cast<char>('A' + rng.below(26)));
    a.width = unit ? 1 : static_cast<uint32_t>(rng.below(4));
    a.ins_op = OpId{static_cast<SiteId>(90 + rng.below(4)), 1 + 7 * uint64_t{i}};
    atoms.push_back(a);
  }
  return atoms;
}

// One site twice: `implicit` installed its base, `reference` applied it as inserts.
struct Twin {
  Replica implicit;
  Replica reference;
};

Twin make_twin(SiteId site, const ReplicaOptions& options, uint64_t counter, uint64_t epoch,
               const std::vector<FlatAtom>& atoms) {
  Twin t{Replica(site, options, counter, epoch - 1), Replica(site, options, counter, epoch)};
  t.implicit.install_epoch(epoch, atoms);
  for (uint64_t i = 0; i < atoms.size(); ++i) {
    Op op;
    op.kind = OpKind::kInsert;
    op.id = atoms[i].ins_op;
    op.epoch = epoch;
    op.tid = flat_tid(i, atoms.size());
    op.atom = atoms[i].atom;
    op.width = atoms[i].width;
    REQUIRE(t.reference.apply(op) == ApplyOutcome::kApplied);
  }
  return t;
}

void require_same(const Twin& t) { require_same_tree(t.implicit, t.reference); }

// The same local edit at both replicas of a twin must produce the same op.
Op local_edit(Twin& t, bool insert, uint32_t index, const std::string& atom, uint32_t width) {
  const Op a = insert ? t.implicit.local_insert(index, atom, width) : t.implicit.local_erase(index);
  const Op b =
      insert ? t.reference.local_insert(index, atom, width) : t.reference.local_erase(index);
  REQUIRE(a == b);
  return a;
}

ApplyOutcome deliver(Twin& t, const Op& op) {
  const ApplyOutcome a = t.implicit.apply(op);
  REQUIRE(t.reference.apply(op) == a);
  return a;
}

ReplicaOptions options_for(DisMode mode, bool mini_child) {
  ReplicaOptions o;
  o.document.dis_mode = mode;
  o.document.mini_child = mini_child;
  return o;
}

}  // namespace

TEST_CASE("implicit base: inserts at every gap and deletes of every base atom", "[implicit_base]") {
  RandomStream rng(5);
  for (DisMode mode : {DisMode::kUdis, DisMode::kSdis}) {
    for (bool mini_child : {false, true}) {
      for (uint32_t n : {0u, 1u, 2u, 3u, 5u, 8u, 13u, 64u, 65u, 100u}) {
        const ReplicaOptions o = options_for(mode, mini_child);
        const Twin base = make_twin(2, o, 40, 3, random_atoms(rng, n, n % 2 == 0));
        INFO("mode " << static_cast<int>(mode) << " mini_child " << mini_child << " n " << n);
        require_same(base);
        for (uint32_t gap = 0; gap <= n; ++gap) {
          Twin t = base;
          local_edit(t, true, gap, "x", 1);
          local_edit(t, true, gap + 1, "yy", 2);  // a typed run below the new atom
          local_edit(t, true, gap, "z", 1);       // between the base and the new atom
          require_same(t);
        }
        for (uint32_t i = 0; i < n; ++i) {
          Twin t = base;
          local_edit(t, false, i, "", 0);
          local_edit(t, true, i, "w", 1);  // next to the tombstone
          require_same(t);
        }
      }
    }
  }
}

TEST_CASE("implicit base: random concurrent histories over a base, then flattens",
          "[implicit_base][property]") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    RandomStream rng(1000 + seed);
    const ReplicaOptions o =
        options_for(rng.chance(0.3) ? DisMode::kSdis : DisMode::kUdis, rng.chance(0.4));
    const size_t sites = 2 + rng.below(3);
    uint64_t epoch = 1 + rng.below(3);
    std::vector<FlatAtom> atoms =
        random_atoms(rng, static_cast<uint32_t>(rng.below(4) == 0 ? rng.below(4) : rng.below(120)),
                     rng.chance(0.5));
    std::vector<uint64_t> counters(sites);
    for (size_t s = 0; s < sites; ++s) counters[s] = 100 * s + rng.below(50);
    INFO("seed " << seed);
    for (int round = 0; round < 2; ++round) {
      std::vector<Twin> twins;
      for (size_t s = 0; s < sites; ++s) {
        twins.push_back(make_twin(static_cast<SiteId>(2 + s), o, counters[s], epoch, atoms));
      }
      std::vector<Op> ops;
      uint32_t cursor = 0;
      for (int step = 0; step < 150; ++step) {
        Twin& t = twins[rng.below(sites)];
        if (!ops.empty() && rng.chance(0.35)) {
          const ApplyOutcome out = deliver(t, ops[rng.below(ops.size())]);
          REQUIRE((out == ApplyOutcome::kApplied || out == ApplyOutcome::kDuplicate));
        } else if (t.implicit.size() == 0 || rng.chance(0.65)) {
          // Typing at a cursor builds chains; random places spread attachments over the base.
          const uint32_t size = t.implicit.size();
          const uint32_t at = rng.chance(0.5) && cursor <= size
                                  ? cursor
                                  : static_cast<uint32_t>(rng.below(size + 1));
          const std::string atom(1 + rng.below(2), static_cast<char>('a' + rng.below(26)));
          ops.push_back(local_edit(t, true, at, atom, static_cast<uint32_t>(rng.below(3))));
          cursor = at + 1;
        } else {
          const auto at = static_cast<uint32_t>(rng.below(t.implicit.size()));
          ops.push_back(local_edit(t, false, at, "", 0));
          cursor = at;
        }
        if (step % 10 == 0) require_same(t);
      }
      // Everything everywhere, reversed at odd sites: descendants before ancestors and deletes
      // before inserts, so ghosts and pre-tombstones hang from base nodes.
      for (size_t s = 0; s < sites; ++s) {
        for (size_t k = 0; k < ops.size(); ++k)
          deliver(twins[s], ops[s % 2 ? ops.size() - 1 - k : k]);
        require_same(twins[s]);
        REQUIRE(twins[s].implicit.tree_dump() == twins[0].implicit.tree_dump());
      }
      // A local flatten of either kind gives the same epoch as installing flatten(S).
      Replica flattened = twins[0].implicit;
      Replica reflattened = twins[0].reference;
      flattened.flatten();
      reflattened.flatten();
      atoms = twins[0].implicit.flatten_atoms();
      Replica installed = twins[0].implicit;
      installed.install_epoch(epoch + 1, atoms);
      REQUIRE(flattened.tree_dump() == installed.tree_dump());
      REQUIRE(flattened.tree_dump() == reflattened.tree_dump());
      REQUIRE(flattened.state_hash() == installed.state_hash());
      REQUIRE(flattened.stats().initial_atoms == atoms.size());
      for (size_t s = 0; s < sites; ++s) counters[s] = twins[s].implicit.counter();
      ++epoch;
    }
  }
}

TEST_CASE("implicit base: shapes the layout cannot hold materialize it", "[implicit_base]") {
  RandomStream rng(77);
  for (bool mini_child : {false, true}) {
    const ReplicaOptions o = options_for(DisMode::kUdis, mini_child);
    const uint32_t n = 40;
    const std::vector<FlatAtom> atoms = random_atoms(rng, n, false);
    for (uint32_t i = 0; i < n; i += 3) {
      // A second mini in base atom i's major, and a ghost one with a child below it.
      const Tid base = flat_tid(i, n);
      Tid sibling, through;
      for (size_t k = 0; k + 1 < base.size(); ++k) {
        sibling.push(base.branch(k));
        through.push(base.branch(k));
      }
      sibling.push(base.branch(base.size() - 1), Dis{7, 3});
      through.push(base.branch(base.size() - 1), Dis{7, 1});
      through.push(1);
      through.push(0, Dis{7, 2});
      Twin t = make_twin(2, o, 10, 1, atoms);
      local_edit(t, true, i, "a", 1);  // something explicit hangs from the base already
      Op op;
      op.kind = OpKind::kInsert;
      op.epoch = 1;
      op.atom = "s";
      op.id = {7, 3};
      op.tid = sibling;
      REQUIRE(deliver(t, op) == ApplyOutcome::kApplied);
      op.id = {7, 2};
      op.tid = through;
      REQUIRE(deliver(t, op) == ApplyOutcome::kApplied);
      REQUIRE(t.implicit.tree().base_count() == 0);  // materialized
      require_same(t);
      for (int k = 0; k < 20; ++k) {
        const bool insert = t.implicit.size() == 0 || rng.chance(0.6);
        local_edit(t, insert, static_cast<uint32_t>(rng.below(t.implicit.size() + insert)), "q", 1);
      }
      require_same(t);
      t.implicit.flatten();  // the next epoch's base is implicit again
      REQUIRE(t.implicit.tree().base_count() == t.implicit.size());
    }
  }
}

TEST_CASE("implicit base: UDIS discard of base atoms materializes and stays exact",
          "[implicit_base]") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    RandomStream rng(seed);
    ReplicaOptions o;
    o.discard_tombstones = true;
    o.document.mini_child = seed % 2 == 0;
    Twin t = make_twin(2, o, 10, 2, random_atoms(rng, static_cast<uint32_t>(rng.below(60)), true));
    INFO("seed " << seed);
    for (int step = 0; step < 80; ++step) {
      const bool insert = t.implicit.size() == 0 || rng.chance(0.5);
      local_edit(t, insert, static_cast<uint32_t>(rng.below(t.implicit.size() + insert)), "d", 1);
      require_same(t);
    }
    REQUIRE(t.implicit.stats().discarded == t.reference.stats().discarded);
  }
}

TEST_CASE("implicit base: discarding sites converge with keeping sites over a base",
          "[implicit_base][property]") {
  // A late second delete of a discarded base atom recreates its path at a discarding site (the
  // base atom's insert is not in this epoch's `seen`), so only content is compared here.
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    RandomStream rng(500 + seed);
    ReplicaOptions keep, discard;
    discard.discard_tombstones = true;
    const std::vector<FlatAtom> atoms =
        random_atoms(rng, 1 + static_cast<uint32_t>(rng.below(80)), true);
    std::vector<Replica> sites;
    for (SiteId s = 2; s < 6; ++s) {
      sites.emplace_back(s, s % 2 ? discard : keep, 0, 0);
      sites.back().install_epoch(1, atoms);
    }
    std::vector<Op> ops;
    for (int step = 0; step < 200; ++step) {
      Replica& r = sites[rng.below(sites.size())];
      if (!ops.empty() && rng.chance(0.3)) {
        r.apply(ops[rng.below(ops.size())]);
      } else if (r.size() == 0 || rng.chance(0.5)) {
        ops.push_back(r.local_insert(static_cast<uint32_t>(rng.below(r.size() + 1)), "k"));
      } else {
        ops.push_back(r.local_erase(static_cast<uint32_t>(rng.below(r.size()))));
      }
    }
    for (size_t s = 0; s < sites.size(); ++s) {
      for (size_t k = 0; k < ops.size(); ++k) sites[s].apply(ops[s % 2 ? k : ops.size() - 1 - k]);
    }
    INFO("seed " << seed);
    for (const Replica& r : sites) REQUIRE(r.visible_atoms() == sites[0].visible_atoms());
  }
}

TEST_CASE("implicit base: a 200,000-deep chain below a base atom", "[implicit_base]") {
  // The graft shape (docs/protocol.md §4): a whole old path below a base mini's own right child.
  constexpr uint32_t kChain = 200000;
  constexpr uint32_t kBase = 1000;
  RandomStream rng(3);
  const std::vector<FlatAtom> atoms = random_atoms(rng, kBase, true);
  Replica r(3, {}, 0, 0);
  r.install_epoch(1, atoms);
  Op deep;
  deep.kind = OpKind::kInsert;
  deep.id = {2, 1};
  deep.epoch = 1;
  deep.atom = "y";
  deep.tid = flat_tid(500, kBase);
  deep.tid.push(1);
  for (uint32_t i = 0; i + 1 < kChain; ++i) deep.tid.push(1);
  deep.tid.push(1, Dis{2, 1});
  REQUIRE(r.apply(deep) == ApplyOutcome::kApplied);
  REQUIRE(r.visible_index(deep.tid) == 501u);
  REQUIRE(r.tree().tid_of(r.tree().find_visible(501)) == deep.tid);
  REQUIRE(r.stats().depth_max == deep.tid.size());
  const Op after = r.local_insert(502, "z");
  REQUIRE(after.tid.size() == deep.tid.size() + 1);
  REQUIRE(r.visible_index(after.tid) == 502u);
  r.flatten();
  REQUIRE(r.size() == kBase + 2);
  REQUIRE(r.tree().base_count() == kBase + 2);
  REQUIRE(r.content().substr(0, 1) == atoms[0].atom.substr(0, 1));
}
