// The scenario's faults as pure functions of simulated time: who can reach whom, the loss bursts,
// which sites are down or paused at any instant t. A fault at t holds for every event at t,
// whatever order SimGrid runs the actors of that instant in, so no observation setting can change a
// run. The liveness phase is part of it: at the end of the safety phase everything heals, every
// crashed site restarts and every pause ends.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "models/vocabulary/named_enum.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// clang-format off
#define TREEDOC_DROP_REASONS(X) \
  X(kNone, "none", "delivered") \
  X(kPartition, "partition", "sender and receiver were in different partition groups") \
  X(kLoss, "loss", "lost by the network's loss rate or a loss burst") \
  X(kSiteDown, "site down", "the receiver was crashed or halted, or crashed while it was on its way") \
  X(kCut, "cut", "a one-way cut from the sender to the receiver") \
  X(kRpcFailure, "rpc failure", "a flatten-commit message under an rpc_failure fault: the caller is told")
// clang-format on

enum class DropReason : uint8_t { TREEDOC_DROP_REASONS(TREEDOC_ENUMERATOR) };
inline constexpr auto kDropReasons =
    named_enum<DropReason>({TREEDOC_DROP_REASONS(TREEDOC_ENUM_ENTRY)});
static_assert(kDropReasons.well_formed());

// An rpc_failure fault as a window: flatten-commit messages from `from` to `to` fail with `error`.
struct RpcFailure {
  SiteIndex from = 0, to = 0;
  TimeUs from_us = 0, to_us = 0;  // [from, to)
  RpcError error = RpcError::kAuth;
  TimeUs timeout_us = 0;
};

inline const char* to_string(DropReason r) { return kDropReasons.name(r); }

class FaultTimeline {
 public:
  explicit FaultTimeline(const Scenario& scenario);

  // Whether the partition and the cuts in force at t let a message from src reach dst.
  DropReason reachability(SiteIndex src, SiteIndex dst, TimeUs t) const;
  // The loss probability a burst adds at t for messages to or from `site` (0 when none).
  double burst_loss(SiteIndex site, TimeUs t) const;
  // The RPC failure in force at t for flatten messages from src to dst, or null.
  const RpcFailure* rpc_failure(SiteIndex src, SiteIndex dst, TimeUs t) const;
  // Whether `site` is crashed at t (a crash at t counts; a restart at t ends it).
  bool down(SiteIndex site, TimeUs t) const;
  // When the pause `site` is in at t ends, or 0 when it is not paused at t.
  TimeUs paused_until(SiteIndex site, TimeUs t) const;

  // A crash_at fault armed for `site` at `point` at instant `now`, which it uses up: the site is
  // then down over [now + 1, the instant returned), its restart (the end of the safety phase
  // without restart_after_ms). Null when no fault is armed there. Only instants after `now`
  // change, so no answer given so far does: the run stays a function of its events.
  std::optional<TimeUs> reach_crash_point(SiteIndex site, CrashPoint point, TimeUs now);
  bool has_crash_points() const { return !crash_points_.empty(); }

  // Crash and restart instants of `site`, as [crash, restart) intervals; restart kTimeUsMax if
  // none.
  const std::vector<std::pair<TimeUs, TimeUs>>& down_intervals(SiteIndex site) const {
    return down_[site];
  }

 private:
  struct NetworkState {
    TimeUs from_us = 0;
    std::vector<uint32_t> group;  // partition group per site; 0 for unlisted
    std::vector<std::pair<std::vector<bool>, std::vector<bool>>> cuts;  // (from, to) memberships
  };
  struct Interval {
    TimeUs from_us = 0, to_us = 0;  // [from, to)
    double loss = 0;
  };
  const NetworkState& network_at(TimeUs t) const;
  // The replay of one fault event into the tables.
  void add(const FaultEvent& f);
  // The network state from `at` on (a copy of the last one, if it starts earlier).
  NetworkState& network_change(TimeUs at);
  static void heal(NetworkState& s);
  void crash(SiteIndex i, TimeUs at_us);
  void restart(SiteIndex i, TimeUs at_us);

  uint32_t sites_;
  TimeUs safety_end_us_;

  std::vector<NetworkState> network_;                         // by from_us, the first from 0
  std::vector<std::vector<std::pair<TimeUs, TimeUs>>> down_;  // per site, ordered, disjoint
  std::vector<std::vector<Interval>> pauses_;                 // per site
  std::vector<std::vector<Interval>> bursts_;                 // per site
  std::vector<RpcFailure> rpc_failures_;                      // few: scanned linearly
  struct CrashPointArm {  // a crash_at fault and the sites that used it up
    const FaultEvent* fault = nullptr;
    std::vector<bool> reached;  // per site
  };
  std::vector<CrashPointArm> crash_points_;  // few: scanned linearly
};

}  // namespace treedoc::sim
