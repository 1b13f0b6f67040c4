// MetricsRecorder: samples sites and counters into JSON lines.
#include "sim/observe/metrics_recorder.hpp"

#include <algorithm>
#include <filesystem>

#include "sim/base/input_error.hpp"

namespace treedoc::sim {

nlohmann::json site_sample(const site::Site* s, const SiteCounters& c) {
  nlohmann::json j = {{"ops_made", c.ops_made},
                      {"ops_applied", c.ops_applied},
                      {"msgs_sent", c.msgs_sent},
                      {"bytes_sent", c.bytes_sent},
                      {"msgs_received", c.msgs_received},
                      {"msgs_dropped", c.msgs_dropped},
                      {"msgs_duplicated", c.msgs_duplicated},
                      {"wrong_epoch", c.wrong_epoch},
                      {"flatten_commits", c.flatten_commits},
                      {"flatten_aborts", c.flatten_aborts},
                      {"ops_translated", c.ops_translated},
                      {"up", s != nullptr}};
  if (s) {
    const ReplicaStats st = s->replica().stats();
    j["atoms"] = s->replica().size();
    j["epoch"] = s->epoch();
    j["tree_nodes"] = st.majors + st.minis;
    j["tombstones"] = st.dead;
    j["ghosts"] = st.ghost + st.ghost_dead;
    j["tid_bytes_mean"] = st.tid_bytes_mean;
    j["replica_memory_bytes"] = st.memory_bytes;
  }
  return j;
}

MetricsRecorder::MetricsRecorder(const Scenario& scenario, const std::string& out_dir)
    : scenario_(scenario) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw InputError(out_dir, "--out", "cannot create the directory: " + ec.message());
  const std::string path = (std::filesystem::path(out_dir) / "metrics.jsonl").string();
  out_ = std::fopen(path.c_str(), "w");
  if (!out_) throw InputError(path, "--out", "cannot write the metrics file");
}

MetricsRecorder::~MetricsRecorder() {
  if (out_) std::fclose(out_);
}

void MetricsRecorder::sample(TimeUs now, const std::vector<const site::Site*>& sites,
                             const std::vector<SiteCounters>& counters) {
  ++samples_;
  const double t_s = static_cast<double>(now) / static_cast<double>(site::kUsPerS);
  SiteCounters total;
  uint64_t atoms = 0, nodes = 0, tombstones = 0, memory = 0, up = 0;
  uint64_t epoch_max = 0, epoch_min = UINT64_MAX;
  double tid_bytes_sum = 0;
  for (SiteIndex i = 0; i < sites.size(); ++i) {
    nlohmann::json j = site_sample(sites[i], counters[i]);
    total.add(counters[i]);
    if (sites[i]) {
      ++up;
      atoms += j["atoms"].get<uint64_t>();
      nodes += j["tree_nodes"].get<uint64_t>();
      tombstones += j["tombstones"].get<uint64_t>();
      memory += j["replica_memory_bytes"].get<uint64_t>();
      tid_bytes_sum += j["tid_bytes_mean"].get<double>();
      epoch_max = std::max(epoch_max, sites[i]->epoch());
      epoch_min = std::min(epoch_min, sites[i]->epoch());
    }
    j["t_s"] = t_s;
    j["site"] = site_name(scenario_.topology, i);
    std::fprintf(out_, "%s\n", j.dump().c_str());
  }
  nlohmann::json t = site_sample(nullptr, total);
  t["t_s"] = t_s;
  t["site"] = "total";
  // Over all sites a commit is learned once per member: the total counts each attempt once.
  t["flatten_commits"] = total.flatten_commits_decided;
  t["flatten_aborts"] = total.flatten_aborts_decided;
  t["up"] = up;
  t["atoms_mean"] = up ? static_cast<double>(atoms) / static_cast<double>(up) : 0.0;
  t["tree_nodes"] = nodes;
  t["tombstones"] = tombstones;
  t["tid_bytes_mean"] = up ? tid_bytes_sum / static_cast<double>(up) : 0.0;
  t["replica_memory_bytes"] = memory;
  t["epoch"] = epoch_max;  // the newest epoch any up site is in
  t["epoch_min"] = up ? epoch_min : 0;
  // Host time (not deterministic, unlike every other field): the mean apply time per op of the
  // ops messages handled since the previous sample; absent when none applied an op.
  const uint64_t ops_timed = total.ops_timed - ops_timed_before_;
  if (ops_timed > 0) {
    t["host_apply_ns_per_op"] = static_cast<double>(total.host_apply_ns - apply_ns_before_) /
                                static_cast<double>(ops_timed);
  }
  apply_ns_before_ = total.host_apply_ns;
  ops_timed_before_ = total.ops_timed;
  std::fprintf(out_, "%s\n", t.dump().c_str());
}

}  // namespace treedoc::sim
