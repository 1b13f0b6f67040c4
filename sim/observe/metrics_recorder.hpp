// The metrics time series of a run: one JSON line per site and one for the total at every sample,
// written to DIR/metrics.jsonl when the run has --out DIR. Every field is deterministic except the
// total line's host_apply_ns_per_op, a host-time measurement.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/site/site.hpp"
#include "sim/observe/site_counters.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// A site's state as a metrics sample shows it; replica fields are zero while the site is down.
nlohmann::json site_sample(const site::Site* s, const SiteCounters& c);

class MetricsRecorder {
 public:
  // Opens DIR/metrics.jsonl; throws InputError when DIR cannot be created or written.
  MetricsRecorder(const Scenario& scenario, const std::string& out_dir);
  ~MetricsRecorder();
  MetricsRecorder(const MetricsRecorder&) = delete;
  MetricsRecorder& operator=(const MetricsRecorder&) = delete;

  void sample(TimeUs now, const std::vector<const site::Site*>& sites,
              const std::vector<SiteCounters>& counters);
  uint64_t samples() const { return samples_; }

 private:
  const Scenario& scenario_;
  std::FILE* out_ = nullptr;
  uint64_t samples_ = 0;
  // The totals' host apply time and ops timed at the previous sample.
  uint64_t apply_ns_before_ = 0, ops_timed_before_ = 0;
};

}  // namespace treedoc::sim
