// The run's event log: every decision that shapes a run (sends and their fates, deliveries, local
// ops with their content, timers, faults, phases) folded into a rolling hash, and optionally
// written as text lines so two runs can be compared event by event (--check-determinism). Each
// kind's fields are named in sim/world/event_kinds.hpp; event_schema.hpp writes them beside the
// log. Events of one instant are sorted before they are folded in: actors acting in the same
// instant cannot affect each other (every message takes at least 1 us), so the order SimGrid
// happens to run them in must not change the hash.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "models/site/time_us.hpp"
#include "models/treedoc/fnv_hash.hpp"
#include "sim/world/event_kinds.hpp"

namespace treedoc::sim {

class EventLog {
 public:
  // text: where to write one line per event, or null for the hash alone.
  explicit EventLog(std::FILE* text = nullptr) : text_(text) {}

  // An event of the instant t (integer microseconds: what sites and faults do), its fields in
  // the order kEventFieldsOf names them.
  void record(site::TimeUs t, EventKind kind, uint64_t a, uint64_t b = 0, uint64_t c = 0,
              uint64_t d = 0, uint64_t e = 0) {
    add(2 * t, kind, a, b, c, d, e);
  }
  // The observer marks a phase half a microsecond after the instant t, when every event of t
  // has happened.
  void record_phase(site::TimeUs t, RunPhase phase) {
    add(2 * t + 1, EventKind::kPhase, static_cast<uint64_t>(phase), 0, 0, 0, 0);
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
