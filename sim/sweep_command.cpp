// `treedoc-sim sweep`: seeds in child processes, a few at a time; each child writes its
// summary.json, and the parent counts outcomes, probe coverage and the slowest seeds.
#include "sim/sweep_command.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "models/site/coverage_probe.hpp"
#include "sim/exit_code.hpp"
#include "sim/input_error.hpp"
#include "sim/scenario_loader.hpp"

extern char** environ;

namespace treedoc::sim {

namespace {

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
  int exit_code = -1;  // -(signal) when a signal ended the child
  double wall_s = 0;
  std::string verdict;  // the child's first line: PASS or the violation
  nlohmann::json summary;
};

struct Child {
  pid_t pid = 0;
  uint64_t seed = 0;
  std::filesystem::path dir;
  std::chrono::steady_clock::time_point started;
};

Child start_child(const SweepRequest& req, uint64_t seed, const std::filesystem::path& root) {
  Child c;
  c.seed = seed;
  c.dir = root / ("seed-" + std::to_string(seed));
  std::filesystem::create_directories(c.dir);
  const std::string out = (c.dir / "stdout.txt").string();
  std::vector<std::string> args = {"treedoc-sim",        "run",     req.path, "--seed",
                                   std::to_string(seed), "--quiet", "--out",  c.dir.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  c.started = std::chrono::steady_clock::now();
  if (posix_spawn(&c.pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ) != 0)
    c.pid = 0;
  posix_spawn_file_actions_destroy(&actions);
  return c;
}

SeedResult finish_child(const Child& c, int status) {
  SeedResult r;
  r.seed = c.seed;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count();
  r.exit_code = WIFSIGNALED(status) ? -WTERMSIG(status)
                : WIFEXITED(status) ? WEXITSTATUS(status)
                                    : -1;
  std::ifstream out(c.dir / "stdout.txt");
  std::getline(out, r.verdict);
  std::ifstream summary(c.dir / "summary.json");
  if (summary) r.summary = nlohmann::json::parse(summary, nullptr, false);
  std::error_code ignored;
  std::filesystem::remove_all(c.dir, ignored);
  return r;
}

const char* outcome_name(int exit_code) {
  switch (exit_code) {
    case kExitPass: return "pass";
    case kExitSafetyViolation: return "safety";
    case kExitLivenessFailure: return "liveness";
    default: return "error";
  }
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

int run_sweep(const SweepRequest& req) {
  try {
    (void)load_scenario(req.path);  // reject a bad file once, not once per seed
  } catch (const InputError& e) {
    std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
    return kExitBadInput;
  }
  const uint32_t jobs = std::clamp<uint32_t>(req.jobs, 1, kJobsMax);
  std::vector<uint64_t> seeds;
  for (uint64_t s = req.seed_first;; ++s) {
    if ((s - req.seed_first) % req.shard_count == req.shard_index - 1) seeds.push_back(s);
    if (s == req.seed_last) break;
  }
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("treedoc-sweep-" + std::to_string(getpid()));
  const auto started = std::chrono::steady_clock::now();
  std::map<pid_t, Child> running;
  std::vector<SeedResult> results;
  size_t next = 0;
  while (next < seeds.size() || !running.empty()) {
    while (next < seeds.size() && running.size() < jobs) {
      Child c = start_child(req, seeds[next++], root);
      if (c.pid == 0) {
        results.push_back({c.seed, -1, 0, "could not start a child process", {}});
        continue;
      }
      running.emplace(c.pid, c);
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    auto it = running.find(pid);
    if (it == running.end()) continue;
    results.push_back(finish_child(it->second, status));
    running.erase(it);
  }
  std::error_code ignored;
  std::filesystem::remove_all(root, ignored);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::sort(results.begin(), results.end(),
            [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });

  std::map<std::string, uint64_t> counts;
  site::ProbeCounts probes;
  for (const SeedResult& r : results) {
    ++counts[outcome_name(r.exit_code)];
    if (r.summary.is_object() && r.summary.contains("probes")) {
      for (size_t k = 0; k < site::kProbeCount; ++k) {
        probes.fired[k] +=
            r.summary["probes"].value(std::string(site::kProbeNames[k]), uint64_t{0});
      }
    }
  }
  std::printf("sweep     %s: %zu seeds (%" PRIu64 "..%" PRIu64
              ", shard %u/%u) in %.1f s with %u jobs, "
              "%.0f seeds per minute\n",
              req.path.c_str(), results.size(), req.seed_first, req.seed_last, req.shard_index,
              req.shard_count, wall_s, jobs, wall_s > 0 ? 60.0 * results.size() / wall_s : 0.0);
  std::printf("outcomes  %" PRIu64 " pass, %" PRIu64 " safety, %" PRIu64 " liveness, %" PRIu64
              " error\n",
              counts["pass"], counts["safety"], counts["liveness"], counts["error"]);
  std::string coverage;
  for (size_t k = 0; k < site::kProbeCount; ++k) {
    coverage += (coverage.empty() ? "" : ", ") + std::string(site::kProbeNames[k]) + " " +
                std::to_string(probes.fired[k]);
  }
  std::printf("probes    %s\n", coverage.c_str());
  std::vector<SeedResult> slowest = results;
  std::sort(slowest.begin(), slowest.end(),
            [](const SeedResult& a, const SeedResult& b) { return a.wall_s > b.wall_s; });
  std::string slow;
  for (size_t k = 0; k < slowest.size() && k < kSlowestShown; ++k) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%" PRIu64 " (%.2f s)", k ? ", " : "", slowest[k].seed,
                  slowest[k].wall_s);
    slow += buf;
  }
  std::printf("slowest   %s\n", slow.c_str());
  int exit_code = kExitPass;
  for (const SeedResult& r : results) {
    if (r.exit_code == kExitPass) continue;
    std::printf("FAILED    seed %" PRIu64
                " (%s): %s\n  reproduce with: treedoc-sim run %s --seed %" PRIu64 "\n",
                r.seed, outcome_name(r.exit_code), r.verdict.c_str(), req.path.c_str(), r.seed);
    const int code = r.exit_code == kExitSafetyViolation || r.exit_code == kExitLivenessFailure
                         ? r.exit_code
                         : kExitSafetyViolation;  // a crashed child is a bug, as bad as a violation
    if (exit_code == kExitPass || code < exit_code) exit_code = code;
  }
  if (!req.json_path.empty()) {
    nlohmann::json j = {{"scenario", req.path},       {"seeds", results.size()},
                        {"wall_s", wall_s},           {"pass", counts["pass"]},
                        {"safety", counts["safety"]}, {"liveness", counts["liveness"]},
                        {"error", counts["error"]}};
    for (const SeedResult& r : results) {
      j["runs"].push_back(
          {{"seed", r.seed},
           {"outcome", outcome_name(r.exit_code)},
           {"exit_code", r.exit_code},
           {"wall_s", r.wall_s},
           {"verdict", r.verdict},
           {"event_log_hash", r.summary.is_object() ? r.summary.value("event_log_hash", "") : ""}});
    }
    std::ofstream out(req.json_path);
    out << j.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "treedoc-sim: %s: --json: cannot write the file\n",
                   req.json_path.c_str());
      return kExitBadInput;
    }
  }
  return exit_code;
}

}  // namespace treedoc::sim
