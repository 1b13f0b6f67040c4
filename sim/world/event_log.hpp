// The run's event log: every decision that shapes a run (sends and their fates, deliveries, local
// ops with their content, timers, faults, phases) folded into a rolling hash, and optionally
// written as text lines so two runs can be compared event by event (--check-determinism).
// Events of one instant are sorted before they are folded in: actors acting in the same instant
// cannot affect each other (every message takes at least 1 us), so the order SimGrid happens to run
// them in must not change the hash.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "models/site/time_us.hpp"
#include "models/treedoc/fnv_hash.hpp"

namespace treedoc::sim {

enum class EventKind : uint8_t {
  kSend,        // a: from, b: to, c: the sender's message seq, d: due time
  kDrop,        // a: from, b: to, c: the sender's message seq, d: DropReason
  kDeliver,     // a: from, b: to, c: the sender's message seq
  kLocalOp,     // a: site, b: op counter, c: kind (0 insert, 1 delete), d: index, e: op hash
  kTimer,       // a: site, b: timer kind
  kFault,       // a: fault index in the scenario, b: verb
  kCrash,       // a: site
  kRestart,     // a: site
  kPhase,       // a: 0 safety end, 1 converged, 2 liveness failed, 3 violation; observer instant
  kEpoch,       // a: site, b: the epoch it entered, c: 1 by catch-up, d: ops translated into it
  kCommit,      // a: site, b: CommitEvent::Phase, c: the epoch to close, d: txid coordinator,
                // e: txid attempt
  kMembership,  // a: site, b: MembershipEvent::Kind, c: the site it is about, d: epoch, e: view
  kRpcFailed,   // a: caller, b: callee, c: the sender's message seq, d: RpcError; the caller knows
};

const char* to_string(EventKind k);

class EventLog {
 public:
  // text: where to write one line per event, or null for the hash alone.
  explicit EventLog(std::FILE* text = nullptr) : text_(text) {}

  // An event of the instant t (integer microseconds: what sites and faults do).
  void record(site::TimeUs t, EventKind kind, uint64_t a, uint64_t b = 0, uint64_t c = 0,
              uint64_t d = 0, uint64_t e = 0) {
    add(2 * t, kind, a, b, c, d, e);
  }
  // An event of the observer, which looks half a microsecond after the instant t, when every
  // event of t has happened.
  void record_observation(site::TimeUs t, EventKind kind, uint64_t a) {
    add(2 * t + 1, kind, a, 0, 0, 0, 0);
  }
  // Folds in the last instant; call once the run is over, before hash() and count().
  void finish() { flush(); }
  uint64_t hash() const { return hash_.value(); }
  uint64_t count() const { return count_; }

 private:
  struct Event {
    uint64_t tick;  // 2 t, or 2 t + 1 for the observer
    EventKind kind;
    uint64_t a, b, c, d, e;
    friend auto operator<=>(const Event&, const Event&) = default;
  };
  void add(uint64_t tick, EventKind kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
           uint64_t e);
  void flush();

  std::FILE* text_;
  std::vector<Event> instant_;  // the events of the current tick, not yet folded in
  Fnv64 hash_;
  uint64_t count_ = 0;
};

// The hash as printed: 16 lowercase hex digits.
std::string hash_hex(uint64_t hash);

}  // namespace treedoc::sim
