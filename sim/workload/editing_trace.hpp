// Loading of real editing traces (josephg/editing-traces formats), plain or gzipped JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace treedoc::sim {

// One edit: at code-point offset `position`, delete `delete_count` code points, then insert `text`.
struct TracePatch {
  uint64_t position = 0;
  uint64_t delete_count = 0;
  std::string text;  // UTF-8 as found in the file
};

struct TraceTransaction {
  std::vector<TracePatch> patches;
  // Concurrent traces only: indices of earlier transactions this one was made on top of, and the
  // agent (0-based) that made it. Sequential traces leave them empty / 0.
  std::vector<uint32_t> parents;
  uint32_t agent = 0;
};

struct EditingTrace {
  bool concurrent = false;    // true for {kind: "concurrent", ...}
  uint32_t agent_count = 1;   // numAgents for concurrent traces, 1 otherwise
  std::string start_content;  // "" for concurrent traces
  std::string end_content;
  std::vector<TraceTransaction> transactions;

  uint64_t patch_count() const;
};

// Reads `path` (.json or .json.gz, detected by the gzip magic bytes, not the name) and validates
// its shape completely. Throws InputError (sim/input_error.hpp) naming the file, the JSON path and
// what was expected for: a missing or unreadable file, a truncated or corrupt gzip stream, text
// that is not JSON, a wrong shape (missing or mistyped fields), parents that do not point to
// earlier transactions, agents outside [0, numAgents), and positions or delete counts that fall
// outside the document when the trace is a sequential one (checked by tracking the document length
// in code points while validating). It never crashes on bad input.
EditingTrace load_editing_trace(const std::string& path);

}  // namespace treedoc::sim
