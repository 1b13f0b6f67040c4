// `treedoc-sim merge`: reads each shard's --json, refuses shards of another sweep or that share
// seeds, and writes the joined document, CSV and JUnit through the sweep's own writers.
#include "sim/cli/merge_command.hpp"

#include "sim/cli/command.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "sim/base/bounded_file_reader.hpp"
#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/cli/sweep_report.hpp"
#include "sim/cli/sweep_stream.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// Bounds on what merge reads: a shard file, and how many shards one merge joins.
constexpr size_t kShardFileBytesMax = size_t{1} << 30;  // 1 GiB
constexpr size_t kShardsMax = 4096;

// Shards that do not belong together: one line, exit code 5.
class ShardMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A shard's --json, checked to be a sweep's: throws InputError when it is not.
json read_shard(const std::string& path) {
  const json d = json::parse(read_file_bounded(path, kShardFileBytesMax, "1 GiB limit for shards"),
                             nullptr, false);
  const char* expected = "expected the --json file of a `treedoc-sim sweep`";
  if (d.is_discarded() || !d.is_object()) throw InputError(path, "", std::string(expected));
  for (const char* key : {"scenario_hash", "runs", "columns", "shard", "grid"}) {
    if (!d.contains(key)) {
      throw InputError(path, key, std::string(expected) + " (made by this version), with this key");
    }
  }
  for (const json& run : d["runs"]) {
    if (!run.is_object() || !run.contains("seed") || !run["seed"].is_number_unsigned() ||
        !run.contains("point") || !run["point"].is_number_unsigned()) {
      throw InputError(path, "runs", "expected runs each with a whole-number seed and point");
    }
  }
  return d;
}

// (seed_first, seed_last, shard count, shard number): the seeds a shard was meant to run.
using ShardPlan = std::tuple<uint64_t, uint64_t, uint64_t, uint64_t>;
ShardPlan plan_of(const json& d) {
  return {d.value("seed_first", uint64_t{0}), d.value("seed_last", uint64_t{0}),
          d["shard"].value("count", uint64_t{1}), d["shard"].value("number", uint64_t{1})};
}

// Throws ShardMismatch when a shard is of another sweep than the first, or shares seeds.
void check_shards(const std::vector<std::string>& paths, const std::vector<json>& shards) {
  std::map<uint64_t, size_t> seed_shard;
  std::map<ShardPlan, size_t> plans;
  for (size_t k = 0; k < shards.size(); ++k) {
    const std::string hash = shards[k].value("scenario_hash", "");
    if (hash != shards[0].value("scenario_hash", "")) {
      throw ShardMismatch(paths[k] + " is a sweep of another scenario file or grid than " +
                          paths[0] + " (scenario_hash " + hash + ", not " +
                          shards[0].value("scenario_hash", "") +
                          "): merge only shards of one sweep");
    }
    if (const auto [at, fresh] = plans.emplace(plan_of(shards[k]), k); !fresh) {
      throw ShardMismatch(paths[k] + " and " + paths[at->second] +
                          " are the same shard of the sweep: each shard may be merged once");
    }
    for (const json& run : shards[k]["runs"]) {
      const uint64_t seed = run["seed"].get<uint64_t>();
      const auto [at, fresh] = seed_shard.emplace(seed, k);
      if (!fresh && at->second != k) {
        throw ShardMismatch(paths[k] + " and " + paths[at->second] + " both ran seed " +
                            std::to_string(seed) + ": shards must hold disjoint seeds");
      }
    }
  }
}

// The shard numbers 1..N missing when every shard is one of N over one seed range; else none.
std::vector<uint64_t> missing_shards(const std::vector<json>& shards) {
  std::set<uint64_t> numbers;
  for (const json& d : shards) {
    const ShardPlan plan = plan_of(d);
    if (std::get<0>(plan) != std::get<0>(plan_of(shards[0])) ||
        std::get<1>(plan) != std::get<1>(plan_of(shards[0])) ||
        std::get<2>(plan) != std::get<2>(plan_of(shards[0]))) {
      return {};
    }
    numbers.insert(std::get<3>(plan));
  }
  std::vector<uint64_t> missing;
  const uint64_t count = std::get<2>(plan_of(shards[0]));
  for (uint64_t k = 1; k <= count && k <= kShardsMax; ++k) {
    if (!numbers.count(k)) missing.push_back(k);
  }
  return missing;
}

// The header the unsharded sweep would have: one shard, every planned seed and run.
json merged_header(const std::vector<std::string>& paths, const std::vector<json>& shards) {
  json header = sweep_header_of(shards[0]);
  header["shard"] = {{"number", 1}, {"count", 1}};
  uint64_t seeds_planned = 0, runs_planned = 0;
  double wall_s = 0;
  json merged = json::array();
  for (size_t k = 0; k < shards.size(); ++k) {
    const json& d = shards[k];
    header["seed_first"] =
        std::min(header.value("seed_first", uint64_t{0}), d.value("seed_first", uint64_t{0}));
    header["seed_last"] =
        std::max(header.value("seed_last", uint64_t{0}), d.value("seed_last", uint64_t{0}));
    seeds_planned += d.value("seeds_planned", uint64_t{0});
    runs_planned += d.value("runs_planned", uint64_t{0});
    wall_s += d.value("wall_s", 0.0);
    if (header.value("stopped_by", "").empty()) header["stopped_by"] = d.value("stopped_by", "");
    merged.push_back({{"file", paths[k]}, {"shard", d["shard"]}});
  }
  header["seeds_planned"] = seeds_planned;
  header["runs_planned"] = runs_planned;
  header["wall_s"] = wall_s;  // the shards' own times, added: CPU-like, not elapsed
  header["merged_shards"] = merged;
  return header;
}

// Joins the shards and writes the outputs; throws InputError or ShardMismatch.
int merge_or_throw(const MergeRequest& req) {
  if (req.shard_paths.size() > kShardsMax) {
    throw InputError("merge", "", "at most " + std::to_string(kShardsMax) + " shards at once");
  }
  std::vector<json> shards;
  for (const std::string& path : req.shard_paths) shards.push_back(read_shard(path));
  check_shards(req.shard_paths, shards);
  json header = merged_header(req.shard_paths, shards);
  const std::vector<uint64_t> missing = missing_shards(shards);
  if (!missing.empty()) header["shards_missing"] = missing;
  json runs = json::array();
  for (json& d : shards) {
    for (json& run : d["runs"]) runs.push_back(std::move(run));
  }
  const json document = sweep_document(header, std::move(runs));
  print_sweep_summary(document, 0);
  if (!missing.empty()) {
    std::printf("merge     incomplete: shard %" PRIu64 " of %zu (and %zu more) not given\n",
                missing[0], static_cast<size_t>(std::get<2>(plan_of(shards[0]))),
                missing.size() - 1);
  }
  if (!req.json_path.empty() && !write_json_file(req.json_path, document)) {
    throw InputError(req.json_path, "", "--json: cannot write the file");
  }
  if (!req.csv_path.empty() &&
      !write_csv_file(req.csv_path, document["columns"].get<std::vector<std::string>>(),
                      document["runs"])) {
    throw InputError(req.csv_path, "", "--csv: cannot write the file");
  }
  if (!req.junit_path.empty() && !write_sweep_junit(req.junit_path, document)) {
    throw InputError(req.junit_path, "", "--junit: cannot write the file");
  }
  return sweep_exit_code(document, req.budget_ok);
}

}  // namespace

int run_merge(const MergeRequest& req) {
  try {
    return merge_or_throw(req);
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  } catch (const json::exception& e) {
    std::fprintf(stderr, "treedoc-sim: merge: a shard's --json has a field of the wrong type: %s\n",
                 e.what());
    return kExitBadInput;
  } catch (const ShardMismatch& e) {
    std::fprintf(stderr, "treedoc-sim: merge: %s\n", e.what());
    return kExitShardMismatch;
  }
}

namespace {

class MergeCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "merge", "Join the --json files of a sweep's shards into the unsharded sweep's results");
    cmd->add_option("SHARDS", req_.shard_paths, "the shards' `sweep --json` files")->required();
    cmd->add_option("--json", req_.json_path, "write the merged results to FILE");
    cmd->add_option("--csv", req_.csv_path, "write the merged rows to FILE");
    cmd->add_option("--junit", req_.junit_path, "write JUnit XML to FILE: one testcase per run");
    cmd->add_flag("--budget-ok", req_.budget_ok,
                  "exit 0, not 4, when a shard's --time-budget cut it short");
    return cmd;
  }
  int run() override { return run_merge(req_); }

 private:
  MergeRequest req_;
};

}  // namespace

std::unique_ptr<Command> make_merge_command() { return std::make_unique<MergeCommand>(); }

}  // namespace treedoc::sim
