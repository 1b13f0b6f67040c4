// What a site keeps on "disk": it outlives the site's volatile state across crashes. Which ops it
// holds depends on the scenario's Durability; the counter, the epoch it is in (with that epoch's
// base) and the flatten commit's log are always kept (docs/protocol.md §1, §3 steps 2 and 4).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/site/flatten_commit.hpp"
#include "models/site/message.hpp"

namespace treedoc::site {

struct DurableStore {
  uint64_t counter = 0;  // the site's op counter: never reset
  uint64_t epoch = 0;    // the epoch `ops` belong to
  // The base atoms `epoch` started from (null for epoch 0, which starts empty).
  std::shared_ptr<const std::vector<FlatAtom>> base;
  uint64_t view = 0;  // the view `epoch` started with, and its members (null: the scenario's core)
  Members members;
  std::vector<SharedOp> ops;  // own ops (kOwnOps) or every applied op (kAllOps), in log order
  // The ops this site's trace agents made here (they carry the agent's id, not the site's): own
  // ops by role (docs/protocol.md §4, "Beyond retention"). Ids only, kept in every mode as the
  // counter is.
  DotSet agent_ops;
  // Deletes a re-base could not yet place, waiting for their targets (any epoch's); kept as `ops`.
  std::vector<SharedOp> pending_deletes;
  CommitLog commit_log;
};

}  // namespace treedoc::site
