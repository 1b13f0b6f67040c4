// FaultTimeline: faults as functions of time, with the instant rules every run relies on.
#include <catch2/catch.hpp>

#include "sim/world/fault_timeline.hpp"
#include "tests/sim/fault_event.hpp"

using namespace treedoc::sim;

namespace {

Scenario five_sites() {
  Scenario s;
  s.topology.core = 2;
  s.topology.nebula = 3;
  s.phases.safety_us = 100;
  return s;
}

using treedoc::test::fault;

}  // namespace

TEST_CASE("a crash holds from its instant until the restart's, and the liveness phase ends it",
          "[faults]") {
  Scenario s = five_sites();
  s.faults = {fault(10, FaultVerb::kCrash, {1}), fault(20, FaultVerb::kRestart, {1}),
              fault(30, FaultVerb::kCrash, {2})};
  const FaultTimeline t(s);
  REQUIRE_FALSE(t.down(1, 9));
  REQUIRE(t.down(1, 10));
  REQUIRE(t.down(1, 19));
  REQUIRE_FALSE(t.down(1, 20));
  REQUIRE(t.down(2, 99));
  REQUIRE_FALSE(t.down(2, 100));  // every crashed site restarts when the safety phase ends
  REQUIRE(t.down_intervals(2).size() == 1);
  REQUIRE(t.down_intervals(2)[0].second == 100);
}

TEST_CASE("a restart and a crash in one instant keep the site down; the reverse is a no-op",
          "[faults]") {
  Scenario s = five_sites();
  s.faults = {fault(10, FaultVerb::kCrash, {3}), fault(20, FaultVerb::kRestart, {3}),
              fault(20, FaultVerb::kCrash, {3}), fault(40, FaultVerb::kCrash, {4}),
              fault(40, FaultVerb::kRestart, {4})};
  const FaultTimeline t(s);
  REQUIRE(t.down(3, 20));
  REQUIRE(t.down_intervals(3).size() == 1);  // one crash from 10 to the end of the safety phase
  REQUIRE_FALSE(t.down(4, 40));
  REQUIRE(t.down_intervals(4).empty());
}

TEST_CASE("partitions, cuts and heals change reachability at their instants", "[faults]") {
  Scenario s = five_sites();
  FaultEvent p = fault(10, FaultVerb::kPartition);
  p.groups = {{0, 1}, {2}};
  FaultEvent c = fault(20, FaultVerb::kCut);
  c.from = {3};
  c.to = {4};
  s.faults = {p, c, fault(30, FaultVerb::kHeal)};
  const FaultTimeline t(s);
  REQUIRE(t.reachability(0, 2, 9) == DropReason::kNone);
  REQUIRE(t.reachability(0, 2, 10) == DropReason::kPartition);
  REQUIRE(t.reachability(0, 1, 10) == DropReason::kNone);
  REQUIRE(t.reachability(3, 4, 10) == DropReason::kNone);  // unlisted sites share a group
  REQUIRE(t.reachability(0, 3, 10) == DropReason::kPartition);
  REQUIRE(t.reachability(3, 4, 20) == DropReason::kCut);
  REQUIRE(t.reachability(4, 3, 20) == DropReason::kNone);       // one way
  REQUIRE(t.reachability(0, 2, 20) == DropReason::kPartition);  // cuts add to the partition
  REQUIRE(t.reachability(3, 4, 30) == DropReason::kNone);
  REQUIRE(t.reachability(0, 2, 30) == DropReason::kNone);
}

TEST_CASE("pauses and loss bursts last their duration, clipped at the safety phase", "[faults]") {
  Scenario s = five_sites();
  FaultEvent pause = fault(10, FaultVerb::kPause, {0});
  pause.duration_us = 5;
  FaultEvent burst = fault(90, FaultVerb::kLossBurst, {1});
  burst.duration_us = 50;
  burst.loss = 0.5;
  s.faults = {pause, burst};
  const FaultTimeline t(s);
  REQUIRE(t.paused_until(0, 9) == 0);
  REQUIRE(t.paused_until(0, 10) == 15);
  REQUIRE(t.paused_until(0, 15) == 0);
  REQUIRE(t.burst_loss(1, 89) == 0);
  REQUIRE(t.burst_loss(1, 99) == 0.5);
  REQUIRE(t.burst_loss(1, 100) == 0);  // healed with everything else
}

TEST_CASE("a crash_at fault crashes each site once, from the next instant to its restart",
          "[faults]") {
  Scenario s = five_sites();
  FaultEvent at = fault(10, FaultVerb::kCrashAt, {1, 2});
  at.point = CrashPoint::kVotedYes;
  at.restart_after_us = 5;
  s.faults = {at, fault(30, FaultVerb::kCrash, {2}), fault(40, FaultVerb::kRestart, {2})};
  FaultTimeline t(s);
  REQUIRE(t.has_crash_points());
  CHECK_FALSE(t.reach_crash_point(1, CrashPoint::kVotedYes, 9));  // not armed yet
  CHECK_FALSE(t.reach_crash_point(1, CrashPoint::kDecided, 12));  // another point
  CHECK_FALSE(t.down(1, 13));
  CHECK(t.reach_crash_point(1, CrashPoint::kVotedYes, 12) == TimeUs{18});
  CHECK_FALSE(t.down(1, 12));  // the instant that reached it is untouched
  CHECK(t.down(1, 13));
  CHECK(t.down(1, 17));
  CHECK_FALSE(t.down(1, 18));
  CHECK_FALSE(t.reach_crash_point(1, CrashPoint::kVotedYes, 20));  // used up for site 1
  // Site 2 reaches it just before its timed crash: one interval, to the later restart.
  CHECK(t.reach_crash_point(2, CrashPoint::kVotedYes, 27) == TimeUs{40});
  REQUIRE(t.down_intervals(2).size() == 1);
  CHECK(t.down_intervals(2)[0] == std::make_pair(TimeUs{28}, TimeUs{40}));
  CHECK_FALSE(t.reach_crash_point(3, CrashPoint::kVotedYes, 50));  // not one of its sites
}

TEST_CASE(
    "a crash_at fault without a restart delay ends with the safety phase, and none "
    "crashes in the liveness phase",
    "[faults]") {
  Scenario s = five_sites();
  FaultEvent at = fault(0, FaultVerb::kCrashAt, {0, 4});
  at.point = CrashPoint::kDecided;
  s.faults = {at};
  FaultTimeline t(s);
  CHECK(t.reach_crash_point(0, CrashPoint::kDecided, 50) == TimeUs{100});
  CHECK(t.down(0, 99));
  CHECK_FALSE(t.down(0, 100));
  CHECK_FALSE(t.reach_crash_point(4, CrashPoint::kDecided, 99));  // it would crash at 100
  CHECK_FALSE(t.down(4, 100));
}
