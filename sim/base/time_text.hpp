// Simulated times as people read them in messages and summaries: "25 s", "2.5 s", "0.5 ms".
#pragma once

#include <string>

#include "models/site/time_us.hpp"

namespace treedoc::sim {

// `us` in seconds or milliseconds, exact (no rounding), without trailing zeros.
std::string seconds_text(site::TimeUs us);
std::string milliseconds_text(site::TimeUs us);

}  // namespace treedoc::sim
