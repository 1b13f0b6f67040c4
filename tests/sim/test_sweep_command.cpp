// `treedoc-sim sweep`: seeds in separate processes, shards, outcome counts, failing seeds listed
// with their reproduce command and replay file, JSON and JUnit results, time budgets, determinism
// rechecks, and bad flags.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/base/exit_code.hpp"
#include "tests/sim/cli_process.hpp"
#include "tests/sim/temp_dir.hpp"

using namespace treedoc;
using Catch::Matchers::Contains;
using test::run_cli_capture;
using test::source_path;

namespace {

using test::read_text;

// Sweeps crash-restart with `flags`; the JSON results go to `dir`, read by results_of().
test::CliRun sweep_crash_restart(const test::TempDir& dir, const std::string& flags) {
  return run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") + " " + flags +
                         " --json " + dir.path_of("s.json"));
}
nlohmann::json results_of(const test::TempDir& dir) {
  return nlohmann::json::parse(read_text(dir.path_of("s.json")));
}

}  // namespace

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
  const test::TempDir failures("treedoc-test-sweep-failures");
  const test::CliRun r = run_cli_capture("sweep " + file + " --seeds 10..15 --shard 2/3 --json " +
                                         json.string() + " --failures " + failures.path_of(""));
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
  for (const char* budget : {"-1", "nan", "inf", "-inf"}) {
    const test::CliRun r = run_cli_capture("sweep " + file + " --time-budget " + budget);
    REQUIRE(r.exit_code == sim::kExitBadInput);
    REQUIRE_THAT(r.out, Contains("--time-budget: expected seconds from 0 (no budget) to 604800"));
  }
  REQUIRE(run_cli_capture("sweep " + file + " --recheck-every -1").exit_code == sim::kExitBadInput);
  REQUIRE(run_cli_capture("sweep " + file + " --max-failures x").exit_code == sim::kExitBadInput);
  const test::CliRun junit =
      run_cli_capture("sweep " + file + " --seeds 1..1 --junit /dev/null/dir/j.xml");
  REQUIRE(junit.exit_code == sim::kExitBadInput);
  REQUIRE_THAT(junit.out, Contains("/dev/null/dir/j.xml: --junit: cannot write the file"));
  // Found before any run: a long sweep does not run every seed only to fail at the end.
  REQUIRE_THAT(junit.out, !Contains("outcomes"));
}

TEST_CASE("shards hold the right seeds at the ends of the seed range", "[sweep]") {
  const std::string file = source_path("scenarios/crash-restart.json");
  const test::CliRun last = run_cli_capture(
      "sweep " + file + " --seeds 18446744073709551614..18446744073709551615 --shard 2/2");
  INFO(last.out);
  REQUIRE(last.exit_code == sim::kExitPass);
  REQUIRE_THAT(last.out,
               Contains("1 seeds (18446744073709551614..18446744073709551615, shard 2/2)"));
  const test::CliRun none = run_cli_capture("sweep " + file + " --seeds 1..2 --shard 3/3");
  INFO(none.out);
  REQUIRE(none.exit_code == sim::kExitPass);
  REQUIRE_THAT(none.out, Contains("0 seeds (1..2, shard 3/3)"));
}

TEST_CASE("a sweep starts no seed once its time budget is spent and says how many ran", "[sweep]") {
  const test::TempDir dir("treedoc-test-sweep-budget");
  const test::CliRun r = sweep_crash_restart(dir, "--seeds 1..100000 --time-budget 1");
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitBudgetCut);  // cut short, though every seed that ran passed
  REQUIRE_THAT(r.out,
               Contains("stopped   by --time-budget 1: ") && Contains(" of 100000 seeds ran"));
  const nlohmann::json j = results_of(dir);
  REQUIRE(j["stopped_by"] == "--time-budget 1");
  REQUIRE(j["seeds"].get<uint64_t>() > 0);
  REQUIRE(j["seeds"].get<uint64_t>() < j["seeds_planned"].get<uint64_t>());
  REQUIRE(j["pass"] == j["seeds"]);
  // Probe coverage over the ensemble is the sum of the seeds' own counts (the sweep report's
  // input).
  uint64_t rebuilt = 0;
  for (const nlohmann::json& run : j["runs"])
    rebuilt += run["probes"]["rebuilt-after-crash"].get<uint64_t>();
  REQUIRE(j["probes"]["rebuilt-after-crash"].get<uint64_t>() == rebuilt);
  REQUIRE(rebuilt > 0);
}

TEST_CASE("JUnit output has a testcase per seed, failures with the invariant and the replay",
          "[sweep]") {
  const test::TempDir dir("treedoc-test-sweep-junit");
  const std::string file = source_path("tests/data/scenarios/sabotage-reuse-tid.json");
  const test::CliRun r =
      run_cli_capture("sweep " + file + " --seeds 1..20 --max-failures 2 --junit " +
                      dir.path_of("j.xml") + " --failures " + dir.path_of("failures"));
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitSafetyViolation);
  REQUIRE_THAT(r.out, Contains("stopped   by --max-failures 2: "));
  const std::string xml = read_text(dir.path_of("j.xml"));
  INFO(xml);
  REQUIRE_THAT(xml, Contains("<testsuite name=\"treedoc-sim sweep sabotage-reuse-tid\""));
  REQUIRE_THAT(xml, Contains("<testcase classname=\"treedoc-sim sweep sabotage-reuse-tid\" "
                             "name=\"seed 1\""));
  REQUIRE_THAT(xml, Contains("<failure type=\"safety\" message=\"tid-uniqueness\">"));
  REQUIRE_THAT(xml, Contains("reproduce with: treedoc-sim run " + file + " --seed 1"));
  REQUIRE_THAT(xml, Contains("replay alone:   treedoc-sim run " + dir.path_of("failures") +
                             "/sabotage-reuse-tid-seed-1.json"));
  REQUIRE(xml.find("skipped=\"0\"") == std::string::npos);  // the seeds never started
}

TEST_CASE("a failing seed's replay file fails alone, with the same event log", "[sweep]") {
  const test::TempDir dir("treedoc-test-sweep-replay");
  const std::string file = source_path("tests/data/scenarios/sabotage-reuse-tid.json");
  const test::CliRun sweep =
      run_cli_capture("sweep " + file + " --seeds 4..4 --failures " + dir.path_of(""));
  INFO(sweep.out);
  REQUIRE(sweep.exit_code == sim::kExitSafetyViolation);
  const std::string replay = dir.path_of("sabotage-reuse-tid-seed-4.json");
  const nlohmann::json j = nlohmann::json::parse(read_text(replay));
  REQUIRE(j["seed"] == 4);
  REQUIRE_THAT(j["description"].get<std::string>(), Contains("[seed 4 of " + file + "]"));
  const test::CliRun alone = run_cli_capture("run " + replay + " --quiet");
  const test::CliRun seeded = run_cli_capture("run " + file + " --quiet --seed 4");
  REQUIRE(alone.exit_code == sim::kExitSafetyViolation);
  REQUIRE_THAT(alone.out, Contains("VIOLATION tid-uniqueness"));
  REQUIRE(test::event_log_hash(alone.out) == test::event_log_hash(seeded.out));
}

TEST_CASE("every K-th seed runs twice and must log the same events", "[sweep][determinism]") {
  const test::TempDir dir("treedoc-test-sweep-recheck");
  const test::CliRun r = sweep_crash_restart(dir, "--seeds 1..4 --recheck-every 2");
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  REQUIRE_THAT(r.out, Contains("determinism 2 seeds run twice, 0 with another event-log hash"));
  const nlohmann::json j = results_of(dir);
  for (size_t k : {0, 2}) {
    REQUIRE(j["runs"][k]["recheck"]["event_log_hash"] == j["runs"][k]["event_log_hash"]);
    REQUIRE(j["runs"][k]["recheck"]["exit_code"] == 0);
  }
  REQUIRE_FALSE(j["runs"][1].contains("recheck"));
  REQUIRE(j["nondeterministic"] == 0);
}

TEST_CASE("a sweep makes the folders of its --csv, --json and --junit files", "[sweep][cli]") {
  const test::TempDir dir("treedoc-test-sweep-folders");
  const test::CliRun r =
      run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") +
                      " --seeds 1..2 --csv " + dir.path_of("a/rows.csv") + " --json " +
                      dir.path_of("b/c/s.json") + " --junit " + dir.path_of("d/j.xml"));
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  for (const char* file : {"a/rows.csv", "b/c/s.json", "d/j.xml"}) {
    REQUIRE(!read_text(dir.path_of(file)).empty());
  }
}
