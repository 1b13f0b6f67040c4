// Assertions that stay on in every build: the model's first oracle (TigerBeetle style).
#pragma once

#include <cstdio>
#include <cstdlib>

namespace treedoc {

[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line,
                                          const char* why) {
  std::fprintf(stderr, "treedoc assertion failed: %s (%s) at %s:%d\n", expr, why, file, line);
  std::abort();
}

}  // namespace treedoc

// TD_ASSERT is cheap and always on; TD_ASSERT_SLOW guards O(n) checks used by tests and debug runs.
#define TD_ASSERT(expr, why) \
  ((expr) ? (void)0 : ::treedoc::assertion_failed(#expr, __FILE__, __LINE__, why))
#ifdef TREEDOC_SLOW_ASSERTIONS
#define TD_ASSERT_SLOW(expr, why) TD_ASSERT(expr, why)
#else
#define TD_ASSERT_SLOW(expr, why) ((void)0)
#endif
