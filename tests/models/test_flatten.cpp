// Flatten, colouring and graft translation: properties over random histories and every minimized
// counterexample of the design's verification (docs/protocol.md corrections 1, 2, 5, 6, 7) as
// regressions.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "models/treedoc/flatten.hpp"
#include "tests/models/concurrent_history.hpp"

using namespace treedoc;

namespace {

std::vector<Op> ops_in(const std::vector<Op>& ops, const DotSet& cut) {
  std::vector<Op> out;
  for (const Op& op : ops) {
    if (cut.contains(op.id)) out.push_back(op);
  }
  return out;
}

// The same set built the slow, obvious way: ids_of_atoms must agree with it.
std::set<OpId> ids_of(const std::vector<FlatAtom>& atoms) {
  std::set<OpId> ids;
  for (const FlatAtom& a : atoms) ids.insert(a.ins_op);
  return ids;
}

// An epoch's base of 1..300 atoms from a site of its own, its ids in runs of 7 consecutive ones.
std::vector<FlatAtom> random_base(RandomStream& rng) {
  std::vector<FlatAtom> base;
  const uint64_t size = rng.between(1, 300);
  for (uint64_t i = 0; i < size; ++i) {
    const OpId id{kSiteIdFirst + 40, 1 + i + (i / 7) * 3};
    base.push_back({std::string(1, static_cast<char>('a' + i % 26)), 1, id});
  }
  return base;
}

struct EpochChange {
  std::vector<std::vector<Op>> translated_per_site;  // each site's black ops in epoch e+1
  std::map<OpId, Tid> new_tid;                       // op id -> new TID, checked equal everywhere
};

// Commits cut C of epoch e at every site of `h`: each installs flatten(C) and translates the black
// ops it holds. Returns what each site would send; asserts translation determinism (invariant 12).
EpochChange commit_everywhere(test::ConcurrentHistory& h, const std::vector<FlatAtom>& initial,
                              const DotSet& cut) {
  const CutArray a_cyan = flatten_array(initial, ops_in(h.ops, cut));
  const DotSet initial_ids = ids_of_atoms(initial);
  const std::set<OpId> expected = ids_of(initial);
  REQUIRE(initial_ids.to_vector() == std::vector<OpId>(expected.begin(), expected.end()));
  const Translator translator(a_cyan.atoms, a_cyan.order, cut, initial_ids,
                              h.replicas[0].epoch() + 1);
  EpochChange change;
  for (size_t r = 0; r < h.replicas.size(); ++r) {
    std::vector<Op> held;
    for (size_t i = 0; i < h.ops.size(); ++i) {
      if (h.has_op[r][i]) held.push_back(h.ops[i]);
    }
    h.replicas[r].install_epoch(translator.new_epoch(), a_cyan.atoms);
    std::vector<Op> out;
    for (const Op& op : held) {
      if (colour_of(op, cut, initial_ids) != Colour::kBlack) continue;
      std::optional<Op> t = translator.translate(op);
      if (!t) continue;
      auto [it, fresh] = change.new_tid.emplace(t->id, t->tid);
      REQUIRE(it->second == t->tid);  // the same new TID at every site
      REQUIRE(h.replicas[r].apply(*t) == ApplyOutcome::kApplied);
      out.push_back(*t);
    }
    change.translated_per_site.push_back(out);
  }
  return change;
}

}  // namespace

TEST_CASE("flatten keeps content and builds a balanced tree", "[flatten][property]") {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    RandomStream rng(seed);
    test::HistoryShape shape;
    shape.replica_count = 1;
    shape.steps = 400;
    test::ConcurrentHistory h = test::make_history(rng, shape);
    Replica& r = h.replicas[0];
    const auto before = r.visible_atoms();
    r.flatten();
    REQUIRE(r.visible_atoms() == before);
    REQUIRE(r.epoch() == 1);
    REQUIRE(r.stats().dead == 0);
    REQUIRE(r.stats().ghost == 0);
    // Editing goes on in the new epoch with local intention intact.
    r.local_insert(0, "<");
    r.local_insert(r.size(), ">");
    REQUIRE(r.content().front() == '<');
    REQUIRE(r.content().back() == '>');
  }
}

TEST_CASE("flatten(C) from ops equals flatten(C) from the tree", "[flatten][property]") {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    RandomStream rng(100 + seed);
    test::HistoryShape shape;
    shape.replica_count = 4;
    // Half the histories start from a flattened base, so that inserts are merged among A's atoms
    // (flat_rank), deletes remove some of them, and A's ids join the id indexes.
    if (seed % 2 == 0) shape.base = random_base(rng);
    test::ConcurrentHistory h = test::make_history(rng, shape);
    Replica oracle(20);
    if (!shape.base.empty()) oracle.install_epoch(1, shape.base);
    test::deliver_everything(rng, oracle, h.ops, false);
    for (size_t r = 0; r < h.replicas.size(); ++r) {
      const DotSet& cut = h.replicas[r].seen();
      INFO("seed " << seed << " cut of replica " << r);
      const std::vector<FlatAtom> from_ops = flatten_array(shape.base, ops_in(h.ops, cut)).atoms;
      REQUIRE(from_ops == oracle.flatten_atoms(cut));
      REQUIRE(h.replicas[r].flatten_atoms(cut) == h.replicas[r].flatten_atoms());
      // The allocation-free check agrees, and tells any one changed, missing or extra atom.
      REQUIRE(oracle.flatten_equals(cut, from_ops));
      if (from_ops.empty()) continue;
      std::vector<FlatAtom> changed = from_ops;
      const size_t k = rng.below(changed.size());
      switch (rng.below(4)) {
        case 0: changed[k].atom += "x"; break;
        case 1: changed[k].width += 1; break;
        case 2: changed.erase(changed.begin() + static_cast<std::ptrdiff_t>(k)); break;
        default: changed.push_back(changed[k]); break;
      }
      REQUIRE_FALSE(oracle.flatten_equals(cut, changed));
    }
  }
}

TEST_CASE("two replicas flattening the same cut build identical trees", "[flatten][property]") {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    RandomStream rng(300 + seed);
    test::HistoryShape shape;
    shape.replica_count = 3;
    test::ConcurrentHistory h = test::make_history(rng, shape);
    // P has every op (post-cut ops included); K's state is the cut.
    Replica k(30), p(31);
    test::deliver_everything(rng, k, ops_in(h.ops, h.replicas[0].seen()), false);
    test::deliver_everything(rng, p, h.ops, true);
    const DotSet cut = k.seen();
    const auto atoms_k = k.flatten_atoms(cut);
    REQUIRE(p.flatten_atoms(cut) == atoms_k);
    REQUIRE(flatten_hash(p.flatten_atoms(cut)) == flatten_hash(atoms_k));
    k.install_epoch(1, atoms_k);
    p.install_epoch(1, p.flatten_atoms(cut));
    REQUIRE(k.tree_dump() == p.tree_dump());
  }
}

TEST_CASE("translation is deterministic, order-preserving and loses nothing",
          "[flatten][property]") {
  for (DisMode mode : {DisMode::kUdis, DisMode::kSdis}) {
    for (bool mini_child : {false, true}) {
      for (uint64_t seed = 1; seed <= 60; ++seed) {
        RandomStream rng(seed * 13 + static_cast<uint64_t>(mode) * 7 + mini_child);
        test::HistoryShape shape;
        shape.replica_count = 2 + rng.below(4);
        shape.options.document.dis_mode = mode;
        shape.options.document.mini_child = mini_child;
        // Half the histories edit a flattened base: black ops then graft among A's atoms, some of
        // them deleted by the cut (Translator::a_cyan_below).
        if (seed % 2 == 0) shape.base = random_base(rng);
        test::ConcurrentHistory h = test::make_history(rng, shape);
        Replica oracle(40, shape.options);  // the cut epoch's truth: every op applied
        if (!shape.base.empty()) oracle.install_epoch(1, shape.base);
        test::deliver_everything(rng, oracle, h.ops, false);
        const DotSet cut = h.replicas[0].seen();  // replica 0 plays the core
        EpochChange change = commit_everywhere(h, shape.base, cut);
        // Every site receives every site's translated ops, in its own order, with duplicates.
        std::vector<Op> all;
        for (const auto& per_site : change.translated_per_site) {
          all.insert(all.end(), per_site.begin(), per_site.end());
        }
        for (Replica& r : h.replicas) test::deliver_everything(rng, r, all, false);
        INFO("seed " << seed);
        for (const Replica& r : h.replicas) {
          // Flatten invisibility with post-cut ops (invariant 11), order preservation (13), no
          // lost update (5) and no resurrection (6): the new epoch shows exactly the old truth.
          REQUIRE(r.visible_atoms() == oracle.visible_atoms());
          REQUIRE(r.tree_dump() == h.replicas[0].tree_dump());
        }
      }
    }
  }
}

TEST_CASE("counterexample 1: no resurrection across a cut", "[flatten][regression]") {
  SECTION("nebula inserts and deletes x; only the delete reaches the core before the cut") {
    Replica k(2), n(3);
    const Op ins = n.local_insert(0, "x");
    const Op del = n.local_erase(0);
    REQUIRE(k.apply(del) == ApplyOutcome::kApplied);  // a pre-tombstone at K
    const DotSet cut = k.seen();
    const auto a = flatten_array({}, ops_in({ins, del}, cut));
    REQUIRE(a.atoms.empty());
    REQUIRE(colour_of(ins, cut, {}) == Colour::kBlack);
    REQUIRE(colour_of(del, cut, {}) == Colour::kBlack);  // in C, but its target is not cyan
    const Translator t(a.atoms, a.order, cut, {}, 1);
    k.install_epoch(1, {});
    n.install_epoch(1, {});
    std::vector<Op> sent;
    for (const Op& op : {ins, del}) sent.push_back(*t.translate(op));
    for (const Op& op : sent) {
      n.apply(op);
      k.apply(op);
    }
    REQUIRE(k.content().empty());
    REQUIRE(n.content().empty());
  }
  SECTION("the insert reaches the core after PREPARE; the core's own commit translates it") {
    Replica k(2), n(3);
    const Op ins = n.local_insert(0, "x");
    const Op del = n.local_erase(0);
    k.apply(del);
    const DotSet cut = k.seen();
    k.apply(ins);  // post-cut
    const CutArray a_cyan = flatten_array({}, ops_in({ins, del}, cut));
    const Translator t(a_cyan.atoms, a_cyan.order, cut, {}, 1);
    k.install_epoch(1, a_cyan.atoms);
    for (const Op& op : {ins, del}) {
      if (colour_of(op, cut, {}) == Colour::kBlack) k.apply(*t.translate(op));
    }
    REQUIRE(k.content().empty());
  }
}

TEST_CASE("counterexample 2: flatten(C) from ops after a UDIS discard", "[flatten][regression]") {
  ReplicaOptions discarding;
  discarding.discard_tombstones = true;
  Replica k(2), n(3, discarding);
  const Op ins = k.local_insert(0, "x");
  n.apply(ins);
  const Op del = n.local_erase(0);
  REQUIRE(n.stats().discarded == 1);
  const DotSet cut = k.seen();  // C = {ins x}
  const auto a_core = k.flatten_atoms(cut);
  REQUIRE(a_core.size() == 1);
  // N's A_cyan from its log plus CUT, not from its tree (where x is gone).
  const auto a_cyan = flatten_array({}, ops_in({ins, del}, cut));
  REQUIRE(a_cyan.atoms == a_core);
  REQUIRE(flatten_hash(a_cyan.atoms) == flatten_hash(a_core));
  const Translator t(a_cyan.atoms, a_cyan.order, cut, {}, 1);
  const std::optional<Op> del_new = t.translate(del);
  REQUIRE(del_new.has_value());  // x is in A_cyan: delete its flattened position
  REQUIRE(del_new->tid == flat_tid(0, 1));
  k.install_epoch(1, a_core);
  n.install_epoch(1, a_cyan.atoms);
  REQUIRE(k.apply(*del_new) == ApplyOutcome::kApplied);
  REQUIRE(n.apply(*del_new) == ApplyOutcome::kApplied);
  REQUIRE(k.content().empty());
  REQUIRE(n.content().empty());
}

TEST_CASE("counterexample 5: a second delete on a DEAD mini is recorded", "[flatten][regression]") {
  Replica k(2), n(3), p(4);
  const Op ins = k.local_insert(0, "x");
  n.apply(ins);
  p.apply(ins);
  const Op del_n = n.local_erase(0);  // black: not in K's cut
  const Op del_k = k.local_erase(0);  // cyan
  p.apply(del_n);                     // x DEAD at P
  p.apply(del_k);                     // must still be recorded
  const DotSet cut = k.seen();
  REQUIRE(p.flatten_atoms(cut).empty());
  REQUIRE(k.flatten_atoms(cut).empty());
  // N's black delete targets a cyan tombstone: dropped, not resent.
  const CutArray a_cyan = flatten_array({}, ops_in({ins, del_k}, cut));
  const Translator t(a_cyan.atoms, a_cyan.order, cut, {}, 1);
  REQUIRE_FALSE(t.translate(del_n).has_value());
}

TEST_CASE("counterexample 6: flattened atoms keep their identity across two flattens",
          "[flatten][regression]") {
  Replica k(2), n(3);
  const Op ins = k.local_insert(0, "a");
  n.apply(ins);
  k.flatten();
  n.flatten();
  k.flatten();  // a second flatten with no edits: a must stay
  n.flatten();
  REQUIRE(k.content() == "a");
  const auto atoms = k.flatten_atoms();
  REQUIRE(atoms.size() == 1);
  REQUIRE(atoms[0].ins_op == ins.id);  // the original op id survives
  REQUIRE(flatten_hash(atoms) == flatten_hash(n.flatten_atoms()));
  // From ops: the epoch-initial atom is cyan and its delete targets the original op id.
  const Op del = n.local_erase(0);
  REQUIRE(del.target == ins.id);
  DotSet cut;
  cut.insert(del.id);
  const DotSet initial = ids_of_atoms(atoms);
  REQUIRE(colour_of(del, cut, initial) == Colour::kCyan);
  REQUIRE(flatten_array(atoms, {del}).atoms.empty());
  REQUIRE(flatten_array(atoms, {}).atoms.size() == 1);
}

TEST_CASE("counterexample 7: seen is per epoch; a translated op keeps its id",
          "[flatten][regression]") {
  Replica k(2), p(3);
  const Op base = k.local_insert(0, "a");
  p.apply(base);
  const DotSet cut = k.seen();
  const Op post = p.local_insert(1, "b");  // P's post-cut insert
  const CutArray a_cyan = flatten_array({}, {base});
  const Translator t(a_cyan.atoms, a_cyan.order, cut, {}, 1);
  k.install_epoch(1, a_cyan.atoms);
  p.install_epoch(1, a_cyan.atoms);
  const Op moved = *t.translate(post);
  REQUIRE(moved.id == post.id);
  REQUIRE(p.apply(moved) == ApplyOutcome::kApplied);  // not a duplicate in the new epoch
  REQUIRE(k.apply(moved) == ApplyOutcome::kApplied);
  REQUIRE(p.content() == "ab");
  REQUIRE(k.content() == "ab");
  REQUIRE(k.apply(post) == ApplyOutcome::kWrongEpoch);  // the old-epoch copy is fenced
}

TEST_CASE("counterexample 4: mini_child is a document-wide constant", "[flatten][regression]") {
  // With one variant for the whole document the counterexample's edits converge; the variant is
  // part of DocumentOptions, which every replica of a document shares.
  for (bool mini_child : {false, true}) {
    ReplicaOptions o;
    o.document.mini_child = mini_child;
    Replica a(2, o), b(3, o), c(4, o);
    const Op oa = a.local_insert(0, "a");
    const Op oc = c.local_insert(0, "c");
    b.apply(oc);
    const Op ob = b.local_insert(0, "b");  // before c
    a.apply(oc);
    const Op oa2 = a.local_insert(1, "z");  // after a
    for (Replica* r : {&a, &b, &c}) {
      for (const Op& op : {oa, oc, ob, oa2}) r->apply(op);
    }
    REQUIRE(a.content() == b.content());
    REQUIRE(b.content() == c.content());
    REQUIRE(a.tree_dump() == c.tree_dump());
  }
}
