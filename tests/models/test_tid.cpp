// The TID comparator is a strict total order equal to the walk, and the prefix test is exact.
#include <catch2/catch.hpp>

#include "models/treedoc/flatten.hpp"
#include "models/treedoc/tid.hpp"

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
