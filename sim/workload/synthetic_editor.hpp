// The synthetic workload of one site: Poisson edit arrivals, an insert/erase mix, an optional hot
// spot, random atoms. Draws only from the site's own workload stream.
#pragma once

#include <cstdint>
#include <string>

#include "models/random/random_stream.hpp"
#include "sim/scenario/scenario.hpp"

namespace treedoc::sim {

struct SyntheticEdit {
  bool insert = true;
  uint32_t index = 0;
  std::string atom;  // insert only
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
