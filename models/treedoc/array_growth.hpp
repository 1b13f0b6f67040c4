// How the arrays a replica appends to while it edits grow: by half of their capacity, not double
// (libstdc++'s vector and string double). A replica's memory is these arrays' capacities, so what
// doubling leaves unused (a quarter of an array on average, up to half right after it grew) is
// memory the replica holds for nothing; growing by half leaves a sixth on average for about twice
// the copying of the bytes appended (docs/BENCHMARKS.md, "Remote typing as chains").
#pragma once

#include <algorithm>
#include <cstddef>

namespace treedoc {

// The least an array grows by, in elements: small arrays do not reallocate at every append.
inline constexpr size_t kArrayGrowthMin = 16;

// The capacity an array of `size` elements in `capacity` has after making room for `extra` more.
inline size_t grown_capacity(size_t size, size_t capacity, size_t extra) {
  const size_t needed = size + extra;
  if (needed <= capacity) return capacity;
  return std::max(needed, capacity + std::max(capacity / 2, kArrayGrowthMin));
}

// Makes room in `v` (a std::vector: its reserve allocates exactly what it is asked) for `extra`
// more elements.
template <typename Vector>
void reserve_for_append(Vector* v, size_t extra) {
  v->reserve(grown_capacity(v->size(), v->capacity(), extra));
}

}  // namespace treedoc
