// `treedoc-sim sweep`: seeds in separate processes, shards, outcome counts, failing seeds listed
// with their reproduce command, JSON results, and bad flags.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/exit_code.hpp"
#include "tests/sim/cli_process.hpp"

using namespace treedoc;
using test::run_cli_capture;
using test::source_path;

TEST_CASE("a sweep of a passing scenario passes every seed", "[sweep]") {
  const test::CliRun r =
      run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") + " --seeds 1..6");
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  REQUIRE(r.out.find("6 seeds (1..6, shard 1/1)") != std::string::npos);
  REQUIRE(r.out.find("outcomes  6 pass, 0 safety, 0 liveness, 0 error") != std::string::npos);
  REQUIRE(r.out.find("lost-with-crash ") != std::string::npos);  // coverage over the ensemble
}

TEST_CASE("a sweep lists each failing seed with its reproduce command", "[sweep]") {
  const std::string file = source_path("tests/data/scenarios/sabotage-reuse-tid.json");
  const std::filesystem::path json =
      std::filesystem::temp_directory_path() / "treedoc-test-sweep.json";
  const test::CliRun r =
      run_cli_capture("sweep " + file + " --seeds 10..15 --shard 2/3 --json " + json.string());
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitSafetyViolation);
  REQUIRE(r.out.find("2 seeds (10..15, shard 2/3)") != std::string::npos);  // seeds 11 and 14
  REQUIRE(r.out.find("reproduce with: treedoc-sim run " + file + " --seed 11") !=
          std::string::npos);
  REQUIRE(r.out.find("reproduce with: treedoc-sim run " + file + " --seed 14") !=
          std::string::npos);
  std::ifstream in(json);
  const nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE(j["seeds"] == 2);
  REQUIRE(j["safety"] == 2);
  REQUIRE(j["runs"][0]["seed"] == 11);
  REQUIRE(j["runs"][0]["outcome"] == "safety");
  REQUIRE(j["runs"][0]["event_log_hash"].get<std::string>().size() == 16);
  std::filesystem::remove(json);
}

TEST_CASE("sweep rejects bad ranges, shards and files with exit 3", "[sweep][cli]") {
  const std::string file = source_path("scenarios/quickstart.json");
  REQUIRE(run_cli_capture("sweep " + file + " --seeds 5..1").exit_code == sim::kExitBadInput);
  REQUIRE(run_cli_capture("sweep " + file + " --seeds 5").exit_code == sim::kExitBadInput);
  REQUIRE(run_cli_capture("sweep " + file + " --seeds -1..3").exit_code == sim::kExitBadInput);
  REQUIRE(run_cli_capture("sweep " + file + " --shard 3/2").exit_code == sim::kExitBadInput);
  REQUIRE(run_cli_capture("sweep " + file + " --shard 0/2").exit_code == sim::kExitBadInput);
  REQUIRE(run_cli_capture("sweep " + file + " --jobs 0").exit_code == sim::kExitBadInput);
  REQUIRE(run_cli_capture("sweep /nonexistent.json").exit_code == sim::kExitBadInput);
}
