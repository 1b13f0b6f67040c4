// `treedoc-sim run` in a child process of this executable (SimGrid has one engine per process):
// started, awaited, and read back from its output and summary.json. Sweeps and shrinks use it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// Starts `program` (searched in PATH unless it has a slash) with `args` (args[0] is the program
// name), its stdout and stderr into the files given (an empty path: this process's own). Returns
// its pid, or 0 when it could not start.
pid_t spawn_program(const std::string& program, const std::vector<std::string>& args,
                    const std::string& stdout_path = "", const std::string& stderr_path = "");
// spawn_program() of this very executable.
pid_t spawn_self(const std::vector<std::string>& args, const std::string& stdout_path,
                 const std::string& stderr_path);

// A child's exit status as a command's exit code: its exit code, -(signal) when a signal ended it
// (an assertion aborts with SIGABRT), -1 otherwise.
int exit_code_of(int wait_status);

// Waits for `pid`; returns exit_code_of() its status, or -1 when it cannot be awaited.
int wait_exit_code(pid_t pid);

struct ChildRun {
  int exit_code = -1;  // exit_code_of(); -1 also when the child could not start
  double wall_s = 0;
  // Its first line of stdout, PASS or the violation; when it printed none (bad input, a crash),
  // its own line on stderr.
  std::string verdict;
  nlohmann::json summary;  // its summary.json; null when it wrote none
  // The summary's violation.invariant ("no-resurrection"), or "" when it names none.
  std::string invariant() const;
  // The summary's event_log_hash, or "" when it wrote none.
  std::string event_log_hash() const;
};

// One `treedoc-sim run FILE [--seed S] --quiet --out DIR` child in flight; `dir` is its own.
struct RunningChild {
  pid_t pid = 0;  // 0: it could not start
  std::string dir;
  std::chrono::steady_clock::time_point started;
};

RunningChild start_run_child(const std::string& scenario_path, std::optional<uint64_t> seed,
                             const std::string& dir);
// Reads back what a finished child left (then removes its dir), given exit_code_of() its status.
ChildRun finish_run_child(const RunningChild& child, int exit_code);
// start_run_child(), waited for.
ChildRun run_child_to_end(const std::string& scenario_path, std::optional<uint64_t> seed,
                          const std::string& dir);

}  // namespace treedoc::sim
