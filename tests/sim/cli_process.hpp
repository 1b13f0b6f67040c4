// Runs the treedoc-sim executable as a child process and captures its exit code and output, the
// way users and CI see it.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace treedoc::test {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

inline CliRun run_cli_capture(const std::string& args) {
  const std::string command = std::string(TREEDOC_CLI_PATH) + " " + args + " 2>&1";
  CliRun r;
  std::FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The 16-hex-digit hash after "event-log hash: ", or "" when the output has none.
inline std::string event_log_hash(const std::string& out) {
  const std::string key = "event-log hash: ";
  const size_t at = out.find(key);
  return at == std::string::npos ? "" : out.substr(at + key.size(), 16);
}

inline std::string source_path(const std::string& relative) {
  return std::string(TREEDOC_SOURCE_DIR) + "/" + relative;
}

}  // namespace treedoc::test
