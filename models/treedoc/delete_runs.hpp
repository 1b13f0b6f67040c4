// The first delete op id of each implicit atom (base or chained), kept as runs: a deleted range
// or a backspaced stretch has consecutive delete ids over consecutive atoms, rising or falling, so
// a tree costs a few bytes per delete op rather than a record per deleted atom. Later deletes of
// the same atom (concurrent ones) are listed by the tree as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include "models/treedoc/chunked_map.hpp"
#include "models/treedoc/dis.hpp"

namespace treedoc {

class DeleteRuns {
 public:
  void clear() { runs_.clear(); }
  // Records `op` as atom i's first delete; false (nothing recorded) when i has one already.
  bool add(uint32_t i, OpId op);
  // add(i + k, (site, first.counter + k)) for k < count, atoms none of which has a first delete:
  // the same runs, with one map search for the first atom rather than one per atom.
  void add_stretch(uint32_t i, uint32_t count, OpId first);
  // Atom i's first delete, or kOpIdNone.
  OpId first_delete(uint32_t i) const;
  size_t run_count() const { return runs_.size(); }
  size_t memory_bytes() const { return runs_.memory_bytes(); }

 private:
  // Atoms [key, key + count) were deleted by (site, first + k), or (site, first - k) when falling.
  // 16 bytes: the direction shares the count's word, as a run holds fewer than kBaseAtomsMax
  // (2^31 - 1) atoms.
  struct Run {
    uint32_t count : 31 = 0;
    uint32_t falling : 1 = 0;
    SiteId site = 0;
    uint64_t first = 0;
    uint64_t id(uint32_t k) const { return falling ? first - k : first + k; }
    // The atom right after the run, deleted by `op`, joins it when op's id is the run's next one
    // (a run of one takes its direction from op): add()'s rule at a run's end.
    bool continue_at_end(OpId op);
  };
  static_assert(sizeof(Run) == 16, "a delete run in two words");
  ChunkedMap<Run> runs_;
};

}  // namespace treedoc
