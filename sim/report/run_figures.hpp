// Each figure of the registry (sim/scenario/figure.hpp) read off a run's result: the values
// checker.expect bounds, the same numbers summary.json shows under the same names.
#pragma once

#include "sim/report/run_result.hpp"
#include "sim/scenario/figure.hpp"

namespace treedoc::sim {

uint64_t figure_value(const RunResult& r, Figure f);
FigureValues figure_values(const RunResult& r);

}  // namespace treedoc::sim
