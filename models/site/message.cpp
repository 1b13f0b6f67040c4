// Message sizes and the op-set hash.
#include "models/site/message.hpp"

#include "models/treedoc/codec.hpp"

namespace treedoc::site {

void OpSetHash::add(OpId id) {
  // splitmix64 finaliser over (site, counter): well mixed, so sums of distinct ids rarely collide.
  uint64_t z = (uint64_t{id.site} << 40) ^ id.counter ^ 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  sum += z ^ (z >> 31);
  ++count;
}

namespace {
uint64_t members_bytes(const Members& members) {
  if (!members) return 0;
  uint64_t n = varint_size(members->size());
  for (SiteId m : *members) n += varint_size(m);
  return n;
}
}  // namespace

uint64_t Message::encoded_bytes() const {
  uint64_t n = 1 + varint_size(from) + varint_size(epoch) + varint_size(view);
  n += varint_size(ops.size());
  for (const SharedOp& op : ops) n += encoded_op_size(*op);
  switch (kind) {
    case MessageKind::kOps:
    case MessageKind::kHeartbeat:
    case MessageKind::kJoin: break;
    case MessageKind::kStale: n += 1 + members_bytes(members); break;
    case MessageKind::kDigest:
    case MessageKind::kHello:
      n += 8 + varint_size(digest_hash.count) + 1 + (digest ? digest->encoded_size() : 0);
      break;
    case MessageKind::kCommit:
      // kind, txid, vote/outcome and hash; a prepare or decision also carries its cut.
      n += 1 + varint_size(commit.txid.coordinator) + varint_size(commit.txid.attempt) + 2 + 8 +
           (commit.cut ? commit.cut->encoded_size() : 0) + members_bytes(commit.next_members);
      // What a no or a late update blames: the causing op, or the attempt it is prepared for.
      if (commit.cause != kOpIdNone) {
        n += varint_size(commit.cause.site) + varint_size(commit.cause.counter);
      }
      if (commit.blocking != TxId{}) {
        n += varint_size(commit.blocking.coordinator) + varint_size(commit.blocking.attempt);
      }
      break;
    case MessageKind::kCut:
      n += 8 + (ending && ending->cut ? ending->cut->encoded_size() : 0) +
           (ending ? members_bytes(ending->next_members) : 0);
      break;
    case MessageKind::kState:
      n += (digest ? digest->encoded_size() : 0) + members_bytes(members);
      if (base) {
        for (const FlatAtom& a : *base) n += a.atom.size() + varint_size(a.width) + 6;
      }
      break;
  }
  return n;
}

}  // namespace treedoc::site
