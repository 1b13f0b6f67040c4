// Per-site traffic and work counters kept by the simulator (the model does not count its own I/O).
#pragma once

#include <cstdint>

namespace treedoc::sim {

struct SiteCounters {
  uint64_t ops_made = 0;         // local edits
  uint64_t ops_applied = 0;      // ops the site newly counted as applied, its own included
  uint64_t msgs_sent = 0;        // one per recipient, dropped ones included
  uint64_t bytes_sent = 0;       // encoded size, one per recipient
  uint64_t msgs_received = 0;    // delivered to the site
  uint64_t msgs_dropped = 0;     // sent by this site and dropped (partition, cut, loss, down)
  uint64_t msgs_duplicated = 0;  // sent by this site and delivered twice
  uint64_t wrong_epoch = 0;      // ops or digests of another epoch, ignored

  void add(const SiteCounters& o) {
    ops_made += o.ops_made;
    ops_applied += o.ops_applied;
    msgs_sent += o.msgs_sent;
    bytes_sent += o.bytes_sent;
    msgs_received += o.msgs_received;
    msgs_dropped += o.msgs_dropped;
    msgs_duplicated += o.msgs_duplicated;
    wrong_epoch += o.wrong_epoch;
  }
};

}  // namespace treedoc::sim
