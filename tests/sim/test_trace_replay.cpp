// Every bundled trace replays to its endContent, with flatten off and every 1,000 ops; word and
// line atoms too; patches outside the document and bad flags are rejected with exit code 3.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/workload/editing_trace.hpp"
#include "sim/workload/trace_replay.hpp"

using namespace treedoc;
using namespace treedoc::sim;

namespace {

std::string trace_path(const std::string& name) {
  return std::string(TREEDOC_SOURCE_DIR) + "/scenarios/traces/" + name + ".json.gz";
}

void check_replay(const std::string& name, uint64_t flatten_every, AtomGranularity atoms) {
  const EditingTrace trace = load_editing_trace(trace_path(name));
  ReplayOptions options;
  options.flatten_every_ops = flatten_every;
  options.atoms = atoms;
  const ReplayResult r = replay_trace(trace, options, name);
  INFO(name << " flatten every " << flatten_every << " atoms " << to_string(atoms));
  REQUIRE(r.matches_end_content);
  REQUIRE(r.final_bytes == trace.end_content.size());
  if (flatten_every != 0) {
    REQUIRE(r.flattens == r.ops_local / flatten_every);  // the policy is checked after every op
    REQUIRE(r.flatten_sizes.tid_bytes_max_after <= r.flatten_sizes.tid_bytes_max_before);
  } else {
    REQUIRE(r.flattens == 0);
  }
}

int run_cli(const std::string& args) {
  const std::string command = std::string(TREEDOC_CLI_PATH) + " " + args + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temp_file(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / ("treedoc-replay-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

}  // namespace

TEST_CASE("automerge-paper replays to endContent", "[replay][slow]") {
  check_replay("sequential/automerge-paper", 0, AtomGranularity::kChar);
  check_replay("sequential/automerge-paper", 1000, AtomGranularity::kChar);
}

TEST_CASE("rustcode replays to endContent", "[replay][slow]") {
  check_replay("sequential/rustcode", 0, AtomGranularity::kChar);
  check_replay("sequential/rustcode", 1000, AtomGranularity::kChar);
}

TEST_CASE("sveltecomponent and friendsforever_flat replay to endContent", "[replay]") {
  for (uint64_t every : {0u, 1000u}) {
    check_replay("sequential/sveltecomponent", every, AtomGranularity::kChar);
    check_replay("sequential/friendsforever_flat", every, AtomGranularity::kChar);
  }
}

TEST_CASE("concurrent friendsforever merges its agents to endContent", "[replay]") {
  for (uint64_t every : {0u, 1000u, 97u}) {
    const EditingTrace trace = load_editing_trace(trace_path("concurrent/friendsforever"));
    ReplayOptions options;
    options.flatten_every_ops = every;
    const ReplayResult r = replay_trace(trace, options, "friendsforever");
    INFO("flatten every " << every);
    REQUIRE(r.matches_end_content);
    REQUIRE(r.replicas == 2);
    REQUIRE(r.ops_remote > 0);
    if (every != 0) REQUIRE(r.ops_translated > 0);  // flattens met ops outside the cut
  }
}

TEST_CASE("word and line atoms replay to endContent", "[replay]") {
  for (AtomGranularity g : {AtomGranularity::kWord, AtomGranularity::kLine}) {
    for (uint64_t every : {0u, 1000u}) {
      check_replay("sequential/sveltecomponent", every, g);
      check_replay("sequential/friendsforever_flat", every, g);
    }
    check_replay("sequential/automerge-paper", 1000, g);
    check_replay("sequential/rustcode", 1000, g);
  }
}

TEST_CASE("a concurrent patch outside its agent's document is bad input", "[replay]") {
  const std::string path =
      temp_file("outside.json", R"({"kind":"concurrent","endContent":"ab","numAgents":2,"txns":[)"
                                R"({"parents":[],"agent":0,"patches":[[0,0,"a"]]},)"
                                R"({"parents":[],"agent":1,"patches":[[5,0,"b"]]}]})");
  const EditingTrace trace = load_editing_trace(path);
  REQUIRE_THROWS_WITH(replay_trace(trace, {}, path),
                      Catch::Contains("txns[1].patches[0]") && Catch::Contains("outside"));
  REQUIRE(run_cli("replay-trace " + path) == kExitBadInput);
}

TEST_CASE("a small concurrent trace converges with interleaved agents", "[replay]") {
  // Agent 1 types "xy" concurrently with agent 0's "ab" at the same place, then both merge.
  const std::string path = temp_file(
      "small-concurrent.json", R"({"kind":"concurrent","endContent":"axbyZ","numAgents":2,"txns":[)"
                               R"({"parents":[],"agent":0,"patches":[[0,0,"a"]]},)"
                               R"({"parents":[0],"agent":0,"patches":[[1,0,"b"]]},)"
                               R"({"parents":[],"agent":1,"patches":[[0,0,"x"]]},)"
                               R"({"parents":[2],"agent":1,"patches":[[1,0,"y"]]},)"
                               R"({"parents":[1,3],"agent":0,"patches":[[4,0,"Z"]]}]})");
  const ReplayResult r = replay_trace(load_editing_trace(path), {}, path);
  REQUIRE(
      r.matches_end_content);  // the interleaving axby is Treedoc's default (docs/protocol.md §2)
}

TEST_CASE("the CLI's exit codes: 0 on a match, 1 on a mismatch, 3 on bad input", "[replay][cli]") {
  const std::string good =
      temp_file("good.json", R"({"endContent":"hi","txns":[{"patches":[[0,0,"hi"]]}]})");
  REQUIRE(run_cli("replay-trace " + good) == kExitPass);
  REQUIRE(run_cli("replay-trace " + good + " --json --atoms word --flatten-every 1") == kExitPass);
  // endContent consistent in length with the patches but different text: the replay differs.
  const std::string differs =
      temp_file("differs.json", R"({"endContent":"ho","txns":[{"patches":[[0,0,"hi"]]}]})");
  REQUIRE(run_cli("replay-trace " + differs) == kExitSafetyViolation);
  REQUIRE(run_cli("replay-trace /nonexistent/trace.json") == kExitBadInput);
  REQUIRE(run_cli("replay-trace " + temp_file("garbage.json", "\x01\x02garbage")) == kExitBadInput);
  REQUIRE(run_cli("replay-trace " + good + " --atoms sentence") == kExitBadInput);
  REQUIRE(run_cli("replay-trace " + good + " --flatten-every -5") == kExitBadInput);
  REQUIRE(run_cli("replay-trace") == kExitBadInput);
  REQUIRE(run_cli("no-such-command") == kExitBadInput);
  REQUIRE(run_cli("--help") == kExitPass);
}
