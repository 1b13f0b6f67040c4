// TID uniqueness: one owner per (epoch, TID).
#include "sim/check/tid_uniqueness.hpp"

#include <algorithm>

#include "models/treedoc/assertion.hpp"
#include "models/treedoc/fnv_hash.hpp"

namespace treedoc::sim {

TidUniqueness::Key TidUniqueness::key_of(const std::string& encoded_tid, uint64_t epoch) {
  // Word by word (a pasted chain's TID is kilobytes); b starts elsewhere and takes the words
  // rotated, so the two hashes mix differently.
  Fnv64 a, b;
  b.add_u64(0x5bd1e9955bd1e995ull);
  a.add_u64(epoch);
  b.add_u64(epoch);
  a.add_u64(encoded_tid.size());
  b.add_u64(encoded_tid.size());
  for (size_t at = 0; at < encoded_tid.size(); at += 8) {
    uint64_t word = 0;
    for (size_t k = at; k < std::min(at + 8, encoded_tid.size()); ++k) {
      word = (word << 8) | static_cast<unsigned char>(encoded_tid[k]);
    }
    a.add_u64(word);
    b.add_u64((word << 29) | (word >> 35));
  }
  return {a.value(), b.value()};
}

bool TidUniqueness::made(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid) {
  TD_ASSERT(op.is_insert() && op.run == 0, "one inserted atom");
  const Dis named{op.id.site, dis_mode_ == DisMode::kUdis ? op.id.counter : 0};
  const bool names_its_op = op.tid.well_formed() && op.tid.dises().back().second == named;
  if (!names_its_op) {
    verdict_->report({Invariant::kTidUniqueness,
                      now,
                      {i},
                      {op.id},
                      "insert " + text_.op(op.id) + " made at " + text_.site(i) + " has TID " +
                          to_string(op.tid) + ", whose last Dis is not " + to_string(named) +
                          ", the one its op id names"});
    return false;
  }
  return claim(now, i, op, encoded_tid, "made");
}

bool TidUniqueness::claim(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid,
                          const char* how) {
  const auto [owner, first] = owner_.emplace(key_of(encoded_tid, op.epoch), op.id);
  if (first || owner->second == op.id) return true;
  verdict_->report({Invariant::kTidUniqueness,
                    now,
                    {i},
                    {op.id, owner->second},
                    "insert " + text_.op(op.id) + " " + how + " at " + text_.site(i) +
                        " reuses TID " + to_string(op.tid) + " of insert " +
                        text_.op(owner->second)});
  return false;
}

void TidUniqueness::rejected(TimeUs now, SiteIndex i, const site::Rejection& r) {
  if (verdict_->failed()) return;
  const bool collision = r.outcome == ApplyOutcome::kIdCollision;
  verdict_->report({collision ? Invariant::kTidUniqueness : Invariant::kWellFormedOps,
                    now,
                    {i},
                    {r.op->id},
                    text_.site(i) + " rejected op " + text_.op(r.op->id) + " " + to_string(*r.op) +
                        ": " + to_string(r.outcome)});
}

}  // namespace treedoc::sim
