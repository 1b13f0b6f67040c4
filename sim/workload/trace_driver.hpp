// The trace-driven workload: a real editing trace replayed by simulated sites. A concurrent
// trace's agents map to sites; a sequential trace's transactions rotate over them. A transaction is
// made once its site has applied every op of the transaction's causal past, against a view of the
// document holding exactly that past (the "agent's replica"), so its positions mean what they meant
// in the trace; its ops then enter the site as local ops.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/site/message.hpp"
#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/replica.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/workload/causal_past.hpp"
#include "sim/workload/editing_trace.hpp"

namespace treedoc::sim {

class TraceDriver {
 public:
  // Loads the trace (InputError on a bad one). Agents edit under op ids of their own, numbered
  // after the sites', so the agents' relative order (and so the merged text) is the trace's.
  TraceDriver(const Scenario& scenario);

  uint64_t transactions() const { return txns_.size(); }
  uint64_t issued() const { return issued_; }
  bool finished() const { return issued_ == txns_.size(); }
  const std::string& end_content() const { return trace_.end_content; }

  // The next transaction site i is to make, if any.
  std::optional<uint64_t> next_for(SiteIndex i) const;
  // Whether site i, which has applied `claimed`, holds every op of t's causal past.
  bool ready(SiteIndex i, uint64_t t, const DotSet& claimed);
  // Makes transaction t (ready at its site) on its agent's view; returns its ops, in order.
  std::vector<site::SharedOp> make(uint64_t t);
  // Site i lost its volatile state: its readiness memo is void.
  void forget_site(SiteIndex i);

 private:
  struct Txn {
    TraceTransaction txn;  // a sequential trace gets parents {t-1}
    uint32_t agent = 0;
    SiteIndex site = 0;
    std::vector<site::SharedOp> ops;  // once made
    bool made = false;
  };
  void catch_up(uint32_t agent, const std::vector<uint32_t>& heads);

  const Scenario& scenario_;
  EditingTrace trace_;
  std::vector<Txn> txns_;
  std::vector<Replica> agents_;                  // each agent's view of the document
  std::vector<std::vector<uint8_t>> agent_has_;  // agent_has_[agent][txn]
  std::vector<std::vector<uint8_t>> site_has_;   // site_has_[site][txn]: every op claimed
  std::vector<std::vector<uint64_t>> queue_of_;  // per site: its transactions, in order
  std::vector<size_t> queue_next_;               // per site: index into queue_of_
  std::vector<uint64_t> visit_stamp_;  // for ready()'s search, which memoises what it finds
  uint64_t stamp_ = 0;
  CausalPastSearch search_;  // for catch_up()
  uint64_t issued_ = 0;
};

}  // namespace treedoc::sim
