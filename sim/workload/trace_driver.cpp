// TraceDriver: causal readiness per site, agent views, and the ops of each trace transaction.
#include "sim/workload/trace_driver.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/run.hpp"
#include "sim/base/input_error.hpp"
#include "sim/workload/patch_editor.hpp"

namespace treedoc::sim {

namespace {

// The scenario's trace. A bad one is blamed on the scenario file's workload.file too: the
// trace's own message names only the trace, and a sweep's log says which run it was in.
EditingTrace load_scenario_trace(const Scenario& scenario) {
  const TraceWorkloadConfig& t = scenario.workload.trace;
  EditingTrace trace;
  try {
    trace = load_editing_trace(t.file);
  } catch (const InputError& e) {
    throw InputError(scenario.file, "workload.file", std::string("the trace ") + e.what());
  }
  // Word and line atoms rewrite a whole atom on edit: when two agents edit one word at once,
  // both re-insert it, and no site can end at endContent (friendsforever ends 4 bytes long).
  if (trace.concurrent && t.atoms != AtomGranularity::kChar) {
    throw InputError(scenario.file, "workload.atoms",
                     std::string("expected \"char\" with a concurrent trace, found \"") +
                         to_string(t.atoms) + "\": " + t.file +
                         " has concurrent agents, and two agents rewriting one " +
                         to_string(t.atoms) + " would both re-insert it");
  }
  return trace;
}

}  // namespace

TraceDriver::TraceDriver(const Scenario& scenario) : scenario_(scenario) {
  const WorkloadConfig& w = scenario.workload;
  TD_ASSERT(!w.sites.empty(), "a trace workload has sites");
  trace_ = load_scenario_trace(scenario);
  // A sequential trace's start content becomes a first transaction, made like any other.
  if (!trace_.concurrent && !trace_.start_content.empty()) {
    TraceTransaction first;
    first.patches.push_back({0, 0, trace_.start_content});
    trace_.transactions.insert(trace_.transactions.begin(), first);
  }
  const uint32_t agent_count = trace_.concurrent ? trace_.agent_count : 1;
  ReplicaOptions options = scenario.replication.replica;
  for (uint32_t a = 0; a < agent_count; ++a) {
    agents_.emplace_back(kSiteIdFirst + scenario.topology.site_count() + a, options);
    agent_has_.emplace_back(trace_.transactions.size(), 0);
  }
  site_has_.assign(scenario.topology.site_count(), std::vector<uint8_t>());
  queue_of_.resize(scenario.topology.site_count());
  queue_next_.assign(scenario.topology.site_count(), 0);
  txns_.resize(trace_.transactions.size());
  for (uint64_t t = 0; t < txns_.size(); ++t) {
    Txn& x = txns_[t];
    x.txn = std::move(trace_.transactions[t]);
    if (!trace_.concurrent) {
      x.txn.parents.clear();
      if (t > 0) x.txn.parents.push_back(static_cast<uint32_t>(t - 1));
    }
    x.agent = trace_.concurrent ? x.txn.agent : 0;
    x.site = w.sites[(trace_.concurrent ? x.agent : t) % w.sites.size()];
    queue_of_[x.site].push_back(t);
    if (site_has_[x.site].empty()) site_has_[x.site].assign(txns_.size(), 0);
  }
  trace_.transactions.clear();
  visit_stamp_.assign(txns_.size(), 0);
  search_ = CausalPastSearch(txns_.size());
}

std::optional<uint64_t> TraceDriver::next_for(SiteIndex i) const {
  if (queue_next_[i] >= queue_of_[i].size()) return std::nullopt;
  return queue_of_[i][queue_next_[i]];
}

bool TraceDriver::ready(SiteIndex i, uint64_t t, const DotSet& claimed) {
  std::vector<uint8_t>& has = site_has_[i];
  ++stamp_;
  std::vector<uint32_t> stack(txns_[t].txn.parents.begin(), txns_[t].txn.parents.end());
  std::vector<uint32_t> visited;
  while (!stack.empty()) {
    const uint32_t x = stack.back();
    stack.pop_back();
    if (has[x] || visit_stamp_[x] == stamp_) continue;
    visit_stamp_[x] = stamp_;
    if (!txns_[x].made) return false;
    for (const site::SharedOp& op : txns_[x].ops) {
      bool held = true;
      for_each_atom_id(*op, [&](OpId id) { held = held && claimed.contains(id); });
      if (!held) return false;
    }
    visited.push_back(x);
    for (uint32_t p : txns_[x].txn.parents) stack.push_back(p);
  }
  // The whole past is here: remember it, so later searches stop at these transactions.
  for (uint32_t x : visited) has[x] = 1;
  return true;
}

void TraceDriver::catch_up(uint32_t agent, const std::vector<uint32_t>& heads) {
  const std::vector<uint32_t> missing = search_.missing(
      heads, [&](uint32_t x) -> const std::vector<uint32_t>& { return txns_[x].txn.parents; },
      [&](uint32_t x) { return agent_has_[agent][x] != 0; });
  for (uint32_t x : missing) {
    for (const site::SharedOp& op : txns_[x].ops) {
      const ApplyOutcome o = agents_[agent].apply(*op);
      TD_ASSERT(o == ApplyOutcome::kApplied, "a causally delivered op applies to an agent's view");
    }
    agent_has_[agent][x] = 1;
  }
}

std::vector<site::SharedOp> TraceDriver::make(uint64_t t) {
  Txn& x = txns_[t];
  TD_ASSERT(next_for(x.site) == t, "a site makes its transactions in order");
  catch_up(x.agent, x.txn.parents);
  Replica& view = agents_[x.agent];
  std::vector<site::SharedOp> ops;
  const OpSink keep = [&](Op&& op) { ops.push_back(std::make_shared<const Op>(std::move(op))); };
  for (size_t k = 0; k < x.txn.patches.size(); ++k) {
    const TracePatch& p = x.txn.patches[k];
    // A typed or pasted stretch is one run op, one message (docs/BENCHMARKS.md, "Runs").
    if (!apply_patch(view, scenario_.workload.trace.atoms, p, keep, unbounded_room)) {
      throw InputError(
          scenario_.workload.trace.file,
          "txns[" + std::to_string(t) + "].patches[" + std::to_string(k) + "]",
          "falls outside the document its agent saw (length " + std::to_string(view.units()) + ")");
    }
  }
  agent_has_[x.agent][t] = 1;
  x.ops = ops;
  x.made = true;
  ++queue_next_[x.site];
  ++issued_;
  return ops;
}

void TraceDriver::forget_site(SiteIndex i) {
  if (!site_has_[i].empty()) std::fill(site_has_[i].begin(), site_has_[i].end(), 0);
}

}  // namespace treedoc::sim
