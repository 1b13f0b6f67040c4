// What sites send each other: batches of ops, anti-entropy digests, the flatten commit's messages,
// and the epoch protocol's STALE, HELLO, CUT and STATE (docs/protocol.md §3 and §4). Every message
// carries the sender's (epoch, view): the fencing token. Ops are immutable and shared, so a
// broadcast to 10,000 sites holds one copy of each.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/site/flatten_commit.hpp"
#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/op.hpp"
#include "models/treedoc/tree.hpp"
#include "models/vocabulary/named_enum.hpp"

namespace treedoc::site {

using SharedOp = std::shared_ptr<const Op>;

// How an epoch ended: the committed flatten's attempt, cut C and content hash H (docs/protocol.md
// §3 step 5).
struct EpochEnding {
  uint64_t epoch = 0;  // the epoch the flatten closed; the next one is epoch + 1
  TxId txid;
  std::shared_ptr<const DotSet> cut;
  uint64_t hash = 0;
  uint64_t next_view = 0;  // the view epoch + 1 starts with
  Members next_members;
};

// clang-format off
#define TREEDOC_MESSAGE_KINDS(X) \
  X(kOps, "ops", "ops to apply: a local batch, an epidemic forward or an anti-entropy repair") \
  X(kDigest, "digest", "\"here is what I have\": the receiver sends back what the sender lacks") \
  X(kCommit, "commit", "the flatten commit among the core (prepare, vote, late update, decision, ...)") \
  X(kStale, "stale", "\"your epoch is over; mine is `epoch`\": the answer to an older epoch (fencing)") \
  X(kHello, "hello", "catch-up: \"I am in `epoch` with `digest`; how did it end?\"") \
  X(kCut, "cut", "catch-up: how `epoch` ended, with the cut's ops the asker lacks") \
  X(kState, "state", "catch-up beyond the retention bound: the base of `epoch`, nothing to translate") \
  X(kHeartbeat, "heartbeat", "member -> coordinator: \"I am alive\" (the failure detector, not the RPC path)") \
  X(kJoin, "join", "a caught-up non-member -> coordinator: \"add me to the next view\"")
// clang-format on

enum class MessageKind : uint8_t { TREEDOC_MESSAGE_KINDS(TREEDOC_ENUMERATOR) };

inline constexpr auto kMessageKinds =
    named_enum<MessageKind>({TREEDOC_MESSAGE_KINDS(TREEDOC_ENUM_ENTRY)});
static_assert(kMessageKinds.well_formed());

inline const char* to_string(MessageKind k) { return kMessageKinds.name(k); }

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
  uint64_t view = 0;
  std::vector<SharedOp> ops;  // kOps
  bool repair = false;        // kOps: sent in answer to a digest (anti-entropy)
  // kDigest: the sender's applied set (shared: a snapshot, taken once per change) and its hash.
  std::shared_ptr<const DotSet> digest;
  OpSetHash digest_hash;
  bool wants_reply = false;  // kDigest: first leg of an exchange; the reply leg sets false
  CommitMessage commit;      // kCommit
  // kCut: how `epoch` ended (the ops of its cut the asker lacks ride in `ops`).
  std::shared_ptr<const EpochEnding> ending;
  // kState: the base atoms of `epoch`, shared by every site that installs it; `digest` holds the
  // ops the base reflects since the asker's epoch, `members` the epoch's view. kStale of the
  // receiver's own epoch: `members` the sender's newer view, a view change the receiver missed.
  std::shared_ptr<const std::vector<FlatAtom>> base;
  Members members;
  // kStale: the receiver is not a member of the sender's (newer) view: YouAreDead, if it was one.
  bool expelled = false;

  // Bytes this message would take on a wire: a small header plus the compact op and digest codecs.
  uint64_t encoded_bytes() const;
};

using SharedMessage = std::shared_ptr<const Message>;

}  // namespace treedoc::site
