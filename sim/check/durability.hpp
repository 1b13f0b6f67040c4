// Invariants 17 and 18 over what sites keep on "disk": whatever a message reveals is already in its
// sender's durable store (durable before visible), and a restarted site rebuilds exactly what was
// durable when it crashed (crash consistency). Both are judged against the checker's own record of
// each site's durable writes, taken after every step, never against what the site says it holds
// (docs/protocol.md §1, §3 steps 2 and 4, §4 step 7).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/site/durable_store.hpp"
#include "models/site/effects.hpp"
#include "models/site/site.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/violation.hpp"

namespace treedoc::sim {

// What the checker saw a site write durably: a copy of the facts, not of the site's structures.
struct DurableRecord {
  bool written = false;  // the site has taken at least one step
  uint64_t counter = 0;
  uint64_t epoch = 0;
  uint64_t view = 0;
  site::Members members;            // null: the scenario's core
  DotSet ops;                       // the op ids logged in `epoch`
  size_t ops_logged = 0;            // how many entries of the store's log `ops` reflects
  const Op* last_logged = nullptr;  // the last of them: a log cleared and refilled differs here
  uint64_t attempts = 0;
  std::optional<site::TxId> prepared;
  std::map<site::TxId, site::Outcome> decisions;
};

// Whether `durability` logs `op` at site `self` (docs/scenarios.md, replication.durability): the
// checker's own statement of each mode, kept apart from the site's so a site that logs less than
// its mode promises is caught.
bool logged_by_mode(site::Durability durability, SiteId self, const Op& op);

class DurableState {
 public:
  DurableState(const ReportText& text, Verdict* verdict) : text_(text), verdict_(verdict) {}

  // After each step of site i: what its store now holds. A PREPARED record of an epoch the store
  // has left is an attempt the new epoch did not fence (invariant 20).
  void written(TimeUs now, SiteIndex i, const site::DurableStore& store);
  // Site i hands `out` to the network: everything it reveals must be in the record (invariant 17).
  void revealed(TimeUs now, SiteIndex i, const site::Site& s, const site::Outgoing& out);
  // Site i crashed: the record of that instant is what its restart must rebuild.
  void crashed(SiteIndex i);
  // Site i started again after a crash: its state must be the record's (invariant 18).
  void recovered(TimeUs now, SiteIndex i, const site::Site& s);

 private:
  DurableRecord& record(SiteIndex i);
  void sync_ops(DurableRecord* r, const site::DurableStore& store) const;
  // What a message names of its sender's epoch, ops and flatten commit, each against the record.
  std::optional<std::string> epoch_unlogged(const DurableRecord& r, const site::Message& m) const;
  std::optional<std::string> ops_unlogged(const DurableRecord& r, const site::Site& s,
                                          const site::Message& m, std::vector<OpId>* ops) const;
  std::optional<std::string> commit_unlogged(const DurableRecord& r,
                                             const site::CommitMessage& c) const;
  std::optional<std::string> rebuilt_differs(const DurableRecord& r, const site::Site& s) const;
  void report(Invariant inv, TimeUs now, SiteIndex i, std::vector<OpId> ops, std::string detail);

  const ReportText& text_;
  Verdict* verdict_;
  std::vector<DurableRecord> records_;
  std::vector<std::optional<DurableRecord>> at_crash_;  // per site, until its restart
};

}  // namespace treedoc::sim
