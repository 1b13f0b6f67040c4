// Replays a real editing trace on Treedoc replicas: one replica for a sequential trace, one per
// agent for a concurrent one (merged in causal order as `parents` say), with optional periodic
// flattens.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "models/treedoc/replica.hpp"
#include "sim/workload/editing_trace.hpp"
#include "sim/workload/patch_editor.hpp"

namespace treedoc::sim {

// One point of a replay's series: replica 0's tree once `ops` local ops have been made.
struct SeriesSample {
  uint64_t ops = 0;
  ReplicaStats stats;
  // Host wall time per op over the ops since the previous sample, flattens included, statistics
  // and sampling excluded. A measurement of this machine, never part of a deterministic output.
  double wall_ns_per_op = 0;
};

// One flatten, as replica 0 saw it.
struct FlattenEvent {
  uint64_t ops = 0;  // local ops made when it happened
  ReplicaStats before, after;
  double wall_ms = 0;  // host wall time of the flatten itself
};

// Where a replay reports its series; empty callbacks report nothing. The callbacks' time (and the
// statistics they are given) is kept out of replay_ms and out of wall_ns_per_op.
struct SeriesOptions {
  uint64_t every_ops = 0;  // 0: no samples
  std::function<void(const SeriesSample&)> on_sample;
  std::function<void(const FlattenEvent&)> on_flatten;
};

struct ReplayOptions {
  AtomGranularity atoms = AtomGranularity::kChar;
  uint64_t flatten_every_ops = 0;  // 0: never flatten
  DocumentOptions document;
  SeriesOptions series;
};

// Tree statistics around flattens, averaged (means) or maximised (max) over all flattens.
struct FlattenSizes {
  double tid_bytes_mean_before = 0, tid_bytes_mean_after = 0;
  uint64_t tid_bytes_max_before = 0, tid_bytes_max_after = 0;
  double tombstone_ratio_before = 0;
  uint64_t nodes_before_max = 0;
};

struct ReplayResult {
  bool matches_end_content = false;
  uint64_t first_difference_offset = 0;  // in bytes; meaningful when !matches_end_content
  uint64_t transactions = 0, patches = 0;
  uint64_t ops_local = 0;       // atom ops the edits generated (inserts + erases; a run of n: n)
  uint64_t messages_local = 0;  // ops as made and sent: a run is one (docs/BENCHMARKS.md, "Runs")
  uint64_t ops_remote = 0;      // ops applied from other replicas (concurrent traces)
  uint64_t ops_translated = 0;  // black ops moved into a new epoch at flattens
  uint64_t flattens = 0;
  uint32_t replicas = 1;
  double replay_ms = 0;      // wall time of the replay, statistics and series excluded
  ReplicaStats final_stats;  // of replica 0
  FlattenSizes flatten_sizes;
  uint64_t final_bytes = 0;
};

// Throws InputError (naming `source`) when a patch falls outside the document its agent saw.
ReplayResult replay_trace(const EditingTrace& trace, const ReplayOptions& options,
                          const std::string& source);

}  // namespace treedoc::sim
