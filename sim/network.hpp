// The application-level network (simgrid-notes §3): per-message latency from the scenario's
// classes, loss, duplication, partitions as group tables, one-way cuts and loss bursts. Every
// message's fate is a seeded decision from the sender's own stream. Pure logic: no SimGrid here.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/random_stream.hpp"
#include "sim/scenario.hpp"

namespace treedoc::sim {

enum class DropReason : uint8_t { kNone = 0, kPartition = 1, kLoss = 2, kSiteDown = 3, kCut = 4 };

const char* to_string(DropReason r);

struct MessageFate {
  DropReason drop = DropReason::kNone;
  uint32_t copies = 0;  // 1, or 2 when duplicated
  TimeUs due_us[2] = {0, 0};
};

class Network {
 public:
  Network(const Scenario& scenario, const RandomStream& root);

  // partition: sites in different groups cannot reach each other; unlisted sites share one group.
  void partition(const std::vector<SiteSet>& groups);
  // cut: messages from `from` to `to` are dropped, one way.
  void cut(const SiteSet& from, const SiteSet& to);
  // heal: no partition, no cuts (loss bursts run out on their own).
  void heal();
  void loss_burst(const SiteSet& sites, double loss, TimeUs until_us);
  void end_loss_bursts();

  // Whether a message from src can reach dst now (checked at send and again at delivery).
  DropReason reachability(SiteIndex src, SiteIndex dst) const;
  // The fate of one message from src to dst sent at now_us.
  MessageFate decide(SiteIndex src, SiteIndex dst, TimeUs now_us);
  // `count` distinct peers of `src` (all others when there are fewer), from src's own stream.
  std::vector<SiteIndex> random_peers(SiteIndex src, uint32_t count);

 private:
  const LatencyClass& latency_class(SiteIndex a, SiteIndex b) const;
  TimeUs latency_us(SiteIndex src, SiteIndex dst);

  const Scenario& scenario_;
  std::vector<RandomStream> streams_;  // one per sender: fates do not couple sites
  std::vector<uint32_t> group_;        // partition group per site; 0 for unlisted
  struct Cut {
    std::vector<bool> from, to;
  };
  std::vector<Cut> cuts_;
  std::vector<double> burst_loss_;  // per site
  std::vector<TimeUs> burst_until_us_;
};

}  // namespace treedoc::sim
