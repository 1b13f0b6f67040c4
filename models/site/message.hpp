// What sites send each other: batches of ops, and anti-entropy digests of the ops a site has.
// Ops are immutable and shared, so a broadcast to 10,000 sites holds one copy of each.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/op.hpp"

namespace treedoc::site {

using SharedOp = std::shared_ptr<const Op>;

enum class MessageKind : uint8_t {
  kOps,     // ops to apply: a local batch, an epidemic forward or an anti-entropy repair
  kDigest,  // "here is what I have": the receiver sends back what the sender lacks
};

const char* to_string(MessageKind k);

// Order-independent hash of a set of op ids, kept incrementally: equal sets, equal hashes.
struct OpSetHash {
  uint64_t sum = 0;
  uint64_t count = 0;
  void add(OpId id);
  friend bool operator==(const OpSetHash&, const OpSetHash&) = default;
};

struct Message {
  MessageKind kind = MessageKind::kOps;
  SiteId from = 0;
  uint64_t epoch = 0;
  std::vector<SharedOp> ops;  // kOps
  bool repair = false;        // kOps: sent in answer to a digest (anti-entropy)
  // kDigest: the sender's applied set (shared: a snapshot, taken once per change) and its hash.
  std::shared_ptr<const DotSet> digest;
  OpSetHash digest_hash;
  bool wants_reply = false;  // kDigest: first leg of an exchange; the reply leg sets false

  // Bytes this message would take on a wire: a small header plus the compact op and digest codecs.
  uint64_t encoded_bytes() const;
};

using SharedMessage = std::shared_ptr<const Message>;

}  // namespace treedoc::site
