// Sweep reports from the results document: counts, summary lines, JUnit cases and the exit code.
#include "sim/cli/sweep_report.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <set>
#include <vector>

#include "models/site/coverage_probe.hpp"
#include "sim/base/exit_code.hpp"
#include "sim/cli/junit_report.hpp"
#include "sim/cli/sweep_rows.hpp"

namespace treedoc::sim {

namespace {

using nlohmann::json;

// How many of the slowest runs the summary lists.
constexpr size_t kSlowestShown = 5;

bool failed(const json& run) { return run.value("outcome", "") != "pass"; }

bool is_grid(const json& document) { return document["grid"].value("points", uint64_t{1}) > 1; }

// "seed 17", or "point 2 seed 17" in a grid.
std::string run_name(const json& document, const json& run) {
  const std::string seed = "seed " + std::to_string(run.value("seed", uint64_t{0}));
  if (!is_grid(document)) return seed;
  return "point " + std::to_string(run.value("point", uint64_t{0})) + " " + seed;
}

// The lines under a failing run: how to run it again, and its replay file alone.
std::string reproduce_text(const json& run) {
  std::string text = "reproduce with: " + run.value("reproduce", "");
  if (run.value("outcome", "") == "nondeterministic") text += " --check-determinism";
  if (run.contains("replay_file")) {
    text += "\nreplay alone:   treedoc-sim run " + run["replay_file"].get<std::string>();
  }
  return text;
}

std::string verdict_text(const json& run) {
  if (run.value("outcome", "") != "nondeterministic") return run.value("verdict", "");
  const json& again = run["recheck"];
  return "a second run logged other events (exit codes " +
         std::to_string(run.value("exit_code", -1)) + " and " +
         std::to_string(again.value("exit_code", -1)) + ", event-log hashes " +
         run.value("event_log_hash", "") + " and " + again.value("event_log_hash", "") + ")";
}

void print_header_lines(const json& d, uint32_t jobs) {
  const double wall_s = d.value("wall_s", 0.0);
  const uint64_t runs = d["runs"].size();
  const std::string jobs_text = jobs > 0 ? " with " + std::to_string(jobs) + " jobs" : "";
  const json& shard = d["shard"];
  char range[160];
  std::snprintf(range, sizeof range, "%" PRIu64 "..%" PRIu64 ", shard %" PRIu64 "/%" PRIu64,
                d.value("seed_first", uint64_t{0}), d.value("seed_last", uint64_t{0}),
                shard.value("number", uint64_t{1}), shard.value("count", uint64_t{1}));
  const char* unit = is_grid(d) ? "runs" : "seeds";
  std::string what = std::to_string(runs) + " seeds (" + range + ")";
  if (is_grid(d)) {
    what = std::to_string(runs) + " runs: " + std::to_string(d["grid"].value("points", 0)) +
           " points x " + std::to_string(d.value("seeds", 0)) + " seeds (" + range + ")";
  }
  std::printf("sweep     %s: %s in %.1f s%s, %.0f %s per minute\n", d.value("scenario", "").c_str(),
              what.c_str(), wall_s, jobs_text.c_str(),
              wall_s > 0 ? 60.0 * static_cast<double>(runs) / wall_s : 0.0, unit);
  for (const json& axis : d["grid"]["axes"]) {
    std::string values;
    for (const json& v : axis["values"]) values += (values.empty() ? "" : ", ") + v.dump();
    std::printf("grid      %s = %s\n", axis.value("path", "").c_str(), values.c_str());
  }
  if (shard.value("count", uint64_t{1}) > 1) {
    std::printf("shard     %" PRIu64 " of %" PRIu64 " (--shard-index %" PRIu64
                "): a part of the sweep; `treedoc-sim merge` the shards' --json for the whole\n",
                shard.value("number", uint64_t{1}), shard.value("count", uint64_t{1}),
                shard.value("number", uint64_t{1}) - 1);
  }
  const std::string stopped_by = d.value("stopped_by", "");
  if (!stopped_by.empty()) {
    std::printf("stopped   by %s: %zu of %" PRIu64 " %s ran\n", stopped_by.c_str(),
                static_cast<size_t>(runs),
                d.value(is_grid(d) ? "runs_planned" : "seeds_planned", uint64_t{0}), unit);
  }
}

void print_slowest(const json& d) {
  std::vector<const json*> slowest;
  for (const json& r : d["runs"]) slowest.push_back(&r);
  std::stable_sort(slowest.begin(), slowest.end(), [](const json* a, const json* b) {
    return a->value("wall_s", 0.0) > b->value("wall_s", 0.0);
  });
  std::string slow;
  for (size_t k = 0; k < slowest.size() && k < kSlowestShown; ++k) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " (%.2f s)", slowest[k]->value("wall_s", 0.0));
    const std::string name = is_grid(d) ? run_name(d, *slowest[k])
                                        : std::to_string(slowest[k]->value("seed", uint64_t{0}));
    slow += (k ? ", " : "") + name + buf;
  }
  std::printf("slowest   %s\n", slow.c_str());
}

}  // namespace

json sweep_document(const json& header, json runs) {
  std::sort(runs.begin(), runs.end(), run_before);
  json d = header;
  std::set<uint64_t> seeds;
  json counts = json::object();
  for (const char* outcome : kSweepOutcomes) counts[outcome] = 0;
  json probes = json::object();
  for (size_t k = 0; k < site::kProbeCount; ++k) probes[site::kProbes.name_at(k)] = 0;
  for (const json& run : runs) {
    seeds.insert(run.value("seed", uint64_t{0}));
    const std::string outcome = run.value("outcome", "error");
    counts[outcome] = counts.value(outcome, uint64_t{0}) + 1;
    if (!run.contains("probes")) continue;
    for (size_t k = 0; k < site::kProbeCount; ++k) {
      const std::string name = site::kProbes.name_at(k);
      probes[name] = probes[name].get<uint64_t>() + run["probes"].value(name, uint64_t{0});
    }
  }
  d["seeds"] = seeds.size();
  d["run_count"] = runs.size();
  d.update(counts);
  d["runs"] = std::move(runs);
  d["probes"] = std::move(probes);
  return d;
}

json sweep_header_of(const json& document) {
  json header = document;
  for (const char* added : {"seeds", "run_count", "runs", "probes"}) header.erase(added);
  for (const char* outcome : kSweepOutcomes) header.erase(outcome);
  return header;
}

void print_sweep_summary(const json& d, uint32_t jobs) {
  print_header_lines(d, jobs);
  std::printf("outcomes  %" PRIu64 " pass, %" PRIu64 " safety, %" PRIu64 " liveness, %" PRIu64
              " error, %" PRIu64 " nondeterministic\n",
              d.value("pass", uint64_t{0}), d.value("safety", uint64_t{0}),
              d.value("liveness", uint64_t{0}), d.value("error", uint64_t{0}),
              d.value("nondeterministic", uint64_t{0}));
  uint64_t rechecked = 0;
  for (const json& r : d["runs"]) rechecked += r.contains("recheck") ? 1 : 0;
  std::printf("determinism %" PRIu64 " %s run twice, %" PRIu64
              " with another event-log hash or exit code\n",
              rechecked, is_grid(d) ? "runs" : "seeds", d.value("nondeterministic", uint64_t{0}));
  std::string coverage;
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    const std::string name = site::kProbes.name_at(k);
    coverage += (coverage.empty() ? "" : ", ") + name + " " +
                std::to_string(d["probes"].value(name, uint64_t{0}));
  }
  std::printf("probes    %s\n", coverage.c_str());
  print_slowest(d);
  for (const json& r : d["runs"]) {
    if (!failed(r)) continue;
    std::string lines = reproduce_text(r);
    for (size_t at = lines.find('\n'); at != std::string::npos; at = lines.find('\n', at + 1)) {
      lines.insert(at + 1, "  ");
    }
    std::printf("FAILED    %s (%s): %s\n  %s\n", run_name(d, r).c_str(),
                r.value("outcome", "").c_str(), verdict_text(r).c_str(), lines.c_str());
  }
}

bool write_sweep_junit(const std::string& path, const json& d) {
  std::vector<JunitCase> cases;
  for (const json& r : d["runs"]) {
    JunitCase c;
    c.name = run_name(d, r);
    c.time_s = r.value("wall_s", 0.0);
    c.failed = failed(r);
    if (c.failed) {
      c.failure_type = r.value("outcome", "");
      const std::string invariant = r.value("invariant", "");
      c.failure_message = c.failure_type == "nondeterministic" ? "determinism"
                          : !invariant.empty()                 ? invariant
                                                               : r.value("verdict", "");
      c.failure_text = r.value("verdict", "") + "\n" + reproduce_text(r);
    }
    cases.push_back(std::move(c));
  }
  const uint64_t planned = d.value("runs_planned", uint64_t{0});
  const uint64_t ran = d["runs"].size();
  const std::string stem = std::filesystem::path(d.value("scenario", "")).stem().string();
  return write_junit(path, "treedoc-sim sweep " + stem, cases, planned > ran ? planned - ran : 0,
                     d.value("wall_s", 0.0));
}

int sweep_exit_code(const json& d, bool budget_ok) {
  int exit_code = kExitPass;
  for (const json& r : d["runs"]) {
    if (!failed(r)) continue;
    const int code =
        r.value("outcome", "") == "liveness" ? kExitLivenessFailure : kExitSafetyViolation;
    if (exit_code == kExitPass || code < exit_code) exit_code = code;
  }
  if (exit_code != kExitPass) return exit_code;  // a crashed child is as bad as a violation
  const bool cut = d.value("stopped_by", "").rfind(kTimeBudgetFlag, 0) == 0;
  return cut && !budget_ok ? kExitBudgetCut : kExitPass;
}

}  // namespace treedoc::sim
