// EventLog: per-instant canonical order, the rolling hash and the optional text form.
#include "sim/world/event_log.hpp"

#include <algorithm>
#include <cinttypes>

#include "models/treedoc/assertion.hpp"

namespace treedoc::sim {

namespace {

// flush()'s insertion sort gives up after this many moves per event of the instant.
constexpr size_t kInsertionMovesPerEvent = 4;

}  // namespace

void EventLog::add(uint64_t tick, EventKind kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                   uint64_t e) {
  if (!instant_.empty() && instant_.front().tick != tick) {
    TD_ASSERT(tick > instant_.front().tick, "events arrive in time order");
    flush();
  }
  instant_.push_back({tick, kind, a, b, c, d, e});
}

void EventLog::flush() {
  // Nearly in order already (a broadcast's sends by destination, its local op out of place):
  // insertion sort takes about linear time on that, std::sort n log n. Past a linear budget of
  // moves (many drops among a broadcast's sends), std::sort finishes the job.
  const size_t moves_max = kInsertionMovesPerEvent * instant_.size();
  size_t moves = 0;
  for (size_t k = 1; k < instant_.size() && moves <= moves_max; ++k) {
    if (!(instant_[k] < instant_[k - 1])) continue;
    const Event moving = instant_[k];
    size_t j = k;
    for (; j > 0 && moving < instant_[j - 1]; --j) instant_[j] = instant_[j - 1];
    instant_[j] = moving;
    moves += k - j;
  }
  if (moves > moves_max) std::sort(instant_.begin(), instant_.end());
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
