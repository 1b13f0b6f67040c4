// Network: fates of messages under the scenario's latency classes and the current fault tables.
#include "sim/network.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "sim/deterministic_math.hpp"

namespace treedoc::sim {

const char* to_string(DropReason r) {
  switch (r) {
    case DropReason::kNone: return "none";
    case DropReason::kPartition: return "partition";
    case DropReason::kLoss: return "loss";
    case DropReason::kSiteDown: return "site down";
    case DropReason::kCut: return "cut";
  }
  return "?";
}

Network::Network(const Scenario& scenario, const RandomStream& root) : scenario_(scenario) {
  const uint32_t n = scenario.topology.site_count();
  streams_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) streams_.push_back(root.split("network", i));
  group_.assign(n, 0);
  burst_loss_.assign(n, 0);
  burst_until_us_.assign(n, 0);
}

void Network::partition(const std::vector<SiteSet>& groups) {
  std::fill(group_.begin(), group_.end(), 0);
  for (uint32_t g = 0; g < groups.size(); ++g) {
    for (SiteIndex s : groups[g]) {
      TD_ASSERT(s < group_.size(), "partition names a site that exists");
      group_[s] = g + 1;
    }
  }
}

void Network::cut(const SiteSet& from, const SiteSet& to) {
  Cut c{std::vector<bool>(group_.size(), false), std::vector<bool>(group_.size(), false)};
  for (SiteIndex s : from) c.from[s] = true;
  for (SiteIndex s : to) c.to[s] = true;
  cuts_.push_back(std::move(c));
}

void Network::heal() {
  std::fill(group_.begin(), group_.end(), 0);
  cuts_.clear();
}

void Network::loss_burst(const SiteSet& sites, double loss, TimeUs until_us) {
  for (SiteIndex s : sites) {
    burst_loss_[s] = loss;
    burst_until_us_[s] = until_us;
  }
}

void Network::end_loss_bursts() { std::fill(burst_until_us_.begin(), burst_until_us_.end(), 0); }

DropReason Network::reachability(SiteIndex src, SiteIndex dst) const {
  if (group_[src] != group_[dst]) return DropReason::kPartition;
  for (const Cut& c : cuts_) {
    if (c.from[src] && c.to[dst]) return DropReason::kCut;
  }
  return DropReason::kNone;
}

const LatencyClass& Network::latency_class(SiteIndex a, SiteIndex b) const {
  const bool a_core = a < scenario_.topology.core;
  const bool b_core = b < scenario_.topology.core;
  if (a_core && b_core) return scenario_.topology.core_core;
  if (a_core || b_core) return scenario_.topology.core_nebula;
  return scenario_.topology.nebula_nebula;
}

TimeUs Network::latency_us(SiteIndex src, SiteIndex dst) {
  const LatencyClass& c = latency_class(src, dst);
  RandomStream& rng = streams_[src];
  double jitter = 0;
  if (c.jitter_us > 0) {
    if (c.jitter == LatencyClass::Jitter::kUniform) {
      jitter = static_cast<double>(rng.below(c.jitter_us + 1));
    } else {
      jitter =
          static_cast<double>(c.jitter_us) * pareto_excess_from_unit(rng.unit(), c.pareto_shape);
    }
  }
  const double total = static_cast<double>(c.base_us) + jitter;
  // At least 1 us: a message never arrives in the instant it was sent.
  return std::clamp<TimeUs>(total >= static_cast<double>(c.latency_us_max)
                                ? c.latency_us_max
                                : static_cast<TimeUs>(total),
                            1, std::max<TimeUs>(c.latency_us_max, 1));
}

MessageFate Network::decide(SiteIndex src, SiteIndex dst, TimeUs now_us) {
  MessageFate fate;
  fate.drop = reachability(src, dst);
  if (fate.drop != DropReason::kNone) return fate;
  RandomStream& rng = streams_[src];
  double loss = scenario_.network.loss;
  if (burst_until_us_[src] > now_us) loss = std::max(loss, burst_loss_[src]);
  if (burst_until_us_[dst] > now_us) loss = std::max(loss, burst_loss_[dst]);
  // Draws happen in a fixed order whatever the outcome, so one fate never shifts the next.
  const bool lost = rng.chance(loss);
  const bool duplicated = rng.chance(scenario_.network.duplicate);
  if (lost) {
    fate.drop = DropReason::kLoss;
    return fate;
  }
  fate.copies = duplicated ? 2 : 1;
  for (uint32_t k = 0; k < fate.copies; ++k) fate.due_us[k] = now_us + latency_us(src, dst);
  return fate;
}

std::vector<SiteIndex> Network::random_peers(SiteIndex src, uint32_t count) {
  const uint32_t n = static_cast<uint32_t>(group_.size());
  std::vector<SiteIndex> out;
  if (n <= 1) return out;
  if (count >= n - 1) {
    for (SiteIndex s = 0; s < n; ++s) {
      if (s != src) out.push_back(s);
    }
    return out;
  }
  RandomStream& rng = streams_[src];
  while (out.size() < count) {  // count <= kFanoutMax, so rejection sampling is cheap
    SiteIndex s = static_cast<SiteIndex>(rng.below(n - 1));
    if (s >= src) ++s;
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

}  // namespace treedoc::sim
