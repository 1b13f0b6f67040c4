// treedoc-sim's entry point: one CLI11 line with a subcommand per Command, and --version.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "sim/base/exit_code.hpp"
#include "sim/cli/command.hpp"
#include "sim/cli/version.hpp"

int main(int argc, char** argv) {
  using namespace treedoc::sim;
  CLI::App app{"treedoc-sim: the Treedoc CRDT and its large-scale protocol under faults"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(), "print the version, commit and build");
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_replay_trace_command());
  commands.push_back(make_run_command());
  commands.push_back(make_sweep_command());
  commands.push_back(make_shrink_command());
  commands.push_back(make_validate_command());
  commands.push_back(make_merge_command());
  commands.push_back(make_explain_command());
  std::vector<CLI::App*> parsed_by;
  for (const auto& c : commands) parsed_by.push_back(c->add_to(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "treedoc-sim: " << e.what() << " (see treedoc-sim --help)\n";
    return kExitBadInput;
  }
  for (size_t k = 0; k < commands.size(); ++k) {
    if (parsed_by[k]->parsed()) return commands[k]->run();
  }
  return kExitBadInput;
}
