// Runs of atoms in one op (docs/BENCHMARKS.md, "Runs"): the implicit TIDs, op ids and atoms of a
// run's members, and the expanded per-atom form that is a run's meaning (and the tests' oracle).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "models/treedoc/op.hpp"

namespace treedoc {

// Runs longer than this are split: a named bound on one op's atoms (and on a decoder's allocation).
inline constexpr uint32_t kRunAtomsMax = uint32_t{1} << 24;

// The Dis of atom j of a run whose atom 0 has `first`: UDIS counts with the op ids, SDIS (counter
// 0) repeats the site's.
inline Dis run_dis(Dis first, uint64_t j) {
  return first.counter == 0 ? first : Dis{first.site, first.counter + j};
}

// The bytes of member j of insert run `run` (run.atom holds the members' bytes in order).
inline size_t run_member_size(const Op& run, uint32_t j) {
  return run.run_sizes.empty() ? run.atom.size() / run.run : run.run_sizes[j];
}

// The op id of atom j of a run (of a single op: j == 0, its own id), and of its delete's target.
inline OpId run_member_id(const Op& op, uint32_t j) { return {op.id.site, op.id.counter + j}; }
inline OpId run_member_target(const Op& op, uint32_t j) {
  return {op.target.site, op.target.counter + j};
}

// Calls fn(OpId) with the id of every atom of `op`, in order: what a site that applied it holds.
template <typename Fn>
void for_each_atom_id(const Op& op, Fn&& fn) {
  for (uint32_t j = 0; j < op.atoms(); ++j) fn(run_member_id(op, j));
}

// The index in A of the epoch-initial atom whose TID is `t` in the layout of `count` atoms, or
// nothing when `t` is not such a TID.
std::optional<uint32_t> flat_index(const Tid& t, uint64_t count);

// Turns atom j's TID into atom j + 1's, whose Dis is `next` (kMajor and kMini chains).
void step_run_tid(Tid* t, RunChain chain, Dis next);

// Whether a run op is self-consistent: at least two atoms, at most kRunAtomsMax, counters that do
// not overflow, sizes and widths that match its bytes, a TID whose last Dis is a real site's.
bool run_well_formed(const Op& op);

// Atom j of an insert run (or of a single insert, j == 0): its bytes and width.
std::string_view run_atom(const Op& op, uint32_t j);
uint32_t run_width(const Op& op, uint32_t j);
// Byte offset of atom j in op.atom.
size_t run_atom_offset(const Op& op, uint32_t j);

// The per-atom ops a run stands for, in order, one at a time: member j's TID is stepped from
// j - 1's, so a walk over a run of n atoms builds no more than the TIDs it is shown (a long
// pasted chain's expanded form is quadratic in bytes). A single-atom op has one member, itself.
class RunMembers {
 public:
  explicit RunMembers(const Op& run);
  const Op& member() const { return member_; }  // valid until next()
  uint32_t index() const { return j_; }
  bool next();  // to the next member; false after the last

 private:
  void set_member();

  const Op& run_;
  Op member_;
  Dis first_dis_{};
  uint32_t base_index_ = 0;
  uint32_t j_ = 0;
  size_t offset_ = 0;  // of member j + 1's bytes in run.atom, without rescanning the sizes
};

// Calls fn(const Op& member) for every member of `op`, in order (see RunMembers).
template <typename Fn>
void for_each_member(const Op& op, Fn&& fn) {
  RunMembers members(op);
  do {
    fn(members.member());
  } while (members.next());
}

// The per-atom ops a run stands for, in order (a single-atom op: itself).
std::vector<Op> expand_run(const Op& op);

// Groups consecutive single-atom ops into the fewest runs: a member joins the run before it when
// its op id, target and TID continue it. compress_runs(expand_run(op)) == {op} for every run op.
std::vector<Op> compress_runs(const std::vector<Op>& singles, RunChain chain);

// Appends a single-atom insert to the run being built in `run` (a copy of the first member when
// run->run == 0): bytes, width and count.
void append_to_run(Op* run, std::string_view atom, uint32_t width);
// Once built: drops the per-atom vectors when every atom has the same size and width.
void finish_run(Op* run);
// atoms[from..] (with `widths`, or width 1 each when empty) appended to the single-atom insert
// `run` and the run finished: what append_to_run for each and then finish_run give, without the
// per-atom vectors when the atoms are uniform (typed and pasted characters).
void append_and_finish_run(Op* run, const std::vector<std::string_view>& atoms,
                           const std::vector<uint32_t>& widths, size_t from);

}  // namespace treedoc
