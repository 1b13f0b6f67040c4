// The small state the engine's actors share (the site hosts, the courier, the controller): the
// scenario, the world (faults, network, wake schedule), the run's observers and checker, the
// workload, and whether the run is over. Everything else belongs to one actor. The engine is the
// only layer that knows SimGrid (docs/simulator.md).
#pragma once

#include <simgrid/s4u.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "models/site/epoch_archive.hpp"
#include "sim/check/checker.hpp"
#include "sim/observe/run_observer.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/workload/workload.hpp"
#include "sim/world/fault_timeline.hpp"
#include "sim/world/network.hpp"
#include "sim/world/wake_schedule.hpp"

namespace treedoc::sim {

namespace sg4 = simgrid::s4u;

inline constexpr TimeUs kNever = site::kTimeUsMax;

// SimGrid's clock in whole microseconds (wait_until may wake a ulp early: rounding absorbs it).
inline TimeUs now_us() { return static_cast<TimeUs>(std::llround(sg4::Engine::get_clock() * 1e6)); }
inline double to_seconds(TimeUs t) { return static_cast<double>(t) / 1e6; }

class SiteHost;
class Courier;
class Controller;

struct EngineContext {
  const Scenario& scenario;
  FaultTimeline& faults;  // changes only by a crash_at fault, and only after the instant asking
  Network& network;
  site::EpochArchive& archive;  // every epoch and op of the run, shared by the sites
  WakeSchedule& wakes;          // when each site's actor runs next
  RunObserver& observers;       // every observer of the run, the checker among them
  Checker& checker;             // asked whether the run has failed, and for liveness
  Workload& workload;
  std::vector<SiteHost>& sites;
  Courier* courier = nullptr;
  Controller* controller = nullptr;
  bool done = false;  // the run is over: every actor stops
  // When the controller acts next: the courier delivers ahead of SimGrid's clock only before it.
  TimeUs controller_wake_us = 0;

  SiteHost& site(SiteIndex i);
};

}  // namespace treedoc::sim
