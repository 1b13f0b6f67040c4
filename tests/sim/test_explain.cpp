// The typed trace and treedoc-sim explain end to end: every line of a trace is of its schema, the
// trace changes nothing of the run, every aborted attempt of flatten-race is blamed on an op, and
// a violation is told with its causal past.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/base/exit_code.hpp"
#include "tests/sim/cli_process.hpp"
#include "tests/sim/temp_dir.hpp"

using namespace treedoc;
using nlohmann::json;
using test::run_cli_capture;
using test::source_path;

namespace {

std::vector<json> trace_lines(const std::string& dir) {
  std::ifstream in(dir + "/trace.jsonl");
  std::vector<json> lines;
  std::string text;
  while (std::getline(in, text)) lines.push_back(json::parse(text));
  return lines;
}

json json_file(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// Runs `scenario` with --out DIR --trace and returns the run's output.
test::CliRun traced_run(const std::string& scenario, const test::TempDir& dir) {
  return run_cli_capture("run " + source_path(scenario) + " --quiet --out " + dir.path_of("run") +
                         " --trace");
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("every line of a typed trace is a kind of its schema, with only its fields", "[trace]") {
  const test::TempDir dir("treedoc-trace");
  const test::CliRun r = traced_run("scenarios/flatten-race.json", dir);
  INFO(r.out);
  REQUIRE(r.exit_code == sim::kExitPass);
  const json schema = json_file(dir.path_of("run/trace.schema.json"));
  const std::vector<json> lines = trace_lines(dir.path_of("run"));
  REQUIRE(lines.size() > 1000);
  REQUIRE(lines.front()["kind"] == "run");
  std::map<std::string, size_t> kinds;
  for (const json& line : lines) {
    const std::string kind = line.at("kind");
    INFO(line.dump());
    REQUIRE(schema["kinds"].contains(kind));
    for (const auto& [field, value] : line.items()) {
      REQUIRE(schema["kinds"][kind]["fields"].contains(field));
    }
    ++kinds[kind];
    if (kind == "send" || kind == "deliver") REQUIRE(line.at("bytes").get<uint64_t>() > 0);
    if (kind == "commit" && line["step"] == "aborted" && line["decided_here"] == true) {
      REQUIRE(line.contains("reason"));
    }
  }
  for (const char* kind : {"send", "deliver", "local-op", "commit", "epoch", "catch-up"}) {
    REQUIRE(kinds[kind] > 0);
  }
  // The trace's catch-ups are summary.json's, one record each.
  const json summary = json_file(dir.path_of("run/summary.json"));
  REQUIRE(kinds["catch-up"] == summary["flatten"]["catch_ups"].get<size_t>());
  REQUIRE(summary["flatten"]["catch_up_records"].size() == kinds["catch-up"]);
}

TEST_CASE("writing the typed trace changes nothing of the run", "[trace]") {
  const test::TempDir dir("treedoc-trace");
  const test::CliRun traced = traced_run("scenarios/quickstart.json", dir);
  const test::CliRun plain =
      run_cli_capture("run " + source_path("scenarios/quickstart.json") + " --quiet");
  REQUIRE(traced.exit_code == sim::kExitPass);
  REQUIRE(test::event_log_hash(traced.out) == test::event_log_hash(plain.out));
}

TEST_CASE("explain blames every aborted attempt of flatten-race on the op that made it fail",
          "[trace][explain]") {
  const test::TempDir dir("treedoc-explain");
  REQUIRE(traced_run("scenarios/flatten-race.json", dir).exit_code == sim::kExitPass);
  const json summary = json_file(dir.path_of("run/summary.json"));
  const size_t aborts = summary["flatten"]["aborts"];
  REQUIRE(aborts > 50);
  const test::CliRun r = run_cli_capture("explain " + dir.path_of("run"));
  REQUIRE(r.exit_code == sim::kExitPass);
  REQUIRE(count_of(r.out, "\n  failed by: ") == aborts);
  // Each names an op (directly, or through the attempt its no voter was prepared for).
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  failed by: ", 0) != 0) continue;
    INFO(line);
    REQUIRE(line.find("op ") != std::string::npos);
    REQUIRE(line.find(" made at ") != std::string::npos);  // and where it came from
  }
  REQUIRE(r.out.find("catch-ups: ") != std::string::npos);
}

TEST_CASE("explain narrows to one attempt or one site, and refuses what the trace lacks",
          "[trace][explain]") {
  const test::TempDir dir("treedoc-explain");
  REQUIRE(traced_run("scenarios/flatten-race.json", dir).exit_code == sim::kExitPass);
  const std::string run = dir.path_of("run");
  const test::CliRun one = run_cli_capture("explain " + run + " --attempt c0/1");
  REQUIRE(one.exit_code == sim::kExitPass);
  REQUIRE(count_of(one.out, "\nattempt ") == 1);
  const test::CliRun site = run_cli_capture("explain " + run + " --site n1");
  REQUIRE(site.exit_code == sim::kExitPass);
  REQUIRE(site.out.find("\nn2 caught up") == std::string::npos);
  REQUIRE(site.out.find("\nn1 caught up") != std::string::npos);
  REQUIRE(run_cli_capture("explain " + run + " --attempt c0/99999").exit_code ==
          sim::kExitBadInput);
  REQUIRE(run_cli_capture("explain " + run + " --site n99").exit_code == sim::kExitBadInput);
  const test::CliRun none = run_cli_capture("explain " + dir.path_of("nothing-here"));
  REQUIRE(none.exit_code == sim::kExitBadInput);
  REQUIRE(none.out.find("--trace") != std::string::npos);  // says how to get a trace
  const std::string bad =
      dir.write("bad.jsonl", "{\"t_us\": 0, \"kind\": \"run\", \"schema_version\": 1}\nnot json\n");
  const test::CliRun garbled = run_cli_capture("explain " + bad);
  REQUIRE(garbled.exit_code == sim::kExitBadInput);
}

TEST_CASE("explain tells a violation with the events of its causal past", "[trace][explain]") {
  const test::TempDir dir("treedoc-explain");
  const test::CliRun r = traced_run("tests/data/scenarios/sabotage-drop-remote-ops.json", dir);
  REQUIRE(r.exit_code == sim::kExitSafetyViolation);
  const std::vector<json> lines = trace_lines(dir.path_of("run"));
  REQUIRE(lines.back()["kind"] == "violation");
  const test::CliRun e = run_cli_capture("explain " + dir.path_of("run"));
  REQUIRE(e.exit_code == sim::kExitPass);
  REQUIRE(e.out.find("violation: convergence at") != std::string::npos);
  REQUIRE(e.out.find("its causal past: ") != std::string::npos);
  // The past reaches the sites of the violation through what they received.
  REQUIRE(e.out.find("c0 received ops") != std::string::npos);
}
