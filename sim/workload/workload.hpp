// What a run's users do, behind one interface (FoundationDB's workloads, Maelstrom's generators):
// when each site's users next act, and their edits, which the engine carries out through an
// EditSink. The synthetic workload and the trace workload implement it; the engine knows neither.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/random/random_stream.hpp"
#include "models/site/message.hpp"
#include "models/site/site.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/workload/synthetic_editor.hpp"

namespace treedoc::sim {

// How the engine carries out a workload's edits: it applies them at the site, publishes them to
// the run's observers and sends what the site sends.
class EditSink {
 public:
  virtual ~EditSink() = default;
  // Whether `site` can still act in this step (up, not stopped for good, the run not over).
  virtual bool can_act(SiteIndex site) const = 0;
  // A user of `site` edits the document at a visible index.
  virtual void user_edit(SiteIndex site, TimeUs now, const SyntheticEdit& edit) = 0;
  // An agent of a trace made `op` against its own view, in transaction `txn`, at `site`.
  virtual void agent_op(SiteIndex site, TimeUs now, const site::SharedOp& op, uint64_t txn) = 0;
};

// What the document must be once the workload is over, and whether it got there.
struct WorkloadEnd {
  uint64_t issued = 0;                   // transactions made so far
  uint64_t total = 0;                    // transactions in the trace
  const std::string* content = nullptr;  // the trace's endContent
};

class Workload {
 public:
  virtual ~Workload() = default;
  // `site` booted a new replica at `now` (first boot or restart).
  virtual void on_boot(SiteIndex site, TimeUs now) = 0;
  // `site`'s pause ended at `now`: what fell due during it did not happen.
  virtual void on_resume(SiteIndex site, TimeUs now) = 0;
  // When `site`'s users next act (site::kTimeUsMax: never); `state` is null while it is down.
  virtual TimeUs next_act_us(SiteIndex site, TimeUs now, const site::Site* state) = 0;
  // Everything `site`'s users do at `now`, through `sink`.
  virtual void act(SiteIndex site, TimeUs now, const site::Site& state, EditSink& sink) = 0;
  // Whether a delivery can make a site's users ready sooner than planned (a trace transaction
  // waiting for its causal past): the engine then rechecks the site's wake after each delivery.
  virtual bool ready_on_delivery() const = 0;
  // What the run must end at (a trace's endContent), if the workload says.
  virtual std::optional<WorkloadEnd> end() const = 0;
};

// The scenario's workload; a trace workload loads its trace here (InputError on a bad one).
// `root` is the run's seeded stream: each site's users draw from a stream split off it.
std::unique_ptr<Workload> make_workload(const Scenario& scenario, const RandomStream& root);

}  // namespace treedoc::sim
