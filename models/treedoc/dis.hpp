// Disambiguators, site ids and op ids: the small value types that name Treedoc atoms and
// operations.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "models/vocabulary/named_enum.hpp"

namespace treedoc {

using SiteId = uint32_t;
// Site ids 0 and 1 are reserved for D_MIN and D_FLAT (docs/protocol.md §1); real sites start here.
inline constexpr SiteId kSiteIdFirst = 2;

// A disambiguator (site, counter), ordered lexicographically. In SDIS mode counter is always 0.
struct Dis {
  SiteId site = 0;
  uint64_t counter = 0;
  friend auto operator<=>(const Dis&, const Dis&) = default;
};

inline constexpr Dis kDisMin{0, 0};   // the sentinel n_b's disambiguator
inline constexpr Dis kDisFlat{1, 0};  // every flattened atom's disambiguator

// An operation's identity (site, per-site counter). One counter serves inserts and deletes alike
// (docs/protocol.md §8, traps: separate counters collide in `seen`). In UDIS mode an insert's Dis
// equals its op id.
struct OpId {
  SiteId site = 0;
  uint64_t counter = 0;
  friend auto operator<=>(const OpId&, const OpId&) = default;
};

inline constexpr OpId kOpIdNone{0, 0};  // no op: the sentinel, ghosts

inline std::string to_string(const Dis& d) {
  return std::to_string(d.site) + ":" + std::to_string(d.counter);
}
inline std::string to_string(const OpId& id) {
  return std::to_string(id.site) + "." + std::to_string(id.counter);
}

// Disambiguator mode, a document-wide constant.
#define TREEDOC_DIS_MODES(X)                                                       \
  X(kUdis, "udis", "unique disambiguators: (site, counter); the Dis is the op id") \
  X(kSdis, "sdis", "site disambiguators: (site, 0); tombstones are never discarded")

enum class DisMode : uint8_t { TREEDOC_DIS_MODES(TREEDOC_ENUMERATOR) };
inline constexpr auto kDisModes = named_enum<DisMode>({TREEDOC_DIS_MODES(TREEDOC_ENUM_ENTRY)});
static_assert(kDisModes.well_formed());

}  // namespace treedoc
