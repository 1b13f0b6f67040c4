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

// Where the schema of the event log at `log_path` goes: the same name with the extension
// ".schema.json" (events.log -> events.schema.json).
std::string event_schema_path(const std::string& log_path);

// Writes event_schema() to `path`; false when it cannot.
bool write_event_schema(const std::string& path);

}  // namespace treedoc::sim
