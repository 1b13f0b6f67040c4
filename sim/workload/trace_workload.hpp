// The trace workload: a real editing trace's transactions, made by the sites its agents map to
// (TraceDriver), each once its causal past has arrived and txn_interval_ms after the site's last.
#pragma once

#include <vector>

#include "sim/workload/trace_driver.hpp"
#include "sim/workload/workload.hpp"

namespace treedoc::sim {

class TraceWorkload final : public Workload {
 public:
  explicit TraceWorkload(const Scenario& scenario);

  void on_boot(SiteIndex site, TimeUs now) override;
  void on_resume(SiteIndex /*site*/, TimeUs /*now*/) override {}
  TimeUs next_act_us(SiteIndex site, TimeUs now, const site::Site* state) override;
  void act(SiteIndex site, TimeUs now, const site::Site& state, EditSink& sink) override;
  bool ready_on_delivery() const override { return true; }
  std::optional<WorkloadEnd> end() const override;

 private:
  const Scenario& scenario_;
  TraceDriver trace_;
  std::vector<TimeUs> next_txn_us_;  // per site: the earliest time of its next transaction
};

}  // namespace treedoc::sim
