// Child processes of treedoc-sim: posix_spawn of /proc/self/exe, so a child is exactly this build.
#include "sim/cli/child_run.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

extern char** environ;

namespace treedoc::sim {

pid_t spawn_program(const std::string& program, const std::vector<std::string>& args,
                    const std::string& stdout_path, const std::string& stderr_path) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const auto redirect = [&actions](int fd, const std::string& path) {
    if (path.empty()) return;
    posix_spawn_file_actions_addopen(&actions, fd, path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  };
  redirect(STDOUT_FILENO, stdout_path);
  redirect(STDERR_FILENO, stderr_path);
  pid_t pid = 0;
  if (posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid = 0;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

pid_t spawn_self(const std::vector<std::string>& args, const std::string& stdout_path,
                 const std::string& stderr_path) {
  return spawn_program("/proc/self/exe", args, stdout_path, stderr_path);
}

namespace {

// What a child that printed no verdict said on stderr: our own line ("treedoc-sim: ..." for bad
// input, "treedoc assertion failed: ..."), not the sanitizer runtime's chatter, else its first.
std::string first_error_line(const std::string& dir) {
  std::ifstream errors(std::filesystem::path(dir) / "stderr.txt");
  std::string line, first;
  while (std::getline(errors, line)) {
    if (line.rfind("treedoc", 0) == 0) return line;
    if (first.empty()) first = line;
  }
  return first;
}

}  // namespace

int exit_code_of(int wait_status) {
  if (WIFSIGNALED(wait_status)) return -WTERMSIG(wait_status);
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  if (pid == 0 || waitpid(pid, &status, 0) != pid) return -1;
  return exit_code_of(status);
}

std::string ChildRun::invariant() const {
  if (!summary.is_object() || !summary.contains("violation")) return "";
  return summary["violation"].value("invariant", "");
}

std::string ChildRun::event_log_hash() const {
  return summary.is_object() ? summary.value("event_log_hash", "") : "";
}

RunningChild start_run_child(const std::string& scenario_path, std::optional<uint64_t> seed,
                             const std::string& dir) {
  RunningChild c;
  c.dir = dir;
  std::filesystem::create_directories(dir);
  std::vector<std::string> args = {"treedoc-sim", "run", scenario_path, "--quiet", "--out", dir};
  if (seed) args.insert(args.end(), {"--seed", std::to_string(*seed)});
  c.started = std::chrono::steady_clock::now();
  c.pid = spawn_self(args, (std::filesystem::path(dir) / "stdout.txt").string(),
                     (std::filesystem::path(dir) / "stderr.txt").string());
  return c;
}

ChildRun finish_run_child(const RunningChild& child, int exit_code) {
  ChildRun r;
  r.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - child.started).count();
  r.exit_code = child.pid == 0 ? -1 : exit_code;
  std::ifstream output(std::filesystem::path(child.dir) / "stdout.txt");
  std::getline(output, r.verdict);
  if (r.verdict.empty()) r.verdict = first_error_line(child.dir);
  if (child.pid == 0) r.verdict = "could not start a child process";
  std::ifstream summary(std::filesystem::path(child.dir) / "summary.json");
  if (summary) r.summary = nlohmann::json::parse(summary, nullptr, false);
  if (r.summary.is_discarded()) r.summary = nullptr;
  std::error_code ignored;  // a leftover temp dir is no reason to lose the result
  std::filesystem::remove_all(child.dir, ignored);
  return r;
}

ChildRun run_child_to_end(const std::string& scenario_path, std::optional<uint64_t> seed,
                          const std::string& dir) {
  const RunningChild child = start_run_child(scenario_path, seed, dir);
  return finish_run_child(child, wait_exit_code(child.pid));
}

}  // namespace treedoc::sim
