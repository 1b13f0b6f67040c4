// A message on its way, and the queue that holds messages until they are due, earliest first in
// an order every run reproduces: (due, sender, sender's number, destination).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "models/site/message.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// In the network's queue until due, then in the destination's inbox only while the destination
// cannot take it (paused, booting, or older messages held there).
struct Envelope {
  TimeUs due_us;
  SiteIndex from;
  SiteIndex to;
  uint64_t seq;   // the sender's own message counter: ties break the same way in every run
  uint64_t life;  // the destination's life when sent: a crash since then loses the message
  site::SharedMessage message;
  bool operator>(const Envelope& o) const {
    if (due_us != o.due_us) return due_us > o.due_us;
    if (from != o.from) return from > o.from;
    return seq != o.seq ? seq > o.seq : to > o.to;
  }
};

// take() moves the earliest out instead of copying it (a copy of its message pointer costs two
// atomic counts per delivery).
class EnvelopeQueue {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const Envelope& top() const { return heap_.front(); }
  void push(Envelope e) {
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }
  Envelope take() {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    Envelope e = std::move(heap_.back());
    heap_.pop_back();
    return e;
  }

 private:
  std::vector<Envelope> heap_;
};

}  // namespace treedoc::sim
