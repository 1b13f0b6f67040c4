// Applies a code-point patch (position, delete count, text) to a replica whose atoms are
// characters, words or lines, producing the Treedoc ops a local editor would generate.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "models/treedoc/replica.hpp"
#include "sim/scenario/atom_granularity.hpp"
#include "sim/workload/editing_trace.hpp"

namespace treedoc::sim {

// Splits text into atoms that concatenate back to it: code points, words (a run of non-blanks with
// the blanks after it) or lines (up to and including '\n').
std::vector<std::string_view> split_atoms(std::string_view text, AtomGranularity g);

// Number of UTF-8 code points in `text` (bytes that are not continuation bytes).
uint64_t code_points(std::string_view text);

// Receives each op as it is made. It may keep the op or drop it, and may flatten the replica
// (content is unchanged by a flatten).
using OpSink = std::function<void(Op&&)>;
// How many atoms the next op may hold at most (>= 1): a sink that flattens (or samples) every N
// atoms sees a run end exactly there, so the tree is the per-atom engine's at every flatten. An
// empty RunRoom means 1: single-atom ops, as every op was before runs.
using RunRoom = std::function<uint64_t()>;
// A RunRoom without a bound (runs as long as kRunAtomsMax).
uint64_t unbounded_room();

// Applies `patch` to `replica`, handing every generated op to `emit`. A typed or pasted text is
// one insert run and a deleted range the fewest delete runs (docs/BENCHMARKS.md, "Runs"), each
// at most `room()` atoms; the tree is the one single-atom ops give. Word and line atoms touched
// by the patch are erased and re-inserted as the new text's atoms, as a paragraph editor would.
// Returns false, changing nothing, when the patch falls outside the document.
bool apply_patch(Replica& replica, AtomGranularity g, const TracePatch& patch, const OpSink& emit,
                 const RunRoom& room = {});

}  // namespace treedoc::sim
