// What one atom of a trace-driven document holds: a character, a word or a line. Scenario files
// (workload.atoms), replay-trace's --atoms and reports use these names.
#pragma once

#include <cstdint>
#include <string_view>

#include "models/vocabulary/named_enum.hpp"

namespace treedoc::sim {

#define TREEDOC_ATOM_GRANULARITIES(X)                                                       \
  X(kChar, "char", "one Unicode code point per atom")                                       \
  X(kWord, "word", "a run of non-blanks with the blanks after it, rewritten whole on edit") \
  X(kLine, "line", "a line up to and including its newline, rewritten whole on edit")

enum class AtomGranularity : uint8_t { TREEDOC_ATOM_GRANULARITIES(TREEDOC_ENUMERATOR) };

inline constexpr auto kAtomGranularities =
    named_enum<AtomGranularity>({TREEDOC_ATOM_GRANULARITIES(TREEDOC_ENUM_ENTRY)});
static_assert(kAtomGranularities.well_formed());
static_assert(kAtomGranularities.size() == 3, "char, word and line");

inline const char* to_string(AtomGranularity g) { return kAtomGranularities.name(g); }

}  // namespace treedoc::sim
