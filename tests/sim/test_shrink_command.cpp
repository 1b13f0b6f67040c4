// `treedoc-sim shrink`, end to end: a sweep over a swarm with a test-only broken site finds a
// failing seed, its replay file shrinks to a few sites, ops and faults, and the shrunk file fails
// alone with the same invariant. Also: membership.join follows the sites a shrink removes, a
// shrunk liveness failure keeps its cause, a shrunk required-probe failure its probe, inputs that
// do not fail, and bad flags.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/base/exit_code.hpp"
#include "tests/sim/cli_process.hpp"
#include "tests/sim/temp_dir.hpp"

using namespace treedoc;
using Catch::Matchers::Contains;
using test::run_cli_capture;
using test::source_path;

namespace {

// The must-show bounds: at most this many sites, ops made and faults after the shrink.
constexpr uint64_t kShrunkSitesMax = 3;
constexpr uint64_t kShrunkOpsMax = 10;
constexpr uint64_t kShrunkFaultsMax = 3;
// The candidate runs the test allows the shrink (the first failing seed needs about 120).
constexpr int kShrinkAttempts = 250;
// A shrink whose scenario is small enough to finish well within it: keeps a test to seconds.
constexpr int kShrinkAttemptsShort = 150;

// The number before `label` on the line that starts with `line_start`, e.g. the "6" of
// "6 ops made" on the "after" line. (No std::regex: GCC 12 warns inside it under sanitizers.)
uint64_t size_on_line(const std::string& out, const std::string& line_start,
                      const std::string& label) {
  const size_t line = out.find(line_start);
  REQUIRE(line != std::string::npos);
  const std::string text = out.substr(line, out.find('\n', line) - line);
  const size_t at = text.find(" " + label);
  REQUIRE(at != std::string::npos);
  size_t digits = at;
  while (digits > 0 && text[digits - 1] >= '0' && text[digits - 1] <= '9') --digits;
  REQUIRE(digits < at);
  return std::stoull(text.substr(digits, at - digits));
}

}  // namespace

TEST_CASE("a sweep finds a swarm's broken variant, shrink cuts it down, the result replays",
          "[shrink][sweep]") {
  const test::TempDir dir("treedoc-test-shrink");
  const std::string swarm =
      source_path("tests/data/scenarios/swarm-sabotage-no-pre-tombstone.json");
  const test::CliRun sweep = run_cli_capture(
      "sweep " + swarm + " --seeds 1..200 --max-failures 1 --failures " + dir.path_of("failures"));
  INFO(sweep.out);
  REQUIRE(sweep.exit_code == sim::kExitSafetyViolation);
  // Draws without a heavy-tailed latency class pass: the first seeds do, seed 8 is the first
  // to fail, so the sweep searched.
  REQUIRE_THAT(sweep.out, Contains("FAILED    seed 8 (safety): VIOLATION no-resurrection"));
  REQUIRE(size_on_line(sweep.out, "outcomes", "pass") >= 7);
  const std::string replay = dir.path_of("failures/swarm-sabotage-no-pre-tombstone-seed-8.json");
  REQUIRE_THAT(sweep.out, Contains("replay alone:   treedoc-sim run " + replay));

  const std::string shrunk = dir.path_of("shrunk.json");
  const test::CliRun shrink = run_cli_capture("shrink " + replay + " --out " + shrunk +
                                              " --attempts " + std::to_string(kShrinkAttempts));
  INFO(shrink.out);
  REQUIRE(shrink.exit_code == sim::kExitPass);
  REQUIRE_THAT(shrink.out, Contains("failure   no-resurrection (exit 1)"));
  REQUIRE(size_on_line(shrink.out, "after", "sites") <= kShrunkSitesMax);
  REQUIRE(size_on_line(shrink.out, "after", "ops made") <= kShrunkOpsMax);
  REQUIRE(size_on_line(shrink.out, "after", "faults") <= kShrunkFaultsMax);
  REQUIRE(size_on_line(shrink.out, "after", "ops made") <
          size_on_line(shrink.out, "before", "ops made"));

  // The shrunk file is a plain scenario: no swarm forms, its seed inside, failing alone.
  std::ifstream in(shrunk);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(text.find('$') == std::string::npos);
  REQUIRE(nlohmann::json::parse(text)["seed"] == 8);
  const test::CliRun replayed = run_cli_capture("run " + shrunk + " --quiet");
  INFO(replayed.out);
  REQUIRE(replayed.exit_code == sim::kExitSafetyViolation);
  REQUIRE_THAT(replayed.out, Contains("VIOLATION no-resurrection"));
}

TEST_CASE("shrink refuses a scenario that passes, a bad file and bad flags with exit 3",
          "[shrink][cli]") {
  const test::TempDir dir("treedoc-test-shrink-bad");
  const test::CliRun pass =
      run_cli_capture("shrink " + source_path("scenarios/crash-restart.json") + " --out " +
                      dir.path_of("never-written.json"));
  REQUIRE(pass.exit_code == sim::kExitBadInput);
  REQUIRE_FALSE(std::filesystem::exists(dir.path_of("never-written.json")));
  REQUIRE_THAT(pass.out,
               Contains("expected a scenario that fails (exit 1 or 2), found exit code 0"));
  REQUIRE(run_cli_capture("shrink /nonexistent.json").exit_code == sim::kExitBadInput);
  const std::string failing = source_path("tests/data/scenarios/sabotage-reuse-tid.json");
  REQUIRE(run_cli_capture("shrink " + failing + " --attempts 0").exit_code == sim::kExitBadInput);
  // A folder that cannot be made: a file stands where it would go.
  const std::string blocked = dir.write("file", "") + "/x.json";
  const test::CliRun out = run_cli_capture("shrink " + failing + " --attempts 1 --out " + blocked);
  REQUIRE(out.exit_code == sim::kExitBadInput);
  REQUIRE_THAT(out.out, Contains(blocked + ": cannot write the scenario file"));
}

TEST_CASE("shrink drops faults and sites that the failure does not need", "[shrink]") {
  // reuse-tid fails on n0's own inserts: the other sites, the faults and the liveness phase go.
  const test::TempDir dir("treedoc-test-shrink-faults");
  const std::string file = dir.write("f.json", R"({
    "description": "reuse-tid on n0 with faults that do not matter",
    "topology": {"core": 3, "nebula": 5},
    "workload": {"ops_per_s": 3},
    "faults": [{"at_s": 1, "partition": {"groups": ["core", "n0..n2"]}},
               {"at_s": 2, "crash": {"sites": ["c1", "n4"]}},
               {"at_s": 3, "restart": {"sites": "all"}},
               {"at_s": 4, "heal": {}}],
    "phases": {"safety_s": 10, "liveness_s": 20},
    "sabotage": {"variant": "reuse-tid", "sites": "n0"}})");
  const test::CliRun r =
      run_cli_capture("shrink " + file + " --attempts " + std::to_string(kShrinkAttemptsShort));
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  REQUIRE_THAT(r.out, Contains("failure   tid-uniqueness (exit 1)"));
  REQUIRE_THAT(r.out, Contains("before    8 sites (3 core, 5 nebula), 8 editing, 4 faults"));
  REQUIRE(size_on_line(r.out, "after", "faults") == 0);
  REQUIRE(size_on_line(r.out, "after", "sites") <= 2);
  const test::CliRun replayed = run_cli_capture("run " + dir.path_of("f.shrunk.json") + " --quiet");
  REQUIRE(replayed.exit_code == sim::kExitSafetyViolation);
  REQUIRE_THAT(replayed.out, Contains("VIOLATION tid-uniqueness"));
}

TEST_CASE("shrink renumbers membership.join with the sites, and drops it with the last joiner",
          "[shrink]") {
  // reuse-tid fails on n3's own inserts. Removing n0..n2 renames n3 to n0: the joining sites must
  // follow, or every such candidate would name a site that no longer exists (or the wrong one).
  const test::TempDir dir("treedoc-test-shrink-join");
  const auto shrink = [&](const std::string& name, const std::string& join) {
    const std::string file = dir.write(name + ".json", R"({
      "description": "reuse-tid on n3, with nebula sites asking to join the core",
      "topology": {"core": 2, "nebula": 5},
      "workload": {"ops_per_s": 3},
      "membership": {"join": )" + join + R"(, "join_retry_ms": 500},
      "phases": {"safety_s": 6, "liveness_s": 10},
      "sabotage": {"variant": "reuse-tid", "sites": "n3"}})");
    const test::CliRun r = run_cli_capture("shrink " + file + " --attempts 120");
    INFO(r.out);
    REQUIRE(r.exit_code == sim::kExitPass);
    REQUIRE_THAT(r.out, Contains("failure   tid-uniqueness (exit 1)"));
    REQUIRE(size_on_line(r.out, "after", "sites") <= 2);
    const std::string shrunk = dir.path_of(name + ".shrunk.json");
    const test::CliRun replayed = run_cli_capture("run " + shrunk + " --quiet");
    INFO(replayed.out);
    REQUIRE(replayed.exit_code == sim::kExitSafetyViolation);
    REQUIRE_THAT(replayed.out, Contains("VIOLATION tid-uniqueness"));
    std::ifstream in(shrunk);
    return nlohmann::json::parse(in);
  };
  SECTION("a joining site the failure needs is kept, under its new name") {
    const nlohmann::json s = shrink("kept", R"(["n1", "n3"])");
    REQUIRE(s["topology"]["nebula"] == 1);
    REQUIRE(s["membership"]["join"] == s["sabotage"]["sites"]);  // n3, now the only nebula site
  }
  SECTION("when every joining site is removed, so is the key") {
    const nlohmann::json s = shrink("dropped", R"("n1")");
    REQUIRE(s["topology"]["nebula"] == 1);
    REQUIRE(s["membership"].is_object());
    REQUIRE_FALSE(s["membership"].contains("join"));
  }
}

TEST_CASE("a shrunk liveness failure keeps its liveness phase: it fails without anti-entropy only",
          "[shrink]") {
  // no-anti-entropy fails because lost ops are never repaired. A shrink that shortened the
  // liveness phase to 0 failed for want of time instead, and kept failing with anti-entropy on.
  const test::TempDir dir("treedoc-test-shrink-liveness");
  const std::string shrunk = dir.path_of("shrunk.json");
  const test::CliRun r =
      run_cli_capture("shrink " + source_path("tests/data/scenarios/no-anti-entropy.json") +
                      " --out " + shrunk + " --attempts " + std::to_string(kShrinkAttemptsShort));
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  REQUIRE_THAT(r.out, Contains("failure   liveness (exit 2)"));
  nlohmann::json s = nlohmann::json::parse(test::read_text(shrunk));
  REQUIRE(s["phases"]["liveness_s"] == 5);
  REQUIRE(s["replication"]["anti_entropy_period_ms"] == 0);
  const test::CliRun replayed = run_cli_capture("run " + shrunk + " --quiet");
  INFO(replayed.out);
  REQUIRE(replayed.exit_code == sim::kExitLivenessFailure);
  REQUIRE_THAT(replayed.out, Contains("LIVENESS FAILURE liveness"));
  // The cause removed, the shrunk scenario passes: it shows the bug, not a short phase.
  s["replication"]["anti_entropy_period_ms"] = 1000;
  const std::string repaired = dir.write("repaired.json", s.dump());
  const test::CliRun healed = run_cli_capture("run " + repaired + " --quiet");
  INFO(healed.out);
  REQUIRE(healed.exit_code == sim::kExitPass);
}

TEST_CASE("a shrunk required-probe failure misses the same probe and fires the others",
          "[shrink]") {
  // The partition fires in-flight-drop (the core-nebula latency keeps messages in flight);
  // nothing can fire rebuilt-after-crash. The checker names only the first probe missing, so a
  // shrink that kept every required-probe failure dropped the partition and ended at one site
  // missing in-flight-drop instead.
  const test::TempDir dir("treedoc-test-shrink-probe");
  const std::string file = dir.write("p.json", R"({
    "description": "requires in-flight-drop, which its partition fires, and rebuilt-after-crash",
    "topology": {"core": 2, "nebula": 3,
                 "latency": {"core-nebula": {"base_ms": 300, "jitter_ms": 50}}},
    "workload": {"kind": "synthetic", "sites": "all", "ops_per_s": 4},
    "faults": [{"at_s": 1, "partition": {"groups": ["core", "nebula"]}},
               {"at_s": 2, "heal": {}}],
    "checker": {"require_probes": ["in-flight-drop", "rebuilt-after-crash"]},
    "phases": {"safety_s": 3, "liveness_s": 5}})");
  const test::CliRun r =
      run_cli_capture("shrink " + file + " --attempts " + std::to_string(kShrinkAttemptsShort));
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  REQUIRE_THAT(r.out, Contains("failure   required-probe: required rebuilt-after-crash (exit 2)"));
  REQUIRE(size_on_line(r.out, "after    ", "faults") == 1);  // the partition stays
  const test::CliRun replayed = run_cli_capture("run " + dir.path_of("p.shrunk.json"));
  INFO(replayed.out);
  REQUIRE(replayed.exit_code == sim::kExitLivenessFailure);
  REQUIRE_THAT(replayed.out, Contains("requires probe rebuilt-after-crash, which never fired"));
  REQUIRE_THAT(replayed.out, Contains("in-flight-drop 1"));
}
