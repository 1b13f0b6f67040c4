// Two parts of treedoc-sim explain: each catch-up with its steps, and a violation with the events
// of its causal past (happened-before, through the messages delivered) that led to it.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/trace/trace_reader.hpp"

namespace treedoc::sim {

// `site` empty: every site's catch-ups; each shows at most `steps_max` steps.
std::string explain_catch_ups(const RunTrace& trace,
                              const std::vector<const nlohmann::json*>& catch_ups,
                              const std::string& site, size_t steps_max);

// The violation, then the last `events_max` events of its causal past (of `site` only, if set).
std::string explain_violation(const RunTrace& trace, const nlohmann::json& violation,
                              const std::string& site, size_t events_max);

}  // namespace treedoc::sim
