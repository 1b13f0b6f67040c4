// EventLog: per-instant canonical order, the rolling hash and the optional text form.
#include "sim/event_log.hpp"

#include <algorithm>
#include <cinttypes>

#include "models/treedoc/assertion.hpp"

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
    case EventKind::kEpoch: return "epoch";
    case EventKind::kCommit: return "commit";
    case EventKind::kMembership: return "membership";
    case EventKind::kRpcFailed: return "rpc-failed";
  }
  return "?";
}

void EventLog::add(uint64_t tick, EventKind kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                   uint64_t e) {
  if (!instant_.empty() && instant_.front().tick != tick) {
    TD_ASSERT(tick > instant_.front().tick, "events arrive in time order");
    flush();
  }
  instant_.push_back({tick, kind, a, b, c, d, e});
}

void EventLog::flush() {
  std::sort(instant_.begin(), instant_.end());
  for (const Event& ev : instant_) {
    hash_.add_u64(ev.tick);
    hash_.add_byte(static_cast<unsigned char>(ev.kind));
    hash_.add_u64(ev.a);
    hash_.add_u64(ev.b);
    hash_.add_u64(ev.c);
    hash_.add_u64(ev.d);
    hash_.add_u64(ev.e);
    ++count_;
    if (text_ != nullptr) {
      std::fprintf(text_,
                   "%" PRIu64 " t=%" PRIu64 "%sus %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                   " %" PRIu64 "\n",
                   count_, ev.tick / 2, ev.tick % 2 ? ".5" : "", to_string(ev.kind), ev.a, ev.b,
                   ev.c, ev.d, ev.e);
    }
  }
  instant_.clear();
}

std::string hash_hex(uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, hash);
  return buf;
}

}  // namespace treedoc::sim
