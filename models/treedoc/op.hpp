// Treedoc operations as they travel between sites: insert and delete, tagged with their epoch.
#pragma once

#include <cstdint>
#include <string>

#include "models/treedoc/dis.hpp"
#include "models/treedoc/tid.hpp"

namespace treedoc {

enum class OpKind : uint8_t { kInsert = 0, kDelete = 1 };

struct Op {
  OpKind kind = OpKind::kInsert;
  OpId id{};
  uint64_t epoch = 0;
  Tid tid;             // insert: the new atom's position; delete: the target's position
  std::string atom;    // insert only: opaque bytes
  uint32_t width = 1;  // insert only: units the atom counts for (e.g. characters)
  OpId target{};       // delete only: the target's original insert op id (needed for colouring)

  bool is_insert() const { return kind == OpKind::kInsert; }
  friend bool operator==(const Op&, const Op&) = default;
};

std::string to_string(const Op& op);

}  // namespace treedoc
