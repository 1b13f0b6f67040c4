// Per-site traffic and work counters kept by the simulator (the model does not count its own I/O).
#pragma once

#include <cstdint>

namespace treedoc::sim {

struct SiteCounters {
  uint64_t ops_made = 0;          // local edits
  uint64_t ops_applied = 0;       // ops the site newly counted as applied, its own included
  uint64_t msgs_sent = 0;         // one per recipient, dropped ones included
  uint64_t bytes_sent = 0;        // encoded size, one per recipient
  uint64_t msgs_received = 0;     // delivered to the site
  uint64_t msgs_dropped = 0;      // sent by this site and dropped (partition, cut, loss, down)
  uint64_t msgs_duplicated = 0;   // sent by this site and delivered twice
  uint64_t wrong_epoch = 0;       // ops or digests of another epoch, ignored
  uint64_t flatten_attempts = 0;  // PREPAREs this site sent as coordinator
  uint64_t flatten_commits = 0;   // commits this site learned (one per epoch it closed itself)
  uint64_t flatten_aborts = 0;    // aborts this site learned
  // The attempts this site decided as coordinator: summed over sites, each attempt once.
  uint64_t flatten_commits_decided = 0, flatten_aborts_decided = 0;
  uint64_t epochs_entered = 0;  // by commit, catch-up or state transfer
  uint64_t ops_translated = 0;  // black ops carried into a new epoch
  uint64_t lost_by_policy = 0;  // ops a state transfer could not carry over
  // Host time, not simulation: nanoseconds spent in on_message for ops messages that applied
  // ops, and the ops they applied (sim/site_actor.cpp). Never in the event log or a per-site
  // metrics line; metrics.jsonl's total lines turn them into host_apply_ns_per_op.
  uint64_t host_apply_ns = 0;
  uint64_t ops_timed = 0;

  void add(const SiteCounters& o) {
    ops_made += o.ops_made;
    ops_applied += o.ops_applied;
    msgs_sent += o.msgs_sent;
    bytes_sent += o.bytes_sent;
    msgs_received += o.msgs_received;
    msgs_dropped += o.msgs_dropped;
    msgs_duplicated += o.msgs_duplicated;
    wrong_epoch += o.wrong_epoch;
    flatten_attempts += o.flatten_attempts;
    flatten_commits += o.flatten_commits;
    flatten_aborts += o.flatten_aborts;
    flatten_commits_decided += o.flatten_commits_decided;
    flatten_aborts_decided += o.flatten_aborts_decided;
    epochs_entered += o.epochs_entered;
    ops_translated += o.ops_translated;
    lost_by_policy += o.lost_by_policy;
    host_apply_ns += o.host_apply_ns;
    ops_timed += o.ops_timed;
  }
};

}  // namespace treedoc::sim
