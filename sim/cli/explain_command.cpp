// `treedoc-sim explain RUN_DIR`: a run's flatten attempts, catch-ups and violation told from its
// typed trace (run --out RUN_DIR --trace), so "which update aborted flatten c0/16?" needs no C++.
#include <cstdio>
#include <string>

#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/cli/command.hpp"
#include "sim/trace/run_explanation.hpp"
#include "sim/trace/trace_reader.hpp"

namespace treedoc::sim {

namespace {

class ExplainCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "explain",
        "Tell a run from its typed trace: each flatten attempt's votes and the op that made it "
        "fail, each catch-up's steps, a violation's causal past");
    cmd->add_option("RUN_DIR", path_,
                    "a folder written by `run --out RUN_DIR --trace` (or its trace.jsonl)")
        ->required();
    cmd->add_option("--attempt", filter_.attempt,
                    "only this flatten attempt, coordinator/number as the trace names it (c0/3)");
    cmd->add_option("--site", filter_.site,
                    "only the attempts this site took part in, its catch-ups and its part of a "
                    "violation's past (c1, n4)");
    return cmd;
  }
  int run() override {
    try {
      std::fputs(explain_run(read_trace(path_), filter_).c_str(), stdout);
      return kExitPass;
    } catch (const InputError& e) {
      std::fprintf(stderr, "treedoc-sim: %s\n", e.what());
      return kExitBadInput;
    }
  }

 private:
  std::string path_;
  ExplainFilter filter_;
};

}  // namespace

std::unique_ptr<Command> make_explain_command() { return std::make_unique<ExplainCommand>(); }

}  // namespace treedoc::sim
