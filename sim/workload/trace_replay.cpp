// Trace replay: sequential on one replica; concurrent with one replica per agent, each brought up
// to its transaction's parents in causal order; flattens commit a cut that every replica holds and
// move the rest into the new epoch by colouring and graft translation (docs/protocol.md §3 and §4).
#include "sim/workload/trace_replay.hpp"

#include <algorithm>
#include <chrono>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/flatten.hpp"
#include "models/treedoc/run.hpp"
#include "sim/base/input_error.hpp"
#include "sim/workload/causal_past.hpp"

namespace treedoc::sim {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string patch_where(size_t txn, size_t patch) {
  return "txns[" + std::to_string(txn) + "].patches[" + std::to_string(patch) + "]";
}

[[noreturn]] void throw_outside(const std::string& source, size_t txn, size_t patch,
                                const TracePatch& p, uint64_t length) {
  throw InputError(
      source, patch_where(txn, patch),
      "position " + std::to_string(p.position) + " + delete " + std::to_string(p.delete_count) +
          " falls outside the document its agent saw (length " + std::to_string(length) + ")");
}

uint64_t first_difference(const std::string& a, const std::string& b) {
  const auto mismatch = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<uint64_t>(mismatch.first - a.begin());
}

uint64_t atoms_of_ops(const std::vector<Op>& ops) {
  uint64_t n = 0;
  for (const Op& op : ops) n += op.atoms();
  return n;
}

// Accumulates tree statistics around flattens and takes the series' samples. Both walk the whole
// tree (O(n)), so the time they take, the series callbacks included, is kept out of replay_ms and
// out of the samples' per-op times.
class ReplayRecorder {
 public:
  ReplayRecorder(ReplayResult* result, const SeriesOptions& series)
      : result_(result), series_(series), next_sample_ops_(series.every_ops) {}

  // The replay starts: the first sample window opens.
  void start() { open_window(Clock::now(), 0); }

  void before(const Replica& r, uint64_t ops) {
    const auto start = Clock::now();
    before_ = r.stats();
    record(before_, true);
    flatten_ops_ = ops;
    flatten_start_ = Clock::now();
    excluded_ms_ += ms_between(start, flatten_start_);
  }
  void after(const Replica& r) {
    const auto start = Clock::now();
    const double flatten_ms = ms_between(flatten_start_, start);
    after_ = r.stats();
    record(after_, false);
    ++result_->flattens;
    after_is_current_ = true;
    if (series_.on_flatten)
      series_.on_flatten(FlattenEvent{flatten_ops_, before_, after_, flatten_ms});
    excluded_ms_ += ms_since(start);
  }

  // Called after every op (sequential) or transaction (concurrent), once any flatten due there is
  // done and before the replica changes again. Samples when `ops` has reached the next multiple of
  // every_ops; a concurrent transaction may pass it, and the sample then carries the ops made.
  void maybe_sample(const Replica& r, uint64_t ops) {
    const bool after_is_current = after_is_current_;
    after_is_current_ = false;
    if (series_.every_ops == 0 || ops < next_sample_ops_) return;
    const auto start = Clock::now();
    SeriesSample sample;
    sample.ops = ops;
    const double window_ms =
        ms_between(window_start_, start) - (excluded_ms_ - window_excluded_ms_);
    sample.wall_ns_per_op = window_ms * 1e6 / static_cast<double>(ops - window_ops_);
    // A flatten just now left the replica as its `after` statistics describe: no second walk.
    sample.stats = after_is_current ? after_ : r.stats();
    if (series_.on_sample) series_.on_sample(sample);
    while (next_sample_ops_ <= ops) next_sample_ops_ += series_.every_ops;
    const auto end = Clock::now();
    excluded_ms_ += ms_between(start, end);
    open_window(end, ops);
  }

  // Ops that can still be made before the next sample is due (a run must not pass it).
  uint64_t ops_until_sample(uint64_t ops) const {
    if (series_.every_ops == 0) return UINT64_MAX;
    return next_sample_ops_ > ops ? next_sample_ops_ - ops : 1;
  }

  void finish() {
    FlattenSizes& f = result_->flatten_sizes;
    if (result_->flattens == 0) return;
    const auto n = static_cast<double>(result_->flattens);
    f.tid_bytes_mean_before = sum_before_ / n;
    f.tid_bytes_mean_after = sum_after_ / n;
    f.tombstone_ratio_before = tombstones_before_ / n;
  }
  double excluded_ms() const { return excluded_ms_; }

 private:
  static double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
  }
  void open_window(Clock::time_point at, uint64_t ops) {
    window_start_ = at;
    window_excluded_ms_ = excluded_ms_;
    window_ops_ = ops;
  }
  void record(const ReplicaStats& st, bool before) {
    FlattenSizes& f = result_->flatten_sizes;
    if (before) {
      sum_before_ += st.tid_bytes_mean;
      tombstones_before_ += st.tombstone_ratio();
      f.tid_bytes_max_before = std::max(f.tid_bytes_max_before, st.tid_bytes_max);
      f.nodes_before_max = std::max(f.nodes_before_max, st.majors + st.minis);
    } else {
      sum_after_ += st.tid_bytes_mean;
      f.tid_bytes_max_after = std::max(f.tid_bytes_max_after, st.tid_bytes_max);
    }
  }

  ReplayResult* result_;
  const SeriesOptions& series_;
  double sum_before_ = 0, sum_after_ = 0, tombstones_before_ = 0, excluded_ms_ = 0;
  ReplicaStats before_, after_;
  bool after_is_current_ = false;
  uint64_t flatten_ops_ = 0;
  Clock::time_point flatten_start_;
  uint64_t next_sample_ops_;
  Clock::time_point window_start_;
  double window_excluded_ms_ = 0;  // excluded_ms_ when the window opened
  uint64_t window_ops_ = 0;        // ops when the window opened
};

void replay_sequential(const EditingTrace& trace, const ReplayOptions& options,
                       const std::string& source, ReplayResult* result) {
  ReplicaOptions replica_options;
  replica_options.document = options.document;
  Replica replica(kSiteIdFirst, replica_options);
  // The start content is the document before the trace: typed in as one patch.
  if (!trace.start_content.empty()) {
    apply_patch(
        replica, options.atoms, TracePatch{0, 0, trace.start_content}, [](Op&&) {}, unbounded_room);
  }
  ReplayRecorder recorder(result, options.series);
  uint64_t ops_since_flatten = 0;
  // One replica: ops go nowhere, so none is kept. Ops are counted by atoms (a run of n counts n);
  // a run never passes the flatten point (RunRoom), so one pasted block cannot grow an unbounded
  // chain and the flattens fall where single-atom ops put them.
  const OpSink count_and_flatten = [&](Op&& op) {
    result->ops_local += op.atoms();
    ++result->messages_local;
    ops_since_flatten += op.atoms();
    if (options.flatten_every_ops != 0 && ops_since_flatten >= options.flatten_every_ops) {
      recorder.before(replica, result->ops_local);
      replica.flatten();
      recorder.after(replica);
      ops_since_flatten = 0;
    }
    recorder.maybe_sample(replica, result->ops_local);
  };
  const RunRoom room = [&] {
    uint64_t r = recorder.ops_until_sample(result->ops_local);
    if (options.flatten_every_ops != 0)
      r = std::min(r, options.flatten_every_ops - ops_since_flatten);
    return r;
  };
  const auto start = Clock::now();
  recorder.start();
  for (size_t t = 0; t < trace.transactions.size(); ++t) {
    const auto& patches = trace.transactions[t].patches;
    for (size_t k = 0; k < patches.size(); ++k) {
      if (!apply_patch(replica, options.atoms, patches[k], count_and_flatten, room)) {
        throw_outside(source, t, k, patches[k], replica.units());
      }
    }
  }
  result->replay_ms = ms_since(start) - recorder.excluded_ms();
  recorder.finish();
  const std::string content = replica.content();
  result->matches_end_content = content == trace.end_content;
  result->first_difference_offset = first_difference(content, trace.end_content);
  result->final_bytes = content.size();
  result->final_stats = replica.stats();
}

// State of a concurrent replay: per-transaction ops (in the current epoch's form) and which
// replica has applied which transaction.
class ConcurrentReplay {
 public:
  ConcurrentReplay(const EditingTrace& trace, const ReplayOptions& options,
                   const std::string& source, ReplayResult* result)
      : trace_(trace),
        options_(options),
        source_(source),
        result_(result),
        recorder_(result, options.series),
        search_(trace.transactions.size()) {
    ReplicaOptions replica_options;
    replica_options.document = options.document;
    for (uint32_t a = 0; a < trace.agent_count; ++a) {
      replicas_.emplace_back(kSiteIdFirst + a, replica_options);
      applied_.emplace_back(trace.transactions.size(), 0);
    }
    txn_ops_.resize(trace.transactions.size());
    in_earlier_cut_.assign(trace.transactions.size(), 0);
  }

  void run() {
    const auto start = Clock::now();
    recorder_.start();
    uint64_t ops_since_flatten = 0;
    for (size_t t = 0; t < trace_.transactions.size(); ++t) {
      const TraceTransaction& txn = trace_.transactions[t];
      Replica& replica = replicas_[txn.agent];
      catch_up(txn.agent, txn.parents);
      const OpSink keep = [&](Op&& op) { txn_ops_[t].push_back(std::move(op)); };
      for (size_t k = 0; k < txn.patches.size(); ++k) {
        if (!apply_patch(replica, options_.atoms, txn.patches[k], keep, unbounded_room)) {
          throw_outside(source_, t, k, txn.patches[k], replica.units());
        }
      }
      applied_[txn.agent][t] = 1;
      generated_ = t + 1;
      const uint64_t atoms = atoms_of_ops(txn_ops_[t]);
      result_->ops_local += atoms;
      result_->messages_local += txn_ops_[t].size();
      ops_since_flatten += atoms;
      if (options_.flatten_every_ops != 0 && ops_since_flatten >= options_.flatten_every_ops) {
        flatten();
        ops_since_flatten = 0;
      }
      recorder_.maybe_sample(replicas_[0], result_->ops_local);
    }
    std::vector<uint32_t> everything(generated_);
    for (size_t t = 0; t < generated_; ++t) everything[t] = static_cast<uint32_t>(t);
    for (uint32_t a = 0; a < replicas_.size(); ++a) catch_up(a, everything);
    result_->replay_ms = ms_since(start) - recorder_.excluded_ms();
    recorder_.finish();
    result_->replicas = static_cast<uint32_t>(replicas_.size());
    result_->matches_end_content = true;
    for (const Replica& r : replicas_) {
      const std::string content = r.content();
      if (content != trace_.end_content) {
        result_->matches_end_content = false;
        result_->first_difference_offset = first_difference(content, trace_.end_content);
      }
      result_->final_bytes = content.size();
    }
    result_->final_stats = replicas_[0].stats();
  }

 private:
  // Applies to replica `a`, in index (hence causal) order, every transaction in the causal past of
  // `heads` that it lacks. Applied sets are causally closed, so the search stops at applied ones.
  void catch_up(uint32_t a, const std::vector<uint32_t>& heads) {
    const std::vector<uint32_t> missing = search_.missing(
        heads,
        [&](uint32_t x) -> const std::vector<uint32_t>& { return trace_.transactions[x].parents; },
        [&](uint32_t x) { return applied_[a][x] != 0; });
    for (uint32_t x : missing) {
      for (const Op& op : txn_ops_[x]) {
        const ApplyOutcome o = replicas_[a].apply(op);
        TD_ASSERT(o == ApplyOutcome::kApplied, "a causally delivered op applies");
      }
      result_->ops_remote += atoms_of_ops(txn_ops_[x]);
      applied_[a][x] = 1;
    }
  }

  // Commits the cut of transactions every replica holds; every replica moves to the new epoch.
  void flatten() {
    recorder_.before(replicas_[0], result_->ops_local);
    DotSet cut;
    std::vector<Op> cut_ops;
    std::vector<size_t> cut_txns, open_txns;
    for (size_t t = 0; t < generated_; ++t) {
      if (in_earlier_cut_[t]) continue;
      bool everywhere = true;
      for (const auto& applied : applied_) everywhere = everywhere && applied[t];
      (everywhere ? cut_txns : open_txns).push_back(t);
      if (!everywhere) continue;
      // Moved, not copied: a cut transaction's ops are cleared below, read by nothing before.
      for (Op& op : txn_ops_[t]) {
        for (uint32_t j = 0; j < op.atoms(); ++j) cut.insert({op.id.site, op.id.counter + j});
        cut_ops.push_back(std::move(op));
      }
    }
    CutArray a_cyan = flatten_array(initial_atoms_, cut_ops);
    // The core's tree-based flatten(C) must agree with the one computed from ops (docs/protocol.md
    // correction 2).
    TD_ASSERT(replicas_[0].flatten_equals(cut, a_cyan.atoms),
              "flatten(C) from ops equals the tree's");
    const Translator translator(a_cyan.atoms, std::move(a_cyan.order), cut,
                                ids_of_atoms(initial_atoms_), replicas_[0].epoch() + 1);
    std::vector<FlatAtom> atoms = std::move(a_cyan.atoms);
    // Black ops: everything outside the cut, plus cut deletes whose target is not cyan.
    // Runs are coloured and translated member by member (Translator::translate_run).
    std::vector<Op> black_in_cut;
    for (const Op& op : cut_ops) {
      if (op.run != 0) {
        for (Op& moved : translator.translate_run(op)) black_in_cut.push_back(std::move(moved));
      } else if (colour_of(op, cut, translator.initial_ids()) == Colour::kBlack) {
        if (auto moved = translator.translate(op)) black_in_cut.push_back(*moved);
      }
    }
    for (size_t t : open_txns) {
      std::vector<Op> moved_ops;
      for (const Op& op : txn_ops_[t]) {
        if (op.run != 0) {
          for (Op& moved : translator.translate_run(op)) moved_ops.push_back(std::move(moved));
        } else if (auto moved = translator.translate(op)) {
          moved_ops.push_back(std::move(*moved));
        }
      }
      txn_ops_[t] = std::move(moved_ops);
    }
    for (size_t t : cut_txns) {
      in_earlier_cut_[t] = 1;
      txn_ops_[t].clear();
    }
    for (uint32_t a = 0; a < replicas_.size(); ++a) {
      Replica& r = replicas_[a];
      const uint64_t units_before = r.units();
      r.install_epoch(translator.new_epoch(), atoms);
      for (const Op& op : black_in_cut) r.apply(op);
      for (size_t t : open_txns) {
        if (!applied_[a][t]) continue;
        for (const Op& op : txn_ops_[t]) {
          const ApplyOutcome o = r.apply(op);
          TD_ASSERT(o == ApplyOutcome::kApplied, "a translated op applies in the new epoch");
          result_->ops_translated += op.atoms();
        }
      }
      TD_ASSERT(r.units() == units_before, "flatten is invisible (invariant 11)");
    }
    initial_atoms_ = std::move(atoms);
    recorder_.after(replicas_[0]);
  }

  const EditingTrace& trace_;
  const ReplayOptions& options_;
  const std::string& source_;
  ReplayResult* result_;
  ReplayRecorder recorder_;
  std::vector<Replica> replicas_;
  std::vector<std::vector<uint8_t>> applied_;  // applied_[agent][txn]
  std::vector<std::vector<Op>> txn_ops_;
  std::vector<uint8_t> in_earlier_cut_;
  CausalPastSearch search_;
  size_t generated_ = 0;
  std::vector<FlatAtom> initial_atoms_;  // A of the current epoch
};

}  // namespace

ReplayResult replay_trace(const EditingTrace& trace, const ReplayOptions& options,
                          const std::string& source) {
  ReplayResult result;
  result.transactions = trace.transactions.size();
  result.patches = trace.patch_count();
  if (trace.concurrent) {
    ConcurrentReplay(trace, options, source, &result).run();
  } else {
    replay_sequential(trace, options, source, &result);
  }
  return result;
}

}  // namespace treedoc::sim
