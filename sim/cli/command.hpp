// One subcommand of treedoc-sim: it adds itself and its flags to the command line, and runs once
// the line is parsed. main.cpp holds the list; each command lives in its own *_command.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace treedoc::sim {

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its flags to `app`; returns the subcommand.
  virtual CLI::App* add_to(CLI::App& app) = 0;
  // Runs the parsed command; returns the process exit code (sim/base/exit_code.hpp).
  virtual int run() = 0;
};

std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_sweep_command();
std::unique_ptr<Command> make_shrink_command();
std::unique_ptr<Command> make_validate_command();
std::unique_ptr<Command> make_merge_command();
std::unique_ptr<Command> make_explain_command();
std::unique_ptr<Command> make_replay_trace_command();

// CLI11 wraps "-1" and saturates 2^64 into a uint64_t; a seed must be exactly what was typed.
const CLI::Validator& whole_number_flag();

// A flag's bad value, as every command reports it: one line, then exit code 3.
int bad_flag(const std::string& command, const std::string& error);

}  // namespace treedoc::sim
