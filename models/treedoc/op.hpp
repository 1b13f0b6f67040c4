// Treedoc operations as they travel between sites: insert and delete, tagged with their epoch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/treedoc/dis.hpp"
#include "models/treedoc/tid.hpp"

namespace treedoc {

enum class OpKind : uint8_t { kInsert = 0, kDelete = 1 };

// How atom j + 1 of a run hangs below atom j, as sequential typing builds it (docs/protocol.md §2
// rules 2 and 4): in the right child of j's major, p'•(1:d), or with mini_child in j's own right
// child, p•(1:d). kBase (delete runs only): the members are epoch-initial atoms i, i + 1, ... of
// the epoch's A, whose TIDs are flat_tid(i + j, |A|) (docs/protocol.md §3 place()).
enum class RunChain : uint8_t { kMajor = 0, kMini = 1, kBase = 2 };

struct Op {
  OpKind kind = OpKind::kInsert;
  OpId id{};
  uint64_t epoch = 0;
  Tid tid;             // insert: the new atom's position; delete: the target's position
  std::string atom;    // insert only: opaque bytes
  uint32_t width = 1;  // insert only: units the atom counts for (e.g. characters)
  OpId target{};       // delete only: the target's original insert op id (needed for colouring)
  // A run (docs/BENCHMARKS.md, "Runs"): `run` >= 2 atoms with consecutive op ids from `id`, atom
  // j + 1 the `chain` child of atom j, so only atom 0's TID travels (run.hpp derives the others;
  // a delete run's targets are consecutive from `target` too). 0: a single-atom op, encoded
  // exactly as before runs existed.
  uint32_t run = 0;
  RunChain chain = RunChain::kMajor;
  uint32_t run_base_atoms = 0;  // kBase: |A| of the epoch, which places the members
  // Insert run: `atom` holds every atom's bytes, concatenated. Empty vectors: every atom has
  // atom.size() / run bytes and `width` units; otherwise one entry per atom.
  std::vector<uint32_t> run_sizes;
  std::vector<uint32_t> run_widths;

  uint32_t atoms() const { return run == 0 ? 1 : run; }

  bool is_insert() const { return kind == OpKind::kInsert; }
  friend bool operator==(const Op&, const Op&) = default;
};

std::string to_string(const Op& op);

}  // namespace treedoc
