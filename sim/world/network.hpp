// The application-level network (docs/simulator.md): per-message latency from the scenario's
// classes, loss and duplication, and the partitions, cuts, loss bursts and crashed sites of the
// fault timeline. Every message's fate is a seeded decision from the sender's own stream, which
// draws the same number of values for every message whatever its fate, so a fault never shifts the
// draws that follow it. Pure logic: no SimGrid here.
#pragma once

#include <cstdint>
#include <vector>

#include "models/random/random_stream.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/world/fault_timeline.hpp"

namespace treedoc::sim {

struct MessageFate {
  DropReason drop = DropReason::kNone;
  uint32_t copies = 0;  // 1, or 2 when duplicated
  TimeUs due_us[2] = {0, 0};
};

class Network {
 public:
  Network(const Scenario& scenario, const FaultTimeline& faults, const RandomStream& root);

  // The fate of one message from src to dst sent at now_us.
  MessageFate decide(SiteIndex src, SiteIndex dst, TimeUs now_us);
  // `count` distinct peers of `src` (all others when there are fewer), from src's peer stream.
  std::vector<SiteIndex> random_peers(SiteIndex src, uint32_t count);
  // The latency class of the link between a and b (either direction).
  const LatencyClass& latency_class(SiteIndex a, SiteIndex b) const;

 private:
  TimeUs latency_us(const LatencyClass& c, RandomStream& rng) const;
  // Test-only: the scenario's sabotage ignores a loss burst at `dst` for what it receives.
  bool sabotaged_receiver(SiteIndex dst) const;
  // Whether the scenario sabotages `site` with `variant` (test-only broken networks).
  bool sabotaged(SiteIndex site, site::Sabotage variant) const;

  const Scenario& scenario_;
  const FaultTimeline& faults_;
  std::vector<RandomStream> fates_;  // one per sender: fates do not couple sites
  std::vector<RandomStream> peers_;  // one per sender, apart from fates
};

}  // namespace treedoc::sim
