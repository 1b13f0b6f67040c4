// The bundled scenarios over many seeds: every seed must pass every invariant and fire every
// required probe. A scenario that passes on one lucky seed proves little.
#include <catch2/catch.hpp>
#include <string>

#include "sim/base/exit_code.hpp"
#include "tests/sim/cli_process.hpp"

using namespace treedoc;

namespace {

// Seeds per scenario in the test suite; `analysis` sweeps run far more.
constexpr uint64_t kSweepSeeds = 8;

void sweep(const std::string& scenario) {
  for (uint64_t seed = 100; seed < 100 + kSweepSeeds; ++seed) {
    const test::CliRun r = test::run_cli_capture("run " + test::source_path(scenario) +
                                                 " --quiet --seed " + std::to_string(seed));
    INFO(scenario << " seed " << seed << ":\n" << r.out);
    REQUIRE(r.exit_code == sim::kExitPass);
  }
}

}  // namespace

TEST_CASE("quickstart passes on every seed of a sweep", "[sweep]") {
  sweep("scenarios/quickstart.json");
}
TEST_CASE("partition-heal passes on every seed of a sweep", "[sweep]") {
  sweep("scenarios/partition-heal.json");
}
TEST_CASE("crash-restart passes on every seed of a sweep", "[sweep]") {
  sweep("scenarios/crash-restart.json");
}
TEST_CASE("lossy-dup-reorder passes on every seed of a sweep", "[sweep]") {
  sweep("scenarios/lossy-dup-reorder.json");
}
