// replay-trace --series: one sample every N ops, one line per flatten, the sampling time kept out
// of the measured times, and a bad series path or period rejected with exit code 3.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "sim/base/exit_code.hpp"
#include "sim/workload/editing_trace.hpp"
#include "sim/workload/trace_replay.hpp"
#include "tests/sim/cli_process.hpp"

using namespace treedoc;
using namespace treedoc::sim;

namespace {

constexpr int kTypedChars = 20;
constexpr int kDeletedChars = 5;
constexpr uint64_t kTraceOps = kTypedChars + kDeletedChars;  // one op per char and per delete

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("treedoc-series-" + name);
}

// A sequential trace typing kTypedChars letters one patch each, then deleting the first
// kDeletedChars one patch each: kTraceOps ops, some tombstones.
std::string small_trace() {
  std::string typed, txns;
  for (int i = 0; i < kTypedChars; ++i) {
    const char c = static_cast<char>('a' + i);
    typed += c;
    txns += R"({"patches":[[)" + std::to_string(i) + R"(,0,")" + std::string(1, c) + R"("]]},)";
  }
  for (int i = 0; i < kDeletedChars; ++i) txns += R"({"patches":[[0,1,""]]},)";
  txns.pop_back();
  const std::string json =
      R"({"endContent":")" + typed.substr(kDeletedChars) + R"(","txns":[)" + txns + "]}";
  const auto path = temp_path("small-trace.json");
  std::ofstream(path, std::ios::binary) << json;
  return path.string();
}

std::vector<nlohmann::json> read_lines(const std::filesystem::path& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));  // throws if bad
  return lines;
}

std::vector<nlohmann::json> with_event(const std::vector<nlohmann::json>& lines,
                                       const std::string& event) {
  std::vector<nlohmann::json> out;
  for (const auto& j : lines) {
    if (j.at("event") == event) out.push_back(j);
  }
  return out;
}

}  // namespace

TEST_CASE("replay-trace --series writes a sample every N ops and a line per flatten",
          "[replay][series][cli]") {
  const std::string trace = small_trace();
  const auto series = temp_path("out.jsonl");
  std::filesystem::remove(series);
  const auto run = test::run_cli_capture("replay-trace " + trace + " --flatten-every 10 --series " +
                                         series.string() + " --series-every 4");
  INFO(run.out);
  REQUIRE(run.exit_code == kExitPass);
  const auto lines = read_lines(series);
  REQUIRE(!lines.empty());
  REQUIRE(lines.front().at("event") == "start");
  REQUIRE(lines.front().at("series_every_ops") == 4);
  REQUIRE(lines.front().at("flatten_every_ops") == 10);

  const auto samples = with_event(lines, "sample");
  REQUIRE(samples.size() == kTraceOps / 4);
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    REQUIRE(s.at("ops") == 4 * (i + 1));
    REQUIRE(s.at("nodes") == s.at("majors").get<uint64_t>() + s.at("minis").get<uint64_t>());
    REQUIRE(s.at("live").get<uint64_t>() > 0);
    REQUIRE(s.at("tid_bytes_mean").get<double>() > 0);
    REQUIRE(s.at("tid_bytes_max").get<uint64_t>() >= s.at("tid_bytes_mean").get<double>());
    REQUIRE(s.at("memory_bytes").get<uint64_t>() > 0);
    REQUIRE(s.at("wall_ns_per_op").get<double>() >= 0);
    for (const char* key : {"dead", "ghost", "ghost_dead", "tombstone_ratio", "depth_max"}) {
      REQUIRE(s.contains(key));
    }
  }
  // The last sample (op 24) comes after all the deletes but one: tombstones since op 20's flatten.
  REQUIRE(samples.back().at("dead").get<uint64_t>() == kDeletedChars - 1);

  const auto flattens = with_event(lines, "flatten");
  REQUIRE(flattens.size() == kTraceOps / 10);
  for (size_t i = 0; i < flattens.size(); ++i) {
    const auto& f = flattens[i];
    REQUIRE(f.at("ops") == 10 * (i + 1));
    REQUIRE(f.at("after").at("dead") == 0);  // a flatten discards every tombstone
    REQUIRE(f.at("after").at("nodes").get<uint64_t>() <=
            f.at("before").at("nodes").get<uint64_t>());
    REQUIRE(f.at("wall_ms").get<double>() >= 0);
  }
  // Op 20 has both: the sample follows the flatten and sees the flattened tree.
  REQUIRE(samples[4].at("ops") == 20);
  REQUIRE(samples[4].at("nodes") == flattens[1].at("after").at("nodes"));
  // Lines come in the order things happened.
  uint64_t last_ops = 0;
  for (const auto& j : lines) {
    const uint64_t ops = j.value("ops", uint64_t{0});
    REQUIRE(ops >= last_ops);
    last_ops = ops;
  }
}

TEST_CASE("series sampling time is kept out of replay_ms and the per-op times",
          "[replay][series]") {
  constexpr auto kSlowCallback = std::chrono::milliseconds(20);
  constexpr uint64_t kEvery = 5;
  const EditingTrace trace = load_editing_trace(small_trace());
  ReplayOptions options;
  options.flatten_every_ops = 10;
  options.series.every_ops = kEvery;
  std::vector<SeriesSample> samples;
  uint64_t flattens_seen = 0;
  options.series.on_sample = [&](const SeriesSample& s) {
    samples.push_back(s);
    std::this_thread::sleep_for(kSlowCallback);
  };
  options.series.on_flatten = [&](const FlattenEvent&) {
    ++flattens_seen;
    std::this_thread::sleep_for(kSlowCallback);
  };
  const ReplayResult r = replay_trace(trace, options, "small");
  REQUIRE(r.matches_end_content);
  REQUIRE(samples.size() == kTraceOps / kEvery);
  REQUIRE(flattens_seen == r.flattens);
  // The callbacks slept 7 x 20 ms; the replay of 25 ops itself takes far less than 1 ms.
  const double slept_ms = static_cast<double>(samples.size() + flattens_seen) * 20;
  REQUIRE(r.replay_ms < slept_ms / 2);
  for (const SeriesSample& s : samples) {
    // Had a sleep leaked in, a window of 5 ops would show 4 ms (4e6 ns) per op.
    REQUIRE(s.wall_ns_per_op < 1e6);
  }
}

TEST_CASE("series of a concurrent trace sample at transaction ends", "[replay][series]") {
  const auto path = temp_path("small-concurrent.json");
  std::ofstream(path, std::ios::binary)
      << R"({"kind":"concurrent","endContent":"axbyZ","numAgents":2,"txns":[)"
         R"({"parents":[],"agent":0,"patches":[[0,0,"a"]]},)"
         R"({"parents":[0],"agent":0,"patches":[[1,0,"b"]]},)"
         R"({"parents":[],"agent":1,"patches":[[0,0,"x"]]},)"
         R"({"parents":[2],"agent":1,"patches":[[1,0,"y"]]},)"
         R"({"parents":[1,3],"agent":0,"patches":[[4,0,"Z"]]}]})";
  ReplayOptions options;
  options.series.every_ops = 2;
  std::vector<uint64_t> sampled_ops;
  options.series.on_sample = [&](const SeriesSample& s) { sampled_ops.push_back(s.ops); };
  const ReplayResult r = replay_trace(load_editing_trace(path.string()), options, "concurrent");
  REQUIRE(r.matches_end_content);
  REQUIRE(sampled_ops == std::vector<uint64_t>{2, 4});
}

TEST_CASE("a bad --series path or period is bad input", "[replay][series][cli]") {
  const std::string trace = small_trace();
  const auto missing_dir =
      test::run_cli_capture("replay-trace " + trace + " --series /nonexistent-dir/series.jsonl");
  REQUIRE(missing_dir.exit_code == kExitBadInput);
  REQUIRE(missing_dir.out.find("/nonexistent-dir/series.jsonl: cannot write the series") !=
          std::string::npos);
  REQUIRE(std::count(missing_dir.out.begin(), missing_dir.out.end(), '\n') == 1);  // one line
  const std::string dir = std::filesystem::temp_directory_path().string();
  REQUIRE(test::run_cli_capture("replay-trace " + trace + " --series " + dir).exit_code ==
          kExitBadInput);
  const std::string ok = temp_path("ok.jsonl").string();
  REQUIRE(test::run_cli_capture("replay-trace " + trace + " --series " + ok + " --series-every 0")
              .exit_code == kExitBadInput);
  REQUIRE(test::run_cli_capture("replay-trace " + trace + " --series-every 5").exit_code ==
          kExitBadInput);  // --series-every needs --series
  REQUIRE(test::run_cli_capture("replay-trace " + trace + " --series " + ok + " --series-every 5")
              .exit_code == kExitPass);
}
