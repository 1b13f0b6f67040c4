// The checker's flatten invisibility (invariants 11 and 13) on a state transfer: a base that
// reflects ops the site never held may show other atoms, but never the same atoms in another
// order; one that reflects exactly the site's ops must show the same sequence.
#include <catch2/catch.hpp>

#include "sim/check/checker.hpp"

using namespace treedoc;
using namespace treedoc::sim;

namespace {

Scenario two_sites() {
  Scenario s;
  s.topology.core = 1;
  s.topology.nebula = 1;
  return s;
}

// Site n0 (index 1) enters epoch 1 by a state transfer.
site::EpochEntered transfer(uint64_t gained, uint64_t lost, std::vector<OpId> before,
                            std::vector<OpId> after) {
  site::EpochEntered e;
  e.epoch = 1;
  e.catch_up = true;
  e.gained = gained;
  e.lost_by_policy = lost;
  e.visible_hash_before = 1;
  e.visible_hash_after = 2;
  e.visible_ids_before = std::move(before);
  e.visible_ids_after = std::move(after);
  return e;
}

const OpId a{3, 1}, b{3, 2}, x{2, 1}, y{2, 2};

}  // namespace

TEST_CASE("a state transfer may show atoms of the cut the site lacked, in order", "[checker]") {
  const Scenario s = two_sites();
  Checker checker(s);
  checker.on_epoch_entered(1000, {1, transfer(2, 0, {a, b}, {x, a, y, b})});
  REQUIRE_FALSE(checker.violation());
}

TEST_CASE("a state transfer may drop atoms whose deletes the site lacked", "[checker]") {
  const Scenario s = two_sites();
  Checker checker(s);
  checker.on_epoch_entered(1000, {1, transfer(1, 0, {a, x, b}, {a, b})});
  REQUIRE_FALSE(checker.violation());
}

TEST_CASE("a state transfer must not show the site's atoms in another order", "[checker]") {
  const Scenario s = two_sites();
  Checker checker(s);
  checker.on_epoch_entered(1000, {1, transfer(1, 0, {a, b}, {b, x, a})});
  REQUIRE(checker.violation());
  CHECK(checker.violation()->invariant == Invariant::kFlattenInvisibility);
  CHECK(checker.violation()->ops == std::vector<OpId>{b, a});
  CHECK(checker.violation()->detail.find("opposite order") != std::string::npos);
}

TEST_CASE("atoms kept by a state transfer that lost ops by policy keep their order", "[checker]") {
  const Scenario s = two_sites();
  Checker checker(s);
  checker.on_epoch_entered(1000, {1, transfer(0, 1, {a, x, b}, {b, a})});
  REQUIRE(checker.violation());
  CHECK(checker.violation()->invariant == Invariant::kFlattenInvisibility);
}

TEST_CASE("a state transfer reflecting exactly the site's ops must show the same sequence",
          "[checker]") {
  const Scenario s = two_sites();
  Checker checker(s);
  checker.on_epoch_entered(1000, {1, transfer(0, 0, {}, {})});
  REQUIRE(checker.violation());
  CHECK(checker.violation()->invariant == Invariant::kFlattenInvisibility);
  CHECK(checker.violation()->detail.find("by state transfer") != std::string::npos);
}

TEST_CASE("a declared loss by policy must be forced: the site was beyond the retention bound",
          "[checker]") {
  Scenario s = two_sites();
  s.protocol.epochs.retention_epochs = 4;
  s.checker.expect_lost_by_policy = true;
  auto lost = std::make_shared<Op>();
  lost->kind = OpKind::kInsert;
  lost->id = a;
  lost->epoch = 0;
  const std::vector<site::SharedOp> ops = {lost};
  site::EpochEntered beyond = transfer(0, 1, {a}, {});
  beyond.epoch = 5;  // five epochs on from epoch 0: no archive held its cut
  Checker forced(s);
  forced.on_epoch_entered(1000, {1, beyond});
  forced.on_lost_by_policy(1000, 1, ops);
  REQUIRE_FALSE(forced.violation());
  site::EpochEntered within = transfer(0, 1, {a}, {});
  within.epoch = 4;  // within the bound: a CUT could have translated the op
  Checker unforced(s);
  unforced.on_epoch_entered(1000, {1, within});
  unforced.on_lost_by_policy(1000, 1, ops);
  REQUIRE(unforced.violation());
  CHECK(unforced.violation()->invariant == Invariant::kNoLostUpdate);
  CHECK(unforced.violation()->detail.find("within the retention bound (4 epochs)") !=
        std::string::npos);
}
