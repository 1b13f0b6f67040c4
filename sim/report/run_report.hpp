// The one report of a run: built once as JSON (what summary.json holds), and rendered from that
// JSON as the summary `run` prints, so the two can never disagree.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/report/run_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// Everything the run found: the verdict (with a reproduce command when it failed), the counts,
// the document, the flatten protocol, membership, host time and probes.
nlohmann::json run_report(const Scenario& scenario, uint64_t seed, const RunResult& result);

// The human summary, line by line (docs/analysis.md shows one), from run_report()'s JSON.
std::string run_report_text(const nlohmann::json& report);

// The verdict lines: PASS with the convergence time, or the violation with its time, seed, sites,
// ops and reproduce command.
std::string run_verdict_text(const nlohmann::json& report);

}  // namespace treedoc::sim
