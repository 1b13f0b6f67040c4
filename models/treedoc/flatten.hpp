// Flatten as pure functions (docs/protocol.md §3 and §4, docs/protocol.md corrections 1, 2, 6): the
// balanced layout's TIDs, flatten(C) computed from ops, colouring by cut, and the graft translation
// of post-cut ops.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "models/treedoc/dot_set.hpp"
#include "models/treedoc/op.hpp"
#include "models/treedoc/tree.hpp"

namespace treedoc {

// One of the cut's inserts kept in flatten(C): its position there and its TID in the epoch that
// was cut.
struct CutInsert {
  uint64_t position = 0;
  Tid old_tid;
};

// flatten(C), and as much of the cut epoch's order as translation needs: where the cut's inserts
// landed, and which atoms of the epoch's A the cut deleted. The rest of A_cyan is A's atoms in
// order, whose TIDs are flat_tid: building (or copying) an entry for every atom of A at every
// flatten was most of a flatten's time.
struct CutOrder {
  std::vector<CutInsert> inserts;         // by position, which is also old-TID order
  std::vector<uint64_t> deleted_initial;  // indices into the cut epoch's A, ascending
  uint64_t initial_count = 0;             // |A| of the epoch that was cut
};
struct CutArray {
  std::vector<FlatAtom> atoms;  // flatten(C): the next epoch's A
  CutOrder order;
};

// The TID that place() gives A[index] in the layout of `count` atoms (docs/protocol.md §3).
Tid flat_tid(uint64_t index, uint64_t count);
// How many of flat_tid(0, count) .. flat_tid(count - 1, count) sort below the well-formed TID `t`,
// which is none of them: a descent of the layout along t's branches, O(log count), no TID built.
uint64_t flat_rank(const Tid& t, uint64_t count);
// n_b = [(0:D_MIN)], the same in every epoch.
Tid sentinel_tid();

// flatten(C) from ops (docs/protocol.md correction 2): the epoch-initial atoms (the epoch's A,
// whose TIDs are flat_tid) and the inserts among `cut_ops`, minus the targets of the deletes among
// `cut_ops`, sorted by the comparator on their TIDs in this epoch. Run ops count as their members.
CutArray flatten_array(const std::vector<FlatAtom>& initial_atoms, const std::vector<Op>& cut_ops);

// H: a hash of flatten(C) covering atoms, widths and original op ids (docs/protocol.md correction
// 6). FNV-1a 64.
uint64_t flatten_hash(const std::vector<FlatAtom>& atoms);

enum class Colour : uint8_t { kCyan, kBlack };

// Colour by cut, not by sender (docs/protocol.md §4 step 4 and correction 1): an insert is cyan iff
// its op id is in C; a delete iff its op id is in C and its target is cyan (in C, or an
// epoch-initial atom).
Colour colour_of(const Op& op, const DotSet& cut, const DotSet& initial_ids);

// Atoms [index, index + count) of an array, inserted by consecutive op ids first .. first + count
// - 1 of one site.
struct AtomIdRun {
  OpId first;
  uint64_t count = 0;
  uint64_t index = 0;
};

// The insert op ids of an epoch's base atoms, as the set colour_of and Translator take: a DotSet,
// whose runs keep one site's consecutive ids in 16 bytes (a std::set took a node of 48 per atom).
DotSet ids_of_atoms(const std::vector<FlatAtom>& atoms);

// Translates black ops of epoch e into epoch e+1, identically at every site (docs/protocol.md §4
// step 6).
class Translator {
 public:
  // A_cyan is `atoms` (flatten(C)) placed in the cut epoch by `order`; the translator keeps an id
  // index of the atoms, not the atoms. `order` holds a TID per insert: move it in.
  Translator(const std::vector<FlatAtom>& atoms, CutOrder order, DotSet cut, DotSet initial_ids,
             uint64_t new_epoch);

  // The graft: c = max{a in A_cyan : old(a) < old}, or n_b; new = TID_new(c) • (1:⊥) ⊕ old.
  Tid translate_tid(const Tid& old_tid) const;
  // The op as it is applied in the new epoch (same op id), or nothing when it is a delete of a
  // cyan tombstone. Asserts the op is black.
  std::optional<Op> translate(const Op& black) const;
  // A run op's members as they are applied in the new epoch: each member coloured by the cut and
  // translated (or dropped) as translate() does it, regrouped into the fewest runs (a cyan atom
  // between two members grafts them below different atoms, so the run splits there).
  std::vector<Op> translate_run(const Op& op) const;

  uint64_t new_epoch() const { return new_epoch_; }
  // The closed epoch's base atom ids, which colour_of takes with the cut.
  const DotSet& initial_ids() const { return initial_ids_; }

 private:
  // How many atoms of A_cyan sort below `old_tid`, which is none of them.
  uint64_t a_cyan_below(const Tid& old_tid) const;

  uint64_t a_cyan_size_;
  CutOrder order_;
  DotSet cut_;
  DotSet initial_ids_;
  uint64_t new_epoch_;
  // A_cyan positions by original insert op id, as runs sorted by first id: typed text makes long
  // runs of consecutive ids, so this is a few entries where a pair per atom took a sort of them
  // all at every flatten.
  std::vector<AtomIdRun> index_of_insert_;
  std::optional<uint64_t> index_of(OpId insert) const;
};

}  // namespace treedoc
