// treedoc-sim command line: parses flags with CLI11 and dispatches to one command per subcommand.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <map>

#include "sim/base/exit_code.hpp"
#include "sim/cli/replay_trace_command.hpp"
#include "sim/cli/run_command.hpp"
#include "sim/cli/shrink_command.hpp"
#include "sim/cli/sweep_command.hpp"
#include "sim/cli/validate_command.hpp"

namespace {

constexpr uint64_t kFlattenEveryOpsMax = uint64_t{1} << 40;
constexpr uint64_t kSeriesEveryOpsMax = uint64_t{1} << 40;
// A week: a sweep budget beyond it is a typo, not a plan.
constexpr double kTimeBudgetSecondsMax = 7 * 24 * 3600;

// CLI11 wraps "-1" and saturates 2^64 into a uint64_t; a seed must be exactly what was typed.
const CLI::Validator kWholeNumber(
    [](std::string& text) -> std::string {
      uint64_t value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size()) {
        return "expected a whole number from 0 to 18446744073709551615, found " + text;
      }
      return "";
    },
    "UINT64");

}  // namespace

int main(int argc, char** argv) {
  using namespace treedoc::sim;
  CLI::App app{"treedoc-sim: the Treedoc CRDT and its large-scale protocol under faults"};
  app.require_subcommand(1);

  ReplayTraceRequest replay;
  std::string atoms = "char";
  auto* replay_cmd = app.add_subcommand(
      "replay-trace", "Replay a real editing trace and check it ends at its endContent");
  replay_cmd->add_option("FILE", replay.path, "trace file (.json or .json.gz)")->required();
  replay_cmd->add_option("--atoms", atoms, "atom granularity")
      ->check(CLI::IsMember({"char", "word", "line"}));
  replay_cmd
      ->add_option("--flatten-every", replay.options.flatten_every_ops,
                   "flatten after every N ops (0: never)")
      ->check(CLI::Range(uint64_t{0}, kFlattenEveryOpsMax));
  replay_cmd->add_flag("--mini-child", replay.options.document.mini_child,
                       "attach new atoms to the mini-node (RR-7506's variant)");
  replay_cmd->add_flag("--json", replay.json, "print one JSON object instead of the summary");
  auto* series_opt = replay_cmd->add_option(
      "--series", replay.series_path,
      "write the tree every N ops and at each flatten as JSON lines to FILE (docs/SECTION3.md)");
  replay_cmd->add_option("--series-every", replay.series_every_ops, "sample the series every N ops")
      ->check(CLI::Range(uint64_t{1}, kSeriesEveryOpsMax))
      ->needs(series_opt)
      ->capture_default_str();

  RunRequest run;
  uint64_t seed = 0;
  auto* run_cmd = app.add_subcommand(
      "run", "Run a scenario (docs/scenarios.md) under its faults and check every invariant");
  run_cmd->add_option("FILE", run.path, "scenario file (.json)")->required();
  auto* seed_opt =
      run_cmd->add_option("--seed", seed, "seed of every random choice (default: the scenario's)")
          ->check(kWholeNumber);
  auto* out_opt =
      run_cmd->add_option("--out", run.out_dir, "write metrics.jsonl and summary.json into DIR");
  run_cmd->add_flag("--quiet", run.quiet, "print only the verdict and the event-log hash");
  auto* determinism_flag =
      run_cmd->add_flag("--check-determinism", run.check_determinism,
                        "run twice in separate processes and name the first diverging event");
  run_cmd->add_option("--event-log", run.event_log_path, "write every event as a line to FILE");
  run_cmd
      ->add_flag("--report", run.report,
                 "also write DIR/events.log, the figures and DIR/report.html (analysis/plot.py)")
      ->needs(out_opt)
      ->excludes(determinism_flag);

  SweepRequest sweep;
  std::string seed_range = "1..100", shard = "1/1";
  auto* sweep_cmd = app.add_subcommand(
      "sweep", "Run a scenario over many seeds, each in its own process, and summarise them");
  sweep_cmd->add_option("FILE", sweep.path, "scenario file (.json)")->required();
  sweep_cmd->add_option("--seeds", seed_range, "seeds A..B, inclusive (default 1..100)");
  sweep_cmd->add_option("--jobs", sweep.jobs, "seeds run at a time (default 2)")
      ->check(CLI::Range(1, 256));
  sweep_cmd->add_option("--shard", shard, "run only shard K of N (K/N), for CI matrices");
  sweep_cmd->add_option("--json", sweep.json_path, "write every seed's outcome to FILE");
  sweep_cmd->add_option("--junit", sweep.junit_path,
                        "write JUnit XML to FILE: one testcase per seed");
  sweep_cmd
      ->add_option("--time-budget", sweep.time_budget_s,
                   "start no seed after S seconds; the summary says how many ran")
      ->check(CLI::Range(0.0, kTimeBudgetSecondsMax));
  sweep_cmd
      ->add_option("--max-failures", sweep.failures_max,
                   "start no seed once N seeds have failed (default 0: no limit)")
      ->check(kWholeNumber);
  sweep_cmd
      ->add_option("--recheck-every", sweep.recheck_every,
                   "run every K-th seed twice and compare event-log hashes (0: never)")
      ->check(CLI::Range(uint32_t{0}, UINT32_MAX))
      ->capture_default_str();
  sweep_cmd
      ->add_option("--failures", sweep.failures_dir,
                   "write a replay scenario for each failing seed into DIR")
      ->capture_default_str();

  ShrinkRequest shrink;
  auto* shrink_cmd = app.add_subcommand(
      "shrink", "Shrink a failing scenario to a smaller one that breaks the same invariant");
  shrink_cmd->add_option("FILE", shrink.path, "failing scenario file (.json)")->required();
  shrink_cmd->add_option("--out", shrink.out_path,
                         "write the smallest failing scenario to FILE (default: FILE.shrunk.json)");
  shrink_cmd->add_option("--attempts", shrink.attempts_max, "candidate runs at most")
      ->check(CLI::Range(uint32_t{1}, kShrinkAttemptsMax))
      ->capture_default_str();

  std::string scenario_path;
  auto* validate_cmd = app.add_subcommand(
      "validate", "Check a scenario file (docs/scenarios.md) and summarise it in one line");
  validate_cmd->add_option("FILE", scenario_path, "scenario file (.json)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "treedoc-sim: " << e.what() << " (see treedoc-sim --help)\n";
    return kExitBadInput;
  }

  if (replay_cmd->parsed()) {
    static const std::map<std::string, AtomGranularity> kAtoms = {{"char", AtomGranularity::kChar},
                                                                  {"word", AtomGranularity::kWord},
                                                                  {"line", AtomGranularity::kLine}};
    replay.options.atoms = kAtoms.at(atoms);
    return run_replay_trace(replay);
  }
  if (validate_cmd->parsed()) return run_validate(scenario_path);
  if (shrink_cmd->parsed()) return run_shrink(shrink);
  if (sweep_cmd->parsed()) {
    for (const std::string& error :
         {parse_seed_range(seed_range, &sweep), parse_shard(shard, &sweep)}) {
      if (!error.empty()) {
        std::cerr << "treedoc-sim: " << error << " (see treedoc-sim sweep --help)\n";
        return kExitBadInput;
      }
    }
    return run_sweep(sweep);
  }
  if (run_cmd->parsed()) {
    if (seed_opt->count() > 0) run.seed = seed;
    return run_run(run);
  }
  return kExitBadInput;
}
