// `treedoc-sim sweep` results as a child process writes them: a --set grid's rows with their
// parameter columns, the same rows from a $grid in the file, CSV and JSON rows that agree, a
// swarm's drawn values in every row, rows kept by an interrupted sweep, and the budget's exit code.
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

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

// A sweep of crash-restart (0.1 s a run) over a 2x2 grid.
const std::string kGridFlags =
    "--set topology.latency.core-core.base_ms=1,20 --set workload.ops_per_s=2,5";

// The CSV's lines split into cells (the test's rows hold no quoted cells).
std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(read_text(path));
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    std::string cell;
    while (std::getline(fields, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.push_back("");
    rows.push_back(cells);
  }
  return rows;
}

std::string cell_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The file crash-restart.json with `edit` applied, written into `dir`.
std::string edited_crash_restart(const test::TempDir& dir, const std::string& name,
                                 const std::function<void(json&)>& edit) {
  json scenario = json::parse(read_text(source_path("scenarios/crash-restart.json")));
  edit(scenario);
  return dir.write(name, scenario.dump(2));
}

}  // namespace

TEST_CASE("a 2x2 --set grid gives a row per point and seed alike in CSV and JSON",
          "[sweep][grid]") {
  const test::TempDir dir("treedoc-test-sweep-grid");
  const test::CliRun r =
      run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") + " " + kGridFlags +
                      " --seeds 1..2 --jobs 2 --csv " + dir.path_of("g.csv") + " --json " +
                      dir.path_of("g.json") + " --failures " + dir.path_of("failures"));
  INFO(r.out);
  REQUIRE((r.exit_code == sim::kExitPass || r.exit_code == sim::kExitLivenessFailure));
  REQUIRE_THAT(r.out, Contains("8 runs: 4 points x 2 seeds (1..2, shard 1/1)"));
  const auto rows = csv_rows(dir.path_of("g.csv"));
  REQUIRE(rows.size() == 1 + 8);
  const std::vector<std::string>& header = rows[0];
  REQUIRE(header[0] == "point");
  REQUIRE(header[1] == "topology.latency.core-core.base_ms");
  REQUIRE(header[2] == "workload.ops_per_s");
  REQUIRE(header[3] == "seed");
  REQUIRE(std::find(header.begin(), header.end(), "flatten.commits") != header.end());
  REQUIRE(std::find(header.begin(), header.end(), "wall_s") != header.end());
  const json j = json::parse(read_text(dir.path_of("g.json")));
  REQUIRE(j["columns"].get<std::vector<std::string>>() == header);
  REQUIRE(j["runs"].size() == 8);
  const std::vector<std::string> latencies = {"1", "1", "1", "1", "20", "20", "20", "20"};
  const std::vector<std::string> rates = {"2", "2", "5", "5", "2", "2", "5", "5"};
  for (size_t k = 0; k < 8; ++k) {
    const std::vector<std::string>& row = rows[k + 1];
    const json& run = j["runs"][k];
    REQUIRE(row.size() == header.size());
    REQUIRE(row[0] == std::to_string(k / 2));  // by point, then seed
    REQUIRE(row[1] == latencies[k]);
    REQUIRE(row[2] == rates[k]);
    REQUIRE(row[3] == std::to_string(k % 2 + 1));
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string& name = header[c];
      const json& v = run.contains(name)                 ? run[name]
                      : run["parameters"].contains(name) ? run["parameters"][name]
                                                         : run["figures"][name];
      INFO(name);
      REQUIRE(row[c] == (v.is_null() ? "" : cell_of(v)));
    }
  }
  // The grid's points are other scenarios: their event logs differ.
  REQUIRE(j["runs"][0]["event_log_hash"] != j["runs"][2]["event_log_hash"]);
  REQUIRE(j["runs"][0]["figures"]["ops_made"] != j["runs"][2]["figures"]["ops_made"]);
}

TEST_CASE("a grid form in the file gives the rows of the same --set and a plain run refuses it",
          "[sweep][grid]") {
  const test::TempDir dir("treedoc-test-sweep-grid-form");
  const std::string file = edited_crash_restart(dir, "grid.json", [](json& s) {
    s["topology"]["latency"]["core-core"]["base_ms"] = {{"$grid", {1, 20}}};
    s["workload"]["ops_per_s"] = {{"$grid", {2, 5}}};
  });
  const test::CliRun from_file =
      run_cli_capture("sweep " + file + " --seeds 1..2 --recheck-every 0 --json " +
                      dir.path_of("file.json") + " --failures " + dir.path_of("f"));
  const test::CliRun from_flags =
      run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") + " " + kGridFlags +
                      " --seeds 1..2 --recheck-every 0 --json " + dir.path_of("flags.json") +
                      " --failures " + dir.path_of("f"));
  INFO(from_file.out);
  REQUIRE(from_file.exit_code == from_flags.exit_code);
  const json a = json::parse(read_text(dir.path_of("file.json")));
  const json b = json::parse(read_text(dir.path_of("flags.json")));
  REQUIRE(a["columns"] == b["columns"]);
  REQUIRE(a["runs"].size() == 8);
  for (size_t k = 0; k < 8; ++k) {
    for (const char* key :
         {"point", "seed", "parameters", "outcome", "event_log_hash", "figures"}) {
      INFO(k << " " << key);
      REQUIRE(a["runs"][k][key] == b["runs"][k][key]);
    }
  }
  for (const char* command : {"run ", "validate "}) {
    const test::CliRun plain = run_cli_capture(command + file);
    INFO(plain.out);
    REQUIRE(plain.exit_code == sim::kExitBadInput);
    REQUIRE_THAT(plain.out, Contains("topology.latency.core-core.base_ms: a {\"$grid\"") &&
                                Contains("treedoc-sim sweep " + file));
  }
}

TEST_CASE("a one-point grid of the file's own value logs the events of a plain run",
          "[sweep][grid]") {
  const test::TempDir dir("treedoc-test-sweep-grid-same");
  const std::string file = source_path("scenarios/crash-restart.json");
  const test::CliRun sweep =
      run_cli_capture("sweep " + file + " --set topology.core=3 --seeds 5..5 --json " +
                      dir.path_of("s.json") + " --failures " + dir.path_of("f"));
  const test::CliRun plain = run_cli_capture("run " + file + " --seed 5 --quiet");
  INFO(sweep.out);
  const json j = json::parse(read_text(dir.path_of("s.json")));
  REQUIRE(j["runs"][0]["parameters"]["topology.core"] == 3);
  REQUIRE(j["runs"][0]["event_log_hash"] == test::event_log_hash(plain.out));
  const test::CliRun other =
      run_cli_capture("sweep " + file + " --set topology.core=4 " + "--seeds 5..5 --json " +
                      dir.path_of("o.json") + " --failures " + dir.path_of("f"));
  const json o = json::parse(read_text(dir.path_of("o.json")));
  REQUIRE(o["runs"][0]["event_log_hash"] != test::event_log_hash(plain.out));
}

TEST_CASE("a swarm sweep's rows hold the values drawn for every seed", "[sweep][swarm]") {
  const test::TempDir dir("treedoc-test-sweep-drawn");
  const test::CliRun r =
      run_cli_capture("sweep " + source_path("scenarios/swarm.json") + " --seeds 1..6 --csv " +
                      dir.path_of("s.csv") + " --json " + dir.path_of("s.json") + " --failures " +
                      dir.path_of("f"));
  INFO(r.out);
  const json j = json::parse(read_text(dir.path_of("s.json")));
  const auto columns = j["columns"].get<std::vector<std::string>>();
  REQUIRE(std::find(columns.begin(), columns.end(), "drawn:topology.core") != columns.end());
  std::set<std::string> cores;
  for (const json& run : j["runs"]) {
    REQUIRE(run["drawn"].contains("topology.core"));
    cores.insert(run["drawn"]["topology.core"].dump());
  }
  REQUIRE(j["runs"].size() == 6);
  REQUIRE(cores.size() > 1);  // drawn per seed, not once
  REQUIRE_THAT(read_text(dir.path_of("s.csv")), Contains("drawn:topology.core"));
}

TEST_CASE("an interrupted sweep keeps the rows it ran in the CSV and the partial JSON lines",
          "[sweep][stream]") {
  const test::TempDir dir("treedoc-test-sweep-stream");
  const std::string csv = dir.path_of("s.csv"), json_path = dir.path_of("s.json");
  // The killed sweep cannot remove its temporary folder: it makes that folder in `dir`.
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string tmpdir_before = tmpdir ? tmpdir : "";
  setenv("TMPDIR", dir.path_of("").c_str(), 1);
  // Killed once the header and two rows are in, not after a fixed time: a sanitized build on a
  // busy machine is slow to its first rows. Polled every 0.1 s, for at most 60 s.
  constexpr size_t kCsvLinesBeforeKill = 3;
  constexpr int kKillPollsMax = 600;
  (void)test::run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") +
                              " --seeds 1..100000 --recheck-every 0 --csv " + csv + " --json " +
                              json_path + " & for i in $(seq " + std::to_string(kKillPollsMax) +
                              "); do [ -f " + csv + " ] && [ $(wc -l < " + csv + ") -ge " +
                              std::to_string(kCsvLinesBeforeKill) +
                              " ] && break; sleep 0.1; done; kill -9 $!; wait");
  if (tmpdir) {
    setenv("TMPDIR", tmpdir_before.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  const auto rows = csv_rows(csv);
  REQUIRE(rows.size() >= kCsvLinesBeforeKill);  // the header and the rows that finished
  REQUIRE(rows[0][0] == "point");
  for (size_t k = 1; k + 1 < rows.size(); ++k) REQUIRE(rows[k].size() == rows[0].size());
  std::istringstream lines(read_text(json_path + ".partial.jsonl"));
  std::string line;
  REQUIRE(std::getline(lines, line));
  REQUIRE(json::parse(line).contains("sweep"));
  size_t runs = 0;
  while (std::getline(lines, line)) {
    const json run = json::parse(line, nullptr, false);
    if (run.is_discarded()) break;  // a line cut by the kill
    REQUIRE(run["event_log_hash"].get<std::string>().size() == 16);
    ++runs;
  }
  REQUIRE(runs >= 2);
  REQUIRE_FALSE(std::ifstream(json_path).good());  // the whole file comes only at the end
}

TEST_CASE("a sweep cut by its time budget exits 4 or 0 with --budget-ok and nan is refused",
          "[sweep][budget]") {
  const test::TempDir dir("treedoc-test-sweep-budget-code");
  const std::string sweep = "sweep " + source_path("scenarios/crash-restart.json") +
                            " --seeds 1..100000 --time-budget 0.5 --recheck-every 0";
  const test::CliRun cut = run_cli_capture(sweep + " --json " + dir.path_of("s.json"));
  INFO(cut.out);
  REQUIRE(cut.exit_code == sim::kExitBudgetCut);
  REQUIRE_THAT(cut.out, Contains("stopped   by --time-budget 0.5: "));
  REQUIRE(json::parse(read_text(dir.path_of("s.json")))["stopped_by"] == "--time-budget 0.5");
  REQUIRE(run_cli_capture(sweep + " --budget-ok").exit_code == sim::kExitPass);
  const test::CliRun done = run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") +
                                            " --seeds 1..2 --time-budget 600");
  REQUIRE(done.exit_code == sim::kExitPass);
  for (const char* bad : {"nan", "-nan", "inf", "-1"}) {
    const test::CliRun r = run_cli_capture("sweep " + source_path("scenarios/crash-restart.json") +
                                           " --seeds 1..1 --time-budget " + bad);
    INFO(bad << ": " << r.out);
    REQUIRE(r.exit_code == sim::kExitBadInput);
    REQUIRE_THAT(r.out, Contains("--time-budget"));
  }
}
