// treedoc-sim command line: parses flags with CLI11 and dispatches to one command per subcommand.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "sim/exit_code.hpp"
#include "sim/replay_trace_command.hpp"
#include "sim/validate_command.hpp"

namespace {

constexpr uint64_t kFlattenEveryOpsMax = uint64_t{1} << 40;

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
  return kExitBadInput;
}
