// The rows of a sweep's results: one per (point, seed), the same in --csv and in --json's "runs":
// which columns there are, in which order, and each row's cells as CSV text.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cli/sweep_grid.hpp"

namespace treedoc::sim {

// Columns of a swarm's drawn values are named by this prefix and the form's JSON path.
inline constexpr const char* kDrawnColumnPrefix = "drawn:";

// Whether `name` is a column every row has: point, seed, outcome, exit_code, invariant,
// event_log_hash, wall_s, or a figure's name (sim/scenario/figure.hpp).
bool is_result_column(const std::string& name);

// The columns, in order: point, the grid's axis paths, seed, outcome, exit_code, invariant,
// event_log_hash, wall_s, every figure of the registry, then "drawn:PATH" for each of
// `drawn_paths` (a swarm's outermost forms).
std::vector<std::string> sweep_columns(const SweepGrid& grid,
                                       const std::vector<std::string>& drawn_paths);

// One run of --json's "runs" as the cells of `columns`: a string as it is, a number or boolean
// as JSON writes it, an object or array as its JSON text, a missing value as "".
std::vector<std::string> row_cells(const nlohmann::json& run,
                                   const std::vector<std::string>& columns);

// Cells as one CSV line (RFC 4180: a cell with a comma, quote or line break is quoted, its quotes
// doubled), ending in "\n".
std::string csv_line(const std::vector<std::string>& cells);

// Orders runs as every sweep file lists them: by point, then seed.
bool run_before(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace treedoc::sim
