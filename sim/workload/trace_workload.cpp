// TraceWorkload: when a site's next transaction is due or ready, and making it.
#include "sim/workload/trace_workload.hpp"

#include <algorithm>

#include "sim/workload/synthetic_workload.hpp"

namespace treedoc::sim {

TraceWorkload::TraceWorkload(const Scenario& scenario)
    : scenario_(scenario), trace_(scenario), next_txn_us_(scenario.topology.site_count(), 0) {}

void TraceWorkload::on_boot(SiteIndex site, TimeUs /*now*/) { trace_.forget_site(site); }

TimeUs TraceWorkload::next_act_us(SiteIndex site, TimeUs now, const site::Site* state) {
  // A transaction is due at its time, or now if the ops it waited for have been delivered.
  const std::optional<uint64_t> txn = trace_.next_for(site);
  if (!txn) return site::kTimeUsMax;
  const TimeUs at = std::max(next_txn_us_[site], scenario_.workload.start_us);
  const TimeUs stop = scenario_.workload.stop_us;
  if (at > now && at < stop) return at;
  if (at <= now && now < stop && state && trace_.ready(site, *txn, state->claimed())) return now;
  return site::kTimeUsMax;
}

void TraceWorkload::act(SiteIndex site, TimeUs now, const site::Site& state, EditSink& sink) {
  if (now < scenario_.workload.start_us || now >= scenario_.workload.stop_us) return;
  while (sink.can_act(site) && now >= next_txn_us_[site]) {
    const std::optional<uint64_t> t = trace_.next_for(site);
    if (!t || !trace_.ready(site, *t, state.claimed())) return;
    for (const site::SharedOp& op : trace_.make(*t)) sink.agent_op(site, now, op, *t);
    next_txn_us_[site] = now + scenario_.workload.trace.txn_interval_us;
  }
}

std::optional<WorkloadEnd> TraceWorkload::end() const {
  return WorkloadEnd{trace_.issued(), trace_.transactions(), &trace_.end_content()};
}

std::unique_ptr<Workload> make_workload(const Scenario& scenario, const RandomStream& root) {
  if (scenario.workload.kind == WorkloadConfig::Kind::kTrace) {
    return std::make_unique<TraceWorkload>(scenario);
  }
  return std::make_unique<SyntheticWorkload>(scenario, root);
}

}  // namespace treedoc::sim
