// Invariant 1, TID uniqueness: within an epoch no two inserts share a TID, whether a site made
// it or translated it into the epoch; a made insert's TID ends in the Dis its op id names, on
// which uniqueness rests; and what a replica refused (a collision it found in its tree, or a
// malformed op).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "models/site/effects.hpp"
#include "sim/check/report_text.hpp"
#include "sim/check/violation.hpp"

namespace treedoc::sim {

class TidUniqueness {
 public:
  TidUniqueness(DisMode dis_mode, const ReportText& text, Verdict* verdict)
      : dis_mode_(dis_mode), text_(text), verdict_(verdict) {}

  // Insert `op` (one atom) as site i made it: its TID's last Dis must be the one its id names
  // (docs/protocol.md §1: in UDIS the op id, in SDIS (site, 0)), since two inserts' TIDs differ
  // in that Dis if nowhere else; then claim(..., "made"). False when it reported.
  bool made(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid);
  // Records insert `op` as the owner of its TID in its epoch, or reports the insert that already
  // owns it (`how` it got the TID: "made", "translated"). False when it reported.
  bool claim(TimeUs now, SiteIndex i, const Op& op, const std::string& encoded_tid,
             const char* how);
  // Site i's replica refused an op: a collision only its tree showed, or a malformed op.
  void rejected(TimeUs now, SiteIndex i, const site::Rejection& r);

 private:
  DisMode dis_mode_;
  const ReportText& text_;
  Verdict* verdict_;
  // Two independent 64-bit hashes of (encoded TID, epoch): the key of one TID in one epoch. Not
  // the TID itself: a pasted chain's TIDs grow with its length, so keeping every one is quadratic
  // in bytes (rustcode's would be gigabytes). Equal TIDs always collide, so no reuse is missed; two
  // different ones share a key with probability about n^2 / 2^129 for n TIDs, which is none.
  struct Key {
    uint64_t a = 0, b = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(k.a); }
  };
  static Key key_of(const std::string& encoded_tid, uint64_t epoch);
  std::unordered_map<Key, OpId, KeyHash> owner_;  // never iterated
};

}  // namespace treedoc::sim
