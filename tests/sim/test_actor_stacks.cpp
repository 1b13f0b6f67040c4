// Actor stacks: a run of kSitesMax sites starts and passes (SimGrid aborted at 40,000 of the old
// 100,000), and a site count the kernel's vm.max_map_count cannot hold is refused with one line.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/base/exit_code.hpp"
#include "sim/engine/actor_stacks.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/sim/cli_process.hpp"
#include "tests/sim/temp_dir.hpp"

using namespace treedoc;
using Catch::Matchers::Contains;

namespace {

// vm.max_map_count's default on Linux.
constexpr uint64_t kDefaultMapCountMax = 65'530;

}  // namespace

TEST_CASE("the most sites a scenario may have fit the default vm.max_map_count", "[engine]") {
  REQUIRE(sim::actor_mappings_problem(sim::kSitesMax, kDefaultMapCountMax).empty());
  const std::string problem = sim::actor_mappings_problem(40'000, kDefaultMapCountMax);
  REQUIRE_THAT(problem, Contains("40000 sites need about 82004 memory mappings") &&
                            Contains("vm.max_map_count is 65530") &&
                            Contains("sudo sysctl -w vm.max_map_count=82004"));
}

TEST_CASE("a scenario of more sites than fit is refused when it is loaded", "[engine][bad]") {
  // 40,000 sites used to pass validate and abort at start ("Failed to protect stack").
  const test::TempDir dir("treedoc-test-stacks-bad");
  const std::string file =
      dir.write("many.json",
                R"({"description": "too many sites", "topology": {"core": 1, "nebula": 39999}})");
  const test::CliRun r = test::run_cli_capture("validate " + file);
  REQUIRE(r.exit_code == sim::kExitBadInput);
  REQUIRE_THAT(r.out, Contains(file + ": topology.nebula: expected a whole number from 0 to " +
                               std::to_string(sim::kSitesMax - 1) + ", found 39999"));
}

#ifndef TREEDOC_ADDRESS_SANITIZER  // 30,000 stacks of 8 MiB under ASan: not a test, a soak
TEST_CASE("a run of kSitesMax sites starts and passes", "[engine][slow]") {
  const test::TempDir dir("treedoc-test-stacks");
  const std::string file = dir.write(
      "most.json", nlohmann::json({{"description", "as many sites as a scenario may have"},
                                   {"topology", {{"core", 1}, {"nebula", sim::kSitesMax - 1}}},
                                   {"workload", {{"ops_per_s", 0}}},
                                   {"phases", {{"safety_s", 0.01}, {"liveness_s", 0.01}}}})
                       .dump());
  const test::CliRun r = test::run_cli_capture("run " + file + " --quiet");
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  REQUIRE_THAT(r.out, Contains("result    PASS"));
}
#endif
