// A sweep's results as one document, the same whether one sweep ran every seed or `merge` joined
// its shards: outcome counts, probe coverage, the printed summary, JUnit XML and the exit code.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace treedoc::sim {

// A run's outcomes, in the order the reports list them.
inline constexpr std::array<const char*, 5> kSweepOutcomes = {"pass", "safety", "liveness", "error",
                                                              "nondeterministic"};

// The --json document: `header` (scenario, scenario_hash, grid, columns, seed range, shard,
// planned counts, stopped_by, budget, wall_s) with `runs` in row order, how many seeds and runs
// ran, a count per outcome, and each probe's firings summed over the runs.
nlohmann::json sweep_document(const nlohmann::json& header, nlohmann::json runs);

// A document without what sweep_document() adds: the header it was made from.
nlohmann::json sweep_header_of(const nlohmann::json& document);

// The human summary on stdout; `jobs` is 0 when the document was merged from shards.
void print_sweep_summary(const nlohmann::json& document, uint32_t jobs);

// JUnit XML, one testcase per run; false when `path` cannot be written.
bool write_sweep_junit(const std::string& path, const nlohmann::json& document);

// 1 when any run broke safety, crashed or was nondeterministic, else 2 when any failed liveness,
// else 4 when --time-budget stopped the sweep (0 with `budget_ok`), else 0.
int sweep_exit_code(const nlohmann::json& document, bool budget_ok);

// The stopped_by text of a sweep cut by its time budget starts with this.
inline constexpr const char* kTimeBudgetFlag = "--time-budget";

}  // namespace treedoc::sim
