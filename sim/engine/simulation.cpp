// One run on SimGrid (simgrid-notes §3): an empty zone with a host per site and one for the
// controller, an event-loop actor per site (sim/site_actor.cpp) and the controller actor
// (sim/controller_actor.cpp); this file sets them up and collects the result.
#include "sim/engine/simulation.hpp"

#include <algorithm>

#include "sim/engine/simulation_engine.hpp"

namespace treedoc::sim {

Simulation::Simulation(const Scenario& scenario, const RunOptions& options)
    : scenario_(scenario),
      options_(options),
      root_(options.seed),
      faults_(scenario),
      network_(scenario, faults_, root_),
      checker_(scenario),
      log_(options.event_text),
      slots_(scenario.topology.site_count()),
      wakes_(scenario.topology.site_count()) {}

void Simulation::build_platform() {
  // No SimGrid links: the network is ours (§3), so an empty zone of hosts is the whole platform.
  auto* zone = sg4::create_empty_zone("world");
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    slots_[i].host = zone->create_host(site_name(scenario_.topology, i), 1e9);
  }
  // The controller gets a host of its own: crashing a site must not kill the controller.
  controller_host_ = zone->create_host("controller", 1e9);
  zone->seal();
}

void Simulation::configure_sites() {
  const Topology& topo = scenario_.topology;
  const ReplicationConfig& r = scenario_.replication;
  std::vector<bool> edits(slots_.size(), false);
  for (SiteIndex i : scenario_.workload.sites) edits[i] = true;
  std::vector<SiteId> core;
  for (SiteIndex i = 0; i < topo.core; ++i) core.push_back(kSiteIdFirst + i);
  for (SiteIndex i = 0; i < slots_.size(); ++i) {
    SiteSlot& slot = slots_[i];
    slot.index = i;
    site::SiteConfig& c = slot.config;
    c.id = kSiteIdFirst + i;
    c.role = i < topo.core ? site::Role::kCore : site::Role::kNebula;
    c.spread = r.spread;
    c.fanout = r.fanout;
    c.anti_entropy_period_us = r.anti_entropy_period_us;
    c.anti_entropy_fanout = r.anti_entropy_fanout;
    c.durability = r.durability;
    c.replica = r.replica;
    // Received ops may wait for a batch only when no two ops can share a TID: the checker then
    // verifies each TID as it is made, before any site can receive a second one.
    // Not with tombstone discard, where Replica::receive applies at once.
    c.defer_integration =
        scenario_.checker.tid_uniqueness && !scenario_.replication.replica.discard_tombstones;
    c.core = core;
    c.flatten = scenario_.protocol.flatten;
    c.retention_epochs = scenario_.protocol.retention_epochs;
    c.catch_up_retry_us = scenario_.protocol.catch_up_retry_us;
    c.membership = scenario_.membership.policy;
    c.membership.join_core =
        std::binary_search(scenario_.membership.join.begin(), scenario_.membership.join.end(), i);
    RandomStream site_rng = root_.split("site", i);
    c.anti_entropy_offset_us =
        r.anti_entropy_period_us ? site_rng.below(r.anti_entropy_period_us) : 0;
    if (scenario_.sabotage &&
        std::binary_search(scenario_.sabotage->sites.begin(), scenario_.sabotage->sites.end(), i)) {
      c.sabotage = scenario_.sabotage->variant;
    }
    slot.edits = edits[i] && scenario_.workload.kind == Workload::Kind::kSynthetic;
    if (slot.edits) slot.editor.emplace(scenario_.workload.synthetic, root_.split("workload", i));
    // Daemonize before auto-restart: the restarted actor keeps the state of that moment.
    sg4::Actor::create(site_name(topo, i), slot.host, [this, i] { site_main(i); })
        ->daemonize()
        ->set_auto_restart(true);
  }
}

void Simulation::collect_result() {
  // A run stopped by a violation may end between verifications.
  for (SiteIndex i = 0; i < slots_.size(); ++i) verify(i, result_.end_us);
  log_.finish();
  result_.violation = checker_.violation();
  if (!result_.violation) result_.violation = result_.trace_violation;
  result_.probes = probes_;
  for (site::Probe p : scenario_.checker.required_probes) {
    if (result_.violation || probes_[p] > 0) continue;
    Violation v{"required-probe",
                result_.end_us,
                {},
                {},
                "the scenario requires probe " + std::string(site::to_string(p)) +
                    ", which never fired: its faults did not produce what it is meant to test"};
    v.liveness = true;
    result_.violation = std::move(v);
  }
  result_.event_hash = log_.hash();
  result_.events = log_.count();
  result_.convergence_checks = checker_.convergence_checks();
  result_.state_comparisons = checker_.state_comparisons();
  for (const SiteSlot& s : slots_) result_.totals.add(s.counters);
  result_.flatten.lost_by_policy = checker_.lost_by_policy().size();
  for (const SiteSlot& s : slots_) {
    if (!s.site) continue;
    if (result_.replica_memory_bytes == 0) result_.final_epoch = s.site->epoch();
    const ReplicaStats st = s.site->replica().stats();
    if (result_.final_atoms == 0 && st.live > 0) {
      result_.final_atoms = st.live;
      result_.final_tombstone_ratio = st.tombstone_ratio();
      result_.final_tid_bytes_mean = st.tid_bytes_mean;
    }
    result_.replica_memory_bytes += st.memory_bytes;
  }
  result_.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
}

RunResult Simulation::run() {
  wall_start_ = std::chrono::steady_clock::now();
  if (scenario_.workload.kind == Workload::Kind::kTrace) {
    trace_ = std::make_unique<TraceDriver>(scenario_);  // may reject the trace: before the engine
  }
  if (!options_.out_dir.empty()) {
    metrics_ = std::make_unique<MetricsRecorder>(scenario_, options_.out_dir);
  }
  int argc = 1;
  char name[] = "treedoc-sim";
  char* argv[] = {name, nullptr};
  sg4::Engine engine(&argc, argv);
  build_platform();
  configure_sites();
  controller_mutex_ = sg4::Mutex::create();
  controller_cv_ = sg4::ConditionVariable::create();
  courier_mutex_ = sg4::Mutex::create();
  courier_cv_ = sg4::ConditionVariable::create();
  sg4::Actor::create("courier", controller_host_, [this] { courier_main(); })->daemonize();
  sg4::Actor::create("controller", controller_host_, [this] { controller_main(); });
  engine.run();
  collect_result();
  return result_;
}

RunResult run_simulation(const Scenario& scenario, const RunOptions& options) {
  Simulation sim(scenario, options);
  return sim.run();
}

}  // namespace treedoc::sim
