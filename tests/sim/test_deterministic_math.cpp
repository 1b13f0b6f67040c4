// Our ln and exp agree with libm to within a few ulps, and the variates have the right means.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/random/random_stream.hpp"
#include "sim/base/deterministic_math.hpp"

using namespace treedoc;
using namespace treedoc::sim;

TEST_CASE("deterministic ln and exp match libm closely", "[math]") {
  RandomStream rng(1);
  for (int i = 0; i < 100'000; ++i) {
    const double x = std::ldexp(0.5 + rng.unit(), static_cast<int>(rng.below(200)) - 100);
    REQUIRE(deterministic_ln(x) == Approx(std::log(x)).epsilon(1e-14).margin(1e-15));
    const double y = (rng.unit() - 0.5) * 1000;
    REQUIRE(deterministic_exp(y) == Approx(std::exp(y)).epsilon(1e-13));
  }
  REQUIRE(deterministic_ln(1.0) == 0.0);
  REQUIRE(deterministic_exp(0.0) == 1.0);
}

TEST_CASE("exponential and Pareto variates have the expected means", "[math]") {
  RandomStream rng(2);
  const int n = 200'000;
  double exp_sum = 0, pareto_sum = 0;
  for (int i = 0; i < n; ++i) {
    exp_sum += exponential_from_unit(rng.unit());
    pareto_sum += pareto_excess_from_unit(rng.unit(), 3.0);
  }
  REQUIRE(exp_sum / n == Approx(1.0).epsilon(0.02));
  // E[U^(-1/a)] - 1 = a/(a-1) - 1 = 1/(a-1) = 0.5 for a = 3.
  REQUIRE(pareto_sum / n == Approx(0.5).epsilon(0.05));
}
