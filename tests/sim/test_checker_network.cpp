// The checker's network fidelity on a duplicate's copies: two copies due at one instant are what
// a shared latency draw gives, not independent draws, and a run full of them fails invariant 19.
#include <catch2/catch.hpp>

#include "sim/check/checker.hpp"

using namespace treedoc;
using namespace treedoc::sim;

namespace {

Scenario duplicating_pair() {
  Scenario s;
  s.topology.core = 2;
  s.topology.nebula = 0;
  s.topology.core_core.base_us = 1000;
  s.topology.core_core.jitter_us = 10'000;  // uniform: two draws agree once in 10,001
  s.network.duplicate = 0.5;
  return s;
}

// `n` messages from c0 to c1, every one duplicated; `apart`: its copies drawn apart or together.
std::optional<Violation> run_of_duplicates(uint64_t n, bool apart) {
  const Scenario s = duplicating_pair();
  Checker checker(s);
  for (uint64_t k = 0; k < 2 * n; ++k) {
    MessageSent sent;
    sent.from = 0;
    sent.to = 1;
    sent.seq = k;
    sent.kind = site::MessageKind::kDigest;
    sent.fate.copies = k % 2 == 0 ? 2 : 1;  // half duplicated, as the rate says
    sent.fate.due_us[0] = 1000 + 7 * k;
    sent.fate.due_us[1] = apart ? 1000 + 7 * k + 1 + k % 97 : sent.fate.due_us[0];
    checker.on_send(0, sent);
  }
  checker.check_run_end(1'000'000, site::ProbeCounts{}, FigureValues{});
  return checker.verdict();
}

}  // namespace

TEST_CASE("a duplicate's copies due at one instant break network fidelity", "[checker]") {
  CHECK_FALSE(run_of_duplicates(40, /*apart=*/true));
  const std::optional<Violation> v = run_of_duplicates(40, /*apart=*/false);
  REQUIRE(v);
  CHECK(v->invariant == Invariant::kNetworkFidelity);
  CHECK(v->detail.find("40 of 40 duplicated messages had both copies due at one instant") !=
        std::string::npos);
}
