// The run's event log: every decision that shapes a run (sends and their fates, deliveries, local
// ops, timers, faults) folded into a rolling hash, and optionally written as text lines so two runs
// can be compared event by event (--check-determinism).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "models/site/time_us.hpp"
#include "models/treedoc/fnv_hash.hpp"

namespace treedoc::sim {

enum class EventKind : uint8_t {
  kSend,     // a: from, b: to, c: message seq, d: due time (0 when dropped)
  kDrop,     // a: from, b: to, c: message seq, d: reason (1 partition, 2 loss, 3 down, 4 cut)
  kDeliver,  // a: from, b: to, c: message seq
  kLocalOp,  // a: site, b: op counter, c: kind (0 insert, 1 delete), d: index
  kTimer,    // a: site, b: timer kind
  kFault,    // a: fault index in the scenario, b: verb
  kCrash,    // a: site
  kRestart,  // a: site
  kPhase,    // a: 0 safety end / liveness start, 1 converged
};

const char* to_string(EventKind k);

class EventLog {
 public:
  // text: where to write one line per event, or null for the hash alone.
  explicit EventLog(std::FILE* text = nullptr) : text_(text) {}

  void record(site::TimeUs t, EventKind kind, uint64_t a, uint64_t b = 0, uint64_t c = 0,
              uint64_t d = 0);
  uint64_t hash() const { return hash_.value(); }
  uint64_t count() const { return count_; }

 private:
  std::FILE* text_;
  Fnv64 hash_;
  uint64_t count_ = 0;
};

// The hash as printed: 16 lowercase hex digits.
std::string hash_hex(uint64_t hash);

}  // namespace treedoc::sim
