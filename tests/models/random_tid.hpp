// Random TID elements for the comparator's and the layout's property tests.
#pragma once

#include <cstdint>
#include <vector>

#include "models/random/random_stream.hpp"
#include "models/treedoc/tid.hpp"

namespace treedoc::test {

// Appends `elements` random elements to `t`, each with a Dis drawn from `kinds` with probability
// `dis_chance`, and the last one always with one (a well-formed TID ends with a Dis).
inline void extend_randomly(RandomStream& rng, Tid* t, uint64_t elements, double dis_chance,
                            const std::vector<Dis>& kinds) {
  for (uint64_t e = 0; e < elements; ++e) {
    const auto branch = static_cast<uint8_t>(rng.below(2));
    if (e + 1 == elements || rng.chance(dis_chance)) {
      t->push(branch, kinds[rng.below(kinds.size())]);
    } else {
      t->push(branch);
    }
  }
}

}  // namespace treedoc::test
