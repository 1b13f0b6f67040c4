// ln, exp and pow from + - * / only, so every machine draws the same delays from the same seed
// (libm's log and pow may differ in the last bit between versions; the build disables FMA
// contraction for the same reason).
#pragma once

#include <cmath>
#include <cstdint>

#include "models/treedoc/assertion.hpp"

namespace treedoc::sim {

// Natural log for x > 0: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh((m-1)/(m+1)).
inline double deterministic_ln(double x) {
  TD_ASSERT(x > 0 && std::isfinite(x), "ln of a positive finite number");
  int e = 0;
  double m = std::frexp(x, &e);  // exact: m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  const double s = (m - 1) / (m + 1);  // |s| < 0.172
  const double s2 = s * s;
  double term = s, sum = 0;
  for (int k = 1; k <= 39; k += 2) {  // s^41 / 41 < 1e-33: far below double precision
    sum += term / k;
    term *= s2;
  }
  return 2 * sum + e * 0.69314718055994530942;
}

// e^x for |x| <= 700: x = k ln2 + r with |r| <= ln2/2, Taylor series for e^r, then scale by 2^k.
inline double deterministic_exp(double x) {
  TD_ASSERT(x >= -700 && x <= 700, "exp argument in range");
  const double ln2 = 0.69314718055994530942;
  const double k = std::nearbyint(x / ln2);
  const double r = x - k * ln2;
  double term = 1, sum = 1;
  for (int n = 1; n <= 20; ++n) {  // (ln2/2)^21 / 21! < 1e-28
    term *= r / n;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

// -ln(U) for U uniform in (0, 1): an exponential variate with mean 1.
inline double exponential_from_unit(double u) {
  TD_ASSERT(u >= 0 && u < 1, "a unit draw");
  return -deterministic_ln(1 - u);  // 1 - u is in (0, 1]
}

// A Pareto-tail factor U^(-1/shape) - 1 >= 0 for U uniform in (0, 1], shape > 0.
inline double pareto_excess_from_unit(double u, double shape) {
  TD_ASSERT(shape > 0, "positive shape");
  const double x = exponential_from_unit(u) / shape;  // ln(U^(-1/shape)) with U = 1 - u
  return x > 700 ? 1e300 : deterministic_exp(x) - 1;
}

}  // namespace treedoc::sim
