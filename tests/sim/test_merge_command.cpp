// `treedoc-sim merge` and shards: three shards merged equal the unsharded sweep (rows, outcome
// counts, hashes, CSV); the 0-based --shard-index picks the seeds of --shard K+1/N; merge refuses
// overlapping seeds and shards of another scenario or grid with exit 5, and non-sweep files with 3.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "sim/base/exit_code.hpp"
#include "tests/sim/cli_process.hpp"
#include "tests/sim/temp_dir.hpp"

using namespace treedoc;
using Catch::Matchers::Contains;
using nlohmann::json;
using test::read_text;
using test::run_cli_capture;
using test::source_path;

namespace {

// A 2-point grid of crash-restart over seeds 1..7: at 1 op/s seeds 2 and 5 fail liveness (a
// required probe never fires), so outcomes and replay files differ between rows.
std::string sweep_flags(const test::TempDir& dir) {
  return "sweep " + source_path("scenarios/crash-restart.json") +
         " --set workload.ops_per_s=1,6 --seeds 1..7 --recheck-every 3 --failures " +
         dir.path_of("failures");
}

// Each run without its wall time, which no two sweeps share.
json timeless(json runs) {
  for (json& run : runs) run.erase("wall_s");
  return runs;
}

// The CSV without its wall_s column.
std::string csv_without_wall(const std::string& text) {
  std::string out, line;
  size_t column = std::string::npos;
  for (size_t at = 0; at < text.size();) {
    const size_t end = text.find('\n', at);
    line = text.substr(at, end - at);
    at = end + 1;
    std::vector<std::string> cells;
    for (size_t c = 0;;) {
      const size_t comma = line.find(',', c);
      cells.push_back(line.substr(c, comma == std::string::npos ? comma : comma - c));
      if (comma == std::string::npos) break;
      c = comma + 1;
    }
    if (column == std::string::npos) {
      column = std::find(cells.begin(), cells.end(), "wall_s") - cells.begin();
    }
    if (column < cells.size()) cells.erase(cells.begin() + static_cast<long>(column));
    for (const std::string& cell : cells) out += cell + ",";
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("merging three shards gives the unsharded sweep's rows and counts and hashes",
          "[sweep][merge]") {
  const test::TempDir dir("treedoc-test-merge");
  const test::CliRun whole = run_cli_capture(
      sweep_flags(dir) + " --json " + dir.path_of("all.json") + " --csv " + dir.path_of("all.csv"));
  INFO(whole.out);
  REQUIRE(whole.exit_code == sim::kExitLivenessFailure);
  std::string shards;
  for (int k = 0; k < 3; ++k) {
    const std::string shard = dir.path_of("s" + std::to_string(k) + ".json");
    const test::CliRun part =
        run_cli_capture(sweep_flags(dir) + " --shard-index " + std::to_string(k) +
                        " --shard-count 3 --json " + shard);
    INFO(part.out);
    REQUIRE_THAT(part.out, Contains("shard     " + std::to_string(k + 1) + " of 3"));
    shards += " " + shard;
  }
  const test::CliRun merged =
      run_cli_capture("merge" + shards + " --json " + dir.path_of("m.json") + " --csv " +
                      dir.path_of("m.csv") + " --junit " + dir.path_of("m.xml"));
  INFO(merged.out);
  REQUIRE(merged.exit_code == whole.exit_code);
  const json a = json::parse(read_text(dir.path_of("all.json")));
  const json m = json::parse(read_text(dir.path_of("m.json")));
  REQUIRE(a["runs"].size() == 14);
  REQUIRE(timeless(m["runs"]) == timeless(a["runs"]));
  for (const char* key : {"pass", "safety", "liveness", "error", "nondeterministic", "seeds",
                          "run_count", "seeds_planned", "runs_planned", "seed_first", "seed_last",
                          "shard", "scenario_hash", "columns", "grid", "probes"}) {
    INFO(key);
    REQUIRE(m[key] == a[key]);
  }
  REQUIRE(a["liveness"].get<int>() > 0);
  REQUIRE(a["pass"].get<int>() > 0);
  REQUIRE(csv_without_wall(read_text(dir.path_of("m.csv"))) ==
          csv_without_wall(read_text(dir.path_of("all.csv"))));
  REQUIRE_THAT(read_text(dir.path_of("m.xml")), Contains("name=\"point 1 seed 7\""));
  // Two shards of three merge, and say the third is missing.
  const test::CliRun partial =
      run_cli_capture("merge " + dir.path_of("s0.json") + " " + dir.path_of("s2.json"));
  REQUIRE_THAT(partial.out, Contains("merge     incomplete: shard 2 of 3"));
}

TEST_CASE("shard-index counts from 0 and runs the seeds of shard K+1 of N", "[sweep][merge]") {
  const std::string file = source_path("scenarios/crash-restart.json");
  const test::TempDir dir("treedoc-test-shard-index");
  const test::CliRun zero =
      run_cli_capture("sweep " + file + " --seeds 1..5 --shard-index 0 --shard-count 2 --json " +
                      dir.path_of("z.json"));
  const test::CliRun one = run_cli_capture("sweep " + file + " --seeds 1..5 --shard 1/2 --json " +
                                           dir.path_of("o.json"));
  INFO(zero.out);
  REQUIRE(zero.exit_code == sim::kExitPass);
  REQUIRE_THAT(zero.out, Contains("3 seeds (1..5, shard 1/2)"));
  const json z = json::parse(read_text(dir.path_of("z.json")));
  const json o = json::parse(read_text(dir.path_of("o.json")));
  REQUIRE(z["runs"].size() == 3);
  for (size_t k = 0; k < 3; ++k) {
    REQUIRE(z["runs"][k]["seed"] == 2 * k + 1);
    REQUIRE(z["runs"][k]["event_log_hash"] == o["runs"][k]["event_log_hash"]);
  }
  for (const char* bad :
       {"--shard-index 2 --shard-count 2", "--shard-index 0", "--shard-count 2",
        "--shard-index 0 --shard-count 0", "--shard 1/2 --shard-index 0 --shard-count 2"}) {
    const test::CliRun r = run_cli_capture("sweep " + file + " --seeds 1..2 " + bad);
    INFO(bad << ": " << r.out);
    REQUIRE(r.exit_code == sim::kExitBadInput);
  }
}

TEST_CASE("merge refuses overlapping seeds and other sweeps with exit 5 and non-sweeps with 3",
          "[sweep][merge]") {
  const test::TempDir dir("treedoc-test-merge-refuse");
  const std::string file = source_path("scenarios/crash-restart.json");
  const auto sweep = [&](const std::string& flags, const std::string& out) {
    const test::CliRun r =
        run_cli_capture("sweep " + file + " " + flags + " --json " + dir.path_of(out));
    REQUIRE(r.exit_code == sim::kExitPass);
  };
  sweep("--seeds 1..3", "a.json");
  sweep("--seeds 3..4", "b.json");  // seed 3 again
  sweep("--seeds 4..5", "c.json");
  sweep("--seeds 4..5 --set network.loss=0.01", "grid.json");
  const test::CliRun overlap =
      run_cli_capture("merge " + dir.path_of("a.json") + " " + dir.path_of("b.json"));
  INFO(overlap.out);
  REQUIRE(overlap.exit_code == sim::kExitShardMismatch);
  REQUIRE_THAT(overlap.out, Contains("both ran seed 3"));
  const test::CliRun twice =
      run_cli_capture("merge " + dir.path_of("a.json") + " " + dir.path_of("a.json"));
  REQUIRE(twice.exit_code == sim::kExitShardMismatch);
  const test::CliRun other =
      run_cli_capture("merge " + dir.path_of("a.json") + " " + dir.path_of("grid.json"));
  INFO(other.out);
  REQUIRE(other.exit_code == sim::kExitShardMismatch);
  REQUIRE_THAT(other.out, Contains("another scenario file or grid"));
  const std::string edited = dir.write("edited.json", read_text(file) + "\n");
  REQUIRE(run_cli_capture("sweep " + edited + " --seeds 4..5 --json " + dir.path_of("e.json"))
              .exit_code == sim::kExitPass);
  REQUIRE(
      run_cli_capture("merge " + dir.path_of("a.json") + " " + dir.path_of("e.json")).exit_code ==
      sim::kExitShardMismatch);
  // Disjoint seed ranges of one sweep do merge.
  const test::CliRun joined =
      run_cli_capture("merge " + dir.path_of("a.json") + " " + dir.path_of("c.json") + " --json " +
                      dir.path_of("ac.json"));
  INFO(joined.out);
  REQUIRE(joined.exit_code == sim::kExitPass);
  REQUIRE(json::parse(read_text(dir.path_of("ac.json")))["runs"].size() == 5);
  const std::string junk = dir.write("junk.json", "{\"runs\": []}");
  const test::CliRun bad = run_cli_capture("merge " + dir.path_of("a.json") + " " + junk);
  INFO(bad.out);
  REQUIRE(bad.exit_code == sim::kExitBadInput);
  REQUIRE_THAT(bad.out, Contains(junk + ": scenario_hash: expected the --json file"));
}

TEST_CASE("three shards run by GNU parallel merge into the unsharded sweep", "[sweep][merge]") {
  // The recipe of docs/ci.md, "GNU parallel", as CI runs it: Debian's `parallel`
  // (.ci/install-deps).
  REQUIRE(std::system("parallel --version > /dev/null 2>&1") == 0);
  const test::TempDir dir("treedoc-test-parallel");
  const test::CliRun whole =
      run_cli_capture(sweep_flags(dir) + " --json " + dir.path_of("all.json"));
  INFO(whole.out);
  const std::string shards = "'" + dir.path_of("p{}.json") + "'";
  const std::string command = "parallel --will-cite --jobs 3 " + std::string(TREEDOC_CLI_PATH) +
                              " " + sweep_flags(dir) +
                              " --shard-index {} --shard-count 3 --jobs 1 --json " + shards +
                              " ::: 0 1 2 > " + dir.path_of("parallel.log") + " 2>&1";
  // Each shard exits 2 where its seeds fail (as the whole sweep does): merge judges.
  const int shards_exit = std::system(command.c_str());
  (void)shards_exit;
  const test::CliRun merged =
      run_cli_capture("merge " + dir.path_of("p0.json") + " " + dir.path_of("p1.json") + " " +
                      dir.path_of("p2.json") + " --json " + dir.path_of("m.json"));
  INFO(merged.out << read_text(dir.path_of("parallel.log")));
  REQUIRE(merged.exit_code == whole.exit_code);
  const json a = json::parse(read_text(dir.path_of("all.json")));
  const json m = json::parse(read_text(dir.path_of("m.json")));
  REQUIRE(timeless(m["runs"]) == timeless(a["runs"]));
  for (const char* key : {"pass", "safety", "liveness", "error", "seeds", "run_count"}) {
    INFO(key);
    REQUIRE(m[key] == a[key]);
  }
}
