// The named limits of scenario files, each in the unit its name ends with; docs/scenarios.md
// lists them. Site counts and times have theirs in sim/scenario.hpp and models/site/time_us.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "models/site/site_config.hpp"

namespace treedoc::sim {

inline constexpr size_t kScenarioFileBytesMax = size_t{16} << 20;  // 16 MiB
inline constexpr size_t kScenarioJsonDepthMax = 64;  // objects and arrays inside each other
inline constexpr uint32_t kCoreSitesMin = 1;
inline constexpr uint64_t kSeedMax = std::numeric_limits<uint64_t>::max();
inline constexpr double kParetoShapeAbove = 1;  // the shape must exceed it for a finite mean
using site::kFanoutMax;  // models/site/site_config.hpp: the model asserts the same bounds
using site::kFanoutMin;
inline constexpr double kOpsPerSecondMax = 1000;
inline constexpr uint32_t kAtomBytesMin = 1;
inline constexpr uint32_t kAtomBytesMax = 1024;
inline constexpr uint32_t kHotSpotWidthAtomsMin = 1;
inline constexpr uint32_t kHotSpotWidthAtomsMax = 1'000'000;
// A synthetic paste or range erase: at least two atoms (one is a plain edit), at most this many.
inline constexpr uint32_t kPasteAtomsMin = 2;
inline constexpr uint32_t kPasteAtomsMax = 4096;
inline constexpr uint64_t kFlattenOpsMax = 1'000'000'000;
// checker.require_probes' counts and checker.expect's bounds: far above any run's figures, so a
// typo of a few digits is still caught.
inline constexpr uint64_t kProbeTimesMax = 1'000'000'000'000;
inline constexpr uint64_t kFigureBoundMax = 1'000'000'000'000;
// Fault events are kept whole with their resolved site sets: these bound that memory (about
// 40 MB of site indices) for files that are valid JSON but absurd.
inline constexpr size_t kFaultEventsMax = 10'000;
inline constexpr size_t kFaultSiteEntriesMax = 10'000'000;

}  // namespace treedoc::sim
