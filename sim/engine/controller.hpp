// The controller: the run's clock of faults and observations. It turns sites' hosts off and on
// when the fault timeline crashes and restarts them, tells the observers of the scheduled faults,
// and, half a microsecond after its instants (when every event of the instant has happened), runs
// the checker's convergence and liveness checks and samples the metrics. It ends the run.
#pragma once

#include <chrono>
#include <optional>

#include "sim/engine/engine_context.hpp"
#include "sim/observe/metrics_recorder.hpp"
#include "sim/observe/run_statistics.hpp"
#include "sim/world/event_log.hpp"

namespace treedoc::sim {

class Controller {
 public:
  // `metrics`: null for a run without --out. `progress`: draw a progress line on stderr.
  Controller(EngineContext& ctx, MetricsRecorder* metrics, const RunStatistics& statistics,
             const EventLog& log, bool progress);

  void start_actor(sg4::Host* host);
  // Wakes the controller once a violation is found, so it ends the run after this instant. Only
  // between deliveries and steps, never inside one: the notify yields, and an actor run in the
  // middle of a delivery could act on a half-handled instant.
  void notify_if_violated();

  // Site `site` reached a crash_at point at `now`: its crash and restart switches after `now`
  // follow the fault timeline again, and the controller plans its next act anew.
  void reschedule(SiteIndex site, TimeUs now);

  TimeUs end_us() const { return end_us_; }
  // When the liveness phase found every site converged (none: it did not).
  std::optional<TimeUs> converged_at_us() const { return converged_at_us_; }

 private:
  void main();
  // Crashes and restarts at `act_us`, and the scheduled faults it logs.
  void act(TimeUs act_us, size_t* next_fault);
  // The checks and samples of the observer instant just after t; true when the run is over.
  bool observe(TimeUs t, bool check, bool sample);
  bool observe_liveness(TimeUs t);
  SiteViews views() const;
  bool all_up() const;
  void progress(TimeUs now, bool final_line);

  struct HostSwitch {  // a crash or a restart at an instant
    TimeUs at_us;
    bool on;
    SiteIndex site;
    friend auto operator<=>(const HostSwitch&, const HostSwitch&) = default;
  };

  EngineContext& ctx_;
  MetricsRecorder* metrics_;
  const RunStatistics& statistics_;
  const EventLog& log_;
  bool progress_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr cv_;
  std::vector<HostSwitch> switches_;  // every crash and restart, in time order
  size_t next_switch_ = 0;
  bool replan_ = false;  // switches changed while it waited
  TimeUs end_us_ = 0;
  std::optional<TimeUs> converged_at_us_;
  std::chrono::steady_clock::time_point wall_start_;
  double progress_printed_wall_s_ = 0;
};

}  // namespace treedoc::sim
