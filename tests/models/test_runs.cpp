// Property tests of runs (docs/BENCHMARKS.md, "Runs"): the per-atom engine is the oracle. Local run
// inserts and erases give its tree and, expanded, its ops; run ops applied remotely in any order
// with duplicates give the tree their members give; the codec, translation and flatten(C) treat a
// run as its members.
#include <catch2/catch.hpp>

#include <set>

#include "models/random/random_stream.hpp"
#include "models/treedoc/codec.hpp"
#include "models/treedoc/flatten.hpp"
#include "models/treedoc/replica.hpp"
#include "models/treedoc/run.hpp"
#include "tests/models/replica_equality.hpp"

using namespace treedoc;

namespace {

constexpr uint64_t kSeedsCount = 40;
constexpr uint32_t kRunLengthMax = 12;

std::vector<Op> expand_all(const std::vector<Op>& ops) {
  std::vector<Op> out;
  for (const Op& op : ops) {
    for (Op& m : expand_run(op)) out.push_back(std::move(m));
  }
  return out;
}

ReplicaOptions options_of(uint64_t variant) {
  ReplicaOptions o;
  o.document.mini_child = (variant & 1) != 0;
  o.document.dis_mode = (variant & 2) != 0 ? DisMode::kSdis : DisMode::kUdis;
  o.discard_tombstones = (variant & 4) != 0 && o.document.dis_mode == DisMode::kUdis;
  return o;
}

std::string random_atom(RandomStream& rng) {
  // Mostly one byte; some multi-byte atoms so that runs of unequal sizes occur.
  const uint64_t size = rng.chance(0.2) ? 1 + rng.below(3) : 1;
  std::string a;
  for (uint64_t k = 0; k < size; ++k) a += static_cast<char>('a' + rng.below(26));
  return a;
}

// One site editing by runs (`runs`) and the same edits by single-atom calls (`singles`).
struct LocalPair {
  Replica runs, singles;
  std::vector<Op> run_ops, single_ops;
};

void random_edit(RandomStream& rng, LocalPair* p) {
  const uint32_t size = p->runs.size();
  if (size == 0 || rng.chance(0.6)) {
    const auto index = static_cast<uint32_t>(rng.below(size + 1));
    const uint64_t n = 1 + rng.below(kRunLengthMax);
    std::vector<std::string> atoms;
    std::vector<uint32_t> widths;
    for (uint64_t k = 0; k < n; ++k) {
      atoms.push_back(random_atom(rng));
      widths.push_back(static_cast<uint32_t>(1 + rng.below(2)));
    }
    const std::vector<std::string_view> views(atoms.begin(), atoms.end());
    p->run_ops.push_back(p->runs.local_insert_run(index, views, widths));
    for (uint64_t k = 0; k < n; ++k) {
      p->single_ops.push_back(
          p->singles.local_insert(index + static_cast<uint32_t>(k), atoms[k], widths[k]));
    }
    return;
  }
  const auto index = static_cast<uint32_t>(rng.below(size));
  const auto count = static_cast<uint32_t>(1 + rng.below(std::min<uint64_t>(size - index, 8)));
  for (Op& op : p->runs.local_erase_run(index, count)) p->run_ops.push_back(std::move(op));
  for (uint32_t k = 0; k < count; ++k) p->single_ops.push_back(p->singles.local_erase(index));
}

}  // namespace

TEST_CASE("local runs make the per-atom engine's tree and, expanded, its ops", "[runs][property]") {
  for (uint64_t seed = 1; seed <= kSeedsCount; ++seed) {
    for (uint64_t variant = 0; variant < 8; ++variant) {
      RandomStream rng(seed * 131 + variant);
      const ReplicaOptions o = options_of(variant);
      LocalPair p{Replica(2, o), Replica(2, o), {}, {}};
      for (int step = 0; step < 60; ++step) {
        random_edit(rng, &p);
        if (rng.chance(0.05)) {  // runs continue across epochs
          p.runs.flatten();
          p.singles.flatten();
        }
      }
      INFO("seed " << seed << " variant " << variant);
      require_same_replica(p.runs, p.singles);
      REQUIRE(expand_all(p.run_ops) == p.single_ops);
      bool some_run = false;
      for (const Op& op : p.run_ops) {
        some_run = some_run || op.run != 0;
        if (op.run != 0) REQUIRE(run_well_formed(op));
      }
      REQUIRE(some_run);
    }
  }
}

TEST_CASE("a one-atom run is exactly the single-atom op, byte for byte", "[runs]") {
  Replica a(2), b(2);
  const Op x = a.local_insert_run(0, {"x"});
  const Op y = b.local_insert(0, "x");
  REQUIRE(x == y);
  REQUIRE(encode_op(x) == encode_op(y));
  const std::vector<Op> ex = a.local_erase_run(0, 1);
  REQUIRE(ex.size() == 1);
  REQUIRE(encode_op(ex[0]) == encode_op(b.local_erase(0)));
}

TEST_CASE("a typed run is one op, and a deleted run is one op", "[runs]") {
  for (const bool mini_child : {false, true}) {
    ReplicaOptions o;
    o.document.mini_child = mini_child;
    Replica r(2, o);
    const Op paste = r.local_insert_run(0, {"h", "e", "l", "l", "o"});
    REQUIRE(paste.run == 5);
    REQUIRE(paste.run_sizes.empty());  // uniform: one byte, width 1 each
    REQUIRE(paste.chain == (mini_child ? RunChain::kMini : RunChain::kMajor));
    const std::vector<Op> cut = r.local_erase_run(1, 3);
    REQUIRE(cut.size() == 1);
    REQUIRE(cut[0].run == 3);
    REQUIRE(cut[0].target == OpId{2, 2});
    REQUIRE(r.content() == "ho");
  }
}

namespace {

// Applies `op` to a pair's replicas, as a run and member by member: the outcomes agree.
void apply_to_pair(const Op& op, LocalPair* p) {
  const ApplyOutcome a = p->runs.apply(op);
  bool any = false;
  for (const Op& m : expand_run(op)) any = p->singles.apply(m) == ApplyOutcome::kApplied || any;
  REQUIRE(a == (any ? ApplyOutcome::kApplied : ApplyOutcome::kDuplicate));
}

// Three sites edit concurrently by runs, each seeing a random part of the others' ops, from
// `base`; returns every run op made, having checked each site's two replicas agree.
std::vector<Op> concurrent_runs(RandomStream& rng, const ReplicaOptions& o,
                                const std::vector<FlatAtom>& base) {
  std::vector<LocalPair> sites;
  for (SiteId s = 2; s < 5; ++s) sites.push_back({Replica(s, o), Replica(s, o), {}, {}});
  for (LocalPair& p : sites) {
    if (base.empty()) continue;
    p.runs.install_epoch(1, base);
    p.singles.install_epoch(1, base);
  }
  std::vector<Op> all_runs;
  for (int step = 0; step < 45; ++step) {
    LocalPair& p = sites[rng.below(sites.size())];
    if (!all_runs.empty() && rng.chance(0.3)) {
      apply_to_pair(all_runs[rng.below(all_runs.size())], &p);
      continue;
    }
    const size_t before = p.run_ops.size();
    random_edit(rng, &p);
    for (size_t k = before; k < p.run_ops.size(); ++k) all_runs.push_back(p.run_ops[k]);
  }
  for (const LocalPair& p : sites) require_same_replica(p.runs, p.singles);
  return all_runs;
}

// Fresh replicas: one gets the runs (shuffled, some twice, some members also alone), the other
// every member alone in the same order; one more takes the runs through receive().
void replay_shuffled(RandomStream& rng, const ReplicaOptions& o, const std::vector<FlatAtom>& base,
                     const std::vector<Op>& all_runs) {
  Replica by_runs(9, o), by_members(9, o), by_receive(9, o);
  if (!base.empty()) {
    for (Replica* r : {&by_runs, &by_members, &by_receive}) r->install_epoch(1, base);
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < all_runs.size(); ++i) {
    order.push_back(i);
    if (rng.chance(0.2)) order.push_back(i);
  }
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  for (size_t i : order) {
    const Op& op = all_runs[i];
    if (op.run != 0 && rng.chance(0.15)) {  // one member arrives alone first
      const Op member = expand_run(op)[rng.below(op.run)];
      by_runs.apply(member);
      by_members.apply(member);
      by_receive.receive(std::make_shared<const Op>(member));
    }
    const ApplyOutcome a = by_runs.apply(op);
    REQUIRE((a == ApplyOutcome::kApplied || a == ApplyOutcome::kDuplicate));
    for (const Op& m : expand_run(op)) by_members.apply(m);
    const ApplyOutcome r = by_receive.receive(std::make_shared<const Op>(op));
    REQUIRE(r == a);
    if (rng.chance(0.3)) by_receive.integrate();
  }
  by_receive.integrate();
  require_same_replica(by_runs, by_members);
  if (!o.discard_tombstones) require_same_replica(by_receive, by_members);
  REQUIRE(by_receive.visible_hash() == by_members.visible_hash());
}

}  // namespace

TEST_CASE("remote runs in any order with duplicates give the members' tree", "[runs][property]") {
  for (uint64_t seed = 1; seed <= kSeedsCount; ++seed) {
    for (uint64_t variant = 0; variant < 8; ++variant) {
      INFO("seed " << seed << " variant " << variant);
      RandomStream rng(seed * 7919 + variant);
      const ReplicaOptions o = options_of(variant);
      // Every other seed starts from a common flattened base, whose deletes form base runs.
      std::vector<FlatAtom> base;
      if (seed % 2 == 0) {
        for (uint64_t k = 0; k < 30; ++k) base.push_back({random_atom(rng), 1, {7, 100 + k}});
      }
      const std::vector<Op> all_runs = concurrent_runs(rng, o, base);
      bool base_run = false;
      for (const Op& op : all_runs) base_run = base_run || op.chain == RunChain::kBase;
      if (!base.empty() && !o.discard_tombstones) REQUIRE(base_run);
      replay_shuffled(rng, o, base, all_runs);
    }
  }
}

TEST_CASE("the codec round-trips runs and sizes them exactly", "[runs][codec][property]") {
  for (uint64_t seed = 1; seed <= kSeedsCount; ++seed) {
    RandomStream rng(seed);
    const ReplicaOptions o = options_of(seed % 4);
    LocalPair p{Replica(2, o), Replica(2, o), {}, {}};
    for (int step = 0; step < 40; ++step) {
      random_edit(rng, &p);
      if (step == 20) {  // base runs after it
        p.runs.flatten();
        p.singles.flatten();
      }
    }
    for (const Op& op : p.run_ops) {
      const std::string bytes = encode_op(op);
      REQUIRE(bytes.size() == encoded_op_size(op));
      const std::optional<Op> back = decode_op(bytes);
      REQUIRE(back.has_value());
      REQUIRE(*back == op);
      // Any cut-off prefix is rejected.
      REQUIRE_FALSE(decode_op(std::string_view(bytes).substr(0, rng.below(bytes.size()))));
    }
  }
}

TEST_CASE("the decoder rejects inconsistent runs", "[runs][codec]") {
  Replica r(2);
  Op run = r.local_insert_run(0, {"a", "b", "c"});
  Op bad = run;
  bad.run = 4;  // 3 bytes do not split into 4 equal atoms
  REQUIRE_FALSE(run_well_formed(bad));
  bad = run;
  bad.tid = sentinel_tid();
  REQUIRE_FALSE(run_well_formed(bad));
  REQUIRE(r.apply(bad) == ApplyOutcome::kMalformed);
  std::string bytes = encode_op(run);
  bytes[0] = 4;  // no such kind
  REQUIRE_FALSE(decode_op(bytes));
}

TEST_CASE("translating a black run is translating its members", "[runs][flatten][property]") {
  for (uint64_t seed = 1; seed <= kSeedsCount; ++seed) {
    RandomStream rng(seed * 31);
    const ReplicaOptions o = options_of(seed % 4);
    // Site 2's ops up to a point are the cut; site 3's runs, made concurrently, are black.
    LocalPair a{Replica(2, o), Replica(2, o), {}, {}}, b{Replica(3, o), Replica(3, o), {}, {}};
    for (int step = 0; step < 20; ++step) random_edit(rng, &a);
    for (const Op& op : a.run_ops) b.runs.apply(op);
    for (const Op& op : a.single_ops) b.singles.apply(op);
    for (int step = 0; step < 20; ++step) random_edit(rng, &a);  // cyan, unseen at b
    for (int step = 0; step < 20; ++step) random_edit(rng, &b);  // black
    DotSet cut;
    for (const Op& op : expand_all(a.run_ops)) cut.insert(op.id);
    const CutArray a_cyan = flatten_array({}, a.run_ops);
    REQUIRE(a_cyan.atoms == flatten_array({}, expand_all(a.run_ops)).atoms);
    const Translator t(a_cyan.atoms, a_cyan.order, cut, {}, 1);
    std::vector<Op> by_runs, by_members;
    for (const Op& op : b.run_ops) {
      for (Op& m : t.translate_run(op)) by_runs.push_back(std::move(m));
      for (const Op& m : expand_run(op)) {
        if (colour_of(m, cut, {}) == Colour::kCyan) continue;
        if (auto x = t.translate(m)) by_members.push_back(std::move(*x));
      }
    }
    REQUIRE(expand_all(by_runs) == by_members);
    // Applied in the new epoch, both forms give one tree.
    Replica x(4, o), y(4, o);
    x.install_epoch(1, a_cyan.atoms);
    y.install_epoch(1, a_cyan.atoms);
    for (const Op& op : by_runs) REQUIRE(x.apply(op) == ApplyOutcome::kApplied);
    for (const Op& op : by_members) REQUIRE(y.apply(op) == ApplyOutcome::kApplied);
    REQUIRE(x.tree_dump() == y.tree_dump());
  }
}

TEST_CASE("a run's atoms appended at once equal appending them one by one", "[runs][property]") {
  RandomStream rng(91);
  const std::vector<std::string_view> kinds = {"a", "b", "\xc3\xa9", "word "};
  for (int trial = 0; trial < 2000; ++trial) {
    Op start;
    start.kind = OpKind::kInsert;
    start.atom = std::string(kinds[rng.below(2)]);  // one byte: the uniform case is common
    start.width = 1;
    std::vector<std::string_view> atoms = {start.atom};
    std::vector<uint32_t> widths = {1};
    const uint64_t n = rng.below(6);
    const bool mixed = rng.chance(0.3);
    for (uint64_t k = 0; k < n; ++k) {
      atoms.push_back(mixed ? kinds[rng.below(kinds.size())] : kinds[rng.below(2)]);
      widths.push_back(mixed && rng.chance(0.3) ? 2 : 1);
    }
    const bool no_widths = !mixed && rng.chance(0.5);  // empty: width 1 each
    Op at_once = start, one_by_one = start;
    append_and_finish_run(&at_once, atoms, no_widths ? std::vector<uint32_t>{} : widths, 1);
    for (size_t k = 1; k < atoms.size(); ++k) append_to_run(&one_by_one, atoms[k], widths[k]);
    finish_run(&one_by_one);
    INFO("trial " << trial);
    REQUIRE(at_once == one_by_one);
  }
}
