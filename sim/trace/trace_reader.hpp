// Reads a typed trace (trace_writer.hpp) back: its run line, and the records treedoc-sim explain
// needs, checked against the schema as they are read so a file that is not a trace fails with
// the file and line named.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace treedoc::sim {

struct RunTrace {
  std::string path;
  nlohmann::json run;                   // the first line
  std::vector<nlohmann::json> records;  // every later line but timers and heartbeats, in order
};

// Records a trace may hold for explain: past this, it says the trace is too long for it.
inline constexpr size_t kTraceRecordsMax = 2'000'000;
// Bytes of one line at most (a STATE's send is the longest, and stays far below).
inline constexpr size_t kTraceLineBytesMax = 1 << 20;

// Reads `path` (a trace.jsonl, or a run folder holding one). Throws InputError naming the file,
// the line and what was expected.
RunTrace read_trace(const std::string& path);

}  // namespace treedoc::sim
