// The synthetic workload of one site: Poisson edit arrivals, an insert/erase mix, an optional hot
// spot, random atoms. Draws only from the site's own workload stream.
#pragma once

#include <cstdint>
#include <string>

#include "models/random/random_stream.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

// One user edit: `count` atoms inserted at (or erased from) visible index `index`.
struct SyntheticEdit {
  bool insert = true;
  uint32_t index = 0;
  uint32_t count = 1;  // more than one: a paste or a range erase (paste_probability)
  std::string atom;    // insert only: count atoms of atom_bytes each, concatenated
};

class SyntheticEditor {
 public:
  SyntheticEditor(const SyntheticWorkloadConfig& workload, RandomStream rng);

  // Time to the next edit: exponential with mean 1 / ops_per_s (never 0; kTimeUsMax if rate 0).
  TimeUs next_gap_us();
  // The next edit on a document of `size` visible atoms (an erase on an empty one inserts).
  SyntheticEdit next_edit(uint32_t size);

 private:
  uint32_t pick_index(uint32_t slots);  // in [0, slots)

  SyntheticWorkloadConfig workload_;
  RandomStream rng_;
};

}  // namespace treedoc::sim
