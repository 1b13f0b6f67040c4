// The TID comparator is a strict total order equal to the walk, and the prefix test is exact.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/codec.hpp"
#include "models/treedoc/flatten.hpp"
#include "models/treedoc/tid.hpp"
#include "tests/models/random_tid.hpp"

using namespace treedoc;

TEST_CASE("comparator: left child < mini < mini's right subtree < next mini < right child",
          "[tid]") {
  Tid major_left, mini_a, mini_a_right, mini_b, major_right, mini_a_left;
  major_left.push(1);
  major_left.push(0, Dis{2, 1});
  mini_a.push(1, Dis{2, 1});
  mini_a_left.push(1, Dis{2, 1});
  mini_a_left.push(0, Dis{3, 1});
  mini_a_right.push(1, Dis{2, 1});
  mini_a_right.push(1, Dis{3, 1});
  mini_b.push(1, Dis{4, 1});
  major_right.push(1);
  major_right.push(1, Dis{2, 1});
  const std::vector<Tid> ordered = {major_left,   mini_a_left, mini_a,
                                    mini_a_right, mini_b,      major_right};
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      INFO(to_string(ordered[i]) << " vs " << to_string(ordered[j]));
      const int c = compare_tids(ordered[i], ordered[j]);
      REQUIRE((c < 0) == (i < j));
      REQUIRE((c == 0) == (i == j));
    }
  }
}

TEST_CASE("flat_tid orders a flattened array and places n_b first", "[tid]") {
  for (uint64_t n : {1u, 2u, 3u, 7u, 8u, 100u, 1000u}) {
    Tid prev = sentinel_tid();
    for (uint64_t i = 0; i < n; ++i) {
      const Tid t = flat_tid(i, n);
      REQUIRE(t.well_formed());
      REQUIRE(compare_tids(prev, t) < 0);
      prev = t;
    }
  }
}

TEST_CASE("proper prefix compares elements including a missing Dis", "[tid]") {
  Tid a, b, c;
  a.push(1);
  b.push(1);
  b.push(0, Dis{2, 1});
  c.push(1, Dis{2, 1});
  c.push(0, Dis{2, 2});
  REQUIRE(is_proper_prefix(a, b));
  REQUIRE_FALSE(is_proper_prefix(b, a));
  REQUIRE_FALSE(is_proper_prefix(a, c));  // (1:⊥) is not (1:2:1)
  REQUIRE_FALSE(is_proper_prefix(a, a));
  REQUIRE(major_path(c).size() == 2);
  REQUIRE(is_proper_prefix(major_path(b), c) == false);
}

namespace {

// The comparator's definition spelled out (docs/protocol.md §1): every element is its branch token
// 2b, then (1,d) when it has a Dis; the TID closes with (1,-inf). Tokens as (rank, Dis): 0 -> 0,
// (1,-inf) -> 1, (1,d) -> 2 with d, 2 -> 3.
std::vector<std::pair<int, Dis>> tokens_of(const Tid& t) {
  std::vector<std::pair<int, Dis>> tokens;
  for (size_t i = 0; i < t.size(); ++i) {
    const TidElement e = t.element(i);
    tokens.push_back({e.branch == 0 ? 0 : 3, Dis{}});
    if (e.has_dis) tokens.push_back({2, e.dis});
  }
  tokens.push_back({1, Dis{}});
  return tokens;
}

int sign(int x) { return (x > 0) - (x < 0); }

}  // namespace

namespace {

// TIDs grown from each other's prefixes (a pool member cut short, or nothing, then 1 to
// `elements_max` random elements), so that most pairs share a long stretch.
struct TidPoolShape {
  int size;
  double from_pool_chance;
  uint64_t elements_max;
  double dis_chance;
  double major_path_chance;  // no Dis on the last element, as the tree compares those too
};

std::vector<Tid> grown_pool(RandomStream& rng, const TidPoolShape& shape,
                            const std::vector<Dis>& dises) {
  std::vector<Tid> pool;
  for (int k = 0; k < shape.size; ++k) {
    Tid t;
    if (!pool.empty() && rng.chance(shape.from_pool_chance)) {
      t = pool[rng.below(pool.size())];
      t.truncate(rng.below(t.size() + 1));
      t.drop_last_dis();
    }
    test::extend_randomly(rng, &t, rng.between(1, shape.elements_max), shape.dis_chance, dises);
    if (rng.chance(shape.major_path_chance)) t.drop_last_dis();
    pool.push_back(t);
  }
  return pool;
}

// Random pairs of the pool: the comparator and the sort keys order them as their tokens do.
void require_token_order(RandomStream& rng, const std::vector<Tid>& pool) {
  for (int trial = 0; trial < 20000; ++trial) {
    const Tid& a = pool[rng.below(pool.size())];
    const Tid& b = pool[rng.below(pool.size())];
    const auto ta = tokens_of(a), tb = tokens_of(b);
    const int want = ta < tb ? -1 : (tb < ta ? 1 : 0);
    INFO(to_string(a) << " vs " << to_string(b));
    REQUIRE(sign(compare_tids(a, b)) == want);
    REQUIRE(sign(tid_sort_key(a).compare(tid_sort_key(b))) == want);
  }
}

}  // namespace

TEST_CASE("TID sort keys and the comparator both order as the token definition",
          "[tid][property]") {
  RandomStream rng(23);
  // Dis values around byte boundaries: bytes of 0x80 and above, 8-byte counters, the widest site.
  const std::vector<Dis> dises = {
      Dis{0, 0},          Dis{1, 0},          Dis{2, 1},          Dis{2, 0x7f},
      Dis{2, 0x80},       Dis{2, 0xff},       Dis{2, 0x100},      Dis{2, 0x100000000ULL},
      Dis{2, UINT64_MAX}, Dis{0x01000003, 7}, Dis{0xffffffff, 0}, Dis{3, 2}};
  require_token_order(rng, grown_pool(rng, {600, 0.8, 6, 0.3, 0.2}, dises));
}

TEST_CASE("TID sort keys order long typed TIDs as the token definition", "[tid][property]") {
  // Typed stretches: hundreds of elements with a rare Dis, so that the four-branch key bytes
  // start at many offsets of a 64-branch word and meet Dis bytes mid-byte.
  RandomStream rng(29);
  const std::vector<Dis> dises = {Dis{1, 0}, Dis{2, 0x80}, Dis{3, UINT64_MAX}, Dis{0xffffffff, 5}};
  require_token_order(rng, grown_pool(rng, {300, 0.9, 90, 0.02, 0.0}, dises));
}

TEST_CASE("TID sort keys tell TIDs apart by any one branch, at every word offset", "[tid]") {
  // A Dis at element d shifts where the key's four-branch bytes start, so that over d = 0..7
  // some start at every offset of a 64-branch word, those that straddle two words included.
  RandomStream rng(31);
  constexpr size_t kElements = 200;
  for (size_t d = 0; d < 8; ++d) {
    std::vector<uint8_t> branches(kElements);
    for (uint8_t& b : branches) b = static_cast<uint8_t>(rng.below(2));
    const auto build = [&](size_t flipped) {
      Tid t;
      for (size_t i = 0; i < kElements; ++i) {
        const auto b = static_cast<uint8_t>(i == flipped ? 1 - branches[i] : branches[i]);
        if (i == d || i + 1 == kElements) {
          t.push(b, Dis{2, i});
        } else {
          t.push(b);
        }
      }
      return t;
    };
    const Tid original = build(kElements);
    for (size_t e = 0; e < kElements; ++e) {
      const Tid other = build(e);
      INFO("Dis at " << d << ", branch " << e << " flipped");
      REQUIRE(sign(tid_sort_key(original).compare(tid_sort_key(other))) ==
              sign(compare_tids(original, other)));
      REQUIRE(sign(compare_tids(original, other)) == (branches[e] == 0 ? -1 : 1));
    }
  }
}

namespace {

// A TID as the plain list of its elements: the form the packed branch bits must agree with.
using Elements = std::vector<TidElement>;

Elements elements_of(const Tid& t) {
  Elements e;
  for (size_t i = 0; i < t.size(); ++i) e.push_back(t.element(i));
  return e;
}

// One random edit applied to both forms: pushes (with and without a Dis), long repeated runs,
// appends of another TID's suffix at any bit offset, truncations and a dropped last Dis.
void edit_both(RandomStream& rng, const std::vector<std::pair<Tid, Elements>>& pool, Tid* t,
               Elements* e) {
  const uint64_t kind = rng.below(6);
  if (kind == 0) {
    const auto branch = static_cast<uint8_t>(rng.below(2));
    const Dis dis{static_cast<SiteId>(2 + rng.below(3)), rng.below(5)};
    t->push(branch, dis);
    e->push_back({branch, true, dis});
  } else if (kind == 1) {
    const auto branch = static_cast<uint8_t>(rng.below(2));
    t->push(branch);
    e->push_back({branch, false, {}});
  } else if (kind == 2) {
    const auto branch = static_cast<uint8_t>(rng.below(2));
    const size_t count = rng.below(200);  // runs across one or more 64-branch words
    t->push_repeated(branch, count);
    e->insert(e->end(), count, TidElement{branch, false, {}});
  } else if (kind == 3 && !pool.empty()) {
    const auto& [src, src_elements] = pool[rng.below(pool.size())];
    const size_t from = rng.below(src.size() + 1);
    size_t dises_before = 0;
    for (size_t i = 0; i < from; ++i) dises_before += src_elements[i].has_dis;
    t->append_suffix(src, from, dises_before);
    e->insert(e->end(), src_elements.begin() + static_cast<std::ptrdiff_t>(from),
              src_elements.end());
  } else if (kind == 4) {
    const size_t keep = rng.below(t->size() + 1);
    t->truncate(keep);
    e->resize(keep);
  } else if (!e->empty()) {
    t->drop_last_dis();
    e->back().has_dis = false;
    e->back().dis = Dis{};
  }
}

}  // namespace

TEST_CASE("packed branch bits hold the elements a plain list would, at every word offset",
          "[tid][property]") {
  RandomStream rng(71);
  std::vector<std::pair<Tid, Elements>> pool;
  for (int trial = 0; trial < 400; ++trial) {
    Tid t;
    Elements e;
    const uint64_t edits = 1 + rng.below(12);
    for (uint64_t k = 0; k < edits; ++k) edit_both(rng, pool, &t, &e);
    INFO("trial " << trial << ": " << to_string(t));
    REQUIRE(t.size() == e.size());
    REQUIRE(elements_of(t) == e);
    size_t dis_count = 0;
    for (const TidElement& x : e) dis_count += x.has_dis;
    REQUIRE(t.dises().size() == dis_count);
    // The codec writes element i's branch at bit i % 8 of byte i / 8 and reads it back.
    std::string bytes;
    encode_tid(t, &bytes);
    std::string_view in(bytes);
    const std::optional<Tid> decoded = decode_tid(&in);
    REQUIRE(decoded);
    REQUIRE(*decoded == t);
    REQUIRE(bytes.size() == encoded_tid_size(t));
    const size_t bits_at = varint_size(t.size());
    for (size_t i = 0; i < e.size(); ++i) {
      REQUIRE(((static_cast<uint8_t>(bytes[bits_at + i / 8]) >> (i % 8)) & 1) == e[i].branch);
    }
    // Equality, the comparator and the shared prefix agree with the element lists.
    for (size_t k = 0; k < std::min<size_t>(pool.size(), 20); ++k) {
      const auto& [u, ue] = pool[rng.below(pool.size())];
      REQUIRE((t == u) == (e == ue));
      REQUIRE((compare_tids(t, u) == 0) == (e == ue));
      size_t shared_dises = 0;
      size_t want = 0;
      while (want < e.size() && want < ue.size() && e[want] == ue[want]) ++want;
      REQUIRE(common_prefix(t, u, &shared_dises) == want);
    }
    pool.push_back({t, e});
  }
}
