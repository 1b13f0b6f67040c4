// The event log's schema as JSON, written beside every event log a run writes: each kind's fields
// with their names and types, and the names of every enum a field holds, in value order, so
// analysis/ reads names from the run itself instead of copying C++ enum order.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace treedoc::sim {

// Bumped whenever a kind, a field or the line format changes meaning.
inline constexpr int kEventSchemaVersion = 1;

nlohmann::json event_schema();

// Where the schema of a log at `log_path` goes, the event log's or the typed trace's: the same name
// with the extension ".schema.json" (events.log -> events.schema.json, trace.jsonl ->
// trace.schema.json).
std::string schema_path_beside(const std::string& log_path);

}  // namespace treedoc::sim
