// Random concurrent editing histories for property tests: replicas edit while receiving a random,
// non-causal subset of each other's ops; then every replica receives every op in its own order.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/assertion.hpp"
#include "models/treedoc/replica.hpp"

namespace treedoc::test {

struct ConcurrentHistory {
  std::vector<Replica> replicas;
  std::vector<Op> ops;                    // every op, in the order it was generated
  std::vector<std::vector<bool>> has_op;  // has_op[r][i]: replica r applied ops[i]
};

struct HistoryShape {
  size_t replica_count = 3;
  size_t steps = 200;
  double deliver_probability = 0.3;  // per step: deliver one op instead of editing
  double insert_probability = 0.65;  // per edit: insert rather than erase
  ReplicaOptions options;
  // When not empty, every replica starts epoch 1 with this base (an epoch after a flatten).
  std::vector<FlatAtom> base;
};

inline ConcurrentHistory make_history(RandomStream& rng, const HistoryShape& shape) {
  ConcurrentHistory h;
  for (size_t r = 0; r < shape.replica_count; ++r) {
    h.replicas.emplace_back(static_cast<SiteId>(kSiteIdFirst + r), shape.options);
    h.has_op.emplace_back();
    if (!shape.base.empty()) h.replicas.back().install_epoch(1, shape.base);
  }
  for (size_t step = 0; step < shape.steps; ++step) {
    const size_t r = rng.below(shape.replica_count);
    Replica& rep = h.replicas[r];
    if (!h.ops.empty() && rng.chance(shape.deliver_probability)) {
      const size_t i = rng.below(h.ops.size());  // any op: deletes may overtake their inserts
      if (!h.has_op[r][i]) {
        const ApplyOutcome o = rep.apply(h.ops[i]);
        TD_ASSERT(o == ApplyOutcome::kApplied, "a first delivery applies");
        h.has_op[r][i] = true;
      }
      continue;
    }
    Op op;
    if (rep.size() == 0 || rng.chance(shape.insert_probability)) {
      const std::string atom(1, static_cast<char>('a' + rng.below(26)));
      op = rep.local_insert(static_cast<uint32_t>(rng.below(rep.size() + 1)), atom);
    } else {
      op = rep.local_erase(static_cast<uint32_t>(rng.below(rep.size())));
    }
    h.ops.push_back(op);
    for (size_t k = 0; k < shape.replica_count; ++k) h.has_op[k].push_back(k == r);
  }
  return h;
}

// Delivers every op to `rep` in a random order with duplicates; every third call order is reversed
// so that deletes precede their inserts and descendants their ancestors. Returns the outcomes seen.
inline void deliver_everything(RandomStream& rng, Replica& rep, const std::vector<Op>& ops,
                               bool reverse) {
  std::vector<size_t> order;
  for (size_t i = 0; i < ops.size(); ++i) {
    order.push_back(i);
    if (rng.chance(0.2)) order.push_back(i);  // a duplicate
  }
  if (reverse) {
    std::reverse(order.begin(), order.end());
  } else {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  }
  for (size_t i : order) {
    const ApplyOutcome o = rep.apply(ops[i]);
    TD_ASSERT(o == ApplyOutcome::kApplied || o == ApplyOutcome::kDuplicate,
              "every op applies or is a duplicate");
  }
}

}  // namespace treedoc::test
