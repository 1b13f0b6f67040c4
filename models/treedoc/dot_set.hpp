// A set of op ids compressed as a version vector with exceptions: `seen`, S and the cut C.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "models/treedoc/dis.hpp"

namespace treedoc {

class DotSet {
 public:
  bool contains(OpId id) const;
  // Adds `id`; returns false when it was already there.
  bool insert(OpId id);
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    sites_.clear();
    size_ = 0;
  }
  // Every id, ordered by (site, counter).
  std::vector<OpId> to_vector() const;
  // Ids in this set and not in `other`, ordered.
  std::vector<OpId> minus(const DotSet& other) const;
  // Whether every id of `other` is here; O(sites + gaps), without expanding either set.
  bool includes(const DotSet& other) const;
  // Every counter in 1..contiguous(site) is present (0 when the site has none).
  uint64_t contiguous(SiteId site) const;
  // fn(site, contiguous, extras) for each site, in site order.
  template <typename Fn>
  void for_each_site(Fn&& fn) const {
    for (const auto& [site, s] : sites_) fn(site, s.contiguous, s.extras);
  }
  // Bytes of the compact form a digest would carry: per site its id, contiguous bound and extras.
  size_t encoded_size() const;

  friend bool operator==(const DotSet&, const DotSet&) = default;

 private:
  struct PerSite {
    uint64_t contiguous = 0;    // every counter in 1..contiguous is present
    std::set<uint64_t> extras;  // present counters above contiguous + 1
    friend bool operator==(const PerSite&, const PerSite&) = default;
  };
  std::map<SiteId, PerSite> sites_;  // ordered: iteration order is deterministic
  uint64_t size_ = 0;
};

}  // namespace treedoc
