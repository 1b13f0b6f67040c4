// When each site's actor plans to wake, and the earliest of them: what lets the courier deliver
// ahead of SimGrid's clock while no other actor can act (courier_actor.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "models/site/time_us.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

class WakeSchedule {
 public:
  // Every actor runs at time 0.
  explicit WakeSchedule(size_t sites) : planned_(sites, 0) {
    for (SiteIndex i = 0; i < sites; ++i) heap_.push({0, i});
  }

  TimeUs planned(SiteIndex i) const { return planned_[i]; }
  // Site i's actor will run at `t`: a planned wake, or now when it has been notified;
  // site::kTimeUsMax when it will not run again (crashed, halted).
  void plan(SiteIndex i, TimeUs t) {
    planned_[i] = t;
    if (t == site::kTimeUsMax) return;
    heap_.push({t, i});
    // Superseded plans stay in the heap until they reach its top; rebuilding now and then keeps
    // it within a few entries per site.
    if (heap_.size() > kEntriesPerSiteMax * planned_.size() + kEntriesMin) rebuild();
  }
  // The earliest plan of any site (site::kTimeUsMax if none).
  TimeUs earliest() {
    while (!heap_.empty() && planned_[heap_.top().second] != heap_.top().first) heap_.pop();
    return heap_.empty() ? site::kTimeUsMax : heap_.top().first;
  }

 private:
  static constexpr size_t kEntriesPerSiteMax = 4;
  static constexpr size_t kEntriesMin = 64;
  void rebuild() {
    heap_ = {};
    for (SiteIndex i = 0; i < planned_.size(); ++i) {
      if (planned_[i] != site::kTimeUsMax) heap_.push({planned_[i], i});
    }
  }

  std::vector<TimeUs> planned_;
  // (time, site), smallest first; an entry is current only while it matches planned_.
  std::priority_queue<std::pair<TimeUs, SiteIndex>, std::vector<std::pair<TimeUs, SiteIndex>>,
                      std::greater<>>
      heap_;
};

}  // namespace treedoc::sim
