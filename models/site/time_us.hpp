// Simulated time in integer microseconds: the one time type of models/site and the simulator, so
// no decision ever depends on floating-point rounding (docs/simulator.md, determinism).
#pragma once

#include <cstdint>

namespace treedoc::site {

using TimeUs = uint64_t;

inline constexpr TimeUs kUsPerMs = 1'000;
inline constexpr TimeUs kUsPerS = 1'000'000;
// A named bound on any simulated time: about 11.6 simulated days.
inline constexpr TimeUs kTimeUsMax = 1'000'000 * kUsPerS;

}  // namespace treedoc::site
