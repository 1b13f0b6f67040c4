// Exact decimal seconds and milliseconds for integer microseconds.
#include "sim/base/time_text.hpp"

namespace treedoc::sim {

namespace {

// `us` / `us_per_unit` written exactly; `fraction_digits` is log10(us_per_unit).
std::string exact_text(site::TimeUs us, site::TimeUs us_per_unit, size_t fraction_digits,
                       const char* unit) {
  std::string text = std::to_string(us / us_per_unit);
  const site::TimeUs fraction = us % us_per_unit;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, fraction_digits - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    text += "." + digits;
  }
  return text + " " + unit;
}

}  // namespace

std::string seconds_text(site::TimeUs us) { return exact_text(us, site::kUsPerS, 6, "s"); }
std::string milliseconds_text(site::TimeUs us) { return exact_text(us, site::kUsPerMs, 3, "ms"); }

}  // namespace treedoc::sim
