// `treedoc-sim sweep`: runs in child processes, a few at a time; each child writes its
// summary.json, the parent turns it into a row (streamed to --csv and --json as it finishes),
// rechecks a fraction of runs for determinism, writes a replay scenario for every failing run,
// and summarises the ensemble (sweep_report.hpp).
#include "sim/cli/sweep_command.hpp"

#include "sim/cli/command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "models/treedoc/assertion.hpp"
#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/base/parent_folders.hpp"
#include "sim/cli/child_run.hpp"
#include "sim/cli/sweep_plan.hpp"
#include "sim/cli/sweep_report.hpp"
#include "sim/cli/sweep_rows.hpp"
#include "sim/cli/sweep_stream.hpp"
#include "sim/scenario/replay_scenario.hpp"

namespace treedoc::sim {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A sweep is a batch job, not an archive: a named bound on its size.
constexpr uint64_t kSweepSeedsMax = uint64_t{1} << 32;
constexpr uint32_t kJobsMax = 256;

bool parse_u64(std::string_view text, uint64_t* out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// One child to start: a run of a seed at a grid point, or its determinism recheck.
struct Job {
  uint64_t seed = 0;
  uint64_t point = 0;
  bool recheck = false;
  bool recheck_follows = false;  // a first run whose recheck is the next job
};

// The jobs of one shard in order, made as they are needed: a sweep of 2^32 seeds holds no list.
// Each seed of the shard runs at every point before the next seed starts.
class JobSource {
 public:
  JobSource(const SweepRequest& req, uint64_t points) : req_(req), points_(points) {
    // This shard's seeds: first + offset, then every shard_count-th; no sum here can overflow.
    const uint64_t offset = req.shard_index - 1;
    const uint64_t span = req.seed_last - req.seed_first;
    next_seed_ = offset > span ? req.seed_last : req.seed_first + offset;
    planned_seeds_ = offset > span ? 0 : (span - offset) / req.shard_count + 1;
  }

  uint64_t planned_seeds() const { return planned_seeds_; }
  uint64_t planned_runs() const { return planned_seeds_ * points_; }
  bool done() const { return !recheck_pending_ && taken_ == planned_runs(); }
  bool recheck_next() const { return recheck_pending_; }

  Job take() {
    TD_ASSERT(!done(), "take() only while jobs remain");
    if (recheck_pending_) {
      recheck_pending_ = false;
      return {last_.seed, last_.point, true, false};
    }
    // Counted over the unsharded sweep, so every sharding rechecks the same runs.
    const uint64_t index = (next_seed_ - req_.seed_first) * points_ + next_point_;
    recheck_pending_ = req_.recheck_every > 0 && index % req_.recheck_every == 0;
    last_ = {next_seed_, next_point_, false, recheck_pending_};
    ++taken_;
    if (++next_point_ == points_ && taken_ < planned_runs()) {
      next_point_ = 0;
      next_seed_ += req_.shard_count;
    }
    return last_;
  }

 private:
  const SweepRequest& req_;
  const uint64_t points_;
  uint64_t next_seed_ = 0, next_point_ = 0;
  uint64_t planned_seeds_ = 0;
  uint64_t taken_ = 0;
  Job last_;
  bool recheck_pending_ = false;
};

// A run in flight: its first run, and its recheck when it has one.
struct PendingRun {
  std::optional<ChildRun> run, recheck;
  bool recheck_wanted = false;
  bool complete() const { return run && (!recheck_wanted || recheck); }
};

const char* outcome_of(const ChildRun& run, const std::optional<ChildRun>& recheck) {
  if (recheck &&
      (recheck->exit_code != run.exit_code || recheck->event_log_hash() != run.event_log_hash())) {
    return "nondeterministic";
  }
  switch (run.exit_code) {
    case kExitPass: return "pass";
    case kExitSafetyViolation: return "safety";
    case kExitLivenessFailure: return "liveness";
    default: return "error";
  }
}

std::string scenario_stem(const std::string& path) { return fs::path(path).stem().string(); }

// The command that runs this (point, seed) again.
std::string reproduce_command(const SweepRequest& req, const SweepPlan& plan, uint64_t point,
                              uint64_t seed) {
  const std::string s = std::to_string(seed);
  if (plan.grid.axes().empty()) return "treedoc-sim run " + req.path + " --seed " + s;
  return "treedoc-sim sweep " + req.path + " --seeds " + s + ".." + s + " " +
         plan.grid.set_flags(point);
}

// Writes the self-contained replay of a failing run; its path, or "" when it cannot be written.
std::string write_replay(const SweepRequest& req, const SweepPlan& plan, uint64_t point,
                         uint64_t seed) {
  const bool grid = !plan.grid.axes().empty();
  const std::string name = scenario_stem(req.path) +
                           (grid ? "-point-" + std::to_string(point) : std::string()) + "-seed-" +
                           std::to_string(seed) + ".json";
  const std::string note =
      "[seed " + std::to_string(seed) + " of " + req.path +
      (grid ? ", grid point " + std::to_string(point) + ": " + plan.grid.parameters(point).dump()
            : std::string()) +
      "]";
  const std::string replay = (fs::path(req.failures_dir) / name).string();
  try {
    write_scenario_json(replay_scenario_json(plan.point_files[point], seed, note), replay);
    return replay;
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return "";
  }
}

// The row of one finished run, as --json's "runs" and --csv hold it.
json run_row(const SweepRequest& req, const SweepPlan& plan, const Job& job, const PendingRun& p) {
  const ChildRun& run = *p.run;
  json row = {{"point", job.point},
              {"parameters", plan.grid.parameters(job.point)},
              {"seed", job.seed},
              {"outcome", outcome_of(run, p.recheck)},
              {"exit_code", run.exit_code},
              {"wall_s", run.wall_s},
              {"verdict", run.verdict},
              {"invariant", run.invariant()},
              {"event_log_hash", run.event_log_hash()},
              {"reproduce", reproduce_command(req, plan, job.point, job.seed)}};
  const bool summarised = run.summary.is_object();
  row["figures"] =
      summarised && run.summary.contains("figures") ? run.summary["figures"] : json::object();
  if (plan.swarm()) row["drawn"] = plan.drawn(job.point, job.seed);
  if (p.recheck) {
    row["recheck"] = {{"exit_code", p.recheck->exit_code},
                      {"event_log_hash", p.recheck->event_log_hash()}};
  }
  if (row["outcome"] != "pass") {
    const std::string replay = write_replay(req, plan, job.point, job.seed);
    if (!replay.empty()) row["replay_file"] = replay;
  }
  if (summarised && run.summary.contains("probes")) row["probes"] = run.summary["probes"];
  return row;
}

// Why the sweep stopped starting runs early ("" while it may go on).
std::string stop_reason(const SweepRequest& req, double elapsed_s, uint64_t failures) {
  if (req.time_budget_s > 0 && elapsed_s >= req.time_budget_s) {
    char budget[64];
    std::snprintf(budget, sizeof budget, "%s %g", kTimeBudgetFlag, req.time_budget_s);
    return budget;
  }
  if (req.failures_max > 0 && failures >= req.failures_max) {
    return "--max-failures " + std::to_string(req.failures_max);
  }
  return "";
}

// Runs the jobs of one sweep, `jobs` children at a time, each in its own folder under `root`,
// handing each (point, seed) to `finished` once its run (and recheck) ended.
class SweepRunner {
 public:
  SweepRunner(const SweepRequest& req, const SweepPlan& plan, const fs::path& root,
              std::function<double()> elapsed_s)
      : req_(req), plan_(plan), root_(root), elapsed_s_(std::move(elapsed_s)) {}

  // Runs until done or a limit stops it; returns what stopped it, "" when every job ran.
  std::string run(JobSource* source, uint32_t jobs, const std::function<void(json)>& finished);

 private:
  void start(const Job& job, const std::function<void(json)>& finished);
  void ended(const Job& job, ChildRun run, const std::function<void(json)>& finished);

  const SweepRequest& req_;
  const SweepPlan& plan_;
  const fs::path root_;
  const std::function<double()> elapsed_s_;
  std::map<pid_t, std::pair<Job, RunningChild>> running_;
  std::map<std::pair<uint64_t, uint64_t>, PendingRun> pending_;  // by (seed, point)
  uint64_t failures_ = 0;
};

std::string SweepRunner::run(JobSource* source, uint32_t jobs,
                             const std::function<void(json)>& finished) {
  std::string stopped_by;
  while (true) {
    while (!source->done() && running_.size() < jobs) {
      // A recheck always follows its run, even past a limit: its row needs both.
      if (!source->recheck_next()) {
        if (stopped_by.empty()) stopped_by = stop_reason(req_, elapsed_s_(), failures_);
        if (!stopped_by.empty()) break;
      }
      start(source->take(), finished);
    }
    if (running_.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    const auto it = running_.find(pid);
    if (it == running_.end()) continue;
    const auto [job, child] = it->second;
    running_.erase(it);
    ended(job, finish_run_child(child, exit_code_of(status)), finished);
  }
  return stopped_by;
}

void SweepRunner::start(const Job& job, const std::function<void(json)>& finished) {
  if (!job.recheck) pending_[{job.seed, job.point}].recheck_wanted = job.recheck_follows;
  const std::string dir = (root_ / ("point-" + std::to_string(job.point) + "-seed-" +
                                    std::to_string(job.seed) + (job.recheck ? "-recheck" : "")))
                              .string();
  const RunningChild child = start_run_child(plan_.point_files[job.point], job.seed, dir);
  if (child.pid == 0) {
    ended(job, finish_run_child(child, -1), finished);
    return;
  }
  running_.emplace(child.pid, std::make_pair(job, child));
}

void SweepRunner::ended(const Job& job, ChildRun run, const std::function<void(json)>& finished) {
  PendingRun& p = pending_[{job.seed, job.point}];
  if (job.recheck) {
    p.recheck = std::move(run);
  } else {
    failures_ += run.exit_code != kExitPass ? 1 : 0;
    p.run = std::move(run);
  }
  if (!p.complete()) return;
  finished(run_row(req_, plan_, job, p));
  pending_.erase({job.seed, job.point});
}

}  // namespace

std::string parse_seed_range(const std::string& text, SweepRequest* request) {
  const size_t dots = text.find("..");
  uint64_t first = 0, last = 0;
  if (dots == std::string::npos || !parse_u64(std::string_view(text).substr(0, dots), &first) ||
      !parse_u64(std::string_view(text).substr(dots + 2), &last) || first > last) {
    return "--seeds: expected A..B with whole numbers A <= B, found " + text;
  }
  if (last - first >= kSweepSeedsMax) return "--seeds: at most 2^32 seeds per sweep, found " + text;
  request->seed_first = first;
  request->seed_last = last;
  return "";
}

std::string parse_shard(const std::string& text, SweepRequest* request) {
  const size_t slash = text.find('/');
  uint64_t k = 0, n = 0;
  if (slash == std::string::npos || !parse_u64(std::string_view(text).substr(0, slash), &k) ||
      !parse_u64(std::string_view(text).substr(slash + 1), &n) || k < 1 || k > n ||
      n > UINT32_MAX) {
    return "--shard: expected K/N with 1 <= K <= N (1-based; --shard-index counts from 0), "
           "found " +
           text;
  }
  request->shard_index = static_cast<uint32_t>(k);
  request->shard_count = static_cast<uint32_t>(n);
  return "";
}

std::string set_shard_index(uint64_t index, uint64_t count, SweepRequest* request) {
  if (count < 1 || count > UINT32_MAX || index >= count) {
    return "--shard-index: expected 0 <= K < N with --shard-count N (0-based, as "
           "SLURM_ARRAY_TASK_ID; --shard K/N counts from 1), found " +
           std::to_string(index) + " of " + std::to_string(count);
  }
  request->shard_index = static_cast<uint32_t>(index + 1);
  request->shard_count = static_cast<uint32_t>(count);
  return "";
}

namespace {

// The document's fields known before the first run: what is swept, and how much of it.
json sweep_header(const SweepRequest& req, const SweepPlan& plan, const JobSource& source) {
  json axes = json::array();
  for (const SweepAxis& axis : plan.grid.axes()) {
    axes.push_back({{"path", axis.path}, {"values", axis.values}});
  }
  return {{"scenario", req.path},
          {"scenario_hash", plan.scenario_hash},
          {"grid", {{"axes", axes}, {"points", plan.points()}}},
          {"columns", sweep_columns(plan.grid, plan.drawn_paths)},
          {"seed_first", req.seed_first},
          {"seed_last", req.seed_last},
          {"shard", {{"number", req.shard_index}, {"count", req.shard_count}}},
          {"seeds_planned", source.planned_seeds()},
          {"runs_planned", source.planned_runs()},
          {"stopped_by", ""},
          {"time_budget_s", req.time_budget_s},
          {"recheck_every", req.recheck_every},
          {"wall_s", 0.0}};
}

// The --junit report is written once every run ended: an unwritable path is found now instead, by
// opening it to append (nothing truncated; a file this made is removed again).
void require_writable(const std::string& path, const char* flag) {
  if (path.empty()) return;
  std::error_code ec;
  const bool existed = fs::exists(path, ec);
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (!file) throw InputError(path, "", std::string(flag) + ": cannot write the file");
  std::fclose(file);
  if (!existed) fs::remove(path, ec);
}

// Plans, runs and reports the sweep; throws InputError for bad input or an unwritable output.
int sweep_or_throw(const SweepRequest& req, const fs::path& root) {
  const uint32_t jobs = std::clamp<uint32_t>(req.jobs, 1, kJobsMax);
  for (const std::string* out : {&req.csv_path, &req.json_path, &req.junit_path}) {
    make_parent_folders(*out);
  }
  require_writable(req.junit_path, "--junit");
  const SweepPlan plan =
      plan_sweep(req.path, req.set_flags, req.seed_first, (root / "points").string());
  JobSource source(req, plan.points());
  json header = sweep_header(req, plan, source);
  SweepStream stream(req.csv_path, req.json_path, header,
                     header["columns"].get<std::vector<std::string>>());
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed_s = [started] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  json runs = json::array();
  SweepRunner runner(req, plan, root, elapsed_s);
  header["stopped_by"] = runner.run(&source, jobs, [&](json row) {
    stream.add(row);
    runs.push_back(std::move(row));
  });
  header["wall_s"] = elapsed_s();
  const json document = sweep_document(header, std::move(runs));
  print_sweep_summary(document, jobs);
  if (!req.json_path.empty() && !write_json_file(req.json_path, document)) {
    throw InputError(req.json_path, "", "--json: cannot write the file");
  }
  stream.finish(document["runs"], !req.json_path.empty());
  if (!req.junit_path.empty() && !write_sweep_junit(req.junit_path, document)) {
    throw InputError(req.junit_path, "", "--junit: cannot write the file");
  }
  return sweep_exit_code(document, req.budget_ok);
}

}  // namespace

int run_sweep(const SweepRequest& req) {
  const fs::path root = fs::temp_directory_path() / ("treedoc-sweep-" + std::to_string(getpid()));
  int exit_code = kExitBadInput;
  try {
    exit_code = sweep_or_throw(req, root);
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "treedoc-sim: %s: cannot write the sweep's temporary files: %s\n",
                 root.string().c_str(), e.what());
  }
  std::error_code ignored;
  fs::remove_all(root, ignored);
  return exit_code;
}

namespace {

// A week: a sweep budget beyond it is a typo, not a plan.
constexpr double kTimeBudgetSecondsMax = 7 * 24 * 3600;

class SweepCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "sweep",
        "Run a scenario over many seeds and grid points, each run in its own process, and "
        "summarise them");
    cmd->add_option("FILE", req_.path, "scenario file (.json); its {\"$grid\": [...]} are axes")
        ->required();
    cmd->add_option("--set", req_.set_flags,
                    "PATH=V1,V2,...: a grid axis (each V JSON, else a string); several --set "
                    "make a grid of every combination");
    cmd->add_option("--seeds", seeds_, "seeds A..B, inclusive (default 1..100)");
    cmd->add_option("--jobs", req_.jobs, "runs at a time (default 2)")->check(CLI::Range(1, 256));
    CLI::Option* shard =
        cmd->add_option("--shard", shard_, "run only shard K of N (K/N, 1-based), for CI matrices");
    CLI::Option* index = cmd->add_option("--shard-index", shard_index_,
                                         "run only shard K (0-based, as SLURM_ARRAY_TASK_ID) "
                                         "of --shard-count N");
    CLI::Option* count = cmd->add_option("--shard-count", shard_count_, "N shards in all");
    shard_count_option_ = count;
    index->check(whole_number_flag())->needs(count)->excludes(shard);
    count->check(whole_number_flag())->needs(index)->excludes(shard);
    add_output_options(cmd);
    return cmd;
  }
  int run() override;

 private:
  void add_output_options(CLI::App* cmd) {
    cmd->add_option("--json", req_.json_path,
                    "write every run's row and the outcome counts to FILE (rows stream to "
                    "FILE.partial.jsonl meanwhile)");
    cmd->add_option("--csv", req_.csv_path, "write one row per (point, seed) to FILE as it ends");
    cmd->add_option("--junit", req_.junit_path, "write JUnit XML to FILE: one testcase per run");
    cmd->add_option("--time-budget", req_.time_budget_s,
                    "start no run after S seconds (0, the default: no budget); the summary says "
                    "how many ran, and the exit code is 4");
    cmd->add_flag("--budget-ok", req_.budget_ok, "exit 0, not 4, when --time-budget cut it short");
    cmd->add_option("--max-failures", req_.failures_max,
                    "start no run once N runs have failed (default 0: no limit)")
        ->check(whole_number_flag());
    cmd->add_option("--recheck-every", req_.recheck_every,
                    "run every K-th run twice and compare event-log hashes (0: never)")
        ->check(CLI::Range(uint32_t{0}, UINT32_MAX))
        ->capture_default_str();
    cmd->add_option("--failures", req_.failures_dir,
                    "write a replay scenario for each failing run into DIR")
        ->capture_default_str();
  }

  SweepRequest req_;
  std::string seeds_ = "1..100";
  std::string shard_ = "1/1";
  uint64_t shard_index_ = 0, shard_count_ = 0;
  CLI::Option* shard_count_option_ = nullptr;
};

int SweepCommand::run() {
  if (!(req_.time_budget_s >= 0 && req_.time_budget_s <= kTimeBudgetSecondsMax)) {
    return bad_flag("sweep", "--time-budget: expected seconds from 0 (no budget) to " +
                                 std::to_string(static_cast<int>(kTimeBudgetSecondsMax)));
  }
  std::string shard_error = parse_shard(shard_, &req_);
  if (shard_count_option_->count() > 0)
    shard_error = set_shard_index(shard_index_, shard_count_, &req_);
  for (const std::string& error : {parse_seed_range(seeds_, &req_), shard_error}) {
    if (!error.empty()) return bad_flag("sweep", error);
  }
  return run_sweep(req_);
}

}  // namespace

std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }

}  // namespace treedoc::sim
