// The synthetic workload: each editing site's users edit at Poisson arrivals from the start of the
// workload to its stop, each site from its own stream (SyntheticEditor).
#pragma once

#include <optional>
#include <vector>

#include "sim/workload/workload.hpp"

namespace treedoc::sim {

class SyntheticWorkload final : public Workload {
 public:
  SyntheticWorkload(const Scenario& scenario, const RandomStream& root);

  void on_boot(SiteIndex site, TimeUs now) override;
  void on_resume(SiteIndex site, TimeUs now) override;
  TimeUs next_act_us(SiteIndex site, TimeUs now, const site::Site* state) override;
  void act(SiteIndex site, TimeUs now, const site::Site& state, EditSink& sink) override;
  bool ready_on_delivery() const override { return false; }
  std::optional<WorkloadEnd> end() const override { return std::nullopt; }

 private:
  struct Editing {
    std::optional<SyntheticEditor> editor;  // none: the site's users do not edit
    TimeUs next_edit_us = site::kTimeUsMax;
  };

  const Scenario& scenario_;
  std::vector<Editing> sites_;
};

}  // namespace treedoc::sim
