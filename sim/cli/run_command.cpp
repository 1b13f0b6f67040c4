// `treedoc-sim run`: one simulation, its human summary, summary.json, and --check-determinism,
// which runs the scenario twice in child processes and names the first event where they differ.
#include "sim/cli/run_command.hpp"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/cli/child_run.hpp"
#include "sim/world/event_log.hpp"
#include "sim/world/event_schema.hpp"
#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/report/membership_report.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/engine/simulation.hpp"

namespace treedoc::sim {

namespace {

double seconds(TimeUs t) { return static_cast<double>(t) / 1e6; }

// A host duration for the summary: "850 ns", "1.9 us", "12.3 ms".
std::string duration_text(double ns) {
  char buf[32];
  if (ns < 1e3) {
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  } else if (ns < 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f us", ns / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f ms", ns / 1e6);
  }
  return buf;
}

std::string reproduce_command(const RunRequest& r, uint64_t seed) {
  return "treedoc-sim run " + r.path + " --seed " + std::to_string(seed);
}

std::string site_list(const Scenario& s, const std::vector<SiteIndex>& sites) {
  std::string out;
  for (SiteIndex i : sites) out += (out.empty() ? "" : ", ") + site_name(s.topology, i);
  return out.empty() ? "-" : out;
}

nlohmann::json summary_json(const Scenario& s, uint64_t seed, const RunResult& r) {
  nlohmann::json j = {
      {"scenario", s.file},
      {"description", s.description},
      {"seed", seed},
      {"sites", s.topology.site_count()},
      {"core", s.topology.core},
      {"nebula", s.topology.nebula},
      {"result",
       r.violation ? (r.violation->liveness() ? "liveness-failure" : "safety-violation") : "pass"},
      {"event_log_hash", hash_hex(r.event_hash)},
      {"events", r.events},
      {"end_s", seconds(r.end_us)},
      {"ops_made", r.totals.ops_made},
      {"ops_applied", r.totals.ops_applied},
      {"msgs_sent", r.totals.msgs_sent},
      {"bytes_sent", r.totals.bytes_sent},
      {"msgs_received", r.totals.msgs_received},
      {"msgs_dropped", r.totals.msgs_dropped},
      {"msgs_duplicated", r.totals.msgs_duplicated},
      {"wrong_epoch", r.totals.wrong_epoch},
      {"crashes", r.crashes},
      {"restarts", r.restarts},
      {"convergence_checks", r.convergence_checks},
      {"state_comparisons", r.state_comparisons},
      {"final_atoms", r.final_atoms},
      {"final_tombstone_ratio", r.final_tombstone_ratio},
      {"final_tid_bytes_mean", r.final_tid_bytes_mean},
      {"replica_memory_bytes", r.replica_memory_bytes},
      {"wall_s", r.wall_s},
      {"deliveries_per_wall_s",
       r.wall_s > 0 ? static_cast<double>(r.totals.msgs_received) / r.wall_s : 0.0},
  };
  if (r.converged_at_us) j["converged_at_s"] = seconds(*r.converged_at_us);
  nlohmann::json probes = nlohmann::json::object();
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    probes[std::string(site::kProbes.name_at(k))] = r.probes.fired[k];
  }
  j["probes"] = probes;
  const FlattenStats& f = r.flatten;
  nlohmann::json aborts = nlohmann::json::object();
  for (size_t k = 1; k < f.aborts_by_reason.size(); ++k) {
    aborts[site::to_string(static_cast<site::AbortReason>(k))] = f.aborts_by_reason[k];
  }
  nlohmann::json epochs = nlohmann::json::array();
  for (const FlattenStats::EpochStart& e : f.epochs) {
    nlohmann::json ej = {{"epoch", e.epoch}, {"at_s", seconds(e.at_us)}, {"txid", e.txid}};
    if (e.before && e.after) {
      ej["atoms"] = e.after->live;
      ej["tree_nodes_before"] = e.before->majors + e.before->minis;
      ej["tree_nodes_after"] = e.after->majors + e.after->minis;
      ej["tombstones_before"] = e.before->dead;
      ej["tid_bytes_mean_before"] = e.before->tid_bytes_mean;
      ej["tid_bytes_mean_after"] = e.after->tid_bytes_mean;
    }
    epochs.push_back(std::move(ej));
  }
  j["flatten"] = {
      {"policy", s.protocol.flatten.kind == site::FlattenPolicy::Kind::kNever ? "never" : "on"},
      {"attempts", f.attempts},
      {"commits", f.commits},
      {"aborts", f.attempts - f.commits},
      {"aborts_by_reason", aborts},
      {"epochs", epochs},
      {"final_epoch", r.final_epoch},
      {"ops_translated", f.ops_translated},
      {"catch_ups", f.catch_ups},
      {"catch_up_ms_mean", f.catch_ups ? static_cast<double>(f.catch_up_us_total) /
                                             static_cast<double>(f.catch_ups) / 1e3
                                       : 0.0},
      {"catch_up_ms_max", static_cast<double>(f.catch_up_us_max) / 1e3},
      {"lost_by_policy", f.lost_by_policy}};
  if (has_membership_steps(r)) j["membership"] = membership_json(s, r);
  // Host time, measured: it varies from run to run and is not in the event-log hash.
  const ApplyTimeStats& a = r.apply_time;
  j["host"] = {{"apply_ns_per_op_mean", a.mean_ns()},
               {"apply_ns_per_op_p50", a.quantile_ns(0.5)},
               {"apply_ns_per_op_p99", a.quantile_ns(0.99)},
               {"ops_timed", a.ops},
               {"calls_timed", a.calls}};
  if (r.violation) {
    std::vector<std::string> ops;
    for (const OpId& id : r.violation->ops) ops.push_back(op_name(s.topology, id));
    std::vector<std::string> sites;
    for (SiteIndex i : r.violation->sites) sites.push_back(site_name(s.topology, i));
    j["violation"] = {{"invariant", r.violation->name()},
                      {"at_s", seconds(r.violation->at_us)},
                      {"sites", sites},
                      {"ops", ops},
                      {"detail", r.violation->detail}};
  }
  return j;
}

void print_summary(const Scenario& s, uint64_t seed, const RunResult& r) {
  const SiteCounters& t = r.totals;
  std::printf("scenario  %s: %s\n", s.file.c_str(), s.description.c_str());
  std::printf("sites     %u (%u core, %u nebula); seed %" PRIu64 "\n", s.topology.site_count(),
              s.topology.core, s.topology.nebula, seed);
  std::printf("time      %.1f s simulated (safety phase %.1f s) in %.2f s wall\n",
              seconds(r.end_us), seconds(s.phases.safety_us), r.wall_s);
  std::printf("ops       %" PRIu64 " made, %" PRIu64 " applied across sites\n", t.ops_made,
              t.ops_applied);
  std::printf("messages  %" PRIu64 " sent (%.1f MiB), %" PRIu64 " delivered, %" PRIu64
              " dropped, %" PRIu64 " duplicated; %.0f deliveries per wall second\n",
              t.msgs_sent, static_cast<double>(t.bytes_sent) / (1 << 20), t.msgs_received,
              t.msgs_dropped, t.msgs_duplicated,
              r.wall_s > 0 ? static_cast<double>(t.msgs_received) / r.wall_s : 0.0);
  std::printf("faults    %" PRIu64 " crashes, %" PRIu64 " restarts, %zu scheduled faults\n",
              r.crashes, r.restarts, s.faults.size());
  std::printf("document  %" PRIu64
              " atoms, %.1f%% tombstones, %.1f B mean TID; %.1f MiB in all replicas\n",
              r.final_atoms, 100 * r.final_tombstone_ratio, r.final_tid_bytes_mean,
              static_cast<double>(r.replica_memory_bytes) / (1 << 20));
  const FlattenStats& f = r.flatten;
  if (s.protocol.flatten.kind != site::FlattenPolicy::Kind::kNever || f.attempts > 0) {
    std::string aborts;
    for (size_t k = 1; k < f.aborts_by_reason.size(); ++k) {
      if (f.aborts_by_reason[k] == 0) continue;
      aborts += (aborts.empty() ? "" : ", ") + std::to_string(f.aborts_by_reason[k]) + " " +
                site::to_string(static_cast<site::AbortReason>(k));
    }
    std::printf("flatten   %" PRIu64 " attempts: %" PRIu64 " committed, %" PRIu64
                " aborted%s%s%s; final epoch %" PRIu64 "\n",
                f.attempts, f.commits, f.attempts - f.commits, aborts.empty() ? "" : " (",
                aborts.c_str(), aborts.empty() ? "" : ")", r.final_epoch);
    std::printf("epochs    %" PRIu64 " ops translated; %" PRIu64
                " catch-ups (mean %.1f ms, max %.1f ms); %" PRIu64 " ops lost by policy\n",
                f.ops_translated, f.catch_ups,
                f.catch_ups ? static_cast<double>(f.catch_up_us_total) /
                                  static_cast<double>(f.catch_ups) / 1e3
                            : 0.0,
                static_cast<double>(f.catch_up_us_max) / 1e3, f.lost_by_policy);
  }
  if (has_membership_steps(r)) print_membership(s, r);
  if (r.apply_time.ops > 0) {
    const ApplyTimeStats& a = r.apply_time;
    std::printf("host      apply %s per op mean (p50 %s, p99 %s) over %" PRIu64
                " ops; host time, not in the event-log hash\n",
                duration_text(a.mean_ns()).c_str(), duration_text(a.quantile_ns(0.5)).c_str(),
                duration_text(a.quantile_ns(0.99)).c_str(), a.ops);
  }
  std::printf("checker   %" PRIu64 " convergence checks, %" PRIu64 " state comparisons\n",
              r.convergence_checks, r.state_comparisons);
  std::string fired;
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    if (r.probes.fired[k] == 0) continue;
    fired += (fired.empty() ? "" : ", ") + std::string(site::kProbes.name_at(k)) + " " +
             std::to_string(r.probes.fired[k]);
  }
  std::printf("probes    %s\n", fired.empty() ? "none fired" : fired.c_str());
  if (has_membership_steps(r)) {
    std::printf("\nwhat happened: %s\n\n", membership_story(s, r).c_str());
  }
}

void print_violation(const Scenario& s, const RunRequest& req, uint64_t seed, const Violation& v) {
  std::printf("%s %s at t=%.6f s: %s\n", v.liveness() ? "LIVENESS FAILURE" : "VIOLATION",
              v.name(), seconds(v.at_us), v.detail.c_str());
  std::printf("  seed %" PRIu64 ", sites %s", seed, site_list(s, v.sites).c_str());
  if (!v.ops.empty()) {
    std::string ops;
    for (const OpId& id : v.ops) ops += (ops.empty() ? "" : ", ") + op_name(s.topology, id);
    std::printf(", ops %s", ops.c_str());
  }
  std::printf("\n  reproduce with: %s\n", reproduce_command(req, seed).c_str());
}

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

// analysis/plot.py in the sources this binary was built from, else beside the build folder.
std::filesystem::path plot_script() {
  const std::filesystem::path built_from = std::filesystem::path(TREEDOC_SOURCE_DIR) / "analysis";
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  for (const std::filesystem::path& dir :
       {built_from, exe.parent_path().parent_path() / "analysis"}) {
    if (std::filesystem::is_regular_file(dir / "plot.py", ec)) return dir / "plot.py";
  }
  return built_from / "plot.py";
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
  const std::filesystem::path script = plot_script();
  std::fflush(stdout);
  const int code = wait_exit_code(
      spawn_program(python, {python, script.string(), req.out_dir, "--events", req.event_log_path,
                             "--scenario", req.path, "--quiet"}));
  const std::string report = (std::filesystem::path(req.out_dir) / "report.html").string();
  constexpr int kPlotMatplotlibMissing = 4;  // analysis/plot.py's exit code
  if (code == 0) {
    std::printf("report: %s\n", report.c_str());
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
    std::error_code ec;
    std::filesystem::create_directories(req.out_dir, ec);  // a failure is reported just below
  }
  const std::string& event_log_path = with_report.event_log_path;
  std::FILE* events = nullptr;
  if (!event_log_path.empty()) {
    events = std::fopen(event_log_path.c_str(), "w");
    if (!events) {
      std::fprintf(stderr, "treedoc-sim: %s: --event-log: cannot write the file\n",
                   event_log_path.c_str());
      return kExitBadInput;
    }
    // Beside the log, what its fields mean: analysis/ reads names from it, not C++ enum order.
    const std::string schema = event_schema_path(event_log_path);
    if (!write_event_schema(schema)) {
      std::fclose(events);
      std::fprintf(stderr, "treedoc-sim: %s: --event-log: cannot write the log's schema\n",
                   schema.c_str());
      return kExitBadInput;
    }
    options.event_text = events;
  }
  RunResult result;
  try {
    result = run_simulation(scenario, options);
  } catch (const InputError& e) {
    if (events) std::fclose(events);
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  }
  if (events) std::fclose(events);

  if (!req.quiet) print_summary(scenario, seed, result);
  if (result.violation) {
    print_violation(scenario, req, seed, *result.violation);
  } else {
    std::printf("result    PASS: every invariant held; converged at t=%.1f s\n",
                seconds(result.converged_at_us.value_or(result.end_us)));
  }
  std::printf("event-log hash: %s\n", hash_hex(result.event_hash).c_str());
  if (!req.out_dir.empty()) {
    const std::string path = (std::filesystem::path(req.out_dir) / "summary.json").string();
    std::ofstream out(path);
    out << summary_json(scenario, seed, result).dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "treedoc-sim: %s: --out: cannot write the summary\n", path.c_str());
      return kExitBadInput;
    }
  }
  if (req.report) write_report(with_report);
  if (!result.violation) return kExitPass;
  return result.violation->liveness() ? kExitLivenessFailure : kExitSafetyViolation;
}

}  // namespace treedoc::sim
