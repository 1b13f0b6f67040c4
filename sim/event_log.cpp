// EventLog: the rolling hash and the optional text form of the run's events.
#include "sim/event_log.hpp"

#include <cinttypes>

namespace treedoc::sim {

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::kSend: return "send";
    case EventKind::kDrop: return "drop";
    case EventKind::kDeliver: return "deliver";
    case EventKind::kLocalOp: return "local-op";
    case EventKind::kTimer: return "timer";
    case EventKind::kFault: return "fault";
    case EventKind::kCrash: return "crash";
    case EventKind::kRestart: return "restart";
    case EventKind::kPhase: return "phase";
  }
  return "?";
}

void EventLog::record(site::TimeUs t, EventKind kind, uint64_t a, uint64_t b, uint64_t c,
                      uint64_t d) {
  hash_.add_u64(t);
  hash_.add_byte(static_cast<unsigned char>(kind));
  hash_.add_u64(a);
  hash_.add_u64(b);
  hash_.add_u64(c);
  hash_.add_u64(d);
  ++count_;
  if (text_ != nullptr) {
    std::fprintf(text_,
                 "%" PRIu64 " t=%" PRIu64 "us %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                 count_, t, to_string(kind), a, b, c, d);
  }
}

std::string hash_hex(uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, hash);
  return buf;
}

}  // namespace treedoc::sim
