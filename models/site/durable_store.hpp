// What a site keeps on "disk": it outlives the site's volatile state across crashes. Which ops it
// holds depends on the scenario's Durability; the counter is always kept (spec (a)).
#pragma once

#include <cstdint>
#include <vector>

#include "models/site/message.hpp"

namespace treedoc::site {

struct DurableStore {
  uint64_t counter = 0;       // the site's op counter: never reset
  std::vector<SharedOp> ops;  // own ops (kOwnOps) or every applied op (kAllOps), in log order
};

}  // namespace treedoc::site
