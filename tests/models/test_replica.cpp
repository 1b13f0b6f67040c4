// Unit tests of the replica: docs/protocol.md's worked example, newPosID against a literal reading
// of rules 1-4, local intention, interleaving, SDIS uniqueness, deep chains and the verification's
// counterexample 3 (docs/protocol.md correction 3).
#include <catch2/catch.hpp>

#include <set>

#include "models/random/random_stream.hpp"
#include "models/treedoc/codec.hpp"
#include "models/treedoc/replica.hpp"
#include "tests/models/concurrent_history.hpp"

using namespace treedoc;

namespace {

// Builds a TID from a compact description: each entry is a branch, optionally with a Dis.
struct E {
  int branch;
  bool has_dis = false;
  Dis dis{};
};
Tid make_tid(const std::vector<E>& elements) {
  Tid t;
  for (const E& e : elements) {
    if (e.has_dis) {
      t.push(static_cast<uint8_t>(e.branch), e.dis);
    } else {
      t.push(static_cast<uint8_t>(e.branch));
    }
  }
  return t;
}
E d(int branch, SiteId site, uint64_t counter) { return {branch, true, Dis{site, counter}}; }

// The literal newPosID (docs/protocol.md §2, Algorithm 1) computed from TIDs alone, for
// cross-checking.
Tid literal_new_tid(const Tid& p, const Tid* f, Dis dis, bool mini_child) {
  const Tid pp = major_path(p);
  auto with = [](Tid base, int branch, Dis x) {
    base.push(static_cast<uint8_t>(branch), x);
    return base;
  };
  if (f != nullptr) {
    const Tid fp = major_path(*f);
    if (is_proper_prefix(p, *f) || is_proper_prefix(pp, *f)) {
      return mini_child ? with(*f, 0, dis) : with(fp, 0, dis);  // rule 1
    }
    if (is_proper_prefix(*f, p) || is_proper_prefix(fp, p)) {
      return mini_child ? with(p, 1, dis) : with(pp, 1, dis);  // rule 2
    }
    if (p.size() == f->size() && major_path(p) == major_path(*f)) return with(p, 1, dis);  // 3
  }
  return mini_child ? with(p, 1, dis) : with(pp, 1, dis);  // rule 4
}

// The TID of the walk successor (in any state) of the mini whose TID is `p`, or none.
std::optional<Tid> successor_tid(const Replica& r, const Tid& p) {
  std::vector<NodeIndex> walk;
  r.tree().for_each_in_order([&](NodeIndex n) { walk.push_back(n); });
  for (size_t i = 0; i + 1 < walk.size(); ++i) {
    if (r.tree().tid_of(walk[i]) == p) return r.tree().tid_of(walk[i + 1]);
  }
  return std::nullopt;
}

void check_walk_is_sorted(const Replica& r) {
  std::vector<Tid> tids;
  r.tree().for_each_in_order([&](NodeIndex n) { tids.push_back(r.tree().tid_of(n)); });
  for (size_t i = 1; i < tids.size(); ++i) {
    INFO(to_string(tids[i - 1]) << " vs " << to_string(tids[i]));
    REQUIRE(compare_tids(tids[i - 1], tids[i]) < 0);
  }
}

}  // namespace

TEST_CASE("docs/protocol.md's example: n_b c W X Y d, with its keys", "[replica]") {
  const SiteId A = 2, B = 3, C = 4;
  Replica a(A), b(B), c(C);
  const Op oc = a.local_insert(0, "c");
  const Op od = a.local_insert(1, "d");
  REQUIRE(oc.tid == make_tid({{0}, d(1, A, 1)}));
  REQUIRE(od.tid == make_tid({{0}, {1}, d(1, A, 2)}));
  for (Replica* r : {&b, &c}) {
    REQUIRE(r->apply(oc) == ApplyOutcome::kApplied);
    REQUIRE(r->apply(od) == ApplyOutcome::kApplied);
  }
  const Op ow = b.local_insert(1, "W");  // p = c, f = d: rule 1
  const Op oy = c.local_insert(1, "Y");
  REQUIRE(ow.tid == make_tid({{0}, {1}, {1}, d(0, B, 1)}));
  REQUIRE(oy.tid == make_tid({{0}, {1}, {1}, d(0, C, 1)}));
  REQUIRE(a.apply(ow) == ApplyOutcome::kApplied);
  REQUIRE(a.apply(oy) == ApplyOutcome::kApplied);
  REQUIRE(a.content() == "cWYd");
  const Op ox = a.local_insert(2, "X");  // between mini-siblings W and Y: rule 3
  REQUIRE(ox.tid == make_tid({{0}, {1}, {1}, d(0, B, 1), d(1, A, 3)}));
  REQUIRE(a.content() == "cWXYd");
  REQUIRE(compare_tids(ow.tid, ox.tid) < 0);
  REQUIRE(compare_tids(ox.tid, oy.tid) < 0);
  REQUIRE(compare_tids(oy.tid, od.tid) < 0);
  REQUIRE(compare_tids(oc.tid, ow.tid) < 0);
}

TEST_CASE("newPosID equals a literal reading of rules 1-4 in every state", "[replica][property]") {
  for (bool mini_child : {false, true}) {
    for (DisMode mode : {DisMode::kUdis, DisMode::kSdis}) {
      for (uint64_t seed = 1; seed <= 40; ++seed) {
        RandomStream rng(seed * 7 + (mini_child ? 1 : 0));
        test::HistoryShape shape;
        shape.replica_count = 3;
        shape.steps = 150;
        shape.options.document.dis_mode = mode;
        shape.options.document.mini_child = mini_child;
        test::ConcurrentHistory h = test::make_history(rng, shape);
        Replica& r = h.replicas[0];
        test::deliver_everything(rng, r, h.ops, false);
        for (int k = 0; k < 40; ++k) {
          const auto index = static_cast<uint32_t>(rng.below(r.size() + 1));
          const Tid p = index == 0 ? r.tree().tid_of(r.tree().sentinel())
                                   : r.tree().tid_of(r.tree().find_visible(index - 1));
          const std::optional<Tid> f = successor_tid(r, p);
          const uint64_t next = r.counter() + 1;
          const Dis dis = mode == DisMode::kUdis ? Dis{r.site(), next} : Dis{r.site(), 0};
          const Tid expected = literal_new_tid(p, f ? &*f : nullptr, dis, mini_child);
          const Op op = r.local_insert(index, "n");
          INFO("seed " << seed << " p " << to_string(p) << " f " << (f ? to_string(*f) : "END"));
          REQUIRE(op.tid == expected);
          REQUIRE(r.tree().index_of(r.tree().find(op.tid)) == index);  // local intention
          if (f) REQUIRE(compare_tids(op.tid, *f) < 0);
          REQUIRE(compare_tids(p, op.tid) < 0);
        }
        check_walk_is_sorted(r);
      }
    }
  }
}

TEST_CASE("local intention: an insert at i lands at i, an erase at i shifts i+1 to i",
          "[replica][property]") {
  RandomStream rng(77);
  Replica r(2);
  std::string model;
  for (int step = 0; step < 5000; ++step) {
    if (model.empty() || rng.chance(0.6)) {
      const auto i = static_cast<uint32_t>(rng.below(model.size() + 1));
      const char ch = static_cast<char>('a' + rng.below(26));
      r.local_insert(i, std::string(1, ch));
      model.insert(model.begin() + i, ch);
    } else {
      const auto i = static_cast<uint32_t>(rng.below(model.size()));
      r.local_erase(i);
      model.erase(model.begin() + i);
    }
    REQUIRE(r.size() == model.size());
  }
  REQUIRE(r.content() == model);
  for (uint32_t i = 0; i < model.size(); i += 97) {
    REQUIRE(r.tree().atom(r.tree().find_visible(i)) == std::string(1, model[i]));
    REQUIRE(r.tree().index_of(r.tree().find_visible(i)) == i);
  }
}

TEST_CASE("concurrent typed runs interleave in default mode and not with mini_child", "[replica]") {
  for (bool mini_child : {false, true}) {
    ReplicaOptions o;
    o.document.mini_child = mini_child;
    Replica a(2, o), b(3, o);
    std::vector<Op> ops;
    for (uint32_t i = 0; i < 3; ++i) ops.push_back(a.local_insert(i, std::string(1, "abc"[i])));
    for (uint32_t i = 0; i < 3; ++i) ops.push_back(b.local_insert(i, std::string(1, "xyz"[i])));
    for (const Op& op : ops) {
      a.apply(op);
      b.apply(op);
    }
    REQUIRE(a.content() == b.content());
    REQUIRE(a.content() == (mini_child ? "abcxyz" : "axbycz"));
  }
}

TEST_CASE("SDIS never reuses a TID, even over tombstones at one place", "[replica]") {
  ReplicaOptions o;
  o.document.dis_mode = DisMode::kSdis;
  Replica r(2, o);
  r.local_insert(0, "a");
  r.local_insert(1, "z");
  std::set<std::string> tids;
  for (int k = 0; k < 30; ++k) {
    const Op ins = r.local_insert(1, "m");
    REQUIRE(tids.insert(to_string(ins.tid)).second);
    r.local_erase(1);
  }
  REQUIRE(r.content() == "az");
  // Across random multi-replica SDIS histories, no two inserts share a TID.
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    RandomStream rng(500 + seed);
    test::HistoryShape shape;
    shape.options = o;
    shape.replica_count = 4;
    const test::ConcurrentHistory h = test::make_history(rng, shape);
    std::set<std::string> seen_tids;
    for (const Op& op : h.ops) {
      if (op.is_insert()) REQUIRE(seen_tids.insert(to_string(op.tid)).second);
    }
  }
}

TEST_CASE("a 200,000-deep chain does not overflow the stack", "[replica]") {
  // One remote insert whose TID is a 200,000-element typed chain builds the depth in O(n); local
  // typing builds it in O(n^2) (each op costs O(depth)), which belongs in the benchmark.
  constexpr uint32_t kChain = 200000;
  Op deep;
  deep.kind = OpKind::kInsert;
  deep.id = {2, 1};
  deep.atom = "y";
  for (uint32_t i = 0; i + 1 < kChain; ++i) deep.tid.push(1);
  deep.tid.push(1, Dis{2, 1});
  Replica r(3);
  REQUIRE(r.apply(deep) == ApplyOutcome::kApplied);
  REQUIRE(r.content() == "y");
  REQUIRE(r.stats().depth_max == kChain);
  REQUIRE(r.tree().tid_of(r.tree().find_visible(0)) == deep.tid);
  const Op after = r.local_insert(1, "z");  // below the chain's end
  REQUIRE(after.tid.size() == kChain + 1);
  REQUIRE(r.tree().index_of(r.tree().find(after.tid)) == 1);
  REQUIRE(r.content() == "yz");
  ReplicaOptions discarding;
  discarding.discard_tombstones = true;
  Replica d(4, discarding);
  d.apply(deep);
  d.apply(r.local_erase(0));
  d.apply(after);
  REQUIRE(d.content() == "z");
  r.flatten();
  REQUIRE(r.stats().depth_max <= 2);
  REQUIRE(r.content() == "z");
}

TEST_CASE("typing at the end builds a chain of n+1 elements", "[replica]") {
  constexpr uint32_t kTyped = 5000;
  Replica r(2);
  Op last;
  for (uint32_t i = 0; i < kTyped; ++i) last = r.local_insert(i, "x");
  REQUIRE(last.tid.size() == kTyped + 1);
  REQUIRE(r.stats().depth_max == kTyped + 1);
  REQUIRE(r.content() == std::string(kTyped, 'x'));
  r.flatten();
  REQUIRE(r.stats().depth_max == 13);  // ceil(log2(5000 + 1))
}

TEST_CASE("counterexample 3: adjacency includes GHOST_DEAD minis", "[replica][regression]") {
  // docs/protocol.md correction 3: A<B<C insert a, b, c concurrently at the same slot; B inserts y
  // between b and c and deletes b; A receives del b (GHOST_DEAD) and y, then inserts at index 1.
  Replica a(2), b(3), c(4);
  const Op oa = a.local_insert(0, "a");
  const Op ob = b.local_insert(0, "b");
  const Op oc = c.local_insert(0, "c");
  REQUIRE(b.apply(oc) == ApplyOutcome::kApplied);
  const Op oy = b.local_insert(1, "y");  // between b and c: rule 3
  const Op del_b = b.local_erase(0);
  REQUIRE(a.apply(del_b) == ApplyOutcome::kApplied);
  REQUIRE(a.apply(oy) == ApplyOutcome::kApplied);
  REQUIRE(a.content() == "ay");
  const Op on = a.local_insert(1, "n");
  REQUIRE(a.content() == "any");
  for (const Op& op : {oa, ob, oc, oy, del_b, on}) {
    b.apply(op);
    c.apply(op);
    a.apply(op);
  }
  REQUIRE(a.content() == "anyc");
  REQUIRE(b.content() == a.content());
  REQUIRE(c.content() == a.content());
  REQUIRE(b.tree_dump() == a.tree_dump());
}

TEST_CASE("apply rejects collisions, wrong epochs and malformed ops", "[replica]") {
  Replica a(2), b(3);
  Op op = a.local_insert(0, "a");
  REQUIRE(b.apply(op) == ApplyOutcome::kApplied);
  REQUIRE(b.apply(op) == ApplyOutcome::kDuplicate);
  Op reused = op;
  reused.id.counter = 99;  // same TID, another op: a site that reuses a TID
  REQUIRE(b.apply(reused) == ApplyOutcome::kIdCollision);
  Op stale = op;
  stale.epoch = 5;
  REQUIRE(b.apply(stale) == ApplyOutcome::kWrongEpoch);
  Op empty = op;
  empty.tid = Tid{};
  empty.id.counter = 100;
  REQUIRE(b.apply(empty) == ApplyOutcome::kMalformed);
  Op at_sentinel = op;
  at_sentinel.id.counter = 101;
  at_sentinel.tid = make_tid({d(0, 0, 0)});
  REQUIRE(b.apply(at_sentinel) == ApplyOutcome::kMalformed);
  REQUIRE(b.content() == "a");
}

TEST_CASE("receive rejects what apply rejects before the tree is touched", "[replica]") {
  Replica a(2), b(3);
  const auto op = std::make_shared<const Op>(a.local_insert(0, "a"));
  REQUIRE(b.receive(op) == ApplyOutcome::kApplied);
  REQUIRE(b.receive(op) == ApplyOutcome::kDuplicate);  // still only received
  REQUIRE(b.received_count() == 1);
  Op stale = *op;
  stale.epoch = 5;
  REQUIRE(b.receive(std::make_shared<const Op>(stale)) == ApplyOutcome::kWrongEpoch);
  Op empty = *op;
  empty.tid = Tid{};
  empty.id.counter = 100;
  REQUIRE(b.receive(std::make_shared<const Op>(empty)) == ApplyOutcome::kMalformed);
  for (const OpKind kind : {OpKind::kInsert, OpKind::kDelete}) {
    Op at_sentinel = *op;  // the one malformed TID only a tree walk used to find
    at_sentinel.kind = kind;
    at_sentinel.id.counter = 101;
    at_sentinel.tid = make_tid({d(0, 0, 0)});
    REQUIRE(b.receive(std::make_shared<const Op>(at_sentinel)) == ApplyOutcome::kMalformed);
  }
  REQUIRE(b.received_count() == 1);
  REQUIRE(b.integrate() == 1);
  REQUIRE(b.content() == "a");
  REQUIRE(b.integrate() == 0);
  REQUIRE(b.take_rejected().empty());
}

TEST_CASE("a TID collision found while integrating is kept for the caller, not applied",
          "[replica]") {
  Replica a(2), b(3);
  const auto op = std::make_shared<const Op>(a.local_insert(0, "a"));
  Op reused = *op;
  reused.id.counter = 99;  // same TID, another op: a site that reuses a TID
  reused.atom = "z";
  REQUIRE(b.receive(op) == ApplyOutcome::kApplied);
  REQUIRE(b.receive(std::make_shared<const Op>(reused)) == ApplyOutcome::kApplied);  // unseen
  REQUIRE(b.integrate() == 2);
  const std::vector<Replica::Rejected> rejected = b.take_rejected();
  REQUIRE(rejected.size() == 1);
  REQUIRE(rejected[0].op->id == reused.id);
  REQUIRE(rejected[0].outcome == ApplyOutcome::kIdCollision);
  REQUIRE(b.content() == "a");
  REQUIRE(b.take_rejected().empty());
}

TEST_CASE("a delete before its insert leaves a pre-tombstone; the atom never appears",
          "[replica]") {
  Replica a(2), b(3);
  const Op ins = a.local_insert(0, "x");
  const Op child = a.local_insert(1, "y");  // a descendant of x
  const Op del = a.local_erase(0);
  REQUIRE(b.apply(del) == ApplyOutcome::kApplied);
  REQUIRE(b.stats().ghost_dead == 1);
  REQUIRE(b.apply(child) == ApplyOutcome::kApplied);
  REQUIRE(b.content() == "y");
  REQUIRE(b.apply(ins) == ApplyOutcome::kApplied);
  REQUIRE(b.content() == "y");
  REQUIRE(b.stats().dead == 1);
  REQUIRE(b.tree_dump() == a.tree_dump());
}

TEST_CASE("UDIS discard: a duplicate insert after a discard stays out", "[replica]") {
  ReplicaOptions o;
  o.discard_tombstones = true;
  Replica a(2), b(3, o);
  const Op ins = a.local_insert(0, "x");
  const Op del = a.local_erase(0);
  REQUIRE(b.apply(ins) == ApplyOutcome::kApplied);
  REQUIRE(b.apply(del) == ApplyOutcome::kApplied);
  REQUIRE(b.stats().discarded == 1);
  REQUIRE(b.stats().minis == 1);  // only the sentinel is left
  REQUIRE(b.apply(ins) == ApplyOutcome::kDuplicate);
  REQUIRE(b.content().empty());
}

TEST_CASE("stats count states and TID bytes", "[replica]") {
  Replica r(2);
  for (uint32_t i = 0; i < 100; ++i) r.local_insert(i, "a");
  r.local_erase(10);
  const ReplicaStats st = r.stats();
  REQUIRE(st.live == 99);
  REQUIRE(st.dead == 1);
  REQUIRE(st.tid_bytes_max > st.tid_bytes_mean);
  REQUIRE(st.tid_bytes_max == encoded_tid_size(r.tree().tid_of(r.tree().find_visible(98))));
  r.flatten();
  const ReplicaStats flat = r.stats();
  REQUIRE(flat.dead == 0);
  REQUIRE(flat.depth_max == 7);  // ceil(log2(99 + 1))
  REQUIRE(flat.tid_bytes_mean < st.tid_bytes_mean);
}

// Found by running the engine against an executable model of the design (case (a) of
// docs/BENCHMARKS.md, exactness): a late delete of an atom the replica discarded is a no-op even
// when a later insert's path has recreated the atom's node as a GHOST.
TEST_CASE("UDIS discard: a late delete of a discarded atom whose node came back is a no-op",
          "[replica][regression]") {
  for (const bool mini_child : {false, true}) {
    ReplicaOptions o;
    o.discard_tombstones = true;
    o.document.mini_child = mini_child;
    Replica r0(2, o), r1(3, o), r2(4, o);
    const Op a = r0.local_insert(0, "a");
    // A concurrent insert at the same place: c becomes a's mini-sibling, so without mini_child b
    // goes below a's mini by rule 3 (with mini_child it always does).
    const Op c = r2.local_insert(0, "c");
    REQUIRE(r0.apply(c) == ApplyOutcome::kApplied);
    REQUIRE(r1.apply(a) == ApplyOutcome::kApplied);
    const Op erase1 = r1.local_erase(0);
    REQUIRE(r1.stats().discarded == 1);
    const Op b = r0.local_insert(1, "b");  // right of a: its TID runs through a's mini
    const Op erase0 = r0.local_erase(0);   // a is DEAD at r0, kept: b hangs below it
    REQUIRE(r1.apply(b) == ApplyOutcome::kApplied);
    REQUIRE(r1.stats().ghost == 1);  // a's node, recreated as b's path
    REQUIRE(r1.apply(erase0) == ApplyOutcome::kApplied);
    const ReplicaStats st = r1.stats();
    REQUIRE(st.ghost == 1);
    REQUIRE(st.ghost_dead == 0);  // the engine used to make it GHOST_DEAD and record the delete
    REQUIRE(r1.tree_dump().find("del=") == std::string::npos);
    REQUIRE(r1.content() == "b");
    REQUIRE(r0.apply(erase1) == ApplyOutcome::kApplied);  // r0 still holds a: a real delete
    REQUIRE(r1.apply(c) == ApplyOutcome::kApplied);
    REQUIRE(r0.content() == "bc");
    REQUIRE(r0.visible_hash() == r1.visible_hash());
  }
}

// Case (b) of the same search: the no-op covers epoch-initial atoms, whose inserts are not in
// `seen`.
TEST_CASE("UDIS discard: concurrent deletes of one epoch-initial atom leave no GHOST_DEAD",
          "[replica][regression]") {
  ReplicaOptions o;
  o.discard_tombstones = true;
  Replica r0(2, o), r1(3, o);
  const std::vector<FlatAtom> atoms = {{"x", 1, {2, 1}}, {"y", 1, {2, 2}}, {"z", 1, {3, 1}}};
  r0.install_epoch(1, atoms);
  r1.install_epoch(1, atoms);
  const Op d0 = r0.local_erase(1);
  const Op d1 = r1.local_erase(1);
  REQUIRE(r0.stats().discarded == 1);
  REQUIRE(r1.stats().discarded == 1);
  REQUIRE(r0.apply(d1) == ApplyOutcome::kApplied);
  REQUIRE(r1.apply(d0) == ApplyOutcome::kApplied);
  for (const Replica* r : {&r0, &r1}) {
    const ReplicaStats st = r->stats();
    REQUIRE(st.ghost_dead == 0);
    REQUIRE(st.ghost == 0);
    REQUIRE(r->content() == "xz");
  }
  REQUIRE(r0.state_hash() == r1.state_hash());
}
