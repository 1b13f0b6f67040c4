// One run on SimGrid: an empty zone with a host per site and one for the courier and the
// controller (the network is ours, docs/simulator.md), a SiteHost per site, the observers, and
// the result they leave.
#include "sim/engine/simulation.hpp"

#include <xbt/base.h>  // before simgrid/version.h, which needs its declaration macros

#include <simgrid/version.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "sim/base/input_error.hpp"
#include "sim/engine/actor_stacks.hpp"
#include "sim/engine/controller.hpp"
#include "sim/engine/courier.hpp"
#include "sim/engine/site_host.hpp"
#include "sim/observe/catch_up_records.hpp"
#include "sim/observe/event_recorder.hpp"
#include "sim/observe/metrics_recorder.hpp"
#include "sim/observe/run_statistics.hpp"
#include "sim/report/run_figures.hpp"
#include "sim/trace/trace_writer.hpp"

namespace treedoc::sim {

namespace {

bool listed(const SiteSet& sites, SiteIndex i) {
  return std::binary_search(sites.begin(), sites.end(), i);
}

// Site i's configuration: the scenario's policies, its identity, role and first anti-entropy
// round (drawn from its own stream, so sites' rounds spread apart).
site::SiteConfig site_config(const Scenario& s, const RandomStream& root, SiteIndex i) {
  site::SiteConfig c;
  c.id = kSiteIdFirst + i;
  c.role = i < s.topology.core ? site::Role::kCore : site::Role::kNebula;
  c.replication = s.replication;
  c.flatten = s.protocol.flatten;
  c.epochs = s.protocol.epochs;
  c.membership = s.membership.policy;
  c.membership.join_core = listed(s.membership.join, i);
  for (SiteIndex k = 0; k < s.topology.core; ++k) c.core.push_back(kSiteIdFirst + k);
  // Received ops may wait for a batch only when no two ops can share a TID: the checker then
  // verifies each TID as it is made, before any site can receive a second one.
  // Not with tombstone discard, where Replica::receive applies at once.
  c.defer_integration = s.checker.invariants.contains(Invariant::kTidUniqueness) &&
                        !s.replication.replica.discard_tombstones;
  RandomStream site_rng = root.split("site", i);
  const TimeUs period = s.replication.anti_entropy_period_us;
  c.anti_entropy_offset_us = period ? site_rng.below(period) : 0;
  if (s.sabotage && listed(s.sabotage->sites, i)) c.sabotage = s.sabotage->variant;
  return c;
}

class Simulation {
 public:
  Simulation(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario),
        options_(options),
        root_(options.seed),
        faults_(scenario),
        network_(scenario, faults_, root_),
        checker_(scenario),
        log_(options.event_text),
        recorder_(&log_),
        statistics_(scenario),
        catch_ups_(scenario.topology.site_count()),
        wakes_(scenario.topology.site_count()) {}

  RunResult run();

 private:
  RunResult result(const EngineContext& ctx, const Controller& controller) const;

  const Scenario& scenario_;
  const RunOptions& options_;
  RandomStream root_;
  FaultTimeline faults_;
  Network network_;
  Checker checker_;
  EventLog log_;
  EventRecorder recorder_;
  RunStatistics statistics_;
  CatchUpRecords catch_ups_;
  WakeSchedule wakes_;
  site::EpochArchive archive_;
};

RunResult Simulation::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  // Before the engine: a trace workload may reject its trace.
  const std::unique_ptr<Workload> workload = make_workload(scenario_, root_);
  // Before the engine too: SimGrid would abort at the first actor past the kernel's limit.
  if (const std::optional<uint64_t> limit = max_map_count()) {
    const std::string problem = actor_mappings_problem(scenario_.topology.site_count(), *limit);
    if (!problem.empty()) throw InputError(scenario_.file, "topology", problem);
  }
  std::unique_ptr<MetricsRecorder> metrics;
  if (!options_.out_dir.empty()) {
    metrics = std::make_unique<MetricsRecorder>(scenario_, options_.out_dir);
  }
  int argc = 1;
  char name[] = "treedoc-sim";
  char* argv[] = {name, nullptr};
  sg4::Engine engine(&argc, argv);
  configure_actor_stacks();
  // No SimGrid links: the network is ours, so an empty zone of hosts is the whole platform.
  auto* zone = sg4::create_empty_zone("world");
  const SiteIndex n = scenario_.topology.site_count();
  std::vector<sg4::Host*> hosts;
  for (SiteIndex i = 0; i < n; ++i) {
    hosts.push_back(zone->create_host(site_name(scenario_.topology, i), 1e9));
  }
  // The courier and the controller get a host of their own: a crash must not kill them.
  sg4::Host* controller_host = zone->create_host("controller", 1e9);
  zone->seal();

  RunObservers observers;
  observers.subscribe(&recorder_);
  observers.subscribe(&checker_);
  observers.subscribe(&statistics_);
  observers.subscribe(&catch_ups_);
  std::optional<TraceWriter> trace;
  if (options_.trace) {
    trace.emplace(options_.trace, scenario_, options_.seed, catch_ups_);
    observers.subscribe(&*trace);
  }
  std::vector<SiteHost> sites;
  EngineContext ctx{scenario_, faults_,  network_,  archive_, wakes_,
                    observers, checker_, *workload, sites};
  sites.reserve(n);  // never reallocated: actors hold their SiteHost's address
  for (SiteIndex i = 0; i < n; ++i) {
    sites.emplace_back(ctx, i, site_config(scenario_, root_, i), hosts[i]);
  }
  Courier courier(ctx);
  Controller controller(ctx, metrics.get(), statistics_, log_, options_.progress);
  ctx.courier = &courier;
  ctx.controller = &controller;
  for (SiteHost& s : sites) s.start_actor();
  courier.start_actor(controller_host);
  controller.start_actor(controller_host);
  engine.run();

  // A run stopped by a violation may end between verifications.
  for (SiteHost& s : sites) s.verify(controller.end_us());
  log_.finish();
  checker_.check_required_probes(controller.end_us(), statistics_.probes());
  RunResult r = result(ctx, controller);
  checker_.check_run_end(controller.end_us(), r.probes, figure_values(r));
  r.violation = checker_.verdict();
  if (trace) trace->finish(controller.end_us(), r.violation);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return r;
}

RunResult Simulation::result(const EngineContext& ctx, const Controller& controller) const {
  RunResult r;
  r.violation = checker_.verdict();
  r.event_hash = log_.hash();
  r.events = log_.count();
  r.end_us = controller.end_us();
  r.converged_at_us = controller.converged_at_us();
  r.totals = statistics_.totals();
  r.convergence_checks = checker_.convergence_checks();
  r.state_comparisons = checker_.state_comparisons();
  r.crashes = statistics_.crashes();
  r.restarts = statistics_.restarts();
  r.probes = statistics_.probes();
  r.flatten = statistics_.flatten();
  r.flatten.lost_by_policy = checker_.lost_by_policy().size();
  r.membership = statistics_.membership();
  r.apply_time = statistics_.apply_time();
  r.catch_ups = catch_ups_.records();
  r.catch_ups_dropped = catch_ups_.records_dropped();
  r.flatten.catch_ups = catch_ups_.totals();
  r.safety_us = scenario_.phases.safety_us;
  SiteViews live;
  for (const SiteHost& host : ctx.sites) live.push_back(host.site());
  r.ops_lost = checker_.ops_lost(live);
  for (const SiteHost& host : ctx.sites) {
    const site::Site* s = host.site();
    if (!s) continue;
    if (r.replica_memory_bytes == 0) r.final_epoch = s->epoch();
    const ReplicaStats st = s->replica().stats();
    if (r.final_atoms == 0 && st.live > 0) {
      r.final_atoms = st.live;
      r.final_tombstone_ratio = st.tombstone_ratio();
      r.final_tid_bytes_mean = st.tid_bytes_mean;
    }
    r.replica_memory_bytes += st.memory_bytes;
  }
  return r;
}

}  // namespace

const char* engine_version() {
#define TREEDOC_TEXT(x) #x
#define TREEDOC_VERSION_TEXT(major, minor) TREEDOC_TEXT(major) "." TREEDOC_TEXT(minor)
  return TREEDOC_VERSION_TEXT(SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR);
#undef TREEDOC_VERSION_TEXT
#undef TREEDOC_TEXT
}

RunResult run_simulation(const Scenario& scenario, const RunOptions& options) {
  Simulation sim(scenario, options);
  return sim.run();
}

}  // namespace treedoc::sim
