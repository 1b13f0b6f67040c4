// The typed trace's vocabulary: every record kind a trace.jsonl line can be, with its named
// fields and what each means. The writer (trace_writer.hpp) and treedoc-sim explain take their
// names from here, and the schema file written beside every trace is this table as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace treedoc::sim {

// Bumped whenever a record kind or field changes meaning.
inline constexpr int kTraceSchemaVersion = 1;

// {"version": N, "kinds": {kind: {"what": ..., "fields": {name: meaning}}}}.
const nlohmann::json& trace_schema();

}  // namespace treedoc::sim
