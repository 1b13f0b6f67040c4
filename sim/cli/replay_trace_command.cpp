// `replay-trace`: timing, summary, JSON output and the --series file around replay_trace().
#include "sim/cli/replay_trace_command.hpp"

#include "sim/cli/command.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "sim/base/exit_code.hpp"
#include "sim/base/input_error.hpp"
#include "sim/workload/editing_trace.hpp"

namespace treedoc::sim {

namespace {

nlohmann::ordered_json tree_json(const ReplicaStats& st) {
  return {{"nodes", st.majors + st.minis},
          {"majors", st.majors},
          {"minis", st.minis},
          {"live", st.live},
          {"dead", st.dead},
          {"ghost", st.ghost},
          {"ghost_dead", st.ghost_dead},
          {"depth_max", st.depth_max},
          {"tid_bytes_mean", st.tid_bytes_mean},
          {"tid_bytes_max", st.tid_bytes_max},
          {"tombstone_ratio", st.tombstone_ratio()},
          {"memory_bytes", st.memory_bytes}};
}

// The --series file: a "start" line with the configuration, then one "sample" line every N ops and
// one "flatten" line per flatten, in the order they happened.
class SeriesWriter {
 public:
  // Throws InputError when `path` cannot be opened for writing.
  explicit SeriesWriter(const std::string& path) : path_(path), out_(path, std::ios::trunc) {
    if (!out_)
      throw InputError(path, "", std::string("cannot write the series: ") + std::strerror(errno));
  }

  void start(const ReplayTraceRequest& request, const EditingTrace& trace) {
    nlohmann::ordered_json j;
    j["event"] = "start";
    j["trace"] = request.path;
    j["kind"] = trace.concurrent ? "concurrent" : "sequential";
    j["atoms"] = to_string(request.options.atoms);
    j["flatten_every_ops"] = request.options.flatten_every_ops;
    j["mini_child"] = request.options.document.mini_child;
    j["series_every_ops"] = request.series_every_ops;
    j["ops_are"] = "local ops (made by the trace's edits); the tree is replica 0's";
    j["wall_time"] = "wall_ns_per_op and wall_ms are host wall time: they vary from run to run";
    write(j);
  }

  SeriesOptions options(uint64_t every_ops) {
    SeriesOptions o;
    o.every_ops = every_ops;
    o.on_sample = [this](const SeriesSample& s) {
      nlohmann::ordered_json j;
      j["event"] = "sample";
      j["ops"] = s.ops;
      j.update(tree_json(s.stats));
      j["wall_ns_per_op"] = s.wall_ns_per_op;
      write(j);
    };
    o.on_flatten = [this](const FlattenEvent& f) {
      nlohmann::ordered_json j;
      j["event"] = "flatten";
      j["ops"] = f.ops;
      j["before"] = tree_json(f.before);
      j["after"] = tree_json(f.after);
      j["wall_ms"] = f.wall_ms;
      write(j);
    };
    return o;
  }

  // Throws InputError when a write failed (a full disk, say).
  void finish() {
    out_.flush();
    if (!out_) throw InputError(path_, "", "writing the series failed");
  }

 private:
  void write(const nlohmann::ordered_json& j) { out_ << j.dump() << "\n"; }
  std::string path_;
  std::ofstream out_;
};

nlohmann::ordered_json to_json(const ReplayTraceRequest& request, const EditingTrace& trace,
                               const ReplayResult& r, double load_ms) {
  const FlattenSizes& f = r.flatten_sizes;
  const uint64_t ops = r.ops_local + r.ops_remote + r.ops_translated;
  nlohmann::ordered_json j;
  j["trace"] = request.path;
  j["kind"] = trace.concurrent ? "concurrent" : "sequential";
  j["replicas"] = r.replicas;
  j["atoms"] = to_string(request.options.atoms);
  j["flatten_every_ops"] = request.options.flatten_every_ops;
  j["mini_child"] = request.options.document.mini_child;
  j["transactions"] = r.transactions;
  j["patches"] = r.patches;
  j["ops_local"] = r.ops_local;
  j["messages_local"] = r.messages_local;
  j["ops_remote"] = r.ops_remote;
  j["ops_translated"] = r.ops_translated;
  j["load_ms"] = load_ms;
  j["replay_ms"] = r.replay_ms;
  j["ns_per_op"] = ops == 0 ? 0.0 : r.replay_ms * 1e6 / static_cast<double>(ops);
  j["matches_end_content"] = r.matches_end_content;
  if (!r.matches_end_content) j["first_difference_offset"] = r.first_difference_offset;
  j["final_bytes"] = r.final_bytes;
  j["tree"] = tree_json(r.final_stats);
  j["flattens"] = r.flattens;
  j["flatten_sizes"] = {{"tid_bytes_mean_before", f.tid_bytes_mean_before},
                        {"tid_bytes_mean_after", f.tid_bytes_mean_after},
                        {"tid_bytes_max_before", f.tid_bytes_max_before},
                        {"tid_bytes_max_after", f.tid_bytes_max_after},
                        {"tombstone_ratio_before", f.tombstone_ratio_before},
                        {"nodes_before_max", f.nodes_before_max}};
  return j;
}

void print_summary(const nlohmann::ordered_json& j) {
  const auto& t = j["tree"];
  const auto& f = j["flatten_sizes"];
  std::printf("trace     %s (%s, %u replica%s)\n", j["trace"].get<std::string>().c_str(),
              j["kind"].get<std::string>().c_str(), j["replicas"].get<unsigned>(),
              j["replicas"].get<unsigned>() == 1 ? "" : "s");
  const uint64_t every = j["flatten_every_ops"];
  std::printf("atoms     %s; flatten %s\n", j["atoms"].get<std::string>().c_str(),
              every == 0 ? "never" : ("every " + std::to_string(every) + " ops").c_str());
  std::printf("edits     %llu patches in %llu transactions\n",
              static_cast<unsigned long long>(j["patches"].get<uint64_t>()),
              static_cast<unsigned long long>(j["transactions"].get<uint64_t>()));
  std::printf("ops       %llu local, %llu remote, %llu translated at flattens\n",
              static_cast<unsigned long long>(j["ops_local"].get<uint64_t>()),
              static_cast<unsigned long long>(j["ops_remote"].get<uint64_t>()),
              static_cast<unsigned long long>(j["ops_translated"].get<uint64_t>()));
  std::printf("time      replay %.1f ms (%.0f ns/op); trace loading %.1f ms, not included\n",
              j["replay_ms"].get<double>(), j["ns_per_op"].get<double>(),
              j["load_ms"].get<double>());
  std::printf(
      "tree      %llu live, %llu tombstones (%.1f%%), %llu ghosts, %llu nodes, depth %llu\n",
      static_cast<unsigned long long>(t["live"].get<uint64_t>()),
      static_cast<unsigned long long>(t["dead"].get<uint64_t>()),
      100.0 * t["tombstone_ratio"].get<double>(),
      static_cast<unsigned long long>(t["ghost"].get<uint64_t>() + t["ghost_dead"].get<uint64_t>()),
      static_cast<unsigned long long>(t["majors"].get<uint64_t>() + t["minis"].get<uint64_t>()),
      static_cast<unsigned long long>(t["depth_max"].get<uint64_t>()));
  std::printf("TIDs      %.1f bytes mean, %llu max; replica memory %.1f MiB\n",
              t["tid_bytes_mean"].get<double>(),
              static_cast<unsigned long long>(t["tid_bytes_max"].get<uint64_t>()),
              static_cast<double>(t["memory_bytes"].get<uint64_t>()) / (1024.0 * 1024.0));
  if (j["flattens"].get<uint64_t>() > 0) {
    std::printf(
        "flattens  %llu; TID bytes mean %.1f -> %.1f, max %llu -> %llu; tombstones before "
        "flatten %.1f%%\n",
        static_cast<unsigned long long>(j["flattens"].get<uint64_t>()),
        f["tid_bytes_mean_before"].get<double>(), f["tid_bytes_mean_after"].get<double>(),
        static_cast<unsigned long long>(f["tid_bytes_max_before"].get<uint64_t>()),
        static_cast<unsigned long long>(f["tid_bytes_max_after"].get<uint64_t>()),
        100.0 * f["tombstone_ratio_before"].get<double>());
  }
  if (j["matches_end_content"].get<bool>()) {
    std::printf("result    matches endContent (%llu bytes)\n",
                static_cast<unsigned long long>(j["final_bytes"].get<uint64_t>()));
  } else {
    std::printf("result    DIFFERS from endContent at byte %llu\n",
                static_cast<unsigned long long>(j["first_difference_offset"].get<uint64_t>()));
  }
}

}  // namespace

int run_replay_trace(const ReplayTraceRequest& request) {
  try {
    // Opened first, so a bad --series path fails before the trace is loaded.
    std::unique_ptr<SeriesWriter> series;
    if (!request.series_path.empty()) series = std::make_unique<SeriesWriter>(request.series_path);
    const auto load_start = std::chrono::steady_clock::now();
    const EditingTrace trace = load_editing_trace(request.path);
    const double load_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
            .count();
    ReplayOptions options = request.options;
    if (series) {
      series->start(request, trace);
      options.series = series->options(request.series_every_ops);
    }
    const ReplayResult result = replay_trace(trace, options, request.path);
    if (series) series->finish();
    const nlohmann::ordered_json j = to_json(request, trace, result, load_ms);
    if (request.json) {
      std::cout << j.dump() << "\n";
    } else {
      print_summary(j);
    }
    if (!result.matches_end_content) {
      std::cerr << "treedoc-sim: " << request.path << ": replay differs from endContent at byte "
                << result.first_difference_offset << "\n";
      return kExitSafetyViolation;
    }
    return kExitPass;
  } catch (const InputError& e) {
    std::cerr << "treedoc-sim: " << e.what() << "\n";
    return kExitBadInput;
  }
}

namespace {

constexpr uint64_t kFlattenEveryOpsMax = uint64_t{1} << 40;
constexpr uint64_t kSeriesEveryOpsMax = uint64_t{1} << 40;

class ReplayTraceCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "replay-trace", "Replay a real editing trace and check it ends at its endContent");
    cmd->add_option("FILE", req_.path, "trace file (.json or .json.gz)")->required();
    std::vector<std::string> atoms;
    for (const EnumEntry& e : kAtomGranularities.entries()) atoms.push_back(e.name);
    cmd->add_option("--atoms", atoms_, "atom granularity")->check(CLI::IsMember(atoms));
    cmd->add_option("--flatten-every", req_.options.flatten_every_ops,
                    "flatten after every N ops (0: never)")
        ->check(CLI::Range(uint64_t{0}, kFlattenEveryOpsMax));
    cmd->add_flag("--mini-child", req_.options.document.mini_child,
                  "attach new atoms to the mini-node (RR-7506's variant)");
    cmd->add_flag("--json", req_.json, "print one JSON object instead of the summary");
    CLI::Option* series = cmd->add_option(
        "--series", req_.series_path,
        "write the tree every N ops and at each flatten as JSON lines to FILE (docs/SECTION3.md)");
    cmd->add_option("--series-every", req_.series_every_ops, "sample the series every N ops")
        ->check(CLI::Range(uint64_t{1}, kSeriesEveryOpsMax))
        ->needs(series)
        ->capture_default_str();
    return cmd;
  }
  int run() override {
    req_.options.atoms = *kAtomGranularities.parse(atoms_);
    return run_replay_trace(req_);
  }

 private:
  ReplayTraceRequest req_;
  std::string atoms_ = "char";
};

}  // namespace

std::unique_ptr<Command> make_replay_trace_command() {
  return std::make_unique<ReplayTraceCommand>();
}

}  // namespace treedoc::sim
