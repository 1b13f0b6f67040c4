// Names of tree nodes, shared by the tree and its sequence index: arena slots for explicit nodes,
// and the flattened base's atoms by their index in A, which have no node of their own.
#pragma once

#include <cstdint>

namespace treedoc {

using NodeIndex = uint32_t;
inline constexpr NodeIndex kNoNode = UINT32_MAX;
// Names from kBaseFirst up denote base atom i = name - kBaseFirst: its mini among minis, its major
// node among majors (docs/protocol.md §3 place() gives every atom a major node of its own).
inline constexpr NodeIndex kBaseFirst = 0x8000'0000u;
// Explicit arena slots stay below kBaseFirst: a hard limit on explicit nodes per epoch.
inline constexpr NodeIndex kNodesMax = kBaseFirst - 1;
// Base indices stay below kNoNode - kBaseFirst: a hard limit on the atoms of one flattened array.
inline constexpr uint32_t kBaseAtomsMax = kNoNode - kBaseFirst;

inline constexpr bool is_base(NodeIndex n) { return n >= kBaseFirst && n != kNoNode; }
inline constexpr uint32_t base_index(NodeIndex n) { return n - kBaseFirst; }
inline constexpr NodeIndex base_node(uint32_t i) { return kBaseFirst + i; }

}  // namespace treedoc
