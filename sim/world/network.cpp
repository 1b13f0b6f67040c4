// Network: fates of messages under the scenario's latency classes and the fault timeline.
#include "sim/world/network.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "sim/base/deterministic_math.hpp"

namespace treedoc::sim {

Network::Network(const Scenario& scenario, const FaultTimeline& faults, const RandomStream& root)
    : scenario_(scenario), faults_(faults) {
  const uint32_t n = scenario.topology.site_count();
  fates_.reserve(n);
  peers_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    fates_.push_back(root.split("network", i));
    peers_.push_back(root.split("peers", i));
  }
}

const LatencyClass& Network::latency_class(SiteIndex a, SiteIndex b) const {
  return sim::latency_class(scenario_.topology, a, b);
}

TimeUs Network::latency_us(const LatencyClass& c, RandomStream& rng) const {
  const double u = rng.unit();  // drawn even without jitter: a fixed number of draws
  double jitter = 0;
  if (c.jitter_us > 0) {
    jitter = c.jitter == LatencyClass::Jitter::kUniform
                 ? u * static_cast<double>(c.jitter_us + 1)
                 : static_cast<double>(c.jitter_us) * pareto_excess_from_unit(u, c.pareto_shape);
  }
  const double total = static_cast<double>(c.base_us) + jitter;
  const TimeUs cap = std::max<TimeUs>(c.latency_us_max, 1);
  // At least 1 us: a message never arrives in the instant it was sent.
  if (total >= static_cast<double>(cap)) return cap;
  return std::max<TimeUs>(1, static_cast<TimeUs>(total));
}

MessageFate Network::decide(SiteIndex src, SiteIndex dst, TimeUs now_us) {
  RandomStream& rng = fates_[src];
  const LatencyClass& c = latency_class(src, dst);
  // Four draws for every message, whatever its fate.
  const double loss_draw = rng.unit();
  const double duplicate_draw = rng.unit();
  const TimeUs latency[2] = {latency_us(c, rng), latency_us(c, rng)};

  MessageFate fate;
  fate.drop = faults_.reachability(src, dst, now_us);
  if (fate.drop == DropReason::kNone && faults_.down(dst, now_us))
    fate.drop = DropReason::kSiteDown;
  if (fate.drop != DropReason::kNone) return fate;
  const double loss = std::max({scenario_.network.loss, faults_.burst_loss(src, now_us),
                                sabotaged_receiver(dst) ? 0.0 : faults_.burst_loss(dst, now_us)});
  if (loss_draw < loss) {
    fate.drop = DropReason::kLoss;
    return fate;
  }
  fate.copies = duplicate_draw < scenario_.network.duplicate ? 2 : 1;
  const bool shared = sabotaged(src, site::Sabotage::kDuplicateSharesLatency);
  for (uint32_t k = 0; k < fate.copies; ++k) fate.due_us[k] = now_us + latency[shared ? 0 : k];
  return fate;
}

bool Network::sabotaged_receiver(SiteIndex dst) const {
  return sabotaged(dst, site::Sabotage::kBurstLossAtSenderOnly);
}

bool Network::sabotaged(SiteIndex site, site::Sabotage variant) const {
  const auto& s = scenario_.sabotage;
  return s && s->variant == variant &&
         std::find(s->sites.begin(), s->sites.end(), site) != s->sites.end();
}

std::vector<SiteIndex> Network::random_peers(SiteIndex src, uint32_t count) {
  const auto n = static_cast<uint32_t>(fates_.size());
  std::vector<SiteIndex> out;
  if (n <= 1) return out;
  if (count >= n - 1) {
    for (SiteIndex s = 0; s < n; ++s) {
      if (s != src) out.push_back(s);
    }
    return out;
  }
  RandomStream& rng = peers_[src];
  while (out.size() < count) {  // count <= kFanoutMax, so rejection sampling is cheap
    auto s = static_cast<SiteIndex>(rng.below(n - 1));
    if (s >= src) ++s;
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

}  // namespace treedoc::sim
