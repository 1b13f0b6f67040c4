// FaultTimeline: the fault schedule replayed once into time-indexed tables.
#include "sim/world/fault_timeline.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"

namespace treedoc::sim {

FaultTimeline::FaultTimeline(const Scenario& scenario)
    : sites_(scenario.topology.site_count()), safety_end_us_(scenario.phases.safety_us) {
  down_.resize(sites_);
  pauses_.resize(sites_);
  bursts_.resize(sites_);
  network_.push_back({0, std::vector<uint32_t>(sites_, 0), {}});
  for (const FaultEvent& f : scenario.faults) add(f);  // ordered by time, then file order
  // The liveness phase: everything heals and restarts when the safety phase ends.
  heal(network_change(safety_end_us_));
  for (auto& intervals : down_) {
    if (!intervals.empty() && intervals.back().second > safety_end_us_) {
      intervals.back().second = safety_end_us_;
      if (intervals.back().first == safety_end_us_) intervals.pop_back();
    }
  }
}

FaultTimeline::NetworkState& FaultTimeline::network_change(TimeUs at) {
  if (network_.back().from_us != at) {
    NetworkState next = network_.back();
    next.from_us = at;
    network_.push_back(std::move(next));
  }
  return network_.back();
}

void FaultTimeline::heal(NetworkState& s) {
  std::fill(s.group.begin(), s.group.end(), 0);
  s.cuts.clear();
}

void FaultTimeline::add(const FaultEvent& f) {
  TD_ASSERT(f.at_us <= safety_end_us_, "faults fall in the safety phase");
  const TimeUs ends_us = std::min(f.at_us + f.duration_us, safety_end_us_);
  switch (f.verb) {
    case FaultVerb::kPartition: {
      NetworkState& s = network_change(f.at_us);
      std::fill(s.group.begin(), s.group.end(), 0);
      for (uint32_t g = 0; g < f.groups.size(); ++g) {
        for (SiteIndex i : f.groups[g]) s.group[i] = g + 1;
      }
      break;
    }
    case FaultVerb::kCut: {
      std::vector<bool> from(sites_, false), to(sites_, false);
      for (SiteIndex i : f.from) from[i] = true;
      for (SiteIndex i : f.to) to[i] = true;
      network_change(f.at_us).cuts.emplace_back(std::move(from), std::move(to));
      break;
    }
    case FaultVerb::kHeal: heal(network_change(f.at_us)); break;
    case FaultVerb::kCrash:
      for (SiteIndex i : f.sites) crash(i, f.at_us);
      break;
    case FaultVerb::kRestart:
      for (SiteIndex i : f.sites) restart(i, f.at_us);
      break;
    case FaultVerb::kPause:
      for (SiteIndex i : f.sites) pauses_[i].push_back({f.at_us, ends_us, 0});
      break;
    case FaultVerb::kLossBurst:
      for (SiteIndex i : f.sites) bursts_[i].push_back({f.at_us, ends_us, f.loss});
      break;
    case FaultVerb::kRpcFailure:
      TD_ASSERT(f.from.size() == 1 && f.to.size() == 1,
                "an RPC failure names one caller, one callee");
      rpc_failures_.push_back(
          {f.from[0], f.to[0], f.at_us, ends_us, f.rpc_error, f.rpc_timeout_us});
      break;
    case FaultVerb::kCrashAt:
      crash_points_.push_back({&f, std::vector<bool>(sites_, false)});
      break;
  }
}

std::optional<TimeUs> FaultTimeline::reach_crash_point(SiteIndex site, CrashPoint point,
                                                       TimeUs now) {
  const TimeUs from = now + 1;  // after the step: sites act at whole microseconds
  if (from >= safety_end_us_) return std::nullopt;  // the liveness phase has no faults
  for (CrashPointArm& arm : crash_points_) {
    const FaultEvent& f = *arm.fault;
    if (f.point != point || f.at_us > now || arm.reached[site]) continue;
    if (!std::binary_search(f.sites.begin(), f.sites.end(), site)) continue;
    arm.reached[site] = true;
    TimeUs to =
        f.restart_after_us ? std::min(from + *f.restart_after_us, safety_end_us_) : safety_end_us_;
    to = std::max(to, from + 1);
    // Merged with the timed crashes still to come that it meets: the intervals stay disjoint.
    auto& intervals = down_[site];
    auto at = std::lower_bound(intervals.begin(), intervals.end(), std::make_pair(from, TimeUs{0}));
    TD_ASSERT(at == intervals.begin() || (at - 1)->second < from, "the site is up when it acts");
    while (at != intervals.end() && at->first <= to) {
      to = std::max(to, at->second);
      at = intervals.erase(at);
    }
    intervals.insert(at, {from, to});
    return to;
  }
  return std::nullopt;
}

void FaultTimeline::crash(SiteIndex i, TimeUs at_us) {
  auto& intervals = down_[i];
  if (!intervals.empty() && intervals.back().second == site::kTimeUsMax) return;  // down already
  if (!intervals.empty() && intervals.back().second == at_us) {
    intervals.back().second = site::kTimeUsMax;  // restarted and crashed in one instant
  } else {
    intervals.push_back({at_us, site::kTimeUsMax});
  }
}

void FaultTimeline::restart(SiteIndex i, TimeUs at_us) {
  auto& intervals = down_[i];
  if (intervals.empty() || intervals.back().second != site::kTimeUsMax) return;  // not down
  intervals.back().second = at_us;
  if (intervals.back().first == at_us) intervals.pop_back();  // crashed and back at once
}

const FaultTimeline::NetworkState& FaultTimeline::network_at(TimeUs t) const {
  auto it = std::upper_bound(network_.begin(), network_.end(), t,
                             [](TimeUs x, const NetworkState& s) { return x < s.from_us; });
  TD_ASSERT(it != network_.begin(), "a network state from time 0");
  return *(it - 1);
}

DropReason FaultTimeline::reachability(SiteIndex src, SiteIndex dst, TimeUs t) const {
  const NetworkState& s = network_at(t);
  if (s.group[src] != s.group[dst]) return DropReason::kPartition;
  for (const auto& [from, to] : s.cuts) {
    if (from[src] && to[dst]) return DropReason::kCut;
  }
  return DropReason::kNone;
}

double FaultTimeline::burst_loss(SiteIndex site, TimeUs t) const {
  double loss = 0;
  for (const Interval& b : bursts_[site]) {
    if (b.from_us <= t && t < b.to_us) loss = std::max(loss, b.loss);
  }
  return loss;
}

const RpcFailure* FaultTimeline::rpc_failure(SiteIndex src, SiteIndex dst, TimeUs t) const {
  for (const RpcFailure& f : rpc_failures_) {
    if (f.from == src && f.to == dst && f.from_us <= t && t < f.to_us) return &f;
  }
  return nullptr;
}

bool FaultTimeline::down(SiteIndex site, TimeUs t) const {
  for (const auto& [from, to] : down_[site]) {
    if (from <= t && t < to) return true;
  }
  return false;
}

TimeUs FaultTimeline::paused_until(SiteIndex site, TimeUs t) const {
  TimeUs until = 0;
  for (const Interval& p : pauses_[site]) {
    if (p.from_us <= t && t < p.to_us) until = std::max(until, p.to_us);
  }
  return until;
}

}  // namespace treedoc::sim
