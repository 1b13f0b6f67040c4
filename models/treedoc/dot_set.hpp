// A set of op ids compressed as runs of consecutive counters per site: `seen`, S and the cut C.
// A version vector is the one-run case; runs also stay compact for an epoch's `seen`, which starts
// empty while counters keep counting (docs/protocol.md §1: never reset), so it never starts at 1.
#pragma once

#include <cstdint>
#include <vector>

#include "models/treedoc/dis.hpp"

namespace treedoc {

class DotSet {
 public:
  bool contains(OpId id) const;
  // Adds `id`; returns false when it was already there.
  bool insert(OpId id);
  // Adds ids first .. first + count - 1, above every id of first.site here: a site's own new
  // ops, one search for the run rather than one per id.
  void insert_above(OpId first, uint64_t count);
  // Adds ids first .. first + count - 1, which all follow every id already here in (site,
  // counter) order: building a set from sorted runs is linear.
  void append_run(OpId first, uint64_t count);
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    runs_.clear();
    size_ = 0;
  }
  // Every id, ordered by (site, counter).
  std::vector<OpId> to_vector() const;
  // Ids in this set and not in `other`, ordered.
  std::vector<OpId> minus(const DotSet& other) const;
  // Whether every id of `other` is here; O(sites + runs), without expanding either set.
  bool includes(const DotSet& other) const;
  // Every counter in 1..contiguous(site) is present (0 when counter 1 is not).
  uint64_t contiguous(SiteId site) const;
  // Bytes of the compact form a digest would carry: per site its id and its runs.
  size_t encoded_size() const;
  // Bytes this set holds in memory: its runs' storage (16 bytes a run, not 8 an id).
  size_t memory_bytes() const { return runs_.capacity() * sizeof(Run); }
  friend bool operator==(const DotSet&, const DotSet&) = default;

 private:
  // Counters first..last (inclusive) of one site, in 16 bytes: lookups touch fewer cache lines
  // and a new site moves less (measured in docs/BENCHMARKS.md).
  struct Run {
    SiteId site = 0;
    uint32_t span = 0;  // last - first: a run holds at most kRunCountersMax counters
    uint64_t first = 0;
    uint64_t last() const { return first + span; }
    void set_last(uint64_t last);
    void set_first(uint64_t first_new);  // keeps last
    friend bool operator==(const Run&, const Run&) = default;
  };
  static constexpr uint64_t kRunCountersMax = uint64_t{UINT32_MAX} + 1;
  // The index of the first run of `site`, or of the first run of a later site (runs_.size() if
  // none).
  size_t first_run_of(SiteId site) const;
  // The index of the run of `id.site` that would hold id.counter or follow it: the first run of
  // that site starting above the counter (or the next site's first run).
  size_t run_after(OpId id) const;

  // All runs in one flat vector sorted by (site, first), each site's runs disjoint and never
  // adjacent (merged), so equal sets have equal vectors. Nearly every site has one run, so a
  // lookup touches one or two cache lines, a new site moves plain 16-byte values, and a copy (a
  // digest snapshot per anti-entropy round) is one allocation. Measured against a sorted vector
  // of per-site run lists: see docs/BENCHMARKS.md.
  std::vector<Run> runs_;
  uint64_t size_ = 0;
};

}  // namespace treedoc
