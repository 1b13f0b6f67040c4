// SyntheticWorkload: the editing sites' Poisson edits, resumed after pauses and restarts.
#include "sim/workload/synthetic_workload.hpp"

#include <algorithm>

namespace treedoc::sim {

SyntheticWorkload::SyntheticWorkload(const Scenario& scenario, const RandomStream& root)
    : scenario_(scenario), sites_(scenario.topology.site_count()) {
  for (SiteIndex i : scenario.workload.sites) {
    sites_[i].editor.emplace(scenario.workload.synthetic, root.split("workload", i));
  }
}

void SyntheticWorkload::on_boot(SiteIndex site, TimeUs now) {
  Editing& e = sites_[site];
  if (!e.editor) return;
  e.next_edit_us = std::max(now, scenario_.workload.start_us) + e.editor->next_gap_us();
}

void SyntheticWorkload::on_resume(SiteIndex site, TimeUs now) {
  Editing& e = sites_[site];
  if (e.editor && e.next_edit_us < now) e.next_edit_us = now + e.editor->next_gap_us();
}

TimeUs SyntheticWorkload::next_act_us(SiteIndex site, TimeUs /*now*/, const site::Site* /*state*/) {
  const Editing& e = sites_[site];
  if (!e.editor || e.next_edit_us >= scenario_.workload.stop_us) return site::kTimeUsMax;
  return e.next_edit_us;
}

void SyntheticWorkload::act(SiteIndex site, TimeUs now, const site::Site& state, EditSink& sink) {
  Editing& e = sites_[site];
  if (!e.editor) return;
  while (e.next_edit_us <= now && now < scenario_.workload.stop_us && sink.can_act(site)) {
    sink.user_edit(site, now, e.editor->next_edit(state.replica().size()));
    e.next_edit_us += e.editor->next_gap_us();
  }
}

}  // namespace treedoc::sim
