// The network model is what it says: loss and duplication at their rates within binomial bounds,
// a duplicate's latency drawn on its own, reordering as often as the latency law predicts, and
// each fault verb in force exactly over its window, never an instant before or after.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "models/random/random_stream.hpp"
#include "sim/world/fault_timeline.hpp"
#include "sim/world/network.hpp"
#include "tests/sim/fault_event.hpp"

using namespace treedoc::sim;

namespace {

// Messages per statistical test, and how many standard deviations a count may stray: at 5 sigma a
// correct model fails one seed in about 1.7 million.
constexpr uint64_t kMessages = 40'000;
constexpr double kSigmas = 5;
constexpr uint64_t kSeeds = 8;

Scenario two_sites(double loss, double duplicate) {
  Scenario s;
  s.topology.core = 2;
  s.topology.nebula = 0;
  s.topology.core_core = LatencyClass{};
  s.topology.core_core.base_us = 1000;
  s.topology.core_core.jitter_us = 99;  // uniform: a whole number of us from 0 to 99
  s.network.loss = loss;
  s.network.duplicate = duplicate;
  s.phases.safety_us = 1'000'000'000;
  return s;
}

// Whether `count` successes of `trials` fit probability p: within kSigmas binomial deviations.
bool binomial_fits(uint64_t count, uint64_t trials, double p) {
  const double n = static_cast<double>(trials);
  const double sigma = std::sqrt(n * p * (1 - p));
  return std::fabs(static_cast<double>(count) - n * p) <= kSigmas * sigma + 1;
}

using treedoc::test::fault;

}  // namespace

TEST_CASE("loss and duplication happen at their rates, within binomial bounds", "[network]") {
  const double loss = 0.13, duplicate = 0.07;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Scenario s = two_sites(loss, duplicate);
    const FaultTimeline faults(s);
    Network net(s, faults, treedoc::RandomStream(seed));
    uint64_t lost = 0, delivered = 0, doubled = 0;
    for (uint64_t k = 0; k < kMessages; ++k) {
      const MessageFate f = net.decide(0, 1, static_cast<TimeUs>(k));
      if (f.drop == DropReason::kLoss) {
        ++lost;
        continue;
      }
      REQUIRE(f.drop == DropReason::kNone);
      ++delivered;
      if (f.copies == 2) ++doubled;
    }
    INFO("seed " << seed << ": " << lost << " lost, " << doubled << " of " << delivered
                 << " duplicated");
    CHECK(binomial_fits(lost, kMessages, loss));
    CHECK(binomial_fits(doubled, delivered, duplicate));
  }
}

TEST_CASE("a duplicate's latency is drawn independently of the original's", "[network]") {
  // Uniform jitter over 100 values: independent draws are equal 1 time in 100 and uncorrelated.
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Scenario s = two_sites(0, 1);
    const FaultTimeline faults(s);
    Network net(s, faults, treedoc::RandomStream(seed));
    uint64_t equal = 0;
    double sum_a = 0, sum_b = 0, sum_ab = 0, sum_aa = 0, sum_bb = 0;
    for (uint64_t k = 0; k < kMessages; ++k) {
      const MessageFate f = net.decide(0, 1, 0);
      REQUIRE(f.copies == 2);
      const auto a = static_cast<double>(f.due_us[0]), b = static_cast<double>(f.due_us[1]);
      REQUIRE(a >= 1000);
      REQUIRE(a <= 1099);
      REQUIRE(b >= 1000);
      REQUIRE(b <= 1099);
      if (f.due_us[0] == f.due_us[1]) ++equal;
      sum_a += a, sum_b += b, sum_ab += a * b, sum_aa += a * a, sum_bb += b * b;
    }
    const double n = static_cast<double>(kMessages);
    const double cov = sum_ab / n - (sum_a / n) * (sum_b / n);
    const double r = cov / std::sqrt((sum_aa / n - (sum_a / n) * (sum_a / n)) *
                                     (sum_bb / n - (sum_b / n) * (sum_b / n)));
    INFO("seed " << seed << ": " << equal << " equal pairs, correlation " << r);
    CHECK(binomial_fits(equal, kMessages, 0.01));
    CHECK(std::fabs(r) <= kSigmas / std::sqrt(n));  // the null's standard error is 1/sqrt(n)
  }
}

TEST_CASE("two messages sent d apart arrive reordered as often as the latency law says",
          "[network]") {
  // Latencies L1, L2 uniform on 0..J (plus the base): the second overtakes the first iff
  // L2 + d < L1, which has probability (J - d)(J - d + 1) / 2 / (J + 1)^2.
  const double j = 99;
  for (const TimeUs d : {TimeUs{0}, TimeUs{10}, TimeUs{50}}) {
    const double p =
        (j - static_cast<double>(d)) * (j - static_cast<double>(d) + 1) / 2 / ((j + 1) * (j + 1));
    for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
      const Scenario s = two_sites(0, 0);
      const FaultTimeline faults(s);
      Network net(s, faults, treedoc::RandomStream(seed));
      uint64_t reordered = 0;
      for (uint64_t k = 0; k < kMessages; ++k) {
        const TimeUs t = 1000 * k;
        const MessageFate first = net.decide(0, 1, t);
        const MessageFate second = net.decide(0, 1, t + d);
        if (second.due_us[0] < first.due_us[0]) ++reordered;
      }
      INFO("d " << d << " us, seed " << seed << ": " << reordered << " reordered, expected "
                << p * static_cast<double>(kMessages));
      CHECK(binomial_fits(reordered, kMessages, p));
    }
  }
}

TEST_CASE("a loss burst is in force exactly over its window, at its rate", "[network][faults]") {
  Scenario s = two_sites(0.01, 0);
  FaultEvent burst = fault(1'000, FaultVerb::kLossBurst, {1});
  burst.loss = 0.4;
  burst.duration_us = kMessages;
  s.faults = {burst};
  const FaultTimeline faults(s);
  Network net(s, faults, treedoc::RandomStream(3));
  uint64_t lost_before = 0, lost_during = 0, lost_after = 0;
  for (TimeUs t = 0; t < 1'000 + 2 * kMessages; ++t) {
    const bool inside = t >= 1'000 && t < 1'000 + kMessages;
    REQUIRE(faults.burst_loss(1, t) == (inside ? 0.4 : 0.0));
    REQUIRE(faults.burst_loss(0, t) == 0.0);  // only messages to or from the burst's sites
    const bool lost = net.decide(0, 1, t).drop == DropReason::kLoss;
    (t < 1'000 ? lost_before : inside ? lost_during : lost_after) += lost ? 1 : 0;
  }
  CHECK(binomial_fits(lost_during, kMessages, 0.4));
  CHECK(binomial_fits(lost_after, kMessages, 0.01));
  CHECK(binomial_fits(lost_before, 1'000, 0.01));
}

TEST_CASE("partitions, cuts, crashes and pauses hold exactly over their windows",
          "[network][faults]") {
  Scenario s = two_sites(0, 0);
  s.topology.core = 3;
  FaultEvent part = fault(100, FaultVerb::kPartition);
  part.groups = {{0}, {1, 2}};
  FaultEvent cut = fault(300, FaultVerb::kCut);
  cut.from = {2};
  cut.to = {0};
  FaultEvent pause = fault(600, FaultVerb::kPause, {2});
  pause.duration_us = 50;
  s.faults = {part,
              fault(200, FaultVerb::kHeal),
              cut,
              fault(400, FaultVerb::kHeal),
              fault(500, FaultVerb::kCrash, {1}),
              fault(550, FaultVerb::kRestart, {1}),
              pause};
  const FaultTimeline faults(s);
  Network net(s, faults, treedoc::RandomStream(5));
  for (TimeUs t = 0; t < 800; ++t) {
    const bool parted = t >= 100 && t < 200;
    const bool cutting = t >= 300 && t < 400;
    const bool down = t >= 500 && t < 550;
    CHECK(net.decide(0, 2, t).drop == (parted ? DropReason::kPartition : DropReason::kNone));
    CHECK(net.decide(0, 1, t).drop == (parted ? DropReason::kPartition
                                       : down ? DropReason::kSiteDown
                                              : DropReason::kNone));
    // One-way: 2 -> 0 is cut, 0 -> 2 is not (checked above).
    CHECK(net.decide(2, 0, t).drop == (parted || cutting
                                           ? (parted ? DropReason::kPartition : DropReason::kCut)
                                           : DropReason::kNone));
    CHECK(faults.down(1, t) == down);
    CHECK(faults.paused_until(2, t) == (t >= 600 && t < 650 ? TimeUs{650} : TimeUs{0}));
  }
}

TEST_CASE("an rpc_failure fails flatten messages exactly over its window", "[network][faults]") {
  Scenario s = two_sites(0, 0);
  FaultEvent rpc = fault(1'000, FaultVerb::kRpcFailure);
  rpc.from = {0};
  rpc.to = {1};
  rpc.duration_us = 500;
  rpc.rpc_error = RpcError::kRefused;
  s.faults = {rpc};
  const FaultTimeline faults(s);
  for (TimeUs t = 0; t < 2'000; ++t) {
    const bool inside = t >= 1'000 && t < 1'500;
    const RpcFailure* f = faults.rpc_failure(0, 1, t);
    CHECK((f != nullptr) == inside);
    if (f) CHECK(f->error == RpcError::kRefused);
    CHECK(faults.rpc_failure(1, 0, t) == nullptr);  // one direction only
  }
}
