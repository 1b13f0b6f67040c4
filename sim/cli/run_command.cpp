// `treedoc-sim run`: one simulation, its human summary, summary.json, and --check-determinism,
// which runs the scenario twice in child processes and names the first event where they differ.
#include "sim/cli/run_command.hpp"

#include "sim/cli/command.hpp"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/base/parent_folders.hpp"
#include "sim/cli/bundled_file.hpp"
#include "sim/cli/child_run.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/report/run_figures.hpp"
#include "sim/report/run_report.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/trace/trace_schema.hpp"
#include "sim/world/event_log.hpp"
#include "sim/world/event_schema.hpp"

namespace treedoc::sim {

namespace {

int check_determinism(const RunRequest& req, uint64_t seed) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("treedoc-determinism-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string logs[2];
  int codes[2];
  for (int k = 0; k < 2; ++k) {
    logs[k] = (dir / ("run" + std::to_string(k + 1) + ".events")).string();
    codes[k] = wait_exit_code(spawn_self({"treedoc-sim", "run", req.path, "--seed",
                                          std::to_string(seed), "--quiet", "--event-log", logs[k]},
                                         "", ""));
  }
  std::ifstream a(logs[0]), b(logs[1]);
  std::string la, lb;
  uint64_t line = 0;
  bool differ = false;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(a, la));
    const bool gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    ++line;
    if (ga != gb || la != lb) {
      differ = true;
      std::printf("determinism FAILED: the runs first differ at event %" PRIu64
                  ":\n  run 1: %s\n  run 2: %s\n",
                  line, ga ? la.c_str() : "(ended)", gb ? lb.c_str() : "(ended)");
      break;
    }
  }
  std::filesystem::remove_all(dir);
  for (int k = 0; k < 2; ++k) {
    if (codes[k] == -1) {
      std::fprintf(stderr, "treedoc-sim: --check-determinism could not start run %d\n", k + 1);
      return kExitSafetyViolation;
    }
    if (codes[k] < -1) {
      std::printf(
          "determinism: run %d was killed by signal %d (an assertion failed?)\n  reproduce "
          "with: treedoc-sim run %s --seed %" PRIu64 "\n",
          k + 1, -codes[k], req.path.c_str(), seed);
      return kExitSafetyViolation;
    }
  }
  if (differ || codes[0] != codes[1]) {
    if (!differ) std::printf("determinism FAILED: exit codes %d and %d\n", codes[0], codes[1]);
    std::printf("  reproduce with: treedoc-sim run %s --seed %" PRIu64 " --check-determinism\n",
                req.path.c_str(), seed);
    return kExitSafetyViolation;
  }
  std::printf("determinism OK: two runs in separate processes logged %" PRIu64
              " identical events (exit code %d)\n",
              line, codes[0]);
  return kExitPass;
}

// The Python that has Debian's matplotlib: $TREEDOC_PYTHON, else /usr/bin/python3 (a pyenv or venv
// python3 first in PATH usually lacks it), else python3 from PATH.
std::string python_interpreter() {
  const char* chosen = std::getenv("TREEDOC_PYTHON");
  if (chosen && *chosen) return chosen;
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

// --report: draws the figures and report.html with analysis/plot.py. A missing Python or
// matplotlib is reported, but it does not change the run's verdict or exit code.
void write_report(const RunRequest& req) {
  const std::string python = python_interpreter();
  const std::filesystem::path script = bundled_file("analysis/plot.py");
  std::fflush(stdout);
  const int code = wait_exit_code(
      spawn_program(python, {python, script.string(), req.out_dir, "--events", req.event_log_path,
                             "--scenario", req.path, "--quiet"}));
  const std::string report = (std::filesystem::path(req.out_dir) / "report.html").string();
  constexpr int kPlotMatplotlibMissing = 4;  // analysis/plot.py's exit codes
  constexpr int kPlotSchemaMismatch = 5;
  if (code == 0) {
    std::printf("report: %s\n", report.c_str());
  } else if (code == kPlotSchemaMismatch) {
    std::printf(
        "report: not written: the event log's schema is not what analysis/ reads (its "
        "message above says what differs)\n");
  } else if (code == kPlotMatplotlibMissing) {
    std::printf("report: not written: %s has no matplotlib (install Debian's python3-matplotlib)\n",
                python.c_str());
  } else if (code == -1 || code == 127) {
    std::printf(
        "report: not written: cannot run %s (install Debian's python3, or set "
        "TREEDOC_PYTHON)\n",
        python.c_str());
  } else {
    std::printf("report: not written: %s %s exited with %d\n", python.c_str(),
                script.string().c_str(), code);
  }
}

// Every figure of the registry (sim/scenario/figure.hpp) by name, flat: the columns of a sweep's
// rows, so a figure added there shows up in them without another change.
nlohmann::json figures_json(const RunResult& result) {
  const FigureValues values = figure_values(result);
  nlohmann::json figures = nlohmann::json::object();
  for (size_t k = 0; k < kFigures.size(); ++k) figures[kFigures.name_at(k)] = values[k];
  return figures;
}

// Opens a log for writing (its folder made first) and writes its schema beside it
// (schema_path_beside): analysis/ and explain read names from there, not C++ enum order. Null,
// with the reason and `flag` on stderr, when either cannot be written.
std::FILE* open_log_with_schema(const std::string& path, const char* flag,
                                const nlohmann::json& schema) {
  make_parent_folders(path);
  std::FILE* log = std::fopen(path.c_str(), "w");
  if (!log) {
    std::fprintf(stderr, "treedoc-sim: %s: %s: cannot write the file\n", path.c_str(), flag);
    return nullptr;
  }
  const std::string schema_path = schema_path_beside(path);
  std::ofstream out(schema_path);
  out << schema.dump(2) << "\n";
  if (!out) {
    std::fclose(log);
    std::fprintf(stderr, "treedoc-sim: %s: %s: cannot write the schema\n", schema_path.c_str(),
                 flag);
    return nullptr;
  }
  return log;
}

// The files a run writes as it goes, closed however it ends.
struct RunFiles {
  std::FILE* events = nullptr;
  std::FILE* trace = nullptr;
  ~RunFiles() {
    if (events) std::fclose(events);
    if (trace) std::fclose(trace);
  }
};

}  // namespace

int run_run(const RunRequest& req) {
  Scenario scenario;
  try {
    scenario = load_scenario(req.path, req.seed);  // a swarm file is drawn for the run's seed
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  }
  const uint64_t seed = req.seed.value_or(scenario.seed);
  if (req.check_determinism) return check_determinism(req, seed);

  RunOptions options;
  options.seed = seed;
  options.out_dir = req.out_dir;
  options.progress = !req.quiet && isatty(STDERR_FILENO);
  RunRequest with_report = req;
  if (req.report && req.event_log_path.empty()) {
    with_report.event_log_path = (std::filesystem::path(req.out_dir) / "events.log").string();
  }
  RunFiles files;
  if (!with_report.event_log_path.empty()) {
    files.events = options.event_text =
        open_log_with_schema(with_report.event_log_path, "--event-log", event_schema());
    if (!files.events) return kExitBadInput;
  }
  if (req.trace || req.report) {
    const std::string trace_path = (std::filesystem::path(req.out_dir) / "trace.jsonl").string();
    files.trace = options.trace = open_log_with_schema(trace_path, "--trace", trace_schema());
    if (!files.trace) return kExitBadInput;
  }
  RunResult result;
  try {
    result = run_simulation(scenario, options);
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  }

  nlohmann::json report = run_report(scenario, seed, result);
  report["figures"] = figures_json(result);
  if (!req.quiet) std::fputs(run_report_text(report).c_str(), stdout);
  std::fputs(run_verdict_text(report).c_str(), stdout);
  std::printf("event-log hash: %s\n", hash_hex(result.event_hash).c_str());
  if (!req.out_dir.empty()) {
    const std::string path = (std::filesystem::path(req.out_dir) / "summary.json").string();
    std::ofstream out(path);
    out << report.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "treedoc-sim: %s: --out: cannot write the summary\n", path.c_str());
      return kExitBadInput;
    }
  }
  if (req.report) {
    // The report's scripts read the event log and trace whole: flush them first.
    if (files.events) std::fflush(files.events);
    if (files.trace) std::fflush(files.trace);
    write_report(with_report);
  }
  if (!result.violation) return kExitPass;
  return result.violation->liveness() ? kExitLivenessFailure : kExitSafetyViolation;
}

namespace {

class RunCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "run", "Run a scenario (docs/scenarios.md) under its faults and check every invariant");
    cmd->add_option(
        "FILE", req_.path,
        std::string("scenario file (.json); default: the quick start, ") + kDefaultScenario);
    seed_ = cmd->add_option("--seed", seed_value_,
                            "seed of every random choice (default: the scenario's)")
                ->check(whole_number_flag());
    CLI::Option* out =
        cmd->add_option("--out", req_.out_dir, "write metrics.jsonl and summary.json into DIR");
    cmd->add_flag("--quiet", req_.quiet, "print only the verdict and the event-log hash");
    CLI::Option* determinism =
        cmd->add_flag("--check-determinism", req_.check_determinism,
                      "run twice in separate processes and name the first diverging event");
    cmd->add_option("--event-log", req_.event_log_path,
                    "write every event as a line to FILE, and its schema to FILE's name with "
                    ".schema.json");
    cmd->add_flag("--report", req_.report,
                  "also write DIR/events.log, the figures and DIR/report.html (analysis/plot.py)")
        ->needs(out)
        ->excludes(determinism);
    cmd->add_flag("--trace", req_.trace,
                  "also write DIR/trace.jsonl, every event as a JSON line with named fields, and "
                  "its schema DIR/trace.schema.json (what treedoc-sim explain reads)")
        ->needs(out)
        ->excludes(determinism);
    return cmd;
  }
  int run() override {
    if (seed_->count() > 0) req_.seed = seed_value_;
    if (req_.path.empty()) req_.path = bundled_file(kDefaultScenario).string();
    return run_run(req_);
  }

 private:
  RunRequest req_;
  uint64_t seed_value_ = 0;
  CLI::Option* seed_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }

}  // namespace treedoc::sim
