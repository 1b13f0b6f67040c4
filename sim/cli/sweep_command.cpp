// `treedoc-sim sweep`: seeds in child processes, a few at a time; each child writes its
// summary.json, and the parent counts outcomes, probe coverage and the slowest seeds, rechecks a
// fraction of seeds for determinism, and writes a replay scenario for every failing seed.
#include "sim/cli/sweep_command.hpp"

#include "sim/cli/command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "models/site/coverage_probe.hpp"
#include "models/treedoc/assertion.hpp"
#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/cli/child_run.hpp"
#include "sim/cli/junit_report.hpp"
#include "sim/scenario/replay_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace treedoc::sim {

namespace {

namespace fs = std::filesystem;

// A sweep is a batch job, not an archive: a named bound on its size.
constexpr uint64_t kSweepSeedsMax = uint64_t{1} << 32;
constexpr uint32_t kJobsMax = 256;
// How many of the slowest seeds the summary lists.
constexpr size_t kSlowestShown = 5;

bool parse_u64(std::string_view text, uint64_t* out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

struct SeedResult {
  uint64_t seed = 0;
  ChildRun run;
  std::optional<ChildRun> recheck;  // the second run, for the seeds rechecked
  std::string replay_path;          // the replay scenario written for a failing seed

  // The second run logged other events, or ended otherwise, than the first.
  bool nondeterministic() const {
    return recheck && (recheck->exit_code != run.exit_code ||
                       recheck->event_log_hash() != run.event_log_hash());
  }
  const char* outcome() const {
    if (nondeterministic()) return "nondeterministic";
    switch (run.exit_code) {
      case kExitPass: return "pass";
      case kExitSafetyViolation: return "safety";
      case kExitLivenessFailure: return "liveness";
      default: return "error";
    }
  }
  bool failed() const { return run.exit_code != kExitPass || nondeterministic(); }
};

// One child to start: a seed's run, or its determinism recheck.
struct Job {
  uint64_t seed = 0;
  bool recheck = false;
};

// The jobs of one shard in order, made as they are needed: a sweep of 2^32 seeds holds no list.
class JobSource {
 public:
  explicit JobSource(const SweepRequest& req) : req_(req) {
    // This shard's seeds: first + offset, then every shard_count-th; no sum here can overflow.
    const uint64_t offset = req.shard_index - 1;
    const uint64_t span = req.seed_last - req.seed_first;
    next_seed_ = offset > span ? req.seed_last : req.seed_first + offset;
    planned_ = offset > span ? 0 : (span - offset) / req.shard_count + 1;
  }

  uint64_t planned() const { return planned_; }
  bool done() const { return !recheck_pending_ && taken_ == planned_; }

  Job take() {
    TD_ASSERT(!done(), "take() only while jobs remain");
    if (recheck_pending_) {
      recheck_pending_ = false;
      return {last_seed_, true};
    }
    last_seed_ = next_seed_;
    recheck_pending_ = req_.recheck_every > 0 && taken_ % req_.recheck_every == 0;
    ++taken_;
    if (taken_ < planned_) next_seed_ += req_.shard_count;
    return {last_seed_, false};
  }

 private:
  const SweepRequest& req_;
  uint64_t next_seed_ = 0;
  uint64_t planned_ = 0;
  uint64_t taken_ = 0;
  uint64_t last_seed_ = 0;
  bool recheck_pending_ = false;
};

std::string run_command_text(const std::string& path, std::optional<uint64_t> seed) {
  return "treedoc-sim run " + path + (seed ? " --seed " + std::to_string(*seed) : "");
}

// The lines under a failing seed: how to run it again with the seed, and without it.
std::string reproduce_text(const SweepRequest& req, const SeedResult& r) {
  std::string text = "reproduce with: " + run_command_text(req.path, r.seed);
  if (r.nondeterministic()) text += " --check-determinism";
  if (!r.replay_path.empty()) text += "\nreplay alone:   " + run_command_text(r.replay_path, {});
  return text;
}

std::string seed_dir_name(const Job& job) {
  return "seed-" + std::to_string(job.seed) + (job.recheck ? "-recheck" : "");
}

// The scenario's name for files and reports: "crash-restart" for scenarios/crash-restart.json.
std::string scenario_stem(const std::string& path) { return fs::path(path).stem().string(); }

void write_junit_report(const SweepRequest& req, const std::vector<SeedResult>& results,
                        uint64_t skipped, double wall_s) {
  std::vector<JunitCase> cases;
  for (const SeedResult& r : results) {
    JunitCase c;
    c.name = "seed " + std::to_string(r.seed);
    c.time_s = r.run.wall_s;
    c.failed = r.failed();
    if (c.failed) {
      c.failure_type = r.outcome();
      c.failure_message = r.nondeterministic()         ? "determinism"
                          : !r.run.invariant().empty() ? r.run.invariant()
                                                       : r.run.verdict;
      c.failure_text = r.run.verdict + "\n" + reproduce_text(req, r);
    }
    cases.push_back(std::move(c));
  }
  if (!write_junit(req.junit_path, "treedoc-sim sweep " + scenario_stem(req.path), cases, skipped,
                   wall_s)) {
    throw InputError(req.junit_path, "", "--junit: cannot write the file");
  }
}

// How often each probe fired over the whole ensemble, from each seed's summary.json.
site::ProbeCounts ensemble_probes(const std::vector<SeedResult>& results) {
  site::ProbeCounts probes;
  for (const SeedResult& r : results) {
    if (!r.run.summary.is_object() || !r.run.summary.contains("probes")) continue;
    for (size_t k = 0; k < site::kProbeCount; ++k) {
      probes.fired[k] +=
          r.run.summary["probes"].value(std::string(site::kProbes.name_at(k)), uint64_t{0});
    }
  }
  return probes;
}

void write_json_report(const SweepRequest& req, const std::vector<SeedResult>& results,
                       const std::map<std::string, uint64_t>& counts, uint64_t planned,
                       const std::string& stopped_by, double wall_s) {
  nlohmann::json j = {{"scenario", req.path},
                      {"seeds", results.size()},
                      {"seeds_planned", planned},
                      {"stopped_by", stopped_by},
                      {"time_budget_s", req.time_budget_s},
                      {"recheck_every", req.recheck_every},
                      {"wall_s", wall_s}};
  for (const char* outcome : {"pass", "safety", "liveness", "error", "nondeterministic"}) {
    j[outcome] = counts.count(outcome) ? counts.at(outcome) : 0;
  }
  j["runs"] = nlohmann::json::array();
  for (const SeedResult& r : results) {
    nlohmann::json run = {{"seed", r.seed},
                          {"outcome", r.outcome()},
                          {"exit_code", r.run.exit_code},
                          {"wall_s", r.run.wall_s},
                          {"verdict", r.run.verdict},
                          {"invariant", r.run.invariant()},
                          {"event_log_hash", r.run.event_log_hash()}};
    if (r.recheck) {
      run["recheck"] = {{"exit_code", r.recheck->exit_code},
                        {"event_log_hash", r.recheck->event_log_hash()}};
    }
    if (!r.replay_path.empty()) run["replay_file"] = r.replay_path;
    if (r.run.summary.is_object() && r.run.summary.contains("probes")) {
      run["probes"] = r.run.summary["probes"];
    }
    j["runs"].push_back(std::move(run));
  }
  const site::ProbeCounts probes = ensemble_probes(results);
  j["probes"] = nlohmann::json::object();
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    j["probes"][std::string(site::kProbes.name_at(k))] = probes.fired[k];
  }
  std::ofstream out(req.json_path);
  out << j.dump(2) << "\n";
  if (!out) throw InputError(req.json_path, "", "--json: cannot write the file");
}

void print_summary(const SweepRequest& req, const std::vector<SeedResult>& results,
                   const std::map<std::string, uint64_t>& counts, uint64_t planned,
                   const std::string& stopped_by, double wall_s, uint32_t jobs) {
  std::printf("sweep     %s: %zu seeds (%" PRIu64 "..%" PRIu64
              ", shard %u/%u) in %.1f s with %u jobs, "
              "%.0f seeds per minute\n",
              req.path.c_str(), results.size(), req.seed_first, req.seed_last, req.shard_index,
              req.shard_count, wall_s, jobs, wall_s > 0 ? 60.0 * results.size() / wall_s : 0.0);
  if (!stopped_by.empty()) {
    std::printf("stopped   by %s: %zu of %" PRIu64 " seeds ran\n", stopped_by.c_str(),
                results.size(), planned);
  }
  const auto count = [&](const char* outcome) {
    return counts.count(outcome) ? counts.at(outcome) : uint64_t{0};
  };
  std::printf("outcomes  %" PRIu64 " pass, %" PRIu64 " safety, %" PRIu64 " liveness, %" PRIu64
              " error, %" PRIu64 " nondeterministic\n",
              count("pass"), count("safety"), count("liveness"), count("error"),
              count("nondeterministic"));
  uint64_t rechecked = 0;
  for (const SeedResult& r : results) rechecked += r.recheck ? 1 : 0;
  std::printf("determinism %" PRIu64 " seeds run twice, %" PRIu64
              " with another event-log hash or exit code\n",
              rechecked, count("nondeterministic"));
  const site::ProbeCounts probes = ensemble_probes(results);
  std::string coverage;
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    coverage += (coverage.empty() ? "" : ", ") + std::string(site::kProbes.name_at(k)) + " " +
                std::to_string(probes.fired[k]);
  }
  std::printf("probes    %s\n", coverage.c_str());
  std::vector<const SeedResult*> slowest;
  for (const SeedResult& r : results) slowest.push_back(&r);
  std::sort(slowest.begin(), slowest.end(),
            [](const SeedResult* a, const SeedResult* b) { return a->run.wall_s > b->run.wall_s; });
  std::string slow;
  for (size_t k = 0; k < slowest.size() && k < kSlowestShown; ++k) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%" PRIu64 " (%.2f s)", k ? ", " : "", slowest[k]->seed,
                  slowest[k]->run.wall_s);
    slow += buf;
  }
  std::printf("slowest   %s\n", slow.c_str());
  for (const SeedResult& r : results) {
    if (!r.failed()) continue;
    std::string verdict = r.run.verdict;
    if (r.nondeterministic()) {
      verdict = "a second run logged other events (exit codes " + std::to_string(r.run.exit_code) +
                " and " + std::to_string(r.recheck->exit_code) + ", event-log hashes " +
                r.run.event_log_hash() + " and " + r.recheck->event_log_hash() + ")";
    }
    std::string lines = reproduce_text(req, r);
    for (size_t at = lines.find('\n'); at != std::string::npos; at = lines.find('\n', at + 1)) {
      lines.insert(at + 1, "  ");
    }
    std::printf("FAILED    seed %" PRIu64 " (%s): %s\n  %s\n", r.seed, r.outcome(), verdict.c_str(),
                lines.c_str());
  }
}

// The sweep's exit code: 1 when any seed broke safety, crashed or was nondeterministic, else 2
// when any failed liveness, else 0.
int sweep_exit_code(const std::vector<SeedResult>& results) {
  int exit_code = kExitPass;
  for (const SeedResult& r : results) {
    if (!r.failed()) continue;
    const int code = r.run.exit_code == kExitLivenessFailure && !r.nondeterministic()
                         ? kExitLivenessFailure
                         : kExitSafetyViolation;  // a crashed child is a bug, as bad as a violation
    if (exit_code == kExitPass || code < exit_code) exit_code = code;
  }
  return exit_code;
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
    return "--shard: expected K/N with 1 <= K <= N, found " + text;
  }
  request->shard_index = static_cast<uint32_t>(k);
  request->shard_count = static_cast<uint32_t>(n);
  return "";
}

namespace {

// Why the sweep stopped starting seeds early ("" while it may go on).
std::string stop_reason(const SweepRequest& req, double elapsed_s, uint64_t failures) {
  if (req.time_budget_s > 0 && elapsed_s >= req.time_budget_s) {
    char budget[64];
    std::snprintf(budget, sizeof budget, "--time-budget %g", req.time_budget_s);
    return budget;
  }
  if (req.failures_max > 0 && failures >= req.failures_max) {
    return "--max-failures " + std::to_string(req.failures_max);
  }
  return "";
}

// Runs every seed of `source`, `jobs` at a time, each in its own process under `root`, until
// done or a limit stops it (then `stopped_by` says which); the results by seed.
std::map<uint64_t, SeedResult> run_seeds(const SweepRequest& req, JobSource* source, uint32_t jobs,
                                         const fs::path& root,
                                         const std::function<double()>& elapsed_s,
                                         std::string* stopped_by) {
  std::map<pid_t, std::pair<Job, RunningChild>> running;
  std::map<uint64_t, SeedResult> by_seed;  // ordered by seed for the reports
  uint64_t failures = 0;
  while (true) {
    while (!source->done() && running.size() < jobs && stopped_by->empty()) {
      *stopped_by = stop_reason(req, elapsed_s(), failures);
      if (!stopped_by->empty()) break;
      const Job job = source->take();
      const RunningChild child =
          start_run_child(req.path, job.seed, (root / seed_dir_name(job)).string());
      if (child.pid == 0) {
        by_seed[job.seed].seed = job.seed;
        by_seed[job.seed].run = finish_run_child(child, -1);
        ++failures;
        continue;
      }
      running.emplace(child.pid, std::make_pair(job, child));
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const auto& [job, child] = it->second;
    SeedResult& r = by_seed[job.seed];
    r.seed = job.seed;
    ChildRun run = finish_run_child(child, exit_code_of(status));
    if (job.recheck) {
      r.recheck = std::move(run);
    } else {
      failures += run.exit_code != kExitPass ? 1 : 0;
      r.run = std::move(run);
    }
    running.erase(it);
  }
  return by_seed;
}

// The results in seed order, each failing seed with its self-contained replay file written.
std::vector<SeedResult> with_replays(const SweepRequest& req,
                                     std::map<uint64_t, SeedResult>* by_seed,
                                     std::map<std::string, uint64_t>* counts) {
  std::vector<SeedResult> results;
  for (auto& [seed, r] : *by_seed) {
    if (r.failed()) {
      r.replay_path = (fs::path(req.failures_dir) /
                       (scenario_stem(req.path) + "-seed-" + std::to_string(seed) + ".json"))
                          .string();
      try {
        write_scenario_json(
            replay_scenario_json(req.path, seed,
                                 "[seed " + std::to_string(seed) + " of " + req.path + "]"),
            r.replay_path);
      } catch (const InputError& e) {
        std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
        r.replay_path.clear();
      }
    }
    ++(*counts)[r.outcome()];
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace

int run_sweep(const SweepRequest& req) {
  try {
    // Reject a bad file, or a bad draw of the first seed, once rather than once per seed.
    (void)load_scenario(req.path, req.seed_first);
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  }
  const uint32_t jobs = std::clamp<uint32_t>(req.jobs, 1, kJobsMax);
  const fs::path root = fs::temp_directory_path() / ("treedoc-sweep-" + std::to_string(getpid()));
  const auto started = std::chrono::steady_clock::now();
  const std::function<double()> elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  JobSource source(req);
  std::string stopped_by;
  std::map<uint64_t, SeedResult> by_seed =
      run_seeds(req, &source, jobs, root, elapsed_s, &stopped_by);
  std::error_code ignored;
  fs::remove_all(root, ignored);
  const double wall_s = elapsed_s();
  std::map<std::string, uint64_t> counts;
  const std::vector<SeedResult> results = with_replays(req, &by_seed, &counts);
  print_summary(req, results, counts, source.planned(), stopped_by, wall_s, jobs);
  try {
    if (!req.json_path.empty()) {
      write_json_report(req, results, counts, source.planned(), stopped_by, wall_s);
    }
    if (!req.junit_path.empty()) {
      write_junit_report(req, results, source.planned() - results.size(), wall_s);
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  }
  return sweep_exit_code(results);
}

namespace {

// A week: a sweep budget beyond it is a typo, not a plan.
constexpr double kTimeBudgetSecondsMax = 7 * 24 * 3600;

class SweepCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "sweep", "Run a scenario over many seeds, each in its own process, and summarise them");
    cmd->add_option("FILE", req_.path, "scenario file (.json)")->required();
    cmd->add_option("--seeds", seeds_, "seeds A..B, inclusive (default 1..100)");
    cmd->add_option("--jobs", req_.jobs, "seeds run at a time (default 2)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--shard", shard_, "run only shard K of N (K/N), for CI matrices");
    cmd->add_option("--json", req_.json_path, "write every seed's outcome to FILE");
    cmd->add_option("--junit", req_.junit_path, "write JUnit XML to FILE: one testcase per seed");
    cmd->add_option("--time-budget", req_.time_budget_s,
                    "start no seed after S seconds; the summary says how many ran")
        ->check(CLI::Range(0.0, kTimeBudgetSecondsMax));
    cmd->add_option("--max-failures", req_.failures_max,
                    "start no seed once N seeds have failed (default 0: no limit)")
        ->check(whole_number_flag());
    cmd->add_option("--recheck-every", req_.recheck_every,
                    "run every K-th seed twice and compare event-log hashes (0: never)")
        ->check(CLI::Range(uint32_t{0}, UINT32_MAX))
        ->capture_default_str();
    cmd->add_option("--failures", req_.failures_dir,
                    "write a replay scenario for each failing seed into DIR")
        ->capture_default_str();
    return cmd;
  }
  int run() override {
    for (const std::string& error : {parse_seed_range(seeds_, &req_), parse_shard(shard_, &req_)}) {
      if (!error.empty()) return bad_flag("sweep", error);
    }
    return run_sweep(req_);
  }

 private:
  SweepRequest req_;
  std::string seeds_ = "1..100";
  std::string shard_ = "1/1";
};

}  // namespace

std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }

}  // namespace treedoc::sim
