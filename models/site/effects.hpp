// What a site asks its environment to do after each step: messages to send, timers to set, and
// what it applied (for the checker and the metrics). The site never does I/O itself.
#pragma once

#include <cstdint>
#include <vector>

#include "models/site/coverage_probe.hpp"
#include "models/site/message.hpp"
#include "models/site/time_us.hpp"
#include "models/treedoc/replica.hpp"

namespace treedoc::site {

// Who gets a message. The environment resolves "all" and "random" from its membership list and a
// seeded stream of its own: the model holds no randomness it was not given.
struct Destination {
  enum class Kind : uint8_t {
    kSite,         // exactly `site`
    kAllPeers,     // every other site
    kRandomPeers,  // `count` distinct other sites chosen at random (fewer if there are fewer)
  };
  Kind kind = Kind::kSite;
  SiteId site = 0;
  uint32_t count = 0;
};

struct Outgoing {
  Destination to;
  SharedMessage message;
};

enum class TimerKind : uint8_t {
  kAntiEntropy,
};

struct TimerRequest {
  TimerKind kind = TimerKind::kAntiEntropy;
  TimeUs at_us = 0;
};

// An op the replica refused: a TID collision (invariant 1) or a malformed op.
struct Rejection {
  SharedOp op;
  ApplyOutcome outcome = ApplyOutcome::kMalformed;
};

struct Effects {
  std::vector<Outgoing> sends;
  std::vector<TimerRequest> timers;
  std::vector<SharedOp> applied;  // ops the site now counts as applied, in the order it did
  std::vector<Rejection> rejected;
  uint64_t wrong_epoch = 0;  // ops of another epoch, ignored until the protocol handles them
  ProbeCounts probes;
};

}  // namespace treedoc::site
