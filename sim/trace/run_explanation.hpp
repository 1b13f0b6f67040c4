// treedoc-sim explain's text, from a typed trace: for each flatten attempt who proposed it, each
// vote and why, the op that made it fail (following a "prepared for another attempt" no to that
// attempt's own cause), the decision and when each site learned it; for each catch-up its steps;
// for a violation, the events of its causal past that led to it.
#pragma once

#include <string>

#include "sim/trace/trace_reader.hpp"

namespace treedoc::sim {

struct ExplainFilter {
  std::string attempt;  // "c0/3": only that attempt (and no catch-ups); empty: every one
  std::string site;     // "c1": only attempts it took part in, its catch-ups, its causal past
};

// Throws InputError when the filter names an attempt or a site the trace does not have.
std::string explain_run(const RunTrace& trace, const ExplainFilter& filter);

}  // namespace treedoc::sim
